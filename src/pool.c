// SPDX-License-Identifier: GPL-2.0
/* Objects of one size from blocks of many (pool.h). */
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#define PER_BLOCK 128

struct mt_pool_block {
	struct mt_pool_block *next;
	max_align_t objs[];	/* PER_BLOCK objects of p->size */
};

static size_t obj_size(const struct mt_pool *p)
{
	size_t a = sizeof(max_align_t), s = p->size < sizeof(void *) ? sizeof(void *) : p->size;

	return (s + a - 1) / a * a;
}

void *mt_pool_get(struct mt_pool *p)
{
	size_t size = obj_size(p);
	void *obj = p->free;

	if (obj) {
		memcpy(&p->free, obj, sizeof(void *));
	} else {
		if (!p->blocks || p->used == PER_BLOCK) {
			struct mt_pool_block *b = malloc(sizeof(*b) + PER_BLOCK * size);

			if (!b)
				return NULL;
			b->next = p->blocks;
			p->blocks = b;
			p->used = 0;
		}
		obj = (char *)p->blocks->objs + p->used++ * size;
	}
	p->taken++;
	return memset(obj, 0, p->size);
}

void mt_pool_put(struct mt_pool *p, void *obj)
{
	if (!obj)
		return;
	memcpy(obj, &p->free, sizeof(void *));
	p->free = obj;
	p->taken--;
}

void mt_pool_free(struct mt_pool *p)
{
	while (p->blocks) {
		struct mt_pool_block *b = p->blocks;

		p->blocks = b->next;
		free(b);
	}
	p->used = p->taken = 0;
	p->free = NULL;
}
