# SPDX-License-Identifier: BSD-3-Clause
TOOLS += ctrelay
ctrelay_PKGS = libcrypto
ctrelay_LDLIBS =
