/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interned, counted strings: a string held by many owners is stored once.
 * The model's mounts and their copies in other namespaces usually share one
 * path, which is also their overlay's merged dir.
 *
 *	const char *s = mt_strpool_get(&p, path);	(one more reference)
 *	mt_strpool_hold(s);				(one more, no look-up)
 *	mt_strpool_put(&p, s);				(one fewer)
 *
 * An open-addressing table of the strings (linear probing, at most 3/4
 * full); each string carries its count in the 4 bytes before it.
 */
#ifndef MT_STRPOOL_H
#define MT_STRPOOL_H

#include <stddef.h>

struct mt_strpool {
	char **slot;		/* the strings, NULL = empty */
	size_t cap;		/* a power of two, 0 before the first get */
	size_t n;
};

/* The pool's copy of @s with one more reference; NULL when @s is NULL or
 * empty, or memory ran out. */
const char *mt_strpool_get(struct mt_strpool *p, const char *s);
/* One more reference to @s, a string mt_strpool_get() returned (NULL: none):
 * a copy that stays as it was when the owner's string changes, for the
 * price of a count (a storm's queued jobs keep ~100,000 paths). */
const char *mt_strpool_hold(const char *s);
/* Drop a reference to a string that mt_strpool_get() returned (NULL: none). */
void mt_strpool_put(struct mt_strpool *p, const char *s);
/* Free the table; every string must have been put. */
void mt_strpool_free(struct mt_strpool *p);

#endif /* MT_STRPOOL_H */
