/*
 * excl — exclusion patterns (see excl.h).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "excl.h"
#include "fsutil.h"
#include "log.h"

const char *const mkc_excl_golden_defaults[] = {
	"/proc/*", "/sys/*", "/dev/*", "/run/*", "/tmp/*", "/var/tmp/*", "/mnt/*", "/media/*",
	"/lost+found", "/var/cache/apt/archives/*.deb", "/var/cache/dnf/*", "/var/cache/zypp/*",
	"/var/lib/dhcp/*", "/var/log/*.log", "/var/log/journal/*", "/etc/ssh/ssh_host_*",
	"/swapfile", NULL,
};

void mkc_excl_add(struct mkc_excl *x, const char *pattern)
{
	size_t n = strlen(pattern);
	while (n > 1 && pattern[n - 1] == '/')
		n--; /* "/var/cache/" means the directory */
	char *p = xstrndup(pattern, n);
	mkc_strv_add(&x->pats, p);
	free(p);
}

void mkc_excl_add_text(struct mkc_excl *x, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		char *line = xstrndup(text, n);
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		char *e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (*s && *s != '#')
			mkc_excl_add(x, s);
		free(line);
		text += n;
		if (*text == '\n')
			text++;
	}
}

int mkc_excl_add_file(struct mkc_excl *x, const char *path)
{
	char *text = fs_read_file(path, 1u << 20, NULL);
	if (!text)
		return errno == ENOENT ? 0 : -1;
	mkc_excl_add_text(x, text);
	free(text);
	return 0;
}

int mkc_excl_match(const struct mkc_excl *x, const char *rel)
{
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	for (size_t i = 0; i < x->pats.n; i++) {
		const char *p = x->pats.v[i];
		if (p[0] == '/') {
			if (fnmatch(p + 1, rel, FNM_PATHNAME) == 0)
				return 1;
		} else if (fnmatch(p, base, 0) == 0) {
			return 1;
		}
	}
	return 0;
}

void mkc_excl_free(struct mkc_excl *x)
{
	mkc_strv_free(&x->pats);
}
