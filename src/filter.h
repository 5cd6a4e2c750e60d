/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the user asked to see: -p, --comm, --mntns, --path, -x and the
 * --overlay lens. BPF already dropped what it could (pid, mntns, non-overlay
 * mounts); this decides per decoded record.
 */
#ifndef MT_FILTER_H
#define MT_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "newapi.h"
#include "options.h"
#include "record.h"

/* Overlay paths the --overlay lens remembers; the least recently matched
 * or added go first (counted as paths_evicted). */
#define MT_FILTER_MAX_PATHS 16384
/* A syscall's full path: its base and its path, each up to MT_STR_MAX */
#define MT_FILTER_PATH_MAX (2 * MT_STR_MAX + 2)

struct mt_filter;

struct mt_filter *mt_filter__new(const struct mt_options *opt);
void mt_filter__free(struct mt_filter *f);

/* Remember what a record teaches the --overlay lens (overlay paths, overlay
 * contexts of the new mount API); call it for every record, shown or not,
 * and before mt_filter__match() of the same record. */
void mt_filter__learn(struct mt_filter *f, const struct mt_record *rec);

/* Tell the --overlay lens about an overlay path (merged, upper or work dir)
 * known from elsewhere (the start-up snapshot). Returns 0 or -ENOMEM. */
int mt_filter__add_overlay_path(struct mt_filter *f, const char *path);

/* The overlay at @path is gone (unmounted in every namespace): records
 * below it no longer belong to the lens. For the model to call. */
void mt_filter__forget_overlay_path(struct mt_filter *f, const char *path);

bool mt_filter__match(struct mt_filter *f, const struct mt_record *rec);

struct mt_filter_stats {
	size_t paths;		/* overlay paths known now */
	__u64 paths_evicted;	/* dropped to stay within MT_FILTER_MAX_PATHS */
	__u64 paths_forgotten;	/* dropped by mt_filter__forget_overlay_path */
	struct mt_newapi_stats newapi;
};

void mt_filter__stats(const struct mt_filter *f, struct mt_filter_stats *st);

#endif /* MT_FILTER_H */
