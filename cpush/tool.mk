TOOLS += cpush
cpush_PKGS = libssh2 jansson popt
cpush_LDLIBS =
