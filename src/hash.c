// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "hash.h"

#define FIRST_BUCKETS 64

static struct mt_hnode **bucket_of(const struct mt_htab *t, uint64_t hash)
{
	return &t->buckets[hash & (t->nr_buckets - 1)];
}

/* Rehash into twice the buckets; keeps the old array when out of memory. */
static int grow(struct mt_htab *t)
{
	size_t nr = t->nr_buckets ? t->nr_buckets * 2 : FIRST_BUCKETS;
	struct mt_hnode **old = t->buckets;
	size_t old_nr = t->nr_buckets;

	t->buckets = calloc(nr, sizeof(*t->buckets));
	if (!t->buckets) {
		t->buckets = old;
		return -ENOMEM;
	}
	t->nr_buckets = nr;
	for (size_t i = 0; i < old_nr; i++) {
		struct mt_hnode *n = old[i], *next;

		for (; n; n = next) {
			struct mt_hnode **b = bucket_of(t, n->hash);

			next = n->chain;
			n->chain = *b;
			*b = n;
		}
	}
	free(old);
	return 0;
}

int mt_htab_add(struct mt_htab *t, struct mt_hnode *n, uint64_t hash)
{
	struct mt_hnode **b;

	/* a failed growth only makes chains longer, unless there is no array */
	if (t->count >= t->nr_buckets && grow(t) && !t->nr_buckets)
		return -ENOMEM;
	n->hash = hash;
	b = bucket_of(t, hash);
	n->chain = *b;
	*b = n;
	n->newer = NULL;
	n->older = t->newest;
	if (t->newest)
		t->newest->newer = n;
	else
		t->oldest = n;
	t->newest = n;
	t->count++;
	return 0;
}

static void unlink_order(struct mt_htab *t, struct mt_hnode *n)
{
	if (n->older)
		n->older->newer = n->newer;
	else
		t->oldest = n->newer;
	if (n->newer)
		n->newer->older = n->older;
	else
		t->newest = n->older;
	n->older = n->newer = NULL;
}

void mt_htab_del(struct mt_htab *t, struct mt_hnode *n)
{
	for (struct mt_hnode **pp = bucket_of(t, n->hash); *pp; pp = &(*pp)->chain)
		if (*pp == n) {
			*pp = n->chain;
			break;
		}
	unlink_order(t, n);
	n->chain = NULL;
	t->count--;
}

static struct mt_hnode *match_from(struct mt_hnode *n, uint64_t hash,
				   mt_hkey_eq eq, const void *key)
{
	for (; n; n = n->chain)
		if (n->hash == hash && eq(n, key))
			return n;
	return NULL;
}

struct mt_hnode *mt_htab_find(const struct mt_htab *t, uint64_t hash,
			      mt_hkey_eq eq, const void *key)
{
	if (!t->nr_buckets)
		return NULL;
	return match_from(*bucket_of(t, hash), hash, eq, key);
}

struct mt_hnode *mt_htab_find_next(const struct mt_hnode *n, mt_hkey_eq eq,
				   const void *key)
{
	return match_from(n->chain, n->hash, eq, key);
}

void mt_htab_touch(struct mt_htab *t, struct mt_hnode *n)
{
	if (t->newest == n)
		return;
	unlink_order(t, n);
	n->older = t->newest;
	t->newest->newer = n;
	t->newest = n;
}

void mt_htab_release(struct mt_htab *t)
{
	free(t->buckets);
	*t = (struct mt_htab)MT_HTAB_INIT;
}
