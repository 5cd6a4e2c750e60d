/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Objects of one size, taken from blocks of many: one malloc per block
 * instead of one per object, and a freed object is the next one taken.
 * For what the model makes and drops by the tens of thousands in a storm
 * (jobs). Blocks are kept until mt_pool_free: the pool holds its peak.
 * Past 256 KiB the blocks are 2 MiB, aligned for a transparent huge page.
 *
 *	struct mt_pool p = MT_POOL_INIT(sizeof(struct job));
 *	struct job *j = mt_pool_get(&p);	(zeroed; NULL when out of memory)
 *	mt_pool_put(&p, j);
 *	mt_pool_free(&p);			(every object, taken or not)
 */
#ifndef MT_POOL_H
#define MT_POOL_H

#include <stddef.h>

struct mt_pool_block;

struct mt_pool {
	size_t size;			/* of an object, rounded up to a pointer */
	struct mt_pool_block *blocks;	/* the newest first */
	size_t used;			/* objects taken from the newest block */
	void *free;			/* put back, each holding the next */
	size_t taken;			/* objects out now */
	size_t bytes;			/* in blocks */
};

#define MT_POOL_INIT(obj_size) { .size = (obj_size) }

void *mt_pool_get(struct mt_pool *p);
void mt_pool_put(struct mt_pool *p, void *obj);
void mt_pool_free(struct mt_pool *p);

#endif /* MT_POOL_H */
