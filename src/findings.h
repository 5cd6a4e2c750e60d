/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Findings: what the model concludes about overlay mounts, as structs, as
 * JSON Lines ("type": "finding", docs/findings.md) and as one prominent
 * paragraph of text. A finding handed to a callback is valid only during
 * the call; copy what you keep.
 */
#ifndef MT_FINDINGS_H
#define MT_FINDINGS_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "json.h"
#include "procinfo.h"

enum mt_finding_kind {
	MT_FIND_RISK = 1,	/* a namespace copy the original's umount will not reach */
	MT_FIND_LEAK,		/* unmounted here, copies stay mounted elsewhere */
	MT_FIND_EBUSY,		/* rmdir/unlinkat/umount2/mount said EBUSY, and why */
	MT_FIND_DETACHED,	/* rmdir lazily unmounted copies in other namespaces */
	MT_FIND_INUSE,		/* a new overlay on an upper/workdir a leaked copy pins */
};

/* One process of a holder namespace. */
struct mt_finding_pid {
	__u32 pid;
	char comm[16];
	char unit[MT_UNIT_LEN];
	char container_id[MT_CTR_ID_LEN];
	char holds[16];		/* "cwd", "root", "fd 3" when it keeps a copy busy */
	char holds_path[256];
};

/* One namespace that holds a copy of the overlay. */
struct mt_finding_holder {
	__u32 mnt_ns;
	__u64 mnt_ns_id;	/* 0 when unknown */
	__u32 mnt_id;		/* the copy's mount id in that namespace */
	const char *path;	/* the copy's mountpoint there */
	char propagation[64];	/* "private", "shared:3 master:1" */
	char parent_propagation[64];	/* "" when unknown */
	bool has_creator;
	struct {
		__u32 pid;
		char comm[16];
		const char *call;	/* "unshare", "clone", ... or NULL */
		__u64 ts_ns;		/* CLOCK_MONOTONIC */
		char unit[MT_UNIT_LEN];
		/* the namespace predates mnttrace: its oldest process, not
		 * necessarily the one that made it */
		bool inferred;
	} created_by;
	struct mt_finding_pid *pids;
	int nr_pids;		/* listed */
	int total_pids;		/* living in the namespace */
	bool gone;		/* detached: this copy is no longer mounted */
};

struct mt_finding {
	__u64 id;		/* 1, 2, ... per model */
	__u64 leak_id;		/* the leak this finding follows from, 0 if none */
	enum mt_finding_kind kind;
	__u64 ts_ns;		/* of the event that raised it */
	/* who did the operation */
	__u32 pid;
	char comm[16];
	__u32 mnt_ns;
	const char *op;		/* "umount2", "rmdir", "unlinkat", "mount", "unshare", ... */
	int err;		/* positive errno of the operation, 0 = success */
	const char *path;	/* merged dir as seen from mnttrace's namespace */
	const char *upperdir, *workdir, *lowerdir;
	const char *container_id;	/* NULL when the paths follow no convention */
	const char *runtime;
	struct mt_finding_holder *holders;
	int nr_holders;
	char reason[1024];	/* one sentence */
};

const char *mt_finding_kind_name(enum mt_finding_kind kind);

/*
 * One JSON line. @wall_offset_ns turns CLOCK_MONOTONIC stamps into wall
 * time (CLOCK_REALTIME - CLOCK_MONOTONIC). Returns mt_json_end_line()'s result.
 */
int mt_finding_json(struct mt_json *j, const struct mt_finding *f,
		    __s64 wall_offset_ns);

/* The human form: a marked paragraph. Returns 0 or -errno. */
int mt_finding_text(FILE *out, const struct mt_finding *f, __s64 wall_offset_ns);

#endif /* MT_FINDINGS_H */
