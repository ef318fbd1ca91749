# SPDX-License-Identifier: BSD-3-Clause
TOOLS += cget
cget_PKGS = libssh2 jansson popt
cget_LDLIBS =
