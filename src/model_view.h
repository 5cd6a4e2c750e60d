/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A read-only view of the model for the commands that answer without BPF
 * (--snapshot, --explain): each overlay superblock with its mounts in every
 * namespace, their propagation, and who lives in or keeps each namespace.
 * And the one rule only a snapshot needs: copies whose original is already
 * gone from the runtime's namespace (the leaks that happened before
 * mnttrace looked), raised as `leak` findings with op "snapshot".
 */
#ifndef MT_MODEL_VIEW_H
#define MT_MODEL_VIEW_H

#include <stdbool.h>
#include <linux/types.h>

#include "findings.h"
#include "model.h"

struct mt_view_proc {
	__u32 pid;
	const char *comm;
	const struct mt_cg_ident *ident;
};

/* One mount of the overlay, in one namespace. */
struct mt_view_copy {
	__u32 mnt_ns;
	__u64 mnt_ns_id;	/* 0 = unknown */
	__u32 mnt_id;
	__u64 mnt_uid;		/* statmount's unique id, 0 = unknown */
	const char *path;	/* as seen inside that namespace */
	__u32 group, master;	/* shared:N, master:N; 0 = none */
	__u32 parent_group, parent_master;
	bool prop_known, parent_known;
	bool self_ns;		/* mnttrace's own namespace */
	bool initial_ns;	/* the host's initial namespace (kthreadd's) */
	int orig;		/* index of the copy it was most likely copied from, -1 */
	struct mt_view_proc *procs;	/* every process of the namespace */
	int nr_procs;
	const struct mt_keeper *keepers;	/* when it has no process */
	int nr_keepers;
};

struct mt_ovl_view {
	__u32 dev;		/* superblock dev (major << 20 | minor) */
	const char *merged, *upper, *work, *lower;
	struct mt_view_copy *copies;	/* in namespace order, the original first */
	int nr;
	int nr_ns;		/* distinct namespaces */
};

/*
 * Call @fn once per overlay superblock that has a mount, with the view of
 * it (valid during the call). Stops at the first non-zero return of @fn
 * and returns it; -ENOMEM.
 */
int mt_model__each_overlay(struct mt_model *m,
			   int (*fn)(void *ctx, const struct mt_ovl_view *v), void *ctx);

/* mnttrace's own mount namespace inode, as the model took it. */
__u32 mt_model__self_ns(const struct mt_model *m);

struct mt_gone_stats {
	int checked;		/* copies compared with a runtime namespace */
	int unreadable;		/* copies whose directory could not be compared */
	int leaks;		/* findings raised */
};

/*
 * The leaks that already happened: an overlay mounted in no runtime
 * namespace (mnttrace's own, and any namespace a container daemon lives
 * in: dockerd, containerd, crio, podman) while a copy elsewhere, not a
 * container's own root, sits on a directory that a runtime namespace
 * still sees (same device and inode): the original was unmounted there
 * and the copy stayed. One `leak` finding per overlay (op "snapshot",
 * reason_code "original_gone") through the model's on_finding. Reads
 * /proc (stat through /proc/PID/root): call it after mt_model__load(),
 * never from a ring-buffer callback. 0 or -ENOMEM.
 */
int mt_model__snapshot_leaks(struct mt_model *m, struct mt_gone_stats *st);

#endif /* MT_MODEL_VIEW_H */
