/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring buffer's reader, on a thread of its own: it copies records
 * into a queue in memory as fast as BPF sends them, so a slow output,
 * pipe reader or model never makes BPF drop. The main thread decodes,
 * prints and correlates from the queue. Only a full queue (MT_RINGQ_MAX
 * bytes waiting) drops a record, and counts it.
 */
#ifndef MT_RINGQ_H
#define MT_RINGQ_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"

/* At most this many bytes of records wait (about a million compact ones). */
#define MT_RINGQ_MAX (256u << 20)

struct mt_ringq;
struct ring_buffer;

struct mt_ringq *mt_ringq__new(size_t max_bytes);

/* The ring buffer's callback (ctx: the queue): copy one record in. */
int mt_ringq__push(void *ctx, const void *data, size_t size);

/* Read @rb on the reader thread from now on. Returns 0 or -errno. */
int mt_ringq__start(struct mt_ringq *q, struct ring_buffer *rb);

/*
 * Hand queued records to @fn, in order, for at most @budget_ms (all of
 * them with a negative budget); if none is queued, wait up to @wait_ms
 * for one (a signal ends the wait). Returns the number handed, or the
 * first non-zero return of @fn (the rest stays queued), or -errno.
 */
int mt_ringq__process(struct mt_ringq *q, int wait_ms, int budget_ms, mt_record_fn fn,
		      void *ctx);

/* Records dropped because the queue was full, since the start. */
uint64_t mt_ringq__dropped(struct mt_ringq *q);

/* Stop and join the reader thread; the caller then reads the ring's rest
 * itself (ring_buffer__consume into mt_ringq__push). Safe to repeat. */
void mt_ringq__stop(struct mt_ringq *q);

/* Stop, and free what is queued. Safe on NULL. */
void mt_ringq__free(struct mt_ringq *q);

#endif /* MT_RINGQ_H */
