# SPDX-License-Identifier: BSD-3-Clause
TOOLS += imgsync
imgsync_PKGS = libcrypto libzstd
imgsync_LDLIBS = -lrsync -lpthread
SBIN_TOOLS += imgsync
imgsync_LINKS =
