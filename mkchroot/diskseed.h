/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diskseed — the default --uuid-seed of mkchroot --disk, derived from the
 * tree: "tree:" and the SHA-256, in hex, of every path below the root in
 * byte order with its type, mode, owner, size, modification time and
 * symlink target (or device number; a directory's size is left out: it
 * differs between filesystems). Two copies of one tree give the same
 * seed, so the same UUIDs; a changed file changes its size or its time, so
 * the seed. File contents are not read (that would double the I/O).
 */
#ifndef MKCHROOT_DISKSEED_H
#define MKCHROOT_DISKSEED_H

/* The seed for the tree at ROOT (caller frees), or NULL after a message. */
char *mkc_disk_tree_seed(const char *root);

#endif
