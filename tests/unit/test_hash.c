// SPDX-License-Identifier: GPL-2.0
/* The intrusive hash table: lookups, growth, duplicates and age order. */
#include <stdlib.h>

#include "hash.h"
#include "testlib.h"

struct item {
	struct mt_hnode node;
	int key, val;
};

static bool item_is(const struct mt_hnode *n, const void *key)
{
	return mt_hnode_entry(n, struct item, node)->key == *(const int *)key;
}

static struct item *find(struct mt_htab *t, int key)
{
	struct mt_hnode *n = mt_htab_find(t, mt_hash_u64((uint64_t)key), item_is, &key);

	return n ? mt_hnode_entry(n, struct item, node) : NULL;
}

TEST(hash_finds_across_growth)
{
	enum { N = 1000 };
	struct mt_htab t = MT_HTAB_INIT;
	struct item *items = calloc(N, sizeof(*items));
	bool ok = true;

	if (!ASSERT_TRUE(items != NULL, "alloc"))
		return;
	ASSERT_TRUE(find(&t, 1) == NULL, "empty table finds nothing");
	for (int i = 0; i < N; i++) {
		items[i].key = i * 7;
		items[i].val = i;
		ASSERT_OK(mt_htab_add(&t, &items[i].node, mt_hash_u64((uint64_t)i * 7)), "add");
	}
	ASSERT_EQ(mt_htab_count(&t), N, "count");
	ASSERT_TRUE(t.nr_buckets >= N, "buckets grew with the entries");
	for (int i = 0; i < N && ok; i++) {
		struct item *it = find(&t, i * 7);

		ok = ASSERT_TRUE(it && it->val == i, "every key found after rehashing");
	}
	ASSERT_TRUE(find(&t, 3) == NULL, "absent key");
	for (int i = 0; i < N; i += 2)
		mt_htab_del(&t, &items[i].node);
	ASSERT_EQ(mt_htab_count(&t), N / 2, "count after deleting half");
	ASSERT_TRUE(find(&t, 0) == NULL && find(&t, 14) == NULL, "deleted keys gone");
	ASSERT_TRUE(find(&t, 7) && find(&t, 7 * 999), "the others stay");
	mt_htab_release(&t);
	free(items);
}

TEST(hash_age_order_and_touch)
{
	struct mt_htab t = MT_HTAB_INIT;
	struct item it[4] = { { .key = 10 }, { .key = 11 }, { .key = 12 }, { .key = 13 } };
	struct mt_hnode *n;
	int order[4], nr = 0;

	for (int i = 0; i < 4; i++)
		mt_htab_add(&t, &it[i].node, mt_hash_u64((uint64_t)it[i].key));
	ASSERT_TRUE(mt_htab_oldest(&t) == &it[0].node, "the first added is the oldest");
	mt_htab_touch(&t, &it[0].node);
	mt_htab_del(&t, &it[2].node);
	for (n = mt_htab_oldest(&t); n && nr < 4; n = n->newer)
		order[nr++] = mt_hnode_entry(n, struct item, node)->key;
	ASSERT_EQ(nr, 3, "entries in age order");
	ASSERT_EQ(order[0], 11, "oldest after the touch");
	ASSERT_EQ(order[1], 13, "middle");
	ASSERT_EQ(order[2], 10, "the touched entry is the newest");
	while ((n = mt_htab_oldest(&t)))
		mt_htab_del(&t, n);
	ASSERT_EQ(mt_htab_count(&t), 0, "emptied from the old end");
	mt_htab_release(&t);
}

TEST(hash_duplicate_keys)
{
	struct mt_htab t = MT_HTAB_INIT;
	struct item a = { .key = 5, .val = 1 }, b = { .key = 5, .val = 2 };
	struct mt_hnode *n;
	int key = 5, sum = 0, seen = 0;

	mt_htab_add(&t, &a.node, mt_hash_u64(5));
	mt_htab_add(&t, &b.node, mt_hash_u64(5));
	for (n = mt_htab_find(&t, mt_hash_u64(5), item_is, &key); n;
	     n = mt_htab_find_next(n, item_is, &key), seen++)
		sum += mt_hnode_entry(n, struct item, node)->val;
	ASSERT_EQ(seen, 2, "both entries of one key");
	ASSERT_EQ(sum, 3, "each once");
	mt_htab_release(&t);
}

TEST(hash_functions)
{
	ASSERT_EQ(mt_hash_str(""), 0xcbf29ce484222325ULL, "FNV-1a offset basis");
	ASSERT_EQ(mt_hash_str("a"), 0xaf63dc4c8601ec8cULL, "FNV-1a of \"a\"");
	ASSERT_EQ(mt_hash_mem("/a/b", 2), mt_hash_str("/a"), "a prefix hashes as its own string");
	ASSERT_NEQ(mt_hash_combine(1, 2), mt_hash_combine(2, 1), "combine is ordered");
}
