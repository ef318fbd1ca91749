TOOLS += lldpname
lldpname_PKGS = libpcap jansson popt
lldpname_LDLIBS =
SBIN_TOOLS += lldpname
lldpname_LINKS =
