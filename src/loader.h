/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live loader: open the skeleton, probe what this kernel offers, load,
 * attach in the chosen mode and hand raw records to a callback.
 */
#ifndef MT_LOADER_H
#define MT_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "mnttrace.h"
#include "options.h"

struct mt_loader;

/* Called for every raw record from the ring buffer; return 0 to go on. */
typedef int (*mt_record_fn)(void *ctx, const void *data, size_t size);

/*
 * Load and attach in opt->attach mode (auto: fentry, else kprobe, else
 * tracepoint). On failure prints one error line and returns NULL with errno
 * set. With opt->check nothing is polled; the caller frees at once.
 */
struct mt_loader *mt_loader__start(const struct mt_options *opt, mt_record_fn fn,
				   void *ctx);

/* The mode attached. What it cannot see was said on stderr at start. */
enum mt_attach_mode mt_loader__mode(const struct mt_loader *l);

/* How long a record may wait unread: records below the wake-up threshold
 * are read when a poll times out. */
#define MT_POLL_MS 50

/* Deliver pending records; returns the number consumed or -errno. */
int mt_loader__poll(struct mt_loader *l, int timeout_ms);

/* The ring buffer itself, for a reader thread (ringq.h): it then calls
 * mt_loader__tick() between its rounds instead of mt_loader__poll(). */
struct ring_buffer *mt_loader__ring(struct mt_loader *l);
void mt_loader__tick(struct mt_loader *l);

/* Sum the per-CPU counters (enum mt_counter) into out. */
int mt_loader__counters(struct mt_loader *l, uint64_t out[MT_CNT__MAX]);

/* The mp_names set (bpf/mp_names.h, src/mp_names.h): returns its map's fd
 * and points at its flags in the programs' .bss. */
int mt_loader__mp_names(struct mt_loader *l, volatile uint32_t **ready,
			volatile uint32_t **full);

/* Detach everything and free. Safe on NULL. */
void mt_loader__free(struct mt_loader *l);

#endif /* MT_LOADER_H */
