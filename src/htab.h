/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An intrusive chained hash table with 64-bit keys: embed struct htab_node
 * in an entry, key it by an id or a string hash, and walk the chain of a key
 * comparing the entry's own fields (keys may collide). The table grows, never
 * shrinks, and allocates only its bucket array.
 *
 *	struct thing { struct htab_node by_id; __u32 id; };
 *	htab_add(&t, &x->by_id, x->id);
 *	for (struct htab_node *n = htab_first(&t, id); n; n = htab_next(n, id))
 *		if (container_of(n, struct thing, by_id)->id == id) ...
 */
#ifndef MT_HTAB_H
#define MT_HTAB_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <linux/types.h>

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

struct htab_node {
	struct htab_node *next;
	__u64 key;
};

struct htab {
	struct htab_node **b;
	size_t nb;		/* buckets, a power of two */
	size_t n;		/* entries */
};

static inline __u64 htab_mix(__u64 x)
{
	/* splitmix64's finalizer: sequential ids spread over the buckets */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* FNV-1a of a string; NULL and "" hash alike. */
static inline __u64 htab_str(const char *s)
{
	__u64 h = 0xcbf29ce484222325ULL;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static inline int htab_grow(struct htab *t)
{
	size_t nb = t->nb ? t->nb * 2 : 64;
	struct htab_node **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < t->nb; i++)
		for (struct htab_node *n = t->b[i], *next; n; n = next) {
			size_t k = htab_mix(n->key) & (nb - 1);

			next = n->next;
			n->next = b[k];
			b[k] = n;
		}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

/* 0, or -ENOMEM when the first bucket array cannot be had. A failed grow
 * later only makes chains longer. */
static inline int htab_add(struct htab *t, struct htab_node *n, __u64 key)
{
	size_t k;

	/* up to two entries a bucket: the buckets cost 4 to 8 bytes an entry */
	if ((!t->nb || t->n >= 2 * t->nb) && htab_grow(t) && !t->nb)
		return -ENOMEM;
	k = htab_mix(key) & (t->nb - 1);
	n->key = key;
	n->next = t->b[k];
	t->b[k] = n;
	t->n++;
	return 0;
}

static inline void htab_del(struct htab *t, struct htab_node *n)
{
	struct htab_node **pp;

	if (!t->nb)
		return;
	for (pp = &t->b[htab_mix(n->key) & (t->nb - 1)]; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->n--;
			return;
		}
}

static inline struct htab_node *htab_next(struct htab_node *n, __u64 key)
{
	for (n = n ? n->next : NULL; n && n->key != key; n = n->next)
		;
	return n;
}

static inline struct htab_node *htab_first(const struct htab *t, __u64 key)
{
	struct htab_node *n;

	if (!t->nb)
		return NULL;
	n = t->b[htab_mix(key) & (t->nb - 1)];
	return n && n->key != key ? htab_next(n, key) : n;
}

static inline void htab_free(struct htab *t)
{
	free(t->b);
	t->b = NULL;
	t->nb = t->n = 0;
}

#endif /* MT_HTAB_H */
