/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-internal hooks: namespace copies, mount copies, umounts and their
 * propagation, propagation changes, rmdir's checks, overlay's in-use lock.
 *
 * Every hook is written once, with one of the HOOK_* macros below, which
 * makes both its fentry/fexit program and its kprobe/kretprobe twin from
 * the same body. src/loader.c names the programs (fe_, fx_, kp_, krp_ +
 * the hook's name) and loads one set or neither (tracepoint-only mode).
 */
#ifndef MT_HOOKS_H
#define MT_HOOKS_H

#include <bpf/bpf_tracing.h>

#include "emit.h"
#include "mounts.h"
#include "mount_tree.h"

/* -------------------------------------------------------------------- */
/* kprobe arguments wait here for the kretprobe                          */

enum kfn {
	KFN_COPY_MNT_NS, KFN_CLONE_MNT, KFN_PROPAGATE_UMOUNT,
	KFN_CHANGE_PROPAGATION, KFN_MOUNT_BUSY, KFN_LOCAL_MP, KFN_OVL_INUSE,
	KFN_PROPAGATE_MNT,
};

struct kkey {
	u32 tid;
	u32 fn;
};

struct kargs {
	u64 a0;
	u64 a1;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);	/* a lost exit must not leak an entry */
	__uint(max_entries, 4096);
	__type(key, struct kkey);
	__type(value, struct kargs);
} kstash SEC(".maps");

static __always_inline void kstash_put(u32 fn, u64 a0, u64 a1)
{
	struct kkey k = { (u32)bpf_get_current_pid_tgid(), fn };
	struct kargs v = { a0, a1 };

	if (bpf_map_update_elem(&kstash, &k, &v, BPF_ANY))
		count(MT_CNT_STASH_DROP);
}

static __always_inline bool kstash_has(u32 fn)
{
	struct kkey k = { (u32)bpf_get_current_pid_tgid(), fn };

	return bpf_map_lookup_elem(&kstash, &k) != NULL;
}

static __always_inline bool kstash_take(u32 fn, struct kargs *out)
{
	struct kkey k = { (u32)bpf_get_current_pid_tgid(), fn };
	struct kargs *v = bpf_map_lookup_elem(&kstash, &k);

	if (!v)
		return false;
	*out = *v;
	bpf_map_delete_elem(&kstash, &k);
	return true;
}

/* -------------------------------------------------------------------- */
/* One definition per hook                                               */

/*
 * A return value as the function's own type @t. Only the low bytes of the
 * register are defined for a bool or int return (x86-64 ABI), so a bool
 * is its low byte, not "any bit set".
 */
#define RET_AS(t, rc)                                                          \
	((t)(sizeof(t) == 1 ? (u64)(rc) & 0xff : sizeof(t) == 4 ? (u64)(rc) & 0xffffffff : (u64)(rc)))

