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
#include "overlay_id.h"
#include "procinfo.h"

enum mt_finding_kind {
	MT_FIND_RISK = 1,	/* a namespace copy the original's umount will not reach */
	MT_FIND_LEAK,		/* unmounted here, copies stay mounted elsewhere */
	MT_FIND_EBUSY,		/* rmdir/unlinkat/umount2/mount said EBUSY, and why */
	MT_FIND_DETACHED,	/* rmdir or umount2(MNT_DETACH) lazily unmounted copies
				 * in other namespaces */
	MT_FIND_INUSE,		/* a new overlay on an upper/workdir a leaked copy pins */
};

/* Something other than a process that keeps a mount namespace alive. */
struct mt_keeper {
	bool is_fd;		/* an open fd, else an nsfs bind mount */
	__u32 pid;		/* is_fd: the process, and its fd */
	int fd;
	char comm[16];
	__u32 mnt_ns;		/* nsfs mount: the namespace it is mounted in */
	char path[256];		/* nsfs mount: its mountpoint there */
};

/*
 * Why a finding was raised: the model picks a code and fills the facts in
 * struct mt_reason_args; the words are made here (mt_finding_reason), once,
 * for text and JSON alike. JSON carries the code as "reason_code".
 */
enum mt_reason {
	MT_REASON_NONE,
	MT_REASON_RISK_PRIVATE_ORIGINAL,	/* private copy of a private original */
	MT_REASON_RISK_MADE_PRIVATE,	/* copy private, the original propagates */
	MT_REASON_RISK_OTHER_GROUP,	/* copy in a group the original misses */
	MT_REASON_LEAK_UNREACHED,	/* copy's propagation not known */
	MT_REASON_LEAK_PRIVATE_COPY,
	MT_REASON_LEAK_PRIVATE_ORIGINAL,
	MT_REASON_LEAK_OTHER_GROUP,
	MT_REASON_LEAK_NOT_MOUNTED_HERE,	/* umount2 EINVAL, mounted elsewhere */
	MT_REASON_BUSY_HERE,		/* a process of the caller's namespace */
	MT_REASON_BUSY_COPY,		/* a propagated copy is busy */
	MT_REASON_BUSY_UNKNOWN,		/* busy, no process found using it */
	MT_REASON_RMDIR_MOUNTED_HERE,
	MT_REASON_RMDIR_MOUNTED_ELSEWHERE,	/* Linux < 3.18 semantics */
	MT_REASON_DETACHED_BY_RMDIR,
	MT_REASON_UPPER_IN_USE,		/* upper/workdir pinned by another overlay */
	MT_REASON_DETACHED_BUSY_BY_LAZY_UMOUNT,	/* umount2(MNT_DETACH) took busy copies */
	MT_REASON_LEAK_ORIGINAL_GONE,	/* snapshot: gone from the runtime's namespace */
	MT_REASON__MAX,
};

/*
 * Why a finding may be incomplete: records were lost (ring buffer or stash
 * full), so what they said is missing from the facts it was drawn from.
 */
enum mt_incomplete {
	MT_INCOMPLETE_NO,
	MT_INCOMPLETE_LOST,	/* raised from records read around the loss */
	MT_INCOMPLETE_REREAD,	/* found by the re-read of /proc that follows it */
	MT_INCOMPLETE_NO_REREAD,	/* after a loss, with no re-read possible */
};

/* The words of "incomplete_reason" (NULL for MT_INCOMPLETE_NO). */
const char *mt_incomplete_reason(enum mt_incomplete why);

/* The facts a reason's words are made from; unused fields stay 0/NULL. */
struct mt_reason_args {
	__u32 caller_ns;	/* namespace of the call */
	__u32 copy_ns;		/* the copy's (or busy mount's) namespace */
	__u32 orig_ns;		/* the original's namespace */
	char copy_prop[64];	/* "private", "shared:3 master:1" */
	char orig_prop[64];
	bool orig_private_parent;	/* the original sits on a private parent */
	bool orig_private;	/* the original (or the unmounted mount) is private */
	bool copy_leaked;	/* UPPER_IN_USE: the pinning mount leaked */
	bool creator_known;	/* the copy namespace's creator */
	__u32 creator_pid;
	char creator_comm[16];
	char creator_unit[MT_UNIT_LEN];
	const char *path;	/* the path the call named, or the pinning mountpoint */
	const char *dir;	/* UPPER_IN_USE: the upper or work dir */
	__u32 mnt_id;
	int count;		/* BUSY_UNKNOWN: copies; DETACHED_BY_RMDIR: namespaces;
				 * DETACHED_BUSY_BY_LAZY_UMOUNT: what processes held */
	__u32 user_pid;		/* BUSY_*: the process that uses it */
	char user_comm[16];
	char user_what[16];	/* "cwd", "root", "fd 3" */
	const char *user_path;
};

