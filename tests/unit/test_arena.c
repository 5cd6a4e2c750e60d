// SPDX-License-Identifier: GPL-2.0
/* A bump arena: copies that stay put, aligned blocks, big ones, a reset. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "testlib.h"

TEST(arena_copies_stay_until_reset)
{
	struct mt_arena a = {};
	char *s[2000], want[32];
	int bad = 0;

	for (int i = 0; i < 2000; i++) {	/* many chunks */
		snprintf(want, sizeof(want), "/var/lib/x/%d", i);
		s[i] = mt_arena_strdup(&a, want);
	}
	for (int i = 0; i < 2000; i++) {
		snprintf(want, sizeof(want), "/var/lib/x/%d", i);
		bad += !s[i] || strcmp(s[i], want) != 0;
	}
	ASSERT_EQ(bad, 0, "every copy intact after later ones");
	for (int i = 0; i < 100; i++) {
		void *p = mt_arena_alloc(&a, (size_t)i * 7 + 1);

		bad += !p || (uintptr_t)p % _Alignof(max_align_t) != 0;
	}
	ASSERT_EQ(bad, 0, "blocks aligned for any type");
	char *big = mt_arena_alloc(&a, 100000);

	ASSERT_TRUE(big != NULL, "a block bigger than a chunk");
	memset(big, 'b', 100000);
	ASSERT_STREQ(s[1999], "/var/lib/x/1999", "untouched by the big block");
	mt_arena_reset(&a);
	ASSERT_TRUE(a.chunks != NULL && a.used == 0, "one chunk kept, empty");
	ASSERT_STREQ(mt_arena_strdup(&a, "again"), "again", "usable after a reset");
	mt_arena_free(&a);
	ASSERT_TRUE(a.chunks == NULL, "freed");
}
