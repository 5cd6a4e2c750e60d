// SPDX-License-Identifier: GPL-2.0
/* Age order of a bounded table's entries: oldest first, touch, delete. */
#include "agelist.h"
#include "testlib.h"

TEST(agelist_order_touch_and_delete)
{
	struct mt_age_list l = { 0 };
	struct mt_age_node n[4];
	int order[4], nr = 0;

	for (int i = 0; i < 4; i++)
		mt_age_add(&l, &n[i]);
	ASSERT_TRUE(l.oldest == &n[0] && l.newest == &n[3], "added in order");
	mt_age_touch(&l, &n[0]);
	mt_age_touch(&l, &n[0]);	/* already the newest: no change */
	mt_age_del(&l, &n[2]);
	for (struct mt_age_node *x = l.oldest; x && nr < 4; x = x->newer)
		order[nr++] = (int)(x - n);
	ASSERT_EQ(nr, 3, "three left");
	ASSERT_EQ(l.n, 3, "count");
	ASSERT_EQ(order[0], 1, "oldest after the touch");
	ASSERT_EQ(order[1], 3, "then");
	ASSERT_EQ(order[2], 0, "the touched one is the newest");
	ASSERT_TRUE(l.newest->older == &n[3], "back links follow");
	while (l.oldest)
		mt_age_del(&l, l.oldest);
	ASSERT_TRUE(l.newest == NULL && l.n == 0, "emptied from the old end");
}
