TOOLS += ctrelay
ctrelay_PKGS = libcrypto
ctrelay_LDLIBS =
