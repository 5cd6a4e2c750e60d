// SPDX-License-Identifier: GPL-2.0
/* Fixed-size objects carved from chunks (slab.h). */
#include <stdlib.h>
#include <string.h>

#include "slab.h"

#define PER_CHUNK 64

void *mt_slab_alloc(struct mt_slab *s)
{
#ifdef MT_MODEL_DEBUG
	return calloc(1, s->size);
#else
	void *obj;

	if (!s->free) {
		char *chunk = malloc(sizeof(void *) + PER_CHUNK * s->size);

		if (!chunk)
			return NULL;
		*(void **)chunk = s->chunks;
		s->chunks = chunk;
		for (int i = PER_CHUNK - 1; i >= 0; i--) {
			obj = chunk + sizeof(void *) + i * s->size;
			*(void **)obj = s->free;
			s->free = obj;
		}
	}
	obj = s->free;
	s->free = *(void **)obj;
	memset(obj, 0, s->size);
	return obj;
#endif
}

void mt_slab_free(struct mt_slab *s, void *obj)
{
	if (!obj)
		return;
#ifdef MT_MODEL_DEBUG
	free(obj);
#else
	*(void **)obj = s->free;
	s->free = obj;
#endif
}

void mt_slab_destroy(struct mt_slab *s)
{
	while (s->chunks) {
		void *next = *(void **)s->chunks;

		free(s->chunks);
		s->chunks = next;
	}
	s->free = NULL;
}
