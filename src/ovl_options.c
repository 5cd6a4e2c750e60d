// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"
#include "ovl_options.h"

static void clear_lower(struct mt_ovl_opts *o)
{
	for (size_t i = 0; i < o->nr_lower; i++)
		free(o->lower[i]);
	free(o->lower);
	o->lower = NULL;
	o->nr_lower = o->nr_data = 0;
}

void mt_ovl_opts__release(struct mt_ovl_opts *o)
{
	free(o->upper);
	free(o->work);
	o->upper = o->work = NULL;
	clear_lower(o);
}

/* Take @layer (malloc'ed) as the last lower layer, or the last data layer.
 * A lower layer given after data layers goes before them, where overlay
 * keeps its regular layers. */
static int add_layer(struct mt_ovl_opts *o, char *layer, bool data)
{
	char **grown = realloc(o->lower, (o->nr_lower + 1) * sizeof(*grown));
	size_t at = data ? o->nr_lower : o->nr_lower - o->nr_data;

	if (!grown) {
		free(layer);
		return -ENOMEM;
	}
	o->lower = grown;
	memmove(&o->lower[at + 1], &o->lower[at], (o->nr_lower - at) * sizeof(*grown));
	o->lower[at] = layer;
	o->nr_lower++;
	if (data)
		o->nr_data++;
	return 0;
}

/* A legacy lowerdir= list: unescaped ':' separate layers, "::" starts the
 * data layers; each layer then loses its escapes. */
static int set_lowerdir(struct mt_ovl_opts *o, const char *value)
{
	char *copy = strdup(value), *p = copy, *start = copy;
	bool data = false;
	int err = 0;

	clear_lower(o);
	if (!copy)
		return -ENOMEM;
	while (!err) {
		char end;

		if (*p == '\\' && p[1]) {
			p += 2;
			continue;
		}
		if (*p && *p != ':') {
			p++;
			continue;
		}
		end = *p;
		*p = '\0';
		if (*start) {
			char *layer = strdup(mt_unescape_backslash(start));

			err = layer ? add_layer(o, layer, data) : -ENOMEM;
		}
		if (!end)
			break;
		p++;
		if (*p == ':' && !data) {
			data = true;
			p++;
		}
		start = p;
	}
	free(copy);
	return err;
}

/* upperdir= / workdir=: unescaped, "" unsets */
static int set_dir(char **dst, const char *value)
{
	char *v = NULL;

	if (*value) {
		v = strdup(value);
		if (!v)
			return -ENOMEM;
		mt_unescape_backslash(v);
	}
	free(*dst);
	*dst = v;
	return 0;
}

int mt_ovl_opts__set(struct mt_ovl_opts *o, const char *key, const char *value)
{
	char *layer;
	int err;

	if (!key || !value)
		return 0;
	if (strcmp(key, "upperdir") == 0)
		err = set_dir(&o->upper, value);
	else if (strcmp(key, "workdir") == 0)
		err = set_dir(&o->work, value);
	else if (strcmp(key, "lowerdir") == 0)
		err = set_lowerdir(o, value);
	else if (strcmp(key, "lowerdir+") == 0 || strcmp(key, "datadir+") == 0) {
		if (!*value)
			return 1;
		/* one layer, literally: no escapes for the "+" keys */
		layer = strdup(value);
		err = layer ? add_layer(o, layer, key[0] == 'd') : -ENOMEM;
	} else
		return 0;
	return err ? err : 1;
}

/* The next ',' that no backslash escapes, or the end of @p. */
static char *option_end(char *p)
{
	for (; *p && *p != ','; p++)
		if (*p == '\\' && p[1])
			p++;
	return p;
}

int mt_ovl_opts__parse_data(struct mt_ovl_opts *o, const char *data)
{
	char *copy, *opt, *next;
	int err = 0;

	if (!data)
		return 0;
	copy = strdup(data);
	if (!copy)
		return -ENOMEM;
	for (opt = copy; *opt && err >= 0; opt = next) {
		char *end = option_end(opt), *val;

		next = *end ? end + 1 : end;
		*end = '\0';
		val = strchr(opt, '=');
		if (!val)
			continue;
		*val++ = '\0';
		err = mt_ovl_opts__set(o, opt, val);
	}
	free(copy);
	return err < 0 ? err : 0;
}

/* What a layer name escapes in a lowerdir= value: the layer separator,
 * the option separator of mount(2) data, and the escape itself. */
static bool needs_escape(char c)
{
	return c == ':' || c == ',' || c == '\\';
}

/* Bytes @layer takes in a lowerdir= value, escapes included. */
static size_t escaped_len(const char *layer)
{
	size_t n = 0;

	for (; *layer; layer++)
		n += needs_escape(*layer) ? 2 : 1;
	return n;
}

char *mt_ovl_opts__lower_str(const struct mt_ovl_opts *o)
{
	size_t first_data = o->nr_lower - o->nr_data, size = 2;
	char *s, *w;

	for (size_t i = 0; i < o->nr_lower; i++)
		size += escaped_len(o->lower[i]) + 1;
	s = w = malloc(size);
	if (!s)
		return NULL;
	for (size_t i = 0; i < o->nr_lower; i++) {
		/* "::" before the first data layer, also when no regular
		 * layer precedes it (fuzz: datadir+= alone came back as ":d",
		 * a regular layer) */
		if (i || i == first_data)
			*w++ = ':';
		if (i == first_data)
			*w++ = ':';
		for (const char *c = o->lower[i]; *c; c++) {
			if (needs_escape(*c))
				*w++ = '\\';
			*w++ = *c;
		}
	}
	*w = '\0';
	return s;
}

bool mt_ovl_opts__same_lower(const struct mt_ovl_opts *a, const struct mt_ovl_opts *b)
{
	if (a->nr_lower != b->nr_lower || a->nr_data != b->nr_data)
		return false;
	for (size_t i = 0; i < a->nr_lower; i++)
		if (strcmp(a->lower[i], b->lower[i]) != 0)
			return false;
	return true;
}

static int dup_str(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -ENOMEM : 0;
}

int mt_ovl_opts__copy(struct mt_ovl_opts *dst, const struct mt_ovl_opts *src)
{
	int err;

	*dst = (struct mt_ovl_opts)MT_OVL_OPTS_INIT;
	err = dup_str(&dst->upper, src->upper) ?: dup_str(&dst->work, src->work);
	if (!err && src->nr_lower) {
		dst->lower = calloc(src->nr_lower, sizeof(*dst->lower));
		err = dst->lower ? 0 : -ENOMEM;
		for (size_t i = 0; !err && i < src->nr_lower; i++, dst->nr_lower++)
			err = dup_str(&dst->lower[i], src->lower[i]);
		dst->nr_data = src->nr_data;
	}
	if (err)
		mt_ovl_opts__release(dst);
	return err;
}