const char *mt_reason_name(enum mt_reason code);

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
	/* the host's initial mount namespace (it holds the kernel threads):
	 * nobody made it, so no created_by */
	bool initial_ns;
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
	int nr_pids;		/* listed: those that hold something below the copy first */
	int total_pids;		/* living in the namespace, mnttrace and kernel threads not counted */
	/* what keeps a namespace without processes alive */
	struct mt_keeper *kept_by;
	int nr_kept_by;
	bool gone;		/* detached: this copy is no longer mounted */
};

struct mt_finding {
	__u64 id;		/* 1, 2, ... per model */
	__u64 leak_id;		/* the leak this finding follows from, 0 if none */
	enum mt_finding_kind kind;
	__u64 ts_ns;		/* of the event that raised it */
	/* who did the operation */
	__u32 pid;
	__u32 ns_pid;		/* its pid where mnttrace runs (hdr.ns_pid), 0 = not seen there */
	char comm[16];
	__u32 mnt_ns;
	const char *op;		/* "umount2", "rmdir", "unlinkat", "mount", "unshare", ... */
	int err;		/* positive errno of the operation, 0 = success */
	const char *path;	/* merged dir as seen from mnttrace's namespace */
	const char *upperdir, *workdir, *lowerdir;
	/* who owns the overlay (runtime_meta.h); all NULL when the paths
	 * follow no runtime's convention */
	const char *container_id;	/* the container; the layer id when unresolved */
	const char *layer_id;		/* the layer (snapshot) the paths name */
	const char *id_source;		/* MT_IDSRC_*: what gave container_id */
	const char *container_name, *image;	/* NULL when unknown */
	const char *runtime;
	enum mt_runtime runtime_kind;	/* picks the remedy's words */
	const char *runtime_root;	/* graph root (docker, containers/storage) */
	/* lowerdir one path per layer, l/XXXX short links followed */
	const char *const *lower_layers;
	int nr_lower_layers;
	struct mt_finding_holder *holders;
	int nr_holders;
	bool holders_truncated;	/* more holders than listed */
	enum mt_reason reason_code;
	struct mt_reason_args why;
	enum mt_incomplete incomplete;
};

/* The reason as one sentence (the words depend on f->kind and f->err too). */
const char *mt_finding_reason(const struct mt_finding *f, char *buf, size_t len);

/* The same without what prevents it: the "why" of the text block. */
const char *mt_finding_why(const struct mt_finding *f, char *buf, size_t len);

/*
 * What keeps it from happening again, as the words that follow "prevent it
 * by" (a risk's own clause, the runtime's remedy for a leak), or NULL.
 * mt_finding_reason() ends a risk's sentence with it.
 */
const char *mt_finding_prevention(const struct mt_finding *f, char *buf, size_t len);

/*
 * The commands that release each holder's copy now, "; "-joined: printed
 * for the user, never run. A plain umount (never -l, which would leave a
 * process in a busy copy in a detached tree), after stopping the process
 * that has something below it.
 */
const char *mt_finding_release(const struct mt_finding *f, char *buf, size_t len);

/* The same for holder @i alone. */
const char *mt_finding_release_one(const struct mt_finding *f, int i, char *buf, size_t len);

const char *mt_finding_kind_name(enum mt_finding_kind kind);

/*
 * What keeps the owning runtime's overlays reachable by its umount, in the
 * runtime's own terms (f->runtime_kind, f->runtime_root): one clause that
 * follows "prevent it by". docs/findings.md lists the versions checked.
 */
const char *mt_finding_remedy(const struct mt_finding *f, char *buf, size_t len);

/*
 * One JSON line. @wall_offset_ns turns CLOCK_MONOTONIC stamps into wall
 * time (CLOCK_REALTIME - CLOCK_MONOTONIC). Returns mt_json_end_line()'s result.
 */
int mt_finding_json(struct mt_json *j, const struct mt_finding *f,
		    __s64 wall_offset_ns);

/* A keeper as a JSON object (an array member: @j is inside an array). */
void mt_keeper_json(struct mt_json *j, const struct mt_keeper *k);

/*
 * The human form (finding_text.c): a block with a headline (kind, container,
 * path), why, the call, the holders as an indented list, a fix line.
 * @term gives colour and width (NULL: none, MT_TERM_WIDTH); @verbose adds
 * the overlay's dirs and the container's details. Returns 0 or -errno.
 */
struct mt_term;
int mt_finding_text_styled(FILE *out, const struct mt_finding *f, __s64 wall_offset_ns,
			   const struct mt_term *term, bool verbose);

/* mt_finding_text_styled() without colour, at the default width. */
int mt_finding_text(FILE *out, const struct mt_finding *f, __s64 wall_offset_ns);

#endif /* MT_FINDINGS_H */
