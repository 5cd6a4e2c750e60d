/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bump arena: many small allocations that die together. A finding's
 * strings (paths, container facts) were a strdup and a free each; from an
 * arena they are a pointer bump, all dropped by one reset.
 *
 *	struct mt_arena a = {};
 *	char *s = mt_arena_strdup(&a, path);	(NULL when out of memory)
 *	void *p = mt_arena_alloc(&a, n);	(aligned for any type)
 *	mt_arena_reset(&a);			(all gone; the first chunk kept)
 *	mt_arena_free(&a);
 */
#ifndef MT_ARENA_H
#define MT_ARENA_H

#include <stddef.h>

struct mt_arena_chunk;

struct mt_arena {
	struct mt_arena_chunk *chunks;	/* the newest first */
	size_t used;			/* bytes taken from the newest */
};

void *mt_arena_alloc(struct mt_arena *a, size_t size);
char *mt_arena_strdup(struct mt_arena *a, const char *s);
void mt_arena_reset(struct mt_arena *a);
void mt_arena_free(struct mt_arena *a);

#endif /* MT_ARENA_H */
