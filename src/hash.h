/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An intrusive, chained hash table that also remembers insertion order, so
 * that a bounded table can evict its oldest entry in O(1) and a table with
 * an age limit can expire entries from the old end.
 *
 * The caller embeds a struct mt_hnode in its entry, computes the hash of
 * the entry's key (mt_hash_*), and compares keys itself:
 *
 *	struct entry { struct mt_hnode node; __u32 pid; int fd; };
 *
 *	static bool entry_is(const struct mt_hnode *n, const void *key)
 *	{
 *		const struct entry *e = mt_hnode_entry(n, struct entry, node);
 *		...compare e's key with *key...
 *	}
 *
 *	mt_htab_add(&t, &e->node, hash);
 *	n = mt_htab_find(&t, hash, entry_is, &key);
 *	mt_htab_del(&t, n);	(then free the entry)
 *
 * The table never allocates or frees entries: only its bucket array, which
 * doubles when the table holds more entries than buckets. Keys need not be
 * unique: mt_htab_find_next() continues a search past @n.
 */
#ifndef MT_HASH_H
#define MT_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct mt_hnode {
	struct mt_hnode *chain;		/* next in the same bucket */
	struct mt_hnode *older, *newer;	/* insertion order */
	uint64_t hash;
};

struct mt_htab {
	struct mt_hnode **buckets;
	size_t nr_buckets;	/* a power of two, or 0 before the first add */
	size_t count;
	struct mt_hnode *oldest, *newest;
};

#define mt_hnode_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* FNV-1a, 64 bit: over @len bytes, over a C string, over an integer. */
static inline uint64_t mt_hash_mem(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t mt_hash_str(const char *s)
{
	return mt_hash_mem(s, strlen(s));
}

static inline uint64_t mt_hash_u64(uint64_t v)
{
	return mt_hash_mem(&v, sizeof(v));
}

/* Mix a second key part into @h (e.g. a namespace id and a mount id). */
static inline uint64_t mt_hash_combine(uint64_t h, uint64_t v)
{
	return mt_hash_mem(&v, sizeof(v)) ^ (h * 0x9e3779b97f4a7c15ULL);
}

typedef bool (*mt_hkey_eq)(const struct mt_hnode *n, const void *key);

/* An empty table; allocates nothing until the first add. */
#define MT_HTAB_INIT { 0 }

/* Link @n under @hash as the newest entry. Returns 0, or -ENOMEM when not
 * even a first bucket array could be allocated (@n is then not linked). A
 * later failure to grow is silent: chains only get longer. */
int mt_htab_add(struct mt_htab *t, struct mt_hnode *n, uint64_t hash);

/* Unlink @n (which must be in @t). */
void mt_htab_del(struct mt_htab *t, struct mt_hnode *n);

/* The first entry with @hash for which @eq(entry, @key) holds, or NULL. */
struct mt_hnode *mt_htab_find(const struct mt_htab *t, uint64_t hash,
			      mt_hkey_eq eq, const void *key);

/* The next such entry after @n, for keys that are not unique. */
struct mt_hnode *mt_htab_find_next(const struct mt_hnode *n, mt_hkey_eq eq,
				   const void *key);

/* Make @n the newest entry (an LRU "use"). */
void mt_htab_touch(struct mt_htab *t, struct mt_hnode *n);

/* The entry added (or touched) longest ago, NULL when empty. Walk toward
 * the newest with n->newer; deleting the current entry is fine if the next
 * one was read first. */
static inline struct mt_hnode *mt_htab_oldest(const struct mt_htab *t)
{
	return t->oldest;
}

static inline size_t mt_htab_count(const struct mt_htab *t)
{
	return t->count;
}

/* Free the bucket array; the entries are the caller's (free them first,
 * e.g. by repeatedly deleting mt_htab_oldest()). */
void mt_htab_release(struct mt_htab *t);

#endif /* MT_HASH_H */
