// SPDX-License-Identifier: GPL-2.0
/*
 * The model's strings, stored small. A mount's path is interned
 * (strpool.h): a namespace copy shows its original's path, and the
 * overlay's merged dir is that path too. An overlay's upper, work and
 * lower dirs are kept as the part that differs from its merged dir (a
 * runtime puts all three beside it: docker's .../<id>/merged, /diff,
 * /work), in one block:
 *
 *	for each of upper, work, lower:
 *	  2 bytes (little-endian): how many leading bytes of merged it
 *	  shares, DIR_UNKNOWN when there is no such dir; then the rest, NUL
 *
 * Readers get the dir back whole from ovl_dir(), or compare with
 * ovl_dir_is() without rebuilding it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

#define DIR_UNKNOWN 0xffff

void mnt_set_path(struct mt_model *m, struct mount_entry *mm, const char *path)
{
	const char *s;

	if (!path || !*path || streq(mm->path, path))
		return;
	s = mt_strpool_get(&m->paths, path);
	mt_strpool_put(&m->paths, mm->path);
	mm->path = s;
}

static const unsigned char *dir_at(const struct overlay_entry *o, enum ovl_dir d)
{
	const unsigned char *e = (const unsigned char *)o->dirs;

	for (int i = 0; e && i < (int)d; i++)
		e += 2 + strlen((const char *)e + 2) + 1;
	return e;
}

static unsigned int shared_of(const unsigned char *e)
{
	return e ? e[0] | (unsigned int)e[1] << 8 : DIR_UNKNOWN;
}

bool ovl_has_dir(const struct overlay_entry *o, enum ovl_dir d)
{
	return shared_of(dir_at(o, d)) != DIR_UNKNOWN;
}

bool ovl_dir_is(const struct overlay_entry *o, enum ovl_dir d, const char *s)
{
	const unsigned char *e = dir_at(o, d);
	unsigned int shared = shared_of(e);

	if (!s || shared == DIR_UNKNOWN || strncmp(o->merged ? o->merged : "", s, shared))
		return false;
	return strcmp((const char *)e + 2, s + shared) == 0;
}

/* @d rebuilt into @buf (grown as needed); NULL when unknown or no memory. */
static char *dir_into(const struct overlay_entry *o, enum ovl_dir d, struct mt_strbuf *buf)
{
	const unsigned char *e = dir_at(o, d);
	unsigned int shared = shared_of(e);
	size_t rest;

	if (shared == DIR_UNKNOWN)
		return NULL;
	rest = strlen((const char *)e + 2) + 1;
	if (shared + rest > buf->cap) {
		char *s = realloc(buf->s, shared + rest);

		if (!s)
			return NULL;
		buf->s = s;
		buf->cap = shared + rest;
	}
	if (shared)
		memcpy(buf->s, o->merged, shared);
	memcpy(buf->s + shared, e + 2, rest);
	return buf->s;
}

const char *ovl_dir(struct mt_model *m, const struct overlay_entry *o, enum ovl_dir d)
{
	return dir_into(o, d, &m->dirbuf[d]);
}

static size_t shared_len(const char *a, const char *b)
{
	size_t n = 0;

	while (a && a[n] && a[n] == b[n] && n < DIR_UNKNOWN - 1)
		n++;
	return n;
}

/* Encode @dirs against @merged; 0 or -ENOMEM. */
static int encode(struct overlay_entry *o, const char *merged, char *const dirs[OVL_NR_DIRS])
{
	size_t size = 0, at = 0;
	unsigned char *blk;

	if (!dirs[OVL_UPPER] && !dirs[OVL_WORK] && !dirs[OVL_LOWER]) {
		free(o->dirs);	/* none known: no block */
		o->dirs = NULL;
		return 0;
	}
	for (int d = 0; d < OVL_NR_DIRS; d++)
		size += 2 + (dirs[d] ? strlen(dirs[d] + shared_len(merged, dirs[d])) : 0) + 1;
	blk = malloc(size);
	if (!blk)
		return -ENOMEM;
	for (int d = 0; d < OVL_NR_DIRS; d++) {
		size_t shared = dirs[d] ? shared_len(merged, dirs[d]) : DIR_UNKNOWN;
		const char *rest = dirs[d] ? dirs[d] + shared : "";
		size_t len = strlen(rest) + 1;

		blk[at++] = shared & 0xff;
		blk[at++] = shared >> 8;
		memcpy(blk + at, rest, len);
		at += len;
	}
	free(o->dirs);
	o->dirs = (char *)blk;
	return 0;
}

/*
 * Set the overlay's merged dir to @merged (NULL: keep it) and each dir of
 * @dirs that is neither NULL nor empty (the others are kept).
 */
void ovl_set_dirs(struct mt_model *m, struct overlay_entry *o, const char *merged,
		  const char *const dirs[OVL_NR_DIRS])
{
	bool same = !merged || !*merged || streq(o->merged, merged);
	char *now[OVL_NR_DIRS] = { NULL };
	const char *pooled = NULL;
	int err = 0;

	for (int d = 0; d < OVL_NR_DIRS; d++)
		same &= !dirs[d] || !*dirs[d] || ovl_dir_is(o, d, dirs[d]);
	if (same)
		return;
	for (int d = 0; d < OVL_NR_DIRS && !err; d++) {
		struct mt_strbuf b = { NULL, 0 };

		if (dirs[d] && *dirs[d])
			now[d] = strdup(dirs[d]);
		else if (ovl_has_dir(o, d))
			now[d] = dir_into(o, d, &b);
		err = !now[d] && (ovl_has_dir(o, d) || (dirs[d] && *dirs[d]));
	}
	if (merged && *merged && !streq(o->merged, merged)) {
		pooled = mt_strpool_get(&m->paths, merged);
		err |= !pooled;
	}
	if (!err && !encode(o, pooled ? pooled : o->merged, now) && pooled) {
		mt_strpool_put(&m->paths, o->merged);
		o->merged = pooled;
		pooled = NULL;
	}
	mt_strpool_put(&m->paths, pooled);
	for (int d = 0; d < OVL_NR_DIRS; d++)
		free(now[d]);
}

void ovl_free_strs(struct mt_model *m, struct overlay_entry *o)
{
	free(o->dirs);
	o->dirs = NULL;
	mt_strpool_put(&m->paths, o->merged);
	o->merged = NULL;
}
