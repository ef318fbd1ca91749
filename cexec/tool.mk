# SPDX-License-Identifier: BSD-3-Clause
# cexec: run a command on many nodes in parallel over SSH (cexecs: serially)
TOOLS += cexec
cexec_PKGS = libssh2 jansson popt libcrypto
cexec_LDLIBS =
cexec_LINKS = cexecs
