/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When a syscall's exit walks its namespace. A walk costs one step per
 * mount of the namespace, so it is made only when the call can have added
 * an overlay mount to it or changed the propagation of one:
 *   - mount(2) of an overlay: always;
 *   - a bind or move (mount MS_BIND/MS_MOVE, move_mount) or a propagation
 *     change (mount MS_SHARED..., mount_setattr propagation): unless the
 *     namespace is known to hold no overlay;
 *   - unshare, setns: always (a namespace new to us).
 *
 * "Known to hold no overlay" comes from ns_overlays, filled by the walks
 * themselves. Knowledge goes stale when overlays may have reached a
 * namespace without a call in it; then overlay_gen is bumped, which makes
 * every entry unknown at once (O(1)), and each namespace is walked again
 * at its next such call:
 *   - an overlay under a shared mount was added: propagation may have put
 *     copies into other namespaces (bumped by walk_ns);
 *   - a detached tree holding an overlay was made (fsmount of an overlay,
 *     open_tree(OPEN_TREE_CLONE) of a tree with one): it may be attached
 *     anywhere later, by move_mount or mount(MS_MOVE/MS_BIND).
 * A namespace with no entry (older than mnttrace, evicted, or no unique id)
 * is unknown and walked; so nothing needs seeding at start-up.
 */
#ifndef MT_WALK_POLICY_H
#define MT_WALK_POLICY_H

#include "emit.h"
#include "mount_tree.h"

enum walk_kind {
	WALK_NONE,
	WALK_PLAIN,	/* nothing was added: propagation change, new namespace */
	WALK_GRAFT,	/* mounts were added: overlays found may have propagated */
};

struct ns_overlay_state {
	u32 gen;		/* overlay_gen when the walk started */
	u32 has_overlay;	/* the walk saw one, or was cut short */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);	/* eviction only costs a walk */
	__uint(max_entries, 8192);
	__type(key, u64);		/* mnt_ns_uid */
	__type(value, struct ns_overlay_state);
} ns_overlays SEC(".maps");

__u32 overlay_gen = 0;

/*
 * The enum walk_kind of the walk running on this CPU. It goes through a
 * map so that the verifier sees an unknown value: a known one would make
 * it check the whole walk once per kind (6.18: 21k instead of 14k insns).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} walk_kind_now SEC(".maps");

static __always_inline void set_walk_kind(u32 kind)
{
	u32 zero = 0, *slot = bpf_map_lookup_elem(&walk_kind_now, &zero);

	if (slot)
		*slot = kind;
}

static __always_inline u32 get_walk_kind(void)
{
	u32 zero = 0, *slot = bpf_map_lookup_elem(&walk_kind_now, &zero);

	return slot ? *slot : WALK_GRAFT;
}

static __always_inline void forget_overlay_knowledge(void)
{
	__sync_fetch_and_add(&overlay_gen, 1);
}

/* True unless a walk since the last bump found no overlay in @ns. */
static __always_inline bool ns_may_hold_overlay(struct mnt_namespace *ns)
{
	u64 uid = mnt_ns_uid(ns);
	struct ns_overlay_state *st;

	if (!uid)
		return true;
	st = bpf_map_lookup_elem(&ns_overlays, &uid);
	return !st || st->gen != overlay_gen || st->has_overlay;
}

static __always_inline void note_walk_result(struct mnt_namespace *ns, u32 gen_at_start,
					     bool has_overlay)
{
	struct ns_overlay_state st = { gen_at_start, has_overlay };
	u64 uid = mnt_ns_uid(ns);

	if (uid)
		bpf_map_update_elem(&ns_overlays, &uid, &st, BPF_ANY);
}

/* The mount an open file (e.g. fsmount's or open_tree's fd) refers to. */
static __always_inline struct mount *task_fd_mount(long fd)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct file **fds, *f = NULL;
	struct vfsmount *mnt;

	if (fd < 0 || fd >= BPF_CORE_READ(task, files, fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xfffff]);
	if (!f)
		return NULL;
	mnt = BPF_CORE_READ(f, f_path.mnt);
	return mnt ? real_mount(mnt) : NULL;
}

static long overlay_search_step(u32 index, void *data)
{
	struct tree_walk *w = data;
	struct mount *m = tree_move(w);

	if (m && mount_is_overlay(m))
		return 1;
	return w->done ? 1 : 0;
}

/* Does the tree at @root hold an overlay? Its cost is the tree's size; a
 * tree too large to finish counts as yes. */
static __always_inline bool tree_has_overlay(struct mount *root)
{
	struct tree_walk w;

	tree_walk_start(&w, root);
	bpf_loop(1024, overlay_search_step, &w, 0);
	/* stopped early: at an overlay, or out of moves */
	return !w.done;
}

#define MS_PROPAGATION_FLAGS (MT_MS_UNBINDABLE | MT_MS_PRIVATE | MT_MS_SLAVE | MT_MS_SHARED)
#define MS_BIND_OR_MOVE (MT_MS_BIND | MT_MS_MOVE)
#define MT_OPEN_TREE_CLONE 1

/* Unless @ns is known overlay-free, walk it as @kind; else count a skip. */
static __always_inline u32 walk_unless_overlay_free(struct mnt_namespace *ns, u32 kind,
						    bool sees_all_calls)
{
	/* with -p or --mntns (and no findings) calls of other processes are
	 * not seen, so what we learnt may be stale without a bump */
	if (!sees_all_calls || ns_may_hold_overlay(ns))
		return kind;
	count(MT_CNT_WALK_SKIP);
	return WALK_NONE;
}

/*
 * The walk a successful @call needs (enum walk_kind). @args are its
 * arguments, @extra the stash's (mount_setattr: propagation), @ret its
 * return value, @new_ns whether it moved the caller to another namespace.
 */
static __always_inline u32 walk_after_call(u32 call, const u64 *args, u64 extra, long ret,
					   bool new_ns, bool overlay_fstype,
					   struct mnt_namespace *ns, bool sees_all_calls)
{
	switch (call) {
	case MT_CALL_MOUNT:
		if (overlay_fstype)
			return WALK_GRAFT;
		if (args[3] & MS_BIND_OR_MOVE)
			return walk_unless_overlay_free(ns, WALK_GRAFT, sees_all_calls);
		if (args[3] & MS_PROPAGATION_FLAGS)
			return walk_unless_overlay_free(ns, WALK_PLAIN, sees_all_calls);
		return WALK_NONE;
	case MT_CALL_MOVE_MOUNT:
		return walk_unless_overlay_free(ns, WALK_GRAFT, sees_all_calls);
	case MT_CALL_MOUNT_SETATTR:
		if (!extra)
			return WALK_NONE;
		return walk_unless_overlay_free(ns, WALK_PLAIN, sees_all_calls);
	case MT_CALL_FSMOUNT:
	case MT_CALL_OPEN_TREE:
	case MT_CALL_OPEN_TREE_ATTR:
		/* a new detached tree: no walk, but it may carry an overlay
		 * into any namespace later */
		if ((call == MT_CALL_FSMOUNT || (args[2] & MT_OPEN_TREE_CLONE)) &&
		    tree_has_overlay(task_fd_mount(ret)))
			forget_overlay_knowledge();
		return WALK_NONE;
	case MT_CALL_CLONE:
	case MT_CALL_CLONE3:
		return WALK_NONE;	/* the child's namespace was walked at fork */
	default:		/* unshare, setns */
		return new_ns ? WALK_PLAIN : WALK_NONE;
	}
}

#endif /* MT_WALK_POLICY_H */
