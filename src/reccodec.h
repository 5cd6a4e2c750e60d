/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's inputs as recording payloads (docs/recording.md): a
 * namespace scan (struct mt_snapshot) with its mount tables, processes
 * and keepers, and a container's runtime metadata. What is put is what
 * the model reads; a get gives back an equal struct, or NULL / false
 * with c->bad set.
 */
#ifndef MT_RECCODEC_H
#define MT_RECCODEC_H

#include "nsscan.h"
#include "recfile.h"
#include "runtime_meta.h"

void mt_put_snapshot(struct mt_buf *b, const struct mt_snapshot *snap);
struct mt_snapshot *mt_get_snapshot(struct mt_cur *c);

void mt_put_keepers(struct mt_buf *b, const struct mt_ns_keepers *ks);
bool mt_get_keepers(struct mt_cur *c, struct mt_ns_keepers *ks);

void mt_put_ctr_meta(struct mt_buf *b, const struct mt_ctr_meta *m);
bool mt_get_ctr_meta(struct mt_cur *c, struct mt_ctr_meta *m);

/*
 * A string that must outlive the payload (the constant names that
 * structs point at, such as a runtime's name): one copy per distinct
 * value, kept until exit. NULL stays NULL.
 */
const char *mt_intern(const char *s);

#endif /* MT_RECCODEC_H */
