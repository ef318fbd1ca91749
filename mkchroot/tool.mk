# SPDX-License-Identifier: BSD-3-Clause
TOOLS += mkchroot
mkchroot_PKGS = libarchive jansson libssh2 libcrypto
mkchroot_LDLIBS =
SBIN_TOOLS += mkchroot
mkchroot_LINKS =
