// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "mountinfo.h"
#include "ovl_options.h"
#include "procinfo.h"

static int is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

char *mt_unescape_octal(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && is_odigit(r[1]) && is_odigit(r[2]) &&
		    is_odigit(r[3])) {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 |
				      (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

char *mt_unescape_backslash(char *s)
{
	/* most dirs have no backslash: up to the first, nothing moves */
	char *r = strchr(s, '\\'), *w = r;

	if (!r)
		return s;
	while (*r) {
		if (r[0] == '\\' && r[1])
			r++;
		*w++ = *r++;
	}
	*w = '\0';
	return s;
}

/* Strict decimal u32: digits only, no sign, no overflow. */
static int parse_u32(const char *s, __u32 *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 0xffffffffULL)
			return -EINVAL;
	}
	*out = (__u32)v;
	return 0;
}

static int parse_tag(const char *tok, const char *name, __u32 *out)
{
	size_t n = strlen(name);

	if (strncmp(tok, name, n) != 0 || tok[n] != ':')
		return 0;
	return parse_u32(tok + n + 1, out) ? -EINVAL : 1;
}

/* Keep the layers in e->ovl_buf, one string after the other. */
static int keep_layers(struct mt_mntent *e, const char *lower, const char *upper,
		       const char *work)
{
	const char *src[] = { lower, upper, work };
	char **dst[] = { &e->lowerdir, &e->upperdir, &e->workdir };
	size_t len = 1, off = 0;

	for (size_t i = 0; i < 3; i++)
		len += src[i] ? strlen(src[i]) + 1 : 0;
	e->ovl_buf = malloc(len);
	if (!e->ovl_buf)
		return -ENOMEM;
	for (size_t i = 0; i < 3; i++) {
		if (!src[i])
			continue;
		*dst[i] = strcpy(e->ovl_buf + off, src[i]);
		off += strlen(src[i]) + 1;
	}
	return 0;
}

/*
 * The layers out of overlay super options, through the one overlay options
 * parser: lowerdir= (6.1+) or lowerdir+= and datadir+= (6.8+ fsconfig
 * overlays print one option per layer), upperdir=, workdir=.
 */
static int parse_overlay_opts(struct mt_mntent *e)
{
	struct mt_ovl_opts o = MT_OVL_OPTS_INIT;
	char *copy = strdup(e->super_opts), *p = copy, *tok, *lower = NULL;
	int err = copy ? 0 : -ENOMEM;

	/* The kernel escaped ',' inside values as \054: split first. */
	while (err >= 0 && (tok = strsep(&p, ",")) != NULL) {
		char *val = strchr(tok, '=');

		if (!val)
			continue;
		*val++ = '\0';
		err = mt_ovl_opts__set(&o, tok, mt_unescape_octal(val));
	}
	if (err >= 0 && o.nr_lower) {
		lower = mt_ovl_opts__lower_str(&o);
		err = lower ? 0 : -ENOMEM;
	}
	if (err >= 0)
		err = keep_layers(e, lower, o.upper, o.work);
	free(lower);
	free(copy);
	mt_ovl_opts__release(&o);
	return err < 0 ? err : 0;
}