/* @call runs at the entry of @func, with its arguments @args. */
#define HOOK_ENTRY(name, func, call, args...)                                  \
	SEC("fentry/" #func)                                                   \
	int BPF_PROG(fe_##name, args)                                          \
	{                                                                      \
		call;                                                          \
		return 0;                                                      \
	}                                                                      \
	SEC("kprobe")                                                          \
	int BPF_KPROBE(kp_##name, args)                                        \
	{                                                                      \
		call;                                                          \
		return 0;                                                      \
	}

/*
 * @done(keep0, keep1, ret) runs when @func returns @ret (of type @ret_t).
 * keep0 and keep1 are two expressions over the arguments @args: the
 * fexit program reads them itself, the kprobe keeps them in kstash under
 * @kfn for the kretprobe.
 */
#define HOOK_RETURN(name, func, kfn, ret_t, keep0, keep1, done, args...)       \
	HOOK_RETURN_IF(name, func, kfn, ret_t, true, keep0, keep1, done, args)

/*
 * HOOK_RETURN for only the calls whose arguments pass @want: the others
 * cost the kprobe no kstash entry (their kretprobe finds none).
 */
#define HOOK_RETURN_IF(name, func, kfn, ret_t, want, keep0, keep1, done, args...) \
	SEC("fexit/" #func)                                                    \
	int BPF_PROG(fx_##name, args, u64 ret)                                 \
	{                                                                      \
		if (want)                                                      \
			done((u64)(keep0), (u64)(keep1), RET_AS(ret_t, ret));  \
		return 0;                                                      \
	}                                                                      \
	SEC("kprobe")                                                          \
	int BPF_KPROBE(kp_##name, args)                                        \
	{                                                                      \
		if (want)                                                      \
			kstash_put(kfn, (u64)(keep0), (u64)(keep1));           \
		return 0;                                                      \
	}                                                                      \
	SEC("kretprobe")                                                       \
	int BPF_KRETPROBE(krp_##name)                                          \
	{                                                                      \
		struct kargs a;                                                \
                                                                               \
		if (kstash_take(kfn, &a))                                      \
			done(a.a0, a.a1, RET_AS(ret_t, PT_REGS_RC(ctx)));      \
		return 0;                                                      \
	}

/*
 * @enter runs at the entry of @func and @leave(ret) when it returns @ret
 * (of type @ret_t; for a void function, ignore it), in both modes: for
 * hooks that must see state at entry that is gone at return (fentry +
 * fexit, kprobe + kretprobe).
 */
#define HOOK_AROUND(name, func, ret_t, enter, leave, args...)                  \
	HOOK_ENTRY(name, func, enter, args)                                    \
	SEC("fexit/" #func)                                                    \
	int BPF_PROG(fx_##name, args, u64 ret)                                 \
	{                                                                      \
		leave(RET_AS(ret_t, ret));                                     \
		return 0;                                                      \
	}                                                                      \
	SEC("kretprobe")                                                       \
	int BPF_KRETPROBE(krp_##name)                                          \
	{                                                                      \
		leave(RET_AS(ret_t, PT_REGS_RC(ctx)));                         \
		return 0;                                                      \
	}

/* -------------------------------------------------------------------- */
/* Bodies                                                                */

static __always_inline bool want_mount(struct mount *m)
{
	return !is_self() && (!overlay_only || mount_is_overlay(m));
}

static __always_inline void copy_mnt_ns_done(u64 flags, u64 old_ptr,
					     struct mnt_namespace *new)
{
	struct mnt_namespace *old = (void *)old_ptr;
	struct scratch *s;
	struct mt_ns *e;

	if (!new || IS_ERR_VALUE((unsigned long)new) || new == old || is_self())
		return;
	s = get_scratch(SCRATCH_MOUNT, sizeof(struct mt_ns));
	if (!s)
		return;
	e = scratch_ns(s);
	fill_hdr(&e->hdr, MT_EV_NS);
	e->op = MT_NS_COPY;
	e->ns = mnt_ns_inum(new);
	e->ns_id = mnt_ns_uid(new);
	e->old_ns = mnt_ns_inum(old);
	e->old_ns_id = mnt_ns_uid(old);
	e->flags = flags;
	e->walk_seq = 0;
	e->nr_mounts = 0;
	e->nr_emitted = 0;
	e->truncated = 0;
	e->trigger = 0;
	submit(s);
}

/* clone_mnt()'s flag for a namespace copy (fs/pnode.h: 0x01 on 6.1, 6.12
 * and 7.2) */
#define MT_CL_EXPIRE 0x01

/*
 * Which clone_mnt calls are reported. Only copy_mnt_ns's copy_tree passes
 * CL_EXPIRE (fs/namespace.c, 6.1, 6.12, 7.2; bind mounts, open_tree and
 * propagation do not): of a namespace copy only the overlay mounts are,
 * since the namespace's MT_NS_COPY record and the walk at the syscall's
 * exit say the rest and the model keeps overlay copies only. Checked at
 * entry: a storm of unshares copies thousands of mounts each.
 */
static __always_inline bool clone_mnt_wanted(struct mount *old, int flag)
{
	if ((overlay_only || (flag & MT_CL_EXPIRE)) && !mount_is_overlay(old))
		return false;
	return !is_self();
}

static __always_inline void clone_mnt_done(u64 old_ptr, u64 unused, struct mount *new)
{
	struct mount *old = (void *)old_ptr;

	if (!new || IS_ERR_VALUE((unsigned long)new))
		return;
	/* a copy shares its original's superblock: a kretprobe that finds
	 * the entry of an earlier call whose exit was lost, not its own
	 * (HOOK_RETURN_IF stashes nothing for calls it drops), stops here */
	if (BPF_CORE_READ(new, mnt.mnt_sb) != BPF_CORE_READ(old, mnt.mnt_sb))
		return;
	/* copies made for propagation are reported when propagate_mnt
	 * returns, attached where they go (propagate_mnt_exit) */
	if (kstash_has(KFN_PROPAGATE_MNT))
		return;
	emit_mount(new, old, MT_MNT_COPY, mnt_ns_inum(BPF_CORE_READ(old, mnt_ns)),
		   BPF_CORE_READ(old, mnt_id), 0);
}

static __always_inline void on_umount_tree(struct mount *m, u32 how)
{
	struct mnt_namespace *ns = BPF_CORE_READ(m, mnt_ns);
	bool ns_root = ns && BPF_CORE_READ(ns, root) == m;

	/* namespace teardown is always reported: the model forgets the ns */
	if (!ns_root && !want_mount(m))
		return;
	emit_mount(m, m, MT_MNT_UMOUNT, how | (ns_root ? MT_UMOUNT_NS_ROOT : 0), 0, 0);
}

struct umount_list_ctx {
	struct list_head *head;
	struct list_head *cur;
};

static long umount_list_step(u32 index, void *data)
{
	struct umount_list_ctx *c = data;
	struct list_head *pos;
	struct mount *m;

	if (!c->cur || c->cur == c->head)
		return 1;
	pos = c->cur;
	m = (void *)pos - bpf_core_field_offset(struct mount, mnt_list);
	c->cur = BPF_CORE_READ(pos, next);	/* via a local: see walk_step() */
	if (want_mount(m))
		emit_mount(m, m, MT_MNT_UMOUNT_PROP, 0, 0, 0);
	return 0;
}

/*
 * On return from propagate_umount the list holds every mount umount_tree
 * will take, propagated copies included, still in their namespaces
 * (6.1: int propagate_umount(list); 6.18: void propagate_umount(set)).
 * umount_tree's own mounts come first and propagate_umount appends the
 * copies it takes after them (6.1, 6.12), so the list's tail at entry is
 * where the copies start.
 */
static __always_inline void propagate_umount_entry(struct list_head *list)
{
	kstash_put(KFN_PROPAGATE_UMOUNT, (u64)list, (u64)BPF_CORE_READ(list, prev));
}

static __always_inline void propagate_umount_exit(int unused)
{
	struct umount_list_ctx c = {};
	struct list_head *last;
	struct kargs a;

	if (!kstash_take(KFN_PROPAGATE_UMOUNT, &a) || is_self())
		return;
	c.head = (void *)a.a0;
	/* through a local: inside BPF_CORE_READ, a.a1 would become a CO-RE
	 * relocation against kernel BTF (see walk_step()) */
	last = (void *)a.a1;
	c.cur = BPF_CORE_READ(last, next);
	bpf_loop(4096, umount_list_step, &c, 0);
}

static __always_inline void change_propagation_done(u64 m_ptr, u64 type, int unused)
{
	struct mount *m = (void *)m_ptr;

	/* umount_tree makes every mount it takes private: not news */
	if (!BPF_CORE_READ(m, mnt_ns))
		return;
	if (want_mount(m))
		emit_mount(m, m, MT_MNT_PROPAGATION, type, 0, 0);
}

static __always_inline void propagate_mnt_entry(struct mount *dest, struct mount *src,
						 struct hlist_head *tree_list)
{
	if (want_mount(src))
		emit_mount(src, dest, MT_MNT_PROPAGATE, BPF_CORE_READ(dest, mnt_id), 0, 0);
	kstash_put(KFN_PROPAGATE_MNT, (u64)src, (u64)tree_list);
}

/*
 * propagate_mnt's copies (6.1, 6.12 fs/pnode.c): propagate_one() copies the
 * tree being attached for each peer and slave of the destination, sets the
 * copy's mnt_parent/mnt_mountpoint to where it goes (mnt_set_mountpoint)
 * and links the copy's root into tree_list by mnt_hash. Their mnt_ns is
 * set only later, by attach_recursive_mnt; the namespace they join is
 * their parent's.
 */
struct prop_copies {
	struct hlist_node *next_root;	/* the next tree_list entry */
	struct mnt_namespace *dest_ns;	/* the current root's new namespace */
	struct tree_walk tree;		/* inside the current root's tree */
	u32 src_mnt_id;
	u32 caller_ns;
};

static long prop_copy_step(u32 index, void *data)
{
	struct prop_copies *c = data;
	struct hlist_node *node;
	struct mount *root, *m;

	if (c->tree.done) {
		node = c->next_root;
		if (!node)
			return 1;
		c->next_root = BPF_CORE_READ(node, next);
		root = (void *)node - bpf_core_field_offset(struct mount, mnt_hash);
		c->dest_ns = BPF_CORE_READ(root, mnt_parent, mnt_ns);
		tree_walk_start(&c->tree, root);
	}
	m = tree_move(&c->tree);
	if (m && want_mount(m))
		emit_mount_in(m, m, c->dest_ns, MT_MNT_PROP_COPY, c->caller_ns, c->src_mnt_id, 0, 0);
	return 0;
}

static __always_inline void propagate_mnt_exit(int err)
{
	struct prop_copies c = {};
	struct hlist_head *tree_list;
	struct mount *src;
	struct kargs a;

	/* on failure the copies are dropped before anyone sees them */
	if (!kstash_take(KFN_PROPAGATE_MNT, &a) || err || is_self())
		return;
	src = (void *)a.a0;
	tree_list = (void *)a.a1;	/* through locals: see propagate_umount_exit() */
	c.src_mnt_id = BPF_CORE_READ(src, mnt_id);
	c.caller_ns = mnt_ns_inum(task_mnt_ns((void *)bpf_get_current_task()));
	c.next_root = BPF_CORE_READ(tree_list, first);
	c.tree.done = 1;
	bpf_loop(4096, prop_copy_step, &c, 0);
}

static __always_inline void mount_busy_done(u64 m_ptr, u64 unused, int busy)
{
	if (busy && !is_self())
		emit_mount((void *)m_ptr, (void *)m_ptr, MT_MNT_BUSY, 0, 0, 0);
}

/* A record about a directory rather than a mount: only hdr, op and PATH. */
static __always_inline void emit_dentry(struct dentry *d, u32 op)
{
	struct scratch *s = get_scratch(SCRATCH_MOUNT, sizeof(struct mt_mount));
	struct mt_mount *e;

	if (!s || is_self())
		return;
	e = scratch_mnt(s);
	__builtin_memset(e, 0, sizeof(*e));
	fill_hdr(&e->hdr, MT_EV_MOUNT);
	e->op = op;
	e->str_len[MT_MS_PATH] = put_dentry_path(s, d);
	submit(s);
}

static __always_inline void local_mp_done(u64 d, u64 unused, bool is_mountpoint)
{
	if (is_mountpoint)
		emit_dentry((void *)d, MT_MNT_LOCAL_MP);
}

static __always_inline void ovl_inuse_done(u64 d, u64 unused, bool locked)
{
	if (!locked)
		emit_dentry((void *)d, MT_MNT_OVL_INUSE);
}

/* -------------------------------------------------------------------- */
/* The hooks (signatures checked on 6.1, 6.12 and 6.18)                  */

/* copy_mnt_ns's flags are unsigned long up to 6.12 and u64 in 6.18: both
 * one register */
HOOK_RETURN(copy_mnt_ns, copy_mnt_ns, KFN_COPY_MNT_NS, struct mnt_namespace *,
	    flags, ns, copy_mnt_ns_done,
	    u64 flags, struct mnt_namespace *ns, struct user_namespace *user_ns,
	    struct fs_struct *new_fs)

HOOK_RETURN_IF(clone_mnt, clone_mnt, KFN_CLONE_MNT, struct mount *, clone_mnt_wanted(old, flag),
	       old, 0, clone_mnt_done, struct mount *old, struct dentry *root, int flag)

HOOK_ENTRY(umount_tree, umount_tree, on_umount_tree(m, how), struct mount *m, int how)

/* int in 6.1 and 6.12, void in 6.18 */
HOOK_AROUND(propagate_umount, propagate_umount, int, propagate_umount_entry(list),
	    propagate_umount_exit, struct list_head *list)

/* change_mnt_propagation returns void: its "return value" is ignored */
HOOK_RETURN(change_mnt_propagation, change_mnt_propagation, KFN_CHANGE_PROPAGATION, int,
	    m, type, change_propagation_done, struct mount *m, int type)

HOOK_AROUND(propagate_mnt, propagate_mnt, int, propagate_mnt_entry(dest, src, tree_list),
	    propagate_mnt_exit, struct mount *dest, struct mountpoint *mp, struct mount *src,
	    struct hlist_head *tree_list)

/* rmdir is taking mounts off @d: its exit must find d's name (bpf/removal.h) */
static __always_inline void on_detach_mounts(struct dentry *d)
{
	mp_names_add_dentry(d);
	emit_dentry(d, MT_MNT_DETACH);
}

HOOK_ENTRY(detach_mounts, __detach_mounts, on_detach_mounts(d), struct dentry *d)

HOOK_RETURN(propagate_mount_busy, propagate_mount_busy, KFN_MOUNT_BUSY, int, m, 0,
	    mount_busy_done, struct mount *m, int refcnt)

HOOK_RETURN(is_local_mountpoint, __is_local_mountpoint, KFN_LOCAL_MP, bool, d, 0,
	    local_mp_done, struct dentry *d)

HOOK_RETURN(ovl_inuse_trylock, ovl_inuse_trylock, KFN_OVL_INUSE, bool, d, 0,
	    ovl_inuse_done, struct dentry *d)

#endif /* MT_HOOKS_H */
