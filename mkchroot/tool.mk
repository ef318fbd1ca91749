TOOLS += mkchroot
mkchroot_PKGS = libarchive jansson
mkchroot_LDLIBS =
SBIN_TOOLS += mkchroot
mkchroot_LINKS =
