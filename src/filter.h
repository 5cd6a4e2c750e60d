/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the user asked to see: -p, --comm, --mntns, --path, -x and the
 * --overlay lens. BPF already dropped what it could (pid, mntns, non-overlay
 * mounts); this decides per decoded record.
 */
#ifndef MT_FILTER_H
#define MT_FILTER_H

#include <stdbool.h>

#include "options.h"
#include "record.h"

struct mt_filter;

struct mt_filter *mt_filter__new(const struct mt_options *opt);
void mt_filter__free(struct mt_filter *f);

/* Remember what a record teaches (overlay paths, overlay fs fds); call it
 * for every record, shown or not. */
void mt_filter__learn(struct mt_filter *f, const struct mt_record *rec);

/* Tell the --overlay lens about an overlay path known from elsewhere
 * (the start-up snapshot). */
int mt_filter__add_overlay_path(struct mt_filter *f, const char *path);

bool mt_filter__match(struct mt_filter *f, const struct mt_record *rec);

#endif /* MT_FILTER_H */
