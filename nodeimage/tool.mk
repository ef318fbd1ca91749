# SPDX-License-Identifier: BSD-3-Clause
TOOLS += nodeimage
nodeimage_PKGS = libcurl zlib libzstd libcrypto
nodeimage_LDLIBS =
SBIN_TOOLS += nodeimage
nodeimage_LINKS =