int mt_mountinfo_parse_line(char *line, struct mt_mntent *e)
{
	char *p = line, *tok, *dev, *minor;
	bool sep = false;

	memset(e, 0, sizeof(*e));
	line[strcspn(line, "\n")] = '\0';

	tok = strsep(&p, " ");
	if (!tok || parse_u32(tok, &e->mnt_id))
		return -EINVAL;
	tok = strsep(&p, " ");
	if (!tok || parse_u32(tok, &e->parent_id))
		return -EINVAL;
	dev = strsep(&p, " ");
	if (!dev || !(minor = strchr(dev, ':')))
		return -EINVAL;
	*minor++ = '\0';
	if (parse_u32(dev, &e->major) || parse_u32(minor, &e->minor))
		return -EINVAL;
	e->root = strsep(&p, " ");
	e->mountpoint = strsep(&p, " ");
	e->opts = strsep(&p, " ");
	if (!e->opts || !*e->root || !*e->mountpoint)
		return -EINVAL;

	/* Optional fields, up to the lone "-". */
	while ((tok = strsep(&p, " ")) != NULL) {
		int r;

		if (strcmp(tok, "-") == 0) {
			sep = true;
			break;
		}
		if (!*tok)
			return -EINVAL;
		if ((r = parse_tag(tok, "shared", &e->shared)) ||
		    (r = parse_tag(tok, "master", &e->master)) ||
		    (r = parse_tag(tok, "propagate_from", &e->propagate_from))) {
			if (r < 0)
				return -EINVAL;
		} else if (strcmp(tok, "unbindable") == 0) {
			e->unbindable = true;
		}
		/* Unknown tags are allowed: proc(5) says to ignore them. */
	}
	if (!sep)
		return -EINVAL;
	e->fstype = strsep(&p, " ");
	e->source = strsep(&p, " ");
	e->super_opts = p ? p : (char *)"";
	if (!e->fstype || !e->source || !*e->fstype)
		return -EINVAL;

	mt_unescape_octal(e->root);
	mt_unescape_octal(e->mountpoint);
	mt_unescape_octal(e->source);
	if (strcmp(e->fstype, "overlay") == 0 && parse_overlay_opts(e))
		return -ENOMEM;
	return 0;
}

void mt_mntent_release(struct mt_mntent *e)
{
	free(e->ovl_buf);
	e->ovl_buf = NULL;
}

int mt_ovl_lower_layer(const char *lowerdir, int idx, char *buf, size_t size)
{
	struct mt_ovl_opts o = MT_OVL_OPTS_INIT;
	int ret = mt_ovl_opts__set(&o, "lowerdir", lowerdir);
	size_t n;

	if (ret >= 0 && (idx < 0 || (size_t)idx >= o.nr_lower))
		ret = -ENOENT;
	if (ret >= 0) {
		n = strlen(o.lower[idx]);
		ret = n < size ? (int)n : -ENAMETOOLONG;
		if (ret >= 0)
			memcpy(buf, o.lower[idx], n + 1);
	}
	mt_ovl_opts__release(&o);
	return ret;
}

/* ---- tables ---- */

struct prop {
	__u32 id, shared, master;
};

