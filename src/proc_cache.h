/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One run's /proc look-ups, each made once: --snapshot and --explain ask
 * about the same process for every copy its namespace holds (ten overlays
 * copied into a thousand namespaces are ten thousand findings, ten per
 * process). A process's cwd, root and fd links, start time, kernel-thread
 * flag and command line are read on the first question and kept; each
 * later question about a path is answered from the kept links. Only for
 * a run that answers about one moment: a live tracer must look again.
 * mt_proc_cached is a proc_ops.h table over it (the look-ups it does not
 * keep go to mt_proc_live).
 */
#ifndef MT_PROC_CACHE_H
#define MT_PROC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "proc_ops.h"

struct mt_proc_cache;

/* Over @proc_root (kept, not copied). NULL on -ENOMEM. */
struct mt_proc_cache *mt_proc_cache__new(const char *proc_root);
void mt_proc_cache__free(struct mt_proc_cache *c);

/* The command line kept: its first bytes, as --snapshot prints them. A
 * caller that asks for another length gets it read again. */
#define MT_PROC_CACHE_CMDLINE 256

/* As mt_proc_uses(), mt_proc_start_ns(), mt_proc_is_kthread() and
 * mt_proc_cmdline() (procinfo.h). */
int mt_proc_cache__uses(struct mt_proc_cache *c, __u32 pid, const char *dir, __u32 dev,
			struct mt_use *uses, int max);
int mt_proc_cache__start_ns(struct mt_proc_cache *c, __u32 pid, __u64 *ns);
bool mt_proc_cache__is_kthread(struct mt_proc_cache *c, __u32 pid);
void mt_proc_cache__cmdline(struct mt_proc_cache *c, __u32 pid, char *buf, size_t size);

/* ctx: a struct mt_proc_cache */
extern const struct mt_proc_ops mt_proc_cached;

#endif /* MT_PROC_CACHE_H */
