# SPDX-License-Identifier: BSD-3-Clause
TOOLS += envswitch
envswitch_PKGS = popt jansson
envswitch_LDLIBS =
envswitch_LINKS =
