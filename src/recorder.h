/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --record: writes what a live run saw, so that --replay (replay.h) can
 * rerun the model offline and draw the same findings (docs/recording.md).
 *
 *	r = mt_recorder__open(path, &info);	// before loading BPF: fails early
 *	mt_recorder__begin(r, attach_mode);	// preamble, header
 *	mt_recorder__snapshot(r, snap);		// the start-up snapshot
 *	model opts: .proc_ops = &mt_recorder_proc_ops, .proc_ctx = r, and a
 *		    .rescan hook that calls mt_recorder__rescan(r, ...)
 *	per record: mt_recorder__record(r, data, size)
 *	before mt_model__work(): mt_recorder__work(r)
 *	after each poll: mt_recorder__flush(r)	// writes, and rotates
 *	mt_recorder__close(r)
 *
 * Frames are collected in memory and written after each poll, so a
 * killed mnttrace leaves every frame of the rounds before. A write that
 * fails (a full disk) stops the recording, once, with a warning: the
 * file is cut back to its last whole frame and tracing carries on.
 *
 * With a max size, the path is a directory of segments
 * (mnttrace-NNNNNN.rec), each with its own header and snapshot; the
 * oldest go when the directory would exceed the size.
 */
#ifndef MT_RECORDER_H
#define MT_RECORDER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "findings.h"
#include "nsscan.h"
#include "proc_ops.h"

struct mt_recorder;

struct mt_rec_info {
	const char *attach_mode;	/* mt_recorder__begin() sets it */
	__s64 wall_offset_ns;		/* struct mt_output's */
	__u32 self_ns;			/* mnttrace's mount namespace */
	/* the filters of the run, applied again on replay */
	bool overlay, failed_only, findings_only, no_findings;
	__u32 pid, mntns;
	const char *comm, *path_prefix;
	bool force;			/* replace what is there */
	uint64_t max_size;		/* 0: one file; else a segment directory */
};

/* NULL after one "mnttrace: error:" line on stderr. */
struct mt_recorder *mt_recorder__open(const char *path, const struct mt_rec_info *info);
/* The preamble and header, once the attach mode is known. */
void mt_recorder__begin(struct mt_recorder *r, const char *attach_mode);
void mt_recorder__snapshot(struct mt_recorder *r, const struct mt_snapshot *snap);
void mt_recorder__record(struct mt_recorder *r, const void *data, size_t size);
void mt_recorder__work(struct mt_recorder *r);
void mt_recorder__drops(struct mt_recorder *r, uint64_t bpf, uint64_t bad);
void mt_recorder__finding(struct mt_recorder *r, const struct mt_finding *f);
/* A marker frame with @note (SIGUSR1), flushed at once. */
void mt_recorder__marker(struct mt_recorder *r, const char *note);
/* A frame of @type, built by the caller (evidence.c). */
void mt_recorder__frame(struct mt_recorder *r, int type, const void *payload, size_t len);
/* Write what is collected; start a new segment when this one is full. */
void mt_recorder__flush(struct mt_recorder *r);
/* The end frame, flush, close. NULL is fine. */
void mt_recorder__close(struct mt_recorder *r);

/* For the model's rescan hook: scans /proc as the model would, logs the scan. */
struct mt_snapshot *mt_recorder__rescan(struct mt_recorder *r, const __u32 *ns, int nr);
/* The model's /proc look-ups, logged (proc_ctx: the recorder). */
extern const struct mt_proc_ops mt_recorder_proc_ops;

#endif /* MT_RECORDER_H */
