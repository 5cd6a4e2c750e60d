// SPDX-License-Identifier: GPL-2.0
/* Objects of one size from blocks: zeroed, distinct, reused once put back. */
#include <string.h>

#include "pool.h"
#include "testlib.h"

struct thing {
	char name[40];
	long n;
};

TEST(pool_get_put_reuse)
{
	struct mt_pool p = MT_POOL_INIT(sizeof(struct thing));
	static struct thing *t[1000];
	struct thing *again;
	int bad = 0;

	for (int i = 0; i < 1000; i++) {	/* several blocks */
		t[i] = mt_pool_get(&p);
		if (!t[i] || t[i]->n || t[i]->name[0])
			bad++;
		else
			t[i]->n = i + 1;
		if (t[i] && ((size_t)t[i] % _Alignof(max_align_t)))
			bad++;
	}
	ASSERT_EQ(bad, 0, "zeroed and aligned");
	for (int i = 0; i < 1000; i++)
		if (t[i] && t[i]->n != i + 1)
			bad++;
	ASSERT_EQ(bad, 0, "no two overlap");
	ASSERT_EQ(p.taken, (size_t)1000, "taken");
	memset(t[500]->name, 'x', sizeof(t[500]->name));
	mt_pool_put(&p, t[500]);
	mt_pool_put(&p, t[7]);
	again = mt_pool_get(&p);
	ASSERT_TRUE(again == t[7], "the last put back is the next taken");
	again = mt_pool_get(&p);
	ASSERT_TRUE(again == t[500] && again->n == 0 && again->name[0] == 0, "and zeroed");
	ASSERT_EQ(p.taken, (size_t)1000, "taken after the round trip");
	mt_pool_free(&p);
	ASSERT_TRUE(p.blocks == NULL && p.taken == 0, "freed");
	ASSERT_TRUE(mt_pool_get(&p) != NULL, "usable after a free");
	mt_pool_free(&p);
}

/* Past the small blocks (256 KiB) come 2 MiB ones: the same contract. */
TEST(pool_huge_blocks)
{
	struct mt_pool p = MT_POOL_INIT(sizeof(struct thing));
	enum { N = 60000 };	/* 3.8 MB of 64-byte slots: two huge blocks */
	static struct thing *t[N];
	int bad = 0;

	for (int i = 0; i < N; i++) {
		t[i] = mt_pool_get(&p);
		if (!t[i] || t[i]->n || t[i]->name[0] || (size_t)t[i] % _Alignof(max_align_t))
			bad++;
		else
			t[i]->n = i + 1;
	}
	ASSERT_EQ(bad, 0, "zeroed and aligned");
	for (int i = 0; i < N; i++)
		if (t[i] && t[i]->n != i + 1)
			bad++;
	ASSERT_EQ(bad, 0, "no two overlap");
	ASSERT_TRUE(p.bytes > (size_t)N * sizeof(struct thing), "blocks hold them all");
	for (int i = 0; i < N; i += 2)
		mt_pool_put(&p, t[i]);
	for (int i = 0; i < N; i += 2)
		if (!(t[i] = mt_pool_get(&p)) || t[i]->n)
			bad++;
	ASSERT_EQ(bad, 0, "put back and taken again, zeroed");
	ASSERT_EQ(p.taken, (size_t)N, "taken");
	mt_pool_free(&p);
	ASSERT_TRUE(p.blocks == NULL && p.taken == 0 && p.bytes == 0, "freed");
}
