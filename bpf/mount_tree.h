/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A depth-first walk of one mount tree (a mount and everything mounted
 * below it) through mount.mnt_mounts/mnt_child, one move per call so that
 * it fits a bpf_loop callback. Its cost is the tree's size, not the
 * namespace's. The lists are the same from 4.19 to 6.18.
 */
#ifndef MT_MOUNT_TREE_H
#define MT_MOUNT_TREE_H

#include "kernel_compat.h"

struct tree_walk {
	struct mount *root;
	struct mount *cur;
	u32 leaving;		/* cur and its subtree are done */
	u32 done;
};

#define mount_of_child(pos) \
	((struct mount *)((void *)(pos) - bpf_core_field_offset(struct mount, mnt_child)))
#define children_head(m) ((void *)(m) + bpf_core_field_offset(struct mount, mnt_mounts))

static __always_inline void tree_walk_start(struct tree_walk *w, struct mount *root)
{
	w->root = root;
	w->cur = root;
	w->leaving = 0;
	w->done = !root;
}

/* One move: returns the mount entered (each one once, parents first), or
 * NULL for a move up or sideways; sets w->done at the end. */
static __always_inline struct mount *tree_move(struct tree_walk *w)
{
	struct mount *m = w->cur, *parent;
	struct list_head *next;

	if (w->done || !m)
		return NULL;
	if (!w->leaving) {
		next = BPF_CORE_READ(m, mnt_mounts.next);
		if (next && next != children_head(m))
			w->cur = mount_of_child(next);
		else
			w->leaving = 1;
		return m;
	}
	parent = BPF_CORE_READ(m, mnt_parent);
	if (m == w->root || !parent || parent == m) {
		w->done = 1;
		return NULL;
	}
	next = BPF_CORE_READ(m, mnt_child.next);
	if (next && next != children_head(parent)) {
		w->cur = mount_of_child(next);
		w->leaving = 0;
	} else {
		w->cur = parent;
	}
	return NULL;
}

#endif /* MT_MOUNT_TREE_H */
