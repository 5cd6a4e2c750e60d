/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-size objects carved from chunks: no malloc header or rounding per
 * object, and freed objects are reused before a new chunk is taken. The
 * model keeps 100,000s of mounts, so 8 to 16 bytes each count. Chunks go
 * back only at mt_slab_destroy(): the memory stays at its peak.
 *
 * Built with MT_MODEL_DEBUG (make asan), each object is its own calloc(),
 * so that the sanitizer still sees a use after free.
 */
#ifndef MT_SLAB_H
#define MT_SLAB_H

#include <stddef.h>

struct mt_slab {
	size_t size;		/* of an object, at least a pointer */
	void *free;		/* freed objects, linked through their first bytes */
	void *chunks;		/* linked through their first pointer */
};

#define MT_SLAB_INIT(type) { .size = sizeof(type) }

/* A zeroed object, or NULL. */
void *mt_slab_alloc(struct mt_slab *s);
void mt_slab_free(struct mt_slab *s, void *obj);
/* Free every chunk: objects still in use go with them. */
void mt_slab_destroy(struct mt_slab *s);

#endif /* MT_SLAB_H */
