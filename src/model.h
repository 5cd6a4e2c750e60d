/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live model of mount namespaces and their overlay mounts, and the
 * findings it draws (findings.h). It runs without BPF: it takes a start-up
 * snapshot (nsscan.h) and decoded records (record.h), in ring-buffer order.
 *
 *	struct mt_model_opts o = { .on_finding = print_finding, .ctx = out,
 *				   .internals = mode != TRACEPOINT };
 *	struct mt_model *m = mt_model__new(&o);
 *	struct mt_snapshot *s = mt_snapshot__new(NULL, &(struct mt_snap_opts){
 *		.mnttab_flags = MT_MNTTAB_OVERLAY_ONLY });
 *	mt_model__load(m, s);		// may already report risks
 *	mt_snapshot__free(s);
 *	while (poll)			// per ring-buffer record
 *		mt_model__feed(m, &rec);
 *	mt_model__free(m);
 *
 * What the model cannot see in tracepoint-only mode (copies removed by
 * propagation, rmdir's lazy detach, namespaces dying) it predicts from
 * propagation and then confirms by re-reading the mountinfo of the
 * namespaces involved: the rescan hook, which defaults to nsscan over the
 * proc root. Rescans happen only around a finding, never per record, and
 * with .defer_work never inside mt_model__feed(): records queue the work,
 * and mt_model__work(), called after the ring-buffer poll returns, does
 * the rescans of every queued job at once and then emits the findings.
 */
#ifndef MT_MODEL_H
#define MT_MODEL_H

#include <stdbool.h>
#include <linux/types.h>

#include "findings.h"
#include "nsscan.h"
#include "proc_ops.h"
#include "record.h"

struct mt_model;

typedef void (*mt_finding_fn)(void *ctx, const struct mt_finding *f);

/*
 * Re-read namespaces @ns[0..@nr), or every namespace when @nr is 0 (after
 * lost records): return a snapshot with those of them that still have a
 * process (mounts read with MT_MNTTAB_OVERLAY_ONLY is enough), or NULL
 * with errno set. The model frees it with mt_snapshot__free().
 */
typedef struct mt_snapshot *(*mt_rescan_fn)(void *ctx, const __u32 *ns, int nr);

struct mt_model_opts {
	const char *proc_root;	/* "/proc" when NULL */
	/*
	 * true in fentry/kprobe modes: MT_MNT_COPY, MT_MNT_UMOUNT(_PROP),
	 * MT_MNT_BUSY and MT_NS_COPY records come, so the model trusts them
	 * instead of predicting. Also switched on by the first such record.
	 */
	bool internals;
	bool no_rescan;		/* never re-read /proc: predictions only */
	/* queue /proc work for mt_model__work() instead of doing it at the
	 * end of every mt_model__feed() */
	bool defer_work;
	__u32 self_ns;		/* mnttrace's namespace; 0 = read proc_root/<getpid()> */
	mt_finding_fn on_finding;
	void *ctx;		/* for on_finding and rescan */
	mt_rescan_fn rescan;	/* NULL = mt_snapshot__new() over proc_root */
	/* the other /proc look-ups (proc_ops.h); NULL = mt_proc_live over
	 * proc_root. A recording logs them, a replay answers them. */
	const struct mt_proc_ops *proc_ops;
	void *proc_ctx;
	__u32 self_pid;		/* mnttrace's pid, never listed as a holder; 0 = getpid() */
};

/* NULL and errno on failure. */
struct mt_model *mt_model__new(const struct mt_model_opts *opts);
void mt_model__free(struct mt_model *m);

/*
 * Take in a start-up snapshot: namespaces, their processes and overlay
 * mounts. Copies that already cannot be reached by their original's
 * umount are reported as risks (op "snapshot"). 0 or -errno.
 */
int mt_model__load(struct mt_model *m, const struct mt_snapshot *snap);

/*
 * One decoded record. An MT_EV_LOST record makes the model re-read every
 * namespace (records were lost, so was what they said). 0, or -errno on
 * allocation failure.
 */
/*
 * A compact walk record (MT_MNT_WALK_COPY, no strings) made whole from the
 * mount it copies: rebuilt in @buf (@len >= 5 pages and its fixed part)
 * as an MT_MNT_WALK record with the strings, and @rec points there. 0 when done or nothing to do,
 * -ENOENT when the model does not know that mount (then feeding the
 * record asks for a resync).
 */
int mt_model__join(struct mt_model *m, struct mt_record *rec, void *buf, size_t len);
int mt_model__feed(struct mt_model *m, const struct mt_record *rec);

/*
 * Re-read every namespace now, as after lost records (feeding an
 * MT_EV_LOST record asks the next mt_model__work() for it). 0 or -errno.
 */
int mt_model__resync(struct mt_model *m);

/*
 * Do the queued work: one rescan of every namespace the queued jobs need,
 * then their findings, in record order. 0 or -errno.
 */
int mt_model__work(struct mt_model *m);

/* Jobs waiting for mt_model__work(). */
int mt_model__pending(const struct mt_model *m);

struct mt_model_stats {
	__u64 records;
	__u64 findings;
	__u64 rescans;		/* /proc scans, each of one or more namespaces */
	__u64 rescan_ns_total;	/* time spent in them */
	__u64 rescan_ns_max;
	__u64 jobs;		/* work items done off the record path */
	__u64 evicted;		/* pending records and fs contexts dropped for age or room */
	__u64 recycled_inodes;	/* namespaces found replaced by a new one of the same inode */
	__u64 vanished;		/* processes gone or moved between a rescan's listing and read */
	int namespaces;		/* alive */
	int overlays;		/* overlay superblocks with a mount */
	int mounts;		/* overlay mounts, all namespaces */
	int pending_jobs;
	/* entries held, for the bounds */
	int namespaces_total, overlays_total, mounts_total;
};

void mt_model__stats(const struct mt_model *m, struct mt_model_stats *st);

/*
 * Where an overlay is mounted now: calls @fn once per (namespace, mount)
 * whose mountpoint, upperdir or workdir is @path. Returns how many.
 */
int mt_model__where(struct mt_model *m, const char *path,
		    void (*fn)(void *ctx, __u32 mnt_ns, __u32 mnt_id,
			       const char *mountpoint),
		    void *ctx);

/* Calls @fn with the path of every mount the model holds (its overlays'). */
void mt_model__each_mountpoint(const struct mt_model *m,
				void (*fn)(void *ctx, const char *mountpoint), void *ctx);

#endif /* MT_MODEL_H */
