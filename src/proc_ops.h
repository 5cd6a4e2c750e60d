/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every look-up the model makes in /proc (and in a runtime's metadata on
 * disk) besides its namespace scans, behind one table, so that a
 * recording can log the answers and a replay give them back
 * (docs/recording.md). The live table (mt_proc_live) takes the proc root
 * as its ctx and calls procinfo.h, nskeep.h and runtime_meta.h.
 */
#ifndef MT_PROC_OPS_H
#define MT_PROC_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "nskeep.h"
#include "procinfo.h"
#include "runtime_meta.h"

struct mt_proc_ops {
	/* mt_ns_alive() */
	int (*ns_alive)(void *ctx, __u32 ino, __u64 id, struct mt_ns_keepers *out);
	/* mt_proc_cgroup() */
	int (*cgroup)(void *ctx, __u32 pid, char *buf, size_t size);
	/* /proc/PID exists */
	bool (*pid_exists)(void *ctx, __u32 pid);
	/* mt_proc_uses() */
	int (*uses)(void *ctx, __u32 pid, const char *dir, __u32 dev, struct mt_use *uses,
		    int max);
	/* mt_proc_start_ns() */
	int (*start_ns)(void *ctx, __u32 pid, __u64 *ns);
	/* mt_proc_is_kthread() */
	bool (*is_kthread)(void *ctx, __u32 pid);
	/* CLOCK_MONOTONIC now, for what has no event time (start-up findings) */
	__u64 (*now_ns)(void *ctx);
	/* mt_runtime_meta__resolve() */
	bool (*owner)(void *ctx, struct mt_runtime_meta *rm, const char *merged,
		      const char *upper, struct mt_ctr_meta *out);
	/* mt_lower_layers() */
	int (*lower_layers)(void *ctx, struct mt_runtime_meta *rm, const char *lowerdir,
			    const char *upper, char ***out);
};

/* The real look-ups; ctx is the proc root ("/proc"). */
extern const struct mt_proc_ops mt_proc_live;

#endif /* MT_PROC_OPS_H */
