/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One overlay and its copies, as --snapshot and --explain print them: the
 * owner (runtime_meta.h), each copy's namespace and propagation, the
 * processes that hold each copy's namespace (pid, comm, cmdline, unit or
 * container, start time, and what they have under the copy: cwd, root, an
 * fd) or what keeps a namespace without processes alive, and the command
 * that releases each copy (printed, never run). Reads /proc: only off any
 * ring-buffer path. Text, or one JSON Lines record ("type": "overlay",
 * docs/json.md).
 */
#ifndef MT_OVL_REPORT_H
#define MT_OVL_REPORT_H

#include <stdio.h>

#include "json.h"
#include "model_view.h"
#include "proc_cache.h"
#include "runtime_meta.h"
#include "term.h"

#define MT_REPORT_PIDS 16	/* processes listed per copy */

/* A finding that names a copy, to cross-reference it. */
struct mt_report_ref {
	__u64 finding_id;
	const char *kind;
	__u32 mnt_ns;
	__u32 mnt_id;
	/* the finding's processes of that copy, users first (findings.h):
	 * taken as they are, not looked up again */
	const struct mt_finding_pid *pids;
	int nr_pids, total_pids;
};

struct mt_report_ctx {
	struct mt_proc_cache *procs;	/* the /proc look-ups, each made once */
	const struct mt_term *term;	/* text's colour; NULL: none */
	__s64 wall_offset_ns;		/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct mt_runtime_meta *rtmeta;
	/* findings raised, for "finding_ids": sorted by mt_report_refs_sort() */
	const struct mt_report_ref *refs;
	int nr_refs;
};

/* Sort @refs by copy (namespace, mount id), then finding id. */
void mt_report_refs_sort(struct mt_report_ref *refs, int nr);

/* Text: a block with the owner, the peer-group tree, holders and release. */
int mt_ovl_report_text(FILE *out, struct mt_report_ctx *rc, const struct mt_ovl_view *v);

/* JSON: one "overlay" line. */
int mt_ovl_report_json(struct mt_json *j, struct mt_report_ctx *rc, const struct mt_ovl_view *v);

/* Graphviz: the peer-group tree of @v. */
int mt_ovl_report_dot(FILE *out, const struct mt_ovl_view *v);

#endif /* MT_OVL_REPORT_H */
