TOOLS += imgsync
imgsync_PKGS = libcrypto
imgsync_LDLIBS = -lrsync -lpthread
SBIN_TOOLS += imgsync
imgsync_LINKS =
