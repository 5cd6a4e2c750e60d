/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace's side of mp_names (bpf/mp_names.h): the last components of
 * the paths mounts are known to be on, which let BPF drop the records of
 * successful removals that cannot have taken a mount (bpf/removal.h).
 * Seeded from the start-up scan, then swept: rebuilt from the model, with
 * a name BPF added kept until two sweeps in a row found the model without
 * it (its record may still be on its way).
 */
#ifndef MT_MP_NAMES_USER_H
#define MT_MP_NAMES_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "mnttrace.h"

/* How the set's map is reached: the BPF map, or a test's stand-in. */
struct mt_mp_map_ops {
	int (*update)(void *ctx, const struct mt_mp_name *k);	/* 0 or -errno */
	int (*remove)(void *ctx, const struct mt_mp_name *k);
	/* the key after @prev (NULL: the first); -ENOENT after the last */
	int (*next_key)(void *ctx, const struct mt_mp_name *prev, struct mt_mp_name *next);
};

/* The BPF map with descriptor (intptr_t)ctx. */
extern const struct mt_mp_map_ops mt_mp_bpf_map_ops;

/* @path's key: false when it has no last component ("/", ""). */
bool mt_mp_name_key(const char *path, struct mt_mp_name *k);

struct mt_mp_names;

/* @ready and @full are the BPF flags (mp_names_ready, mp_names_full). */
struct mt_mp_names *mt_mp_names__new(const struct mt_mp_map_ops *ops, void *ctx,
				     volatile uint32_t *ready, volatile uint32_t *full);
void mt_mp_names__free(struct mt_mp_names *s);

/* Every mountpoint known now, for seed() or sweep(). */
void mt_mp_names__want(void *s, const char *mountpoint);
/* Seed with the wanted names, then mark the set ready: BPF starts to
 * filter. 0, or -ENOMEM (the set stays unready: BPF sends every removal). */
int mt_mp_names__seed(struct mt_mp_names *s);
/* Names removed; -ENOMEM (the set is left as it was). */
int mt_mp_names__sweep(struct mt_mp_names *s);

/* Seconds between sweeps. */
#define MT_MP_SWEEP_S 10.0

#endif /* MT_MP_NAMES_USER_H */
