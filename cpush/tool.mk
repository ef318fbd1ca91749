# SPDX-License-Identifier: BSD-3-Clause
TOOLS += cpush
cpush_PKGS = libssh2 jansson popt libcrypto
cpush_LDLIBS = -lpthread
