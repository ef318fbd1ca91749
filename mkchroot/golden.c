/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * golden — golden copies from a directory or a host (see golden.h).
 */
#include <archive.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "golden.h"
#include "goldenssh.h"
#include "log.h"
#include "tree.h"
#include "unpack.h"

int mkc_golden_is_local(const char *source)
{
	return source[0] == '/' || source[0] == '.';
}

static int copy_local(const char *source, const char *root, const struct exclude *excl)
{
	char *abs = realpath(source, NULL);
	if (!abs) {
		warnmsg_errno("%s", source);
		return -1;
	}
	struct mkc_unpack u;
	if (mkc_unpack_begin(&u, root, excl) < 0) {
		free(abs);
		return -1;
	}
	struct mkc_tree_opts o = {
		.excl = excl,
		.link_format = ARCHIVE_FORMAT_TAR_PAX_RESTRICTED,
		.skip_dev = (dev_t)-1,
		.verbose_list = log_verbosity() >= LOG_DEBUG,
	};
	struct mkc_tree_stats st = { 0 };
	int rc = mkc_tree_write(u.disk, abs, &o, &st);
	struct stat sb;
	if (rc == 0 && stat(abs, &sb) == 0)
		mkc_unpack_root_meta(&u, sb.st_uid, sb.st_gid, sb.st_mode);
	verbose("%s: %ju entries, %ju bytes copied, %ju excluded", abs, (uintmax_t)st.entries, (uintmax_t)st.bytes,
		(uintmax_t)st.excluded);
	mkc_unpack_end(&u);
	free(abs);
	return rc;
}

int mkc_golden_copy(const char *source, const char *root, const struct exclude *excl)
{
	if (mkc_golden_is_local(source))
		return copy_local(source, root, excl);
	return mkc_golden_remote(source, root, excl);
}
