# SPDX-License-Identifier: BSD-3-Clause
# ctrelay runs on nodes (uploaded there by cpush when missing): it needs only
# libc and libcrypto. lib/cli's popt is linked in from libpopt.a; lib/cli
# reaches jansson only through jsonl, which ctrelay does not link (see cli.c).
TOOLS += ctrelay
ctrelay_PKGS = libcrypto
ctrelay_STATIC = popt
ctrelay_LDLIBS =