static int cmp_prop(const void *a, const void *b)
{
	const struct prop *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * What an overlay-only table needs of every other line: its id and
 * propagation (it may be an overlay's parent), and whether it is an
 * overlay. Much cheaper than a full parse, which only overlay lines get.
 */
enum line_kind { LINE_OTHER, LINE_OVERLAY, LINE_NSFS };

static int parse_light(const char *s, struct prop *p, enum line_kind *kind)
{
	char *end;

	memset(p, 0, sizeof(*p));
	if (*s < '0' || *s > '9')
		return -EINVAL;
	p->id = (__u32)strtoul(s, &end, 10);
	if (*end != ' ')
		return -EINVAL;
	s = end + 1;
	/* parent, major:minor, root, mountpoint, options */
	for (int i = 0; i < 5; i++) {
		s = strchr(s, ' ');
		if (!s)
			return -EINVAL;
		s++;
	}
	while (!(s[0] == '-' && s[1] == ' ')) {
		if (strncmp(s, "shared:", 7) == 0)
			p->shared = (__u32)strtoul(s + 7, NULL, 10);
		else if (strncmp(s, "master:", 7) == 0)
			p->master = (__u32)strtoul(s + 7, NULL, 10);
		s = strchr(s, ' ');
		if (!s)
			return -EINVAL;
		s++;
	}
	*kind = strncmp(s + 2, "overlay ", 8) == 0 ? LINE_OVERLAY :
		strncmp(s + 2, "nsfs ", 5) == 0 ? LINE_NSFS : LINE_OTHER;
	return 0;
}

bool mt_mntent_ns_pin(const struct mt_mntent *e, __u32 *ns_ino)
{
	return e->fstype && strcmp(e->fstype, "nsfs") == 0 && e->root &&
	       mt_mntns_name_ino(e->root, ns_ino);
}

static int push_pin(struct mt_mnttab *tab, const struct mt_mntent *e)
{
	struct mt_ns_pin pin = { .mnt_id = e->mnt_id };

	if (!mt_mntent_ns_pin(e, &pin.ns_ino))
		return 0;
	if (mt_array_grow(&tab->pins, tab->nr_pins, &tab->cap_pins, sizeof(pin), 4))
		return -ENOMEM;
	pin.mountpoint = strdup(e->mountpoint ? e->mountpoint : "");
	if (!pin.mountpoint)
		return -ENOMEM;
	tab->pins[tab->nr_pins++] = pin;
	return 0;
}

static int push_ent(struct mt_mnttab *tab, const struct mt_mntent *e)
{
	if (mt_array_grow(&tab->ents, tab->nr, &tab->cap, sizeof(*e), 64))
		return -ENOMEM;
	tab->ents[tab->nr++] = *e;
	return 0;
}

static void link_with(struct mt_mnttab *tab, struct prop *props, size_t nr)
{
	if (!nr)
		return;
	qsort(props, nr, sizeof(*props), cmp_prop);
	for (int i = 0; i < tab->nr; i++) {
		struct mt_mntent *e = &tab->ents[i];
		struct prop key = { .id = e->parent_id }, *par;

		par = bsearch(&key, props, nr, sizeof(*props), cmp_prop);
		e->has_parent = par && e->parent_id != e->mnt_id;
		e->parent_shared = par ? par->shared : 0;
		e->parent_master = par ? par->master : 0;
	}
}

void mt_mnttab_link(struct mt_mnttab *tab)
{
	struct prop *props = calloc((size_t)tab->nr + 1, sizeof(*props));

	if (!props)
		return;
	for (int i = 0; i < tab->nr; i++) {
		props[i].id = tab->ents[i].mnt_id;
		props[i].shared = tab->ents[i].shared;
		props[i].master = tab->ents[i].master;
	}
	link_with(tab, props, (size_t)tab->nr);
	free(props);
}

/*
 * Give a kept overlay entry its own copy of every string, so that the
 * (possibly huge) file buffer can go. The copy lives in ovl_buf: the
 * unescaped overlay options first, then the line's strings.
 */
static int detach_strings(struct mt_mntent *e)
{
	char **f[] = { &e->root, &e->mountpoint, &e->opts, &e->fstype,
		       &e->source, &e->super_opts, &e->lowerdir, &e->upperdir,
		       &e->workdir };
	size_t len = 0, off = 0;
	char *nb;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (*f[i])
			len += strlen(*f[i]) + 1;
	nb = malloc(len ? len : 1);
	if (!nb)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		size_t n;

		if (!*f[i])
			continue;
		n = strlen(*f[i]) + 1;
		memcpy(nb + off, *f[i], n);
		*f[i] = nb + off;
		off += n;
	}
	free(e->ovl_buf);
	e->ovl_buf = nb;
	return 0;
}

int mt_mnttab_parse(struct mt_mnttab *tab, char *buf, size_t len, unsigned int flags)
{
	bool ovl_only = flags & MT_MNTTAB_OVERLAY_ONLY;
	struct prop *props = NULL;
	int nr_props = 0, cap_props = 0;
	char *line, *p = buf, *end = buf + len;
	__u32 lineno = 0, at;
	int err = 0;

	memset(tab, 0, sizeof(*tab));
	tab->buf = buf;
	tab->len = len;

	while (p < end) {
		struct mt_mntent e;
		char *nl = memchr(p, '\n', (size_t)(end - p));

		line = p;
		if (nl)
			*nl = '\0';
		else
			buf[len] = '\0';	/* caller left room for it */
		p = nl ? nl + 1 : end;
		if (!*line)
			continue;
		at = lineno++;
		if (strlen(line) != (size_t)((nl ? nl : end) - line)) {
			tab->nr_bad++;	/* embedded NUL */
			continue;
		}
		if (ovl_only) {
			struct prop pr;
			enum line_kind kind;

			if (parse_light(line, &pr, &kind)) {
				tab->nr_bad++;
				continue;
			}
			if (mt_array_grow(&props, nr_props, &cap_props, sizeof(*props), 256)) {
				err = -ENOMEM;
				goto out;
			}
			props[nr_props++] = pr;
			if (kind == LINE_NSFS) {
				/* a pin: remembered, not kept as a mount */
				if (mt_mountinfo_parse_line(line, &e) == 0)
					err = push_pin(tab, &e);
				mt_mntent_release(&e);
				if (err)
					goto out;
				continue;
			}
			if (kind != LINE_OVERLAY)
				continue;
		}
		err = mt_mountinfo_parse_line(line, &e);
		if (err == -ENOMEM)
			goto out;
		if (err) {
			mt_mntent_release(&e);
			tab->nr_bad++;
			err = 0;
			if (ovl_only)
				nr_props--;
			continue;
		}
		e.line = at;
		err = ovl_only ? 0 : push_pin(tab, &e);
		if (!err)
			err = push_ent(tab, &e);
		if (err) {
			mt_mntent_release(&e);
			goto out;
		}
	}
	tab->nr_lines = lineno;
	if (!ovl_only) {
		mt_mnttab_link(tab);
		goto out;
	}
	link_with(tab, props, (size_t)nr_props);
	for (int i = 0; i < tab->nr; i++) {
		err = detach_strings(&tab->ents[i]);
		if (err)
			goto out;
	}
	free(tab->buf);
	tab->buf = NULL;
	tab->len = 0;
out:
	free(props);
	if (err)
		mt_mnttab_free(tab);
	return err;
}

int mt_mnttab_read_fd(struct mt_mnttab *tab, int fd, unsigned int flags)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);

	memset(tab, 0, sizeof(*tab));
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		/* keep one byte for the terminating NUL */
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			int err = -errno;

			if (err == -EINTR)
				continue;
			free(buf);
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return mt_mnttab_parse(tab, buf, len, flags);
}

