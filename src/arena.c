// SPDX-License-Identifier: GPL-2.0
/* A bump arena (arena.h). */
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define CHUNK 4096	/* a finding's strings fit one, but for many holders */

struct mt_arena_chunk {
	struct mt_arena_chunk *next;
	size_t size;		/* of data */
	max_align_t data[];
};

void *mt_arena_alloc(struct mt_arena *a, size_t size)
{
	const size_t align = sizeof(max_align_t);
	struct mt_arena_chunk *c = a->chunks;
	size_t at = (a->used + align - 1) / align * align;

	if (!c || size > c->size || at > c->size - size) {
		size_t n = size > CHUNK ? size : CHUNK;

		c = malloc(sizeof(*c) + n);
		if (!c)
			return NULL;
		c->next = a->chunks;
		c->size = n;
		a->chunks = c;
		at = 0;
	}
	a->used = at + size;
	return (char *)c->data + at;
}

char *mt_arena_strdup(struct mt_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = mt_arena_alloc(a, n);

	return d ? memcpy(d, s, n) : NULL;
}

void mt_arena_reset(struct mt_arena *a)
{
	struct mt_arena_chunk *c = a->chunks;

	/* keep the oldest chunk, for the next finding's strings */
	while (c && c->next) {
		struct mt_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->chunks = c;
	a->used = 0;
}

void mt_arena_free(struct mt_arena *a)
{
	mt_arena_reset(a);
	free(a->chunks);
	a->chunks = NULL;
}
