/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What userspace already knows about the overlay mounts walks found, so
 * that a walk sends only what is new (issue 12: 2,000 overlays then 200
 * unshares sent 2.8M full records and lost 2M):
 *   - known_mounts: a mount sent before, in the same state (namespace,
 *     parent, propagation, flags), is not sent again. The walk's
 *     WALK_DONE counts such mounts and sums their ids, so userspace can
 *     tell that none of the ones it holds is gone.
 *   - known_places: a mount at the same place as one sent in full (the
 *     same chain of mount roots and mountpoint dentries up to its
 *     namespace's root: the same path, superblock and layers) is sent as
 *     a copy of that one, without strings (MT_MNT_WALK_COPY): a namespace
 *     copy makes exactly such mounts.
 * Both are LRU maps: an evicted entry only costs a full record.
 */
#ifndef MT_KNOWN_H
#define MT_KNOWN_H

#include "emit.h"

#define MT_PLACE_DEPTH 8	/* mounts above a mount, up to its namespace root */

struct known_mount {
	u64 ns_id;
	u64 state;		/* parent, propagation and flags, mixed */
	u32 mnt_id;
	u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, u64);		/* struct mount * */
	__type(value, struct known_mount);
} known_mounts SEC(".maps");

struct place_key {
	u64 p[2 * MT_PLACE_DEPTH];	/* (mnt_root, mnt_mountpoint) per mount */
};

struct known_place {
	u64 mnt;		/* struct mount * sent in full */
	u64 ns_id;
	u64 root, mountpoint;	/* to check it is still that mount */
	u32 mnt_id;
	u32 ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct place_key);
	__type(value, struct known_place);
} known_places SEC(".maps");

/* A place key is built here, not on the stack: 6.1 allows 512 bytes of
 * stack for a program and every function and callback it is inside of
 * (sys_exit_handler, walk_step, mt_visit_overlay, mt_emit_mount, the path
 * walk), and this key is 128 of them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct place_key);
} place_key_buf SEC(".maps");

static __always_inline u64 mix64(u64 x)
{
	return x * 0x9e3779b97f4a7c15ULL;
}

/* What a record shows of @m besides its strings. */
static __always_inline u64 mount_state(struct mount *m)
{
	struct mount *parent = BPF_CORE_READ(m, mnt_parent);
	/* every field mixed in turn: shared:1 and master:1 must differ */
	u64 st = mix64(BPF_CORE_READ(m, mnt_group_id) + 1);

	st = mix64(st ^ mount_master_group(m));
	st = mix64(st ^ (u64)parent);
	st = mix64(st ^ BPF_CORE_READ(parent, mnt_group_id));
	st = mix64(st ^ mount_master_group(parent));
	return mix64(st ^ (u32)BPF_CORE_READ(m, mnt.mnt_flags));
}

/* Sent before in this state: nothing to send. */
static __always_inline bool mount_known(struct mount *m, u64 ns_id, u64 state)
{
	u64 key = (u64)m;
	struct known_mount *k = bpf_map_lookup_elem(&known_mounts, &key);

	return k && k->ns_id == ns_id && k->state == state &&
	       k->mnt_id == BPF_CORE_READ(m, mnt_id);
}

static __always_inline void note_mount_sent(struct mount *m, u64 ns_id, u64 state)
{
	struct known_mount k = { .ns_id = ns_id, .state = state,
				 .mnt_id = BPF_CORE_READ(m, mnt_id) };
	u64 key = (u64)m;

	bpf_map_update_elem(&known_mounts, &key, &k, BPF_ANY);
}

/* @m's place; false when it is deeper than MT_PLACE_DEPTH (not keyed). */
static __always_inline bool place_of(struct mount *m, struct place_key *k)
{
	for (int i = 0; i < MT_PLACE_DEPTH; i++) {
		struct mount *parent = BPF_CORE_READ(m, mnt_parent);

		k->p[2 * i] = (u64)BPF_CORE_READ(m, mnt.mnt_root);
		if (!parent || parent == m)
			return true;
		k->p[2 * i + 1] = (u64)BPF_CORE_READ(m, mnt_mountpoint);
		m = parent;
	}
	return false;
}

/*
 * The mount sent in full at @m's place, if it is another one and still
 * mounted there (its memory is read as it is now: a freed one fails the
 * check). A mount moved away since then fails it too.
 */
static __always_inline struct known_place *place_original(struct mount *m, struct place_key *k)
{
	struct known_place *kp = bpf_map_lookup_elem(&known_places, k);
	struct mount *orig;

	if (!kp || kp->mnt == (u64)m)
		return NULL;
	orig = (void *)kp->mnt;
	if (BPF_CORE_READ(orig, mnt_id) != kp->mnt_id ||
	    mnt_ns_uid(BPF_CORE_READ(orig, mnt_ns)) != kp->ns_id ||
	    (u64)BPF_CORE_READ(orig, mnt.mnt_root) != kp->root ||
	    (u64)BPF_CORE_READ(orig, mnt_mountpoint) != kp->mountpoint)
		return NULL;
	return kp;
}

static __always_inline void note_place_sent(struct mount *m, struct place_key *k,
					    struct mnt_namespace *ns)
{
	struct known_place kp = {
		.mnt = (u64)m, .ns_id = mnt_ns_uid(ns), .ns = mnt_ns_inum(ns),
		.root = (u64)BPF_CORE_READ(m, mnt.mnt_root),
		.mountpoint = (u64)BPF_CORE_READ(m, mnt_mountpoint),
		.mnt_id = BPF_CORE_READ(m, mnt_id),
	};

	bpf_map_update_elem(&known_places, k, &kp, BPF_ANY);
}

#endif /* MT_KNOWN_H */