int mt_mnttab_read(struct mt_mnttab *tab, const char *path, unsigned int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0) {
		memset(tab, 0, sizeof(*tab));
		return -errno;
	}
	err = mt_mnttab_read_fd(tab, fd, flags);
	close(fd);
	return err;
}

void mt_mnttab_free(struct mt_mnttab *tab)
{
	for (int i = 0; i < tab->nr; i++)
		mt_mntent_release(&tab->ents[i]);
	for (int i = 0; i < tab->nr_pins; i++)
		free(tab->pins[i].mountpoint);
	free(tab->pins);
	free(tab->ents);
	free(tab->buf);
	memset(tab, 0, sizeof(*tab));
}

struct mt_mntent *mt_mnttab_find(const struct mt_mnttab *tab, __u32 mnt_id)
{
	for (int i = 0; i < tab->nr; i++)
		if (tab->ents[i].mnt_id == mnt_id)
			return &tab->ents[i];
	return NULL;
}

/* Append @len bytes of @s at @n as snprintf(buf + n, size - n, ...) would
 * (cut to fit, NUL-terminated), and count them all in @n. */
static void prop_put(char *buf, size_t size, size_t *n, const char *s, size_t len)
{
	if (*n < size) {
		size_t fit = len < size - *n - 1 ? len : size - *n - 1;

		memcpy(buf + *n, s, fit);
		buf[*n + fit] = '\0';
	}
	*n += len;
}

static void prop_tag(char *buf, size_t size, size_t *n, const char *tag, size_t len, __u32 v)
{
	char d[16];
	int i = (int)sizeof(d);

	if (*n)
		prop_put(buf, size, n, " ", 1);
	prop_put(buf, size, n, tag, len);
	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10));
	prop_put(buf, size, n, d + i, sizeof(d) - (size_t)i);
}

/* Without snprintf: a storm's findings format ~100,000 of these (a
 * replay's profile had vfprintf at 5%). */
const char *mt_propagation_str(__u32 shared, __u32 master, bool unbindable,
			       char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	if (shared)
		prop_tag(buf, size, &n, "shared:", 7, shared);
	if (master && n < size)
		prop_tag(buf, size, &n, "master:", 7, master);
	if (unbindable && n < size) {
		if (n)
			prop_put(buf, size, &n, " ", 1);
		prop_put(buf, size, &n, "unbindable", 10);
	}
	if (!shared && !master && !unbindable)
		prop_put(buf, size, &n, "private", 7);
	return buf;
}
