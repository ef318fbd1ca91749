TOOLS += cget
cget_PKGS = libssh2 jansson popt
cget_LDLIBS =
