// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "paths.h"

/*
 * A path being built in a caller's buffer. Absolute: "" is the root and
 * every component is written as "/name". Relative: components are joined
 * by "/", and a ".." that cannot be resolved is kept.
 */
struct built {
	char *buf;
	size_t len, n;
	bool absolute;
	bool overflow;
};

static bool is_dotdot(const char *c, size_t clen)
{
	return clen == 2 && c[0] == '.' && c[1] == '.';
}

/* Drop the last component for a "..". False when it must be kept instead
 * (a relative path that is empty or already ends in ".."). */
static bool drop_last(struct built *b)
{
	size_t i = b->n;

	while (i > 0 && b->buf[i - 1] != '/')
		i--;
	if (b->absolute) {
		/* the root's ".." is the root, as in the kernel's walk */
		b->n = i ? i - 1 : 0;
		return true;
	}
	if (b->n == 0 || is_dotdot(b->buf + i, b->n - i))
		return false;
	b->n = i ? i - 1 : 0;
	return true;
}

static void append(struct built *b, const char *c, size_t clen)
{
	size_t sep = b->absolute || b->n ? 1 : 0;

	if (b->n + sep + clen + 1 > b->len) {
		b->overflow = true;
		return;
	}
	if (sep)
		b->buf[b->n++] = '/';
	memcpy(b->buf + b->n, c, clen);
	b->n += clen;
}

/*
 * ".." is resolved lexically: "a/../b" is "<base>/b". The kernel follows
 * ".." from the directory it reached, which is the same place unless "a"
 * is a symlink. mnttrace never resolves symlinks in a path a process
 * passed (that needs I/O on the hot path, and the tree may have changed
 * since the call), so full paths are "what the caller named, made
 * absolute"; keeping ".." would only make them never match a mountpoint
 * from the kernel or mountinfo, which has no ".." at all.
 */
static void add_components(struct built *b, const char *p)
{
	while (*p && !b->overflow) {
		const char *c;

		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		if (p == c || (p - c == 1 && c[0] == '.'))
			continue;
		if (is_dotdot(c, (size_t)(p - c)) && drop_last(b))
			continue;
		append(b, c, (size_t)(p - c));
	}
}

int mt_path_resolve(const char *base, const char *path, char *buf, size_t len)
{
	struct built b = { .buf = buf, .len = len };

	if (!len)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	if (!path)
		return 0;
	/* a base cut at the front (a cwd deeper than PATH_MAX) has no "/":
	 * the result stays relative, never an absolute-looking wrong path */
	b.absolute = path[0] == '/' || (base && base[0] == '/');
	if (!b.absolute && !*path && !(base && *base))
		return 0;
	if (path[0] != '/' && base && *base)
		add_components(&b, base);
	add_components(&b, path);
	if (!b.overflow && b.n == 0)
		append(&b, b.absolute ? "" : ".", b.absolute ? 0 : 1);
	if (b.overflow) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	buf[b.n] = '\0';
	return (int)b.n;
}

bool mt_path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (strncmp(path, prefix, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && prefix[0] == '/');
}
