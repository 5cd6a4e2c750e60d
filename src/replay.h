/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --replay: reads a recording (recorder.h, docs/recording.md), a file or
 * a directory of segments in order, and hands its frames to callbacks:
 * the caller feeds a model as the live run did. While a callback runs,
 * the model's /proc look-ups are answered from the recording
 * (mt_replay_proc_ops with proc_ctx = the replay, mt_replay__rescan): the
 * same answers, in the same order, as the live run got.
 */
#ifndef MT_REPLAY_H
#define MT_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "nsscan.h"
#include "proc_ops.h"

struct mt_replay;

struct mt_rec_header {
	__u32 abi;		/* MT_ABI_VERSION of the records */
	char version[32];	/* mnttrace's */
	char kernel[128];	/* uname -r */
	char hostname[128];
	char boot_id[64];
	char attach_mode[16];
	__u64 start_real_ns;	/* CLOCK_REALTIME at the start */
	__s64 wall_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	__u32 pid;		/* mnttrace's pid */
	__u32 self_ns;		/* mnttrace's mount namespace */
	__u32 seq;		/* segment number (0 for a single file) */
	/* the filters of the run */
	bool overlay, failed_only, findings_only, no_findings;
	__u32 filter_pid, filter_mntns;
	char comm[16];
	char path_prefix[4096];
};

struct mt_replay_cbs {
	void *ctx;
	/* Each returns 0, or -errno to stop the replay. */
	int (*header)(void *ctx, struct mt_replay *r, const struct mt_rec_header *h);
	int (*snapshot)(void *ctx, const struct mt_snapshot *snap);	/* the first only */
	int (*record)(void *ctx, const void *data, size_t size);
	int (*work)(void *ctx);
	int (*drops)(void *ctx, uint64_t bpf, uint64_t bad);
	/* no model runs (--no-findings): nothing asks, answers are passed over */
	bool no_model;
};

/*
 * Replay @path (a file, or a directory of mnttrace-NNNNNN.rec segments).
 * 0 when everything was read; else -errno after one "mnttrace: error:"
 * line naming the file, byte offset and record (frame) number of the
 * damage; frames before it were replayed.
 */
int mt_replay__run(const char *path, const struct mt_replay_cbs *cbs);

/* The recorded answers, for the model (proc_ctx: the struct mt_replay). */
extern const struct mt_proc_ops mt_replay_proc_ops;
struct mt_snapshot *mt_replay__rescan(struct mt_replay *r, const __u32 *ns, int nr);

#endif /* MT_REPLAY_H */
