/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "log.h"
#include "xalloc.h"

int imgs_content_differs(const struct imgs_entry *e, const struct imgs_have *h, int checksum)
{
	if ((uint64_t)h->st.st_size != e->size)
		return 1;
	if (checksum)
		return !(h->has_sum && e->has_sum && memcmp(h->sum, e->sum, IMGS_SUMLEN) == 0);
	return h->st.st_mtim.tv_sec != e->mtime_sec || (uint32_t)h->st.st_mtim.tv_nsec != e->mtime_nsec;
}

void imgs_compare(const struct imgs_entry *e, const struct imgs_have *h, int checksum, struct imgs_cmp *c)
{
	memset(c, 0, sizeof *c);
	if (!h->exists) {
		c->create = 1;
		c->content = e->type == IMGS_REG;
		return;
	}
	int type = imgs_type_of_mode(h->st.st_mode);
	int same = type == e->type;
	if (same && (type == IMGS_CHR || type == IMGS_BLK) && (uint64_t)h->st.st_rdev != e->rdev)
		same = 0;
	if (same && type == IMGS_LNK && strcmp(h->target ? h->target : "", e->target) != 0)
		same = 0;
	if (!same) {
		c->create = c->replace = 1;
		c->content = e->type == IMGS_REG;
		return;
	}
	if (type == IMGS_REG) {
		c->size = (uint64_t)h->st.st_size != e->size;
		c->content = imgs_content_differs(e, h, checksum);
		c->sum = checksum && c->content && !c->size;
	}
	c->owner = h->st.st_uid != e->uid;
	c->group = h->st.st_gid != e->gid;
	c->mode = type != IMGS_LNK && (h->st.st_mode & 07777) != e->mode;
	c->mtime = h->st.st_mtim.tv_sec != e->mtime_sec || (uint32_t)h->st.st_mtim.tv_nsec != e->mtime_nsec;
	c->acl = !imgs_xattrs_equal(h->xs, h->nx, e->xattrs, e->nxattrs, 1);
	c->xattr = !imgs_xattrs_equal(h->xs, h->nx, e->xattrs, e->nxattrs, 0);
	c->meta = c->owner || c->group || c->mode || c->mtime || c->acl || c->xattr;
}

int imgs_cmp_changes(const struct imgs_cmp *c)
{
	return c->create || c->content || c->meta;
}

static char type_char(int type)
{
	switch (type) {
	case IMGS_REG: return 'f';
	case IMGS_DIR: return 'd';
	case IMGS_LNK: return 'L';
	case IMGS_CHR:
	case IMGS_BLK: return 'D';
	default: return 'S';
	}
}

char *imgs_itemize(const struct imgs_entry *e, const struct imgs_cmp *c, const char *leader)
{
	char code[12];
	code[0] = leader ? 'h' : (c->content ? '>' : (c->create ? 'c' : '.'));
	code[1] = type_char(e->type);
	if (c->create) {
		memset(code + 2, '+', 9);
	} else {
		const char f[9] = { c->sum ? 'c' : '.', c->size ? 's' : '.', c->mtime ? 't' : '.',
				    c->mode ? 'p' : '.', c->owner ? 'o' : '.', c->group ? 'g' : '.',
				    '.', c->acl ? 'a' : '.', c->xattr ? 'x' : '.' };
		memcpy(code + 2, f, 9);
	}
	code[11] = '\0';
	const char *path = strcmp(e->path, ".") == 0 ? "." : e->path;
	const char *slash = e->type == IMGS_DIR ? "/" : "";
	if (leader)
		return xasprintf("%s %s => %s", code, path, leader);
	if (e->type == IMGS_LNK)
		return xasprintf("%s %s -> %s", code, path, e->target);
	return xasprintf("%s %s%s", code, path, slash);
}

char *imgs_itemize_delete(const char *path, int is_dir)
{
	return xasprintf("*deleting   %s%s", path, is_dir ? "/" : "");
}
