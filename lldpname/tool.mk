# SPDX-License-Identifier: BSD-3-Clause
TOOLS += lldpname
lldpname_PKGS = libpcap jansson popt
lldpname_LDLIBS =
SBIN_TOOLS += lldpname
lldpname_LINKS =
