/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plan — what cpush sends. From the command line's sources and target (or a
 * --list file of "source [target]" lines), -r and --exclude patterns, build
 * one ordered list of entries (directories before their contents) with the
 * local path, the remote path, type, mode, size and mtime. The same plan is
 * then played against every node. Deciding per remote file whether it can be
 * skipped (same type, size and mtime) and which remote names --delete removes
 * are pure functions over that plan, so they are unit tested without a node.
 * Only cpplan_add scans the local filesystem (lstat/readdir).
 */
#ifndef CPUSH_PLAN_H
#define CPUSH_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cpplan_type { CPPLAN_FILE, CPPLAN_DIR, CPPLAN_LINK };

struct cpplan_entry {
	enum cpplan_type type;
	char *src;      /* local path */
	char *dst;      /* remote path */
	char *rel;      /* path below its top source ("" for the top itself), for --exclude */
	char *link;     /* symlink target (CPPLAN_LINK) */
	mode_t mode;    /* permission bits, 07777 */
	int64_t mtime;  /* seconds since the epoch */
	uint64_t size;
	int recursed;   /* a directory whose contents are in the plan (-r): --delete applies */
	size_t top;     /* index of the top entry it came from */
};

struct cpplan {
	struct cpplan_entry *e;
	size_t n, cap;
	char **excludes; /* patterns (not owned) */
	size_t nexcludes;
	char **sorted;   /* dst of every entry, sorted, built by cpplan_finish */
};

/* One "source [target]" pair; target NULL means "same path as the source". */
struct cpplan_pair {
	char *src;
	char *dst;
	int line;
};

struct cpplan_pairs {
	struct cpplan_pair *p;
	size_t n;
};

void cpplan_init(struct cpplan *plan, char **excludes, size_t nexcludes);
void cpplan_free(struct cpplan *plan);

/*
 * Parse a --list file: one "source [target]" per line, blank lines and
 * '#' comments ignored, at most two words. 0, or -1 with ERR "FNAME:LINE: ...".
 */
int cpplan_parse_list(const char *text, size_t len, const char *fname, struct cpplan_pairs *out,
		      char *err, size_t errlen);
void cpplan_pairs_free(struct cpplan_pairs *pairs);

/*
 * Remote path for SRC: TARGET NULL gives SRC made absolute against CWD;
 * TARGET ending in '/' or INTO_DIR set puts SRC's basename inside TARGET;
 * else TARGET itself. Caller frees.
 */
char *cpplan_target(const char *src, const char *target, int into_dir, const char *cwd);

/* Does REL (path below a top source, "" for the top) match an --exclude pattern? */
int cpplan_excluded(char *const *pats, size_t npats, const char *rel);

/*
 * Add SRC (sent as DST) to the plan: a file, a symlink to a file (followed),
 * or with RECURSIVE a directory and everything under it (symlinks inside are
 * sent as symlinks). 0, or -1 with ERR "SRC: message" (missing source,
 * directory without -r, unreadable directory).
 */
int cpplan_add(struct cpplan *plan, const char *src, const char *dst, int recursive, char *err,
	       size_t errlen);

/* Call once after the last cpplan_add: sorts the remote names for lookups. */
void cpplan_finish(struct cpplan *plan);

/* Remote object as stat'ed by SFTP. */
struct cpplan_remote {
	int exists;
	enum cpplan_type type; /* CPPLAN_FILE/DIR/LINK; other types are reported as FILE with mode 0 */
	uint64_t size;
	int64_t mtime;
	mode_t mode;
};

/* Can entry E be skipped on a node whose DST is R? (not with BLIND) */
int cpplan_unchanged(const struct cpplan_entry *e, const struct cpplan_remote *r, int blind);

/*
 * --delete: should NAME, found in the remote directory of entry DIR, be
 * removed? Yes unless the plan sends it or an --exclude pattern protects it;
 * "." and ".." never.
 */
int cpplan_extraneous(const struct cpplan *plan, const struct cpplan_entry *dir, const char *name);

/* Is DST the remote path of some entry? */
int cpplan_has_dst(const struct cpplan *plan, const char *dst);

#endif
