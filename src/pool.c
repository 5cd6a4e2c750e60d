// SPDX-License-Identifier: GPL-2.0
/* Objects of one size from blocks of many (pool.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pool.h"

#define PER_BLOCK 128		/* objects in a small block */
#define SMALL_BYTES (256u << 10)	/* small blocks up to this much in all */
#define HUGE_BYTES (2u << 20)	/* then blocks of one transparent huge page */

struct mt_pool_block {
	struct mt_pool_block *next;
	size_t nr;		/* objects it holds */
	bool huge;		/* mmap()ed HUGE_BYTES, else malloc()ed */
	max_align_t objs[];	/* nr objects of obj_size() */
};

static size_t obj_size(const struct mt_pool *p)
{
	size_t a = sizeof(max_align_t), s = p->size < sizeof(void *) ? sizeof(void *) : p->size;

	return (s + a - 1) / a * a;
}

/*
 * HUGE_BYTES aligned to HUGE_BYTES, so that the kernel can back it with
 * one huge page (MADV_HUGEPAGE: the host's THP mode is "madvise" on the
 * 6.18 host). A storm queues ~50,000 jobs of ~370 bytes between two work
 * rounds: their first touch was a page fault every 11 jobs.
 */
static struct mt_pool_block *huge_block(void)
{
	size_t len = 2 * (size_t)HUGE_BYTES, head;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	head = (HUGE_BYTES - (uintptr_t)p % HUGE_BYTES) % HUGE_BYTES;
	if (head)
		munmap(p, head);
	munmap(p + head + HUGE_BYTES, len - head - HUGE_BYTES);
	p += head;
	madvise(p, HUGE_BYTES, MADV_HUGEPAGE);	/* a hint: without THP, small pages */
	return (struct mt_pool_block *)p;
}

static struct mt_pool_block *new_block(struct mt_pool *p, size_t size)
{
	size_t bytes = sizeof(struct mt_pool_block) + PER_BLOCK * size;
	struct mt_pool_block *b = NULL;
	bool huge = p->bytes + bytes > SMALL_BYTES &&
		    sizeof(struct mt_pool_block) + size <= HUGE_BYTES;

	if (huge && (b = huge_block()))
		bytes = HUGE_BYTES;
	else if ((b = malloc(bytes)))
		huge = false;
	if (!b)
		return NULL;
	b->next = p->blocks;
	b->nr = (bytes - sizeof(*b)) / size;
	b->huge = huge;
	p->blocks = b;
	p->bytes += bytes;
	p->used = 0;
	return b;
}

void *mt_pool_get(struct mt_pool *p)
{
	size_t size = obj_size(p);
	void *obj = p->free;

	if (obj) {
		memcpy(&p->free, obj, sizeof(void *));
	} else {
		if ((!p->blocks || p->used == p->blocks->nr) && !new_block(p, size))
			return NULL;
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
		if (b->huge)
			munmap(b, HUGE_BYTES);
		else
			free(b);
	}
	p->used = p->taken = p->bytes = 0;
	p->free = NULL;
}
