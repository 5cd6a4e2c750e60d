// SPDX-License-Identifier: GPL-2.0
/*
 * mnttrace BPF programs.
 *
 * Syscall tracepoints (every attach mode): arguments are stashed at entry
 * and one record is sent at exit, with the result. Calls that change a mount
 * namespace or its propagation also walk the namespace (bpf/mounts.h).
 *
 * Kernel internals: each hook has an fentry/fexit program and a
 * kprobe/kretprobe twin sharing one body; the loader loads one set or
 * neither (tracepoint-only mode), chosen by real probes at run time.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "mnttrace.h"
#include "kernel_compat.h"
#include "emit.h"
#include "mounts.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 filter_pid = 0;	/* -p: tgid, 0 = all */
const volatile __u32 filter_mntns = 0;	/* --mntns: inode, 0 = all */

/* -------------------------------------------------------------------- */
/* Syscalls                                                              */

/* mount_setattr's struct mount_attr, the MOUNT_ATTR_SIZE_VER0 part */
struct attr_v0 {
	u64 attr_set;
	u64 attr_clr;
	u64 propagation;
	u64 userns_fd;
};

struct stash {
	u64 args[6];
	u64 enter_ns;
	u64 extra;
	struct attr_v0 attr;
	u32 attr_size;		/* 0: not read yet */
	u64 mntns_id;
	u64 new_mntns_id;	/* clone: the child's namespace (fork hook) */
	u32 mntns;
	u32 new_mntns;
	u32 call;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);	/* a lost exit must not leak an entry */
	__uint(max_entries, 10240);
	__type(key, u32);		/* tid */
	__type(value, struct stash);
} stashes SEC(".maps");

static __always_inline bool wanted_task(void)
{
	struct task_struct *task;

	if (is_self())
		return false;
	if (filter_pid && (bpf_get_current_pid_tgid() >> 32) != filter_pid)
		return false;
	if (filter_mntns) {
		task = (void *)bpf_get_current_task();
		if (mnt_ns_inum(task_mnt_ns(task)) != filter_mntns)
			return false;
	}
	return true;
}

/*
 * mount_setattr's struct mount_attr at @uattr, when @usize lets the kernel
 * read it (6.18 fs/namespace.c: EINVAL below MOUNT_ATTR_SIZE_VER0, E2BIG
 * above a page, before any read). Returns the bytes read, 0 if none.
 */
static __always_inline u32 read_mount_attr(struct attr_v0 *a, const void *uattr, u64 usize)
{
	if (!uattr || usize < sizeof(*a) || usize > 4096)
		return 0;
	if (bpf_probe_read_user(a, sizeof(*a), uattr)) {
		__builtin_memset(a, 0, sizeof(*a));
		return 0;
	}
	return sizeof(*a);
}

static __always_inline int sys_enter(struct trace_event_raw_sys_enter *ctx,
				     u32 call, u64 extra)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct mnt_namespace *ns = task_mnt_ns(task);
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct stash st = {};

	if (!wanted_task())
		return 0;
	for (int i = 0; i < 6; i++)
		st.args[i] = BPF_CORE_READ(ctx, args[i]);
	st.call = call;
	st.extra = extra;
	/* at entry: the caller may change or free it before the exit */
	if (call == MT_CALL_MOUNT_SETATTR) {
		st.attr_size = read_mount_attr(&st.attr, (void *)st.args[3], st.args[4]);
		st.extra = st.attr.propagation;
	}
	st.enter_ns = bpf_ktime_get_ns();
	st.mntns = mnt_ns_inum(ns);
	st.mntns_id = mnt_ns_uid(ns);
	if (bpf_map_update_elem(&stashes, &tid, &st, BPF_ANY))
		count(MT_CNT_STASH_DROP);
	return 0;
}

/* The directory a relative path is resolved against: dirfd's or cwd. */
static __always_inline u16 put_base_dir(struct scratch *s, long dfd)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct file **fds, *f = NULL;
	struct path p;

	s->cut = 0;
	s->fault = 0;
	if (dfd == MT_AT_FDCWD) {
		p = BPF_CORE_READ(task, fs, pwd);
	} else {
		if (dfd < 0 || dfd >= BPF_CORE_READ(task, files, fdt, max_fds))
			return 0;
		fds = BPF_CORE_READ(task, files, fdt, fd);
		bpf_probe_read_kernel(&f, sizeof(f), &fds[dfd & 0xfffff]);
		if (!f)
			return 0;
		p = BPF_CORE_READ(f, f_path);
	}
	if (!p.mnt || !p.dentry)
		return 0;
	/* a walk cut at PATH_MAX keeps the deepest part, flagged by the caller */
	return put_mount_path(s, real_mount(p.mnt), p.dentry);
}

/* Calls after which the caller's namespace is walked (tracepoint mode's
 * stand-in for clone_mnt and change_mnt_propagation). */
#define MS_PROPAGATION_FLAGS (MT_MS_UNBINDABLE | MT_MS_PRIVATE | MT_MS_SLAVE | MT_MS_SHARED)
#define MS_BIND_OR_MOVE (MT_MS_BIND | MT_MS_MOVE)

static __always_inline bool is_overlay_fstype(struct scratch *s, u16 off, u16 len)
{
	/* "overlay\0" */
	return len == 8 && s->raw[off & MT_OFF_MASK] == 'o' &&
	       s->raw[(off + 1) & MT_OFF_MASK] == 'v' &&
	       s->raw[(off + 4) & MT_OFF_MASK] == 'l' &&
	       s->raw[(off + 6) & MT_OFF_MASK] == 'y';
}

/*
 * Which syscall argument fills each string slot (enum mt_sc_str), and which
 * argument is the dirfd a relative path starts from (NA: the cwd).
 * x86-64 argument order, checked against the 6.18 tracepoint formats.
 */
#define NA 0xff
struct call_args {
	u8 arg[MT_SC_BASE];	/* SRC, PATH, FSTYPE, DATA */
	u8 dfd_arg;
};

static const struct call_args call_args[MT_CALL__MAX] = {
	[0] = { { NA, NA, NA, NA }, NA },
	[MT_CALL_MOUNT] = { { 0, 1, 2, 4 }, NA },
	[MT_CALL_UMOUNT2] = { { NA, 0, NA, NA }, NA },
	[MT_CALL_MOVE_MOUNT] = { { 1, 3, NA, NA }, 2 },
	[MT_CALL_FSOPEN] = { { NA, NA, 0, NA }, NA },
	[MT_CALL_FSCONFIG] = { { 2, NA, NA, 3 }, NA },
	[MT_CALL_FSMOUNT] = { { NA, NA, NA, NA }, NA },
	[MT_CALL_OPEN_TREE] = { { NA, 1, NA, NA }, 0 },
	[MT_CALL_MOUNT_SETATTR] = { { NA, 1, NA, NA }, 0 },
	[MT_CALL_PIVOT_ROOT] = { { 0, 1, NA, NA }, NA },
	[MT_CALL_UNSHARE] = { { NA, NA, NA, NA }, NA },
	[MT_CALL_CLONE] = { { NA, NA, NA, NA }, NA },
	[MT_CALL_CLONE3] = { { NA, NA, NA, NA }, NA },
	[MT_CALL_SETNS] = { { NA, NA, NA, NA }, NA },
	[MT_CALL_RMDIR] = { { NA, 0, NA, NA }, NA },
	[MT_CALL_UNLINKAT] = { { NA, 1, NA, NA }, 0 },
};
_Static_assert(MT_CALL__MAX == 16, "call_args is indexed with call & 15");

/* What the last put_*() left in s->cut and s->fault, as header flags. */
static __always_inline void flag_str(struct scratch *s, int slot)
{
	/* no branches: fewer paths for the verifier */
	scratch_hdr(s)->flags |= (s->cut & 1) * MT_F_TRUNC(slot) |
				 (s->fault & 1) * (MT_F_STR_FAULT | MT_F_FAULT(slot));
}

/*
 * Strings are read at exit: by then the kernel has faulted in every page it
 * read. A page it never touched (a call that failed before reading its
 * path) may still be absent, and BPF cannot fault it in: that slot is
 * flagged MT_F_FAULT and left out.
 */
static __always_inline void put_arg_str(struct scratch *s, const struct stash *st, u8 arg,
					int slot, u32 max)
{
	if (arg >= 6)
		return;
	/* keep clang from loading args[arg] before the bounds check */
	barrier_var(arg);
	scratch_sc(s)->str_len[slot] = put_user_str(s, (void *)st->args[arg & 7], max);
	flag_str(s, slot);
}

/*
 * Every syscall's exit tail-calls this one program, so the verifier checks
 * the record builder and the walk once instead of once per syscall (load
 * time went from 7.6 s to under a second on 6.18).
 */
SEC("tracepoint")
int sys_exit_handler(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct mnt_namespace *ns_now;
	struct mt_syscall *e;
	struct stash *st;
	struct scratch *s;
	const struct call_args *sa;
	u32 call, walk = 0;
	u32 off;
	long ret;

	st = bpf_map_lookup_elem(&stashes, &tid);
	if (!st)
		return 0;
	s = get_scratch(SCRATCH_SYSCALL, sizeof(struct mt_syscall));
	if (!s)
		goto out;
	ret = BPF_CORE_READ(ctx, ret);
	call = st->call;
	e = scratch_sc(s);
	fill_hdr(&e->hdr, MT_EV_SYSCALL);
	/* the namespace the call ran in, not the one it moved to */
	e->hdr.mntns = st->mntns;
	e->hdr.mntns_id = st->mntns_id;
	e->ret = ret;
	for (int i = 0; i < 6; i++)
		e->args[i] = st->args[i];
	e->enter_ns = st->enter_ns;
	e->call = call;
	e->extra = st->extra;
	e->attr_set = st->attr.attr_set;
	e->attr_clr = st->attr.attr_clr;
	e->userns_fd = st->attr.userns_fd;
	e->attr_size = st->attr_size;
	if (call == MT_CALL_MOUNT_SETATTR && !st->attr_size) {
		/* not present at entry: the kernel faulted it in since */
		struct attr_v0 a = {};

		e->attr_size = read_mount_attr(&a, (void *)st->args[3], st->args[4]);
		e->attr_set = a.attr_set;
		e->attr_clr = a.attr_clr;
		e->userns_fd = a.userns_fd;
		e->extra = a.propagation;
	}
	e->new_mntns = 0;
	e->new_mntns_id = 0;
	for (int i = 0; i < MT_SC_NSTR; i++)
		e->str_len[i] = 0;

	ns_now = task_mnt_ns(task);
	if (mnt_ns_inum(ns_now) != st->mntns) {
		e->new_mntns = mnt_ns_inum(ns_now);
		e->new_mntns_id = mnt_ns_uid(ns_now);
	} else if (call == MT_CALL_CLONE || call == MT_CALL_CLONE3) {
		e->new_mntns = st->new_mntns;
		e->new_mntns_id = st->new_mntns_id;
	}

	/* one code path for every call: the verifier checks it once */
	sa = &call_args[call & (MT_CALL__MAX - 1)];
	put_arg_str(s, st, sa->arg[MT_SC_SRC], MT_SC_SRC, MT_STR_MAX);
	put_arg_str(s, st, sa->arg[MT_SC_PATH], MT_SC_PATH, MT_STR_MAX);
	off = s->cursor;
	put_arg_str(s, st, sa->arg[MT_SC_FSTYPE], MT_SC_FSTYPE, MT_FSTYPE_MAX);
	/* fsconfig: only SET_STRING, SET_PATH, SET_PATH_EMPTY carry a string */
	if (call != MT_CALL_FSCONFIG || st->args[1] == MT_FSCONFIG_SET_STRING ||
	    st->args[1] == MT_FSCONFIG_SET_PATH || st->args[1] == MT_FSCONFIG_SET_PATH_EMPTY)
		put_arg_str(s, st, sa->arg[MT_SC_DATA], MT_SC_DATA, MT_DATA_MAX);

	if (ret == 0) {
		if (call == MT_CALL_MOUNT)
			walk = (st->args[3] & (MS_PROPAGATION_FLAGS | MS_BIND_OR_MOVE)) ||
			       is_overlay_fstype(s, off, e->str_len[MT_SC_FSTYPE]);
		else if (call == MT_CALL_MOUNT_SETATTR)
			walk = st->extra != 0;
		else if (call == MT_CALL_MOVE_MOUNT)
			walk = 1;
		else	/* unshare, setns; clone's child was walked at fork */
			walk = e->new_mntns && call != MT_CALL_CLONE && call != MT_CALL_CLONE3;
	}

	/* Resolve a relative path now: the dirfd or cwd may change later. */
	if (e->str_len[MT_SC_PATH] > 1) {
		/* strings are laid out in slot order: PATH follows SRC */
		u32 path_off = sizeof(*e) + e->str_len[MT_SC_SRC];
		u8 dfd_arg = sa->dfd_arg;
		long dfd = MT_AT_FDCWD;

		if (dfd_arg < 6) {
			barrier_var(dfd_arg);
			dfd = (int)st->args[dfd_arg & 7];
		}
		if (s->raw[path_off & MT_OFF_MASK] != '/') {
			e->str_len[MT_SC_BASE] = put_base_dir(s, dfd);
			flag_str(s, MT_SC_BASE);
		}
	}
	submit(s);

	if (walk)
		walk_ns(ns_now, call);
out:
	bpf_map_delete_elem(&stashes, &tid);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__array(values, int (void *));
} exit_tail SEC(".maps") = {
	.values = { [0] = (void *)&sys_exit_handler },
};

static __always_inline int sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();

	if (bpf_map_lookup_elem(&stashes, &tid))
		bpf_tail_call(ctx, &exit_tail, 0);
	return 0;
}

#define SYSCALL_TP(name, call)                                              \
	SEC("tp/syscalls/sys_enter_" #name)                                 \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)             \
	{                                                                   \
		return sys_enter(ctx, call, 0);                             \
	}                                                                   \
	SEC("tp/syscalls/sys_exit_" #name)                                  \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)               \
	{                                                                   \
		return sys_exit(ctx);                                       \
	}

/* The umount2 syscall's tracepoints are named after SYSCALL_DEFINE2(umount) */
SYSCALL_TP(mount, MT_CALL_MOUNT)
SYSCALL_TP(umount, MT_CALL_UMOUNT2)
SYSCALL_TP(move_mount, MT_CALL_MOVE_MOUNT)
SYSCALL_TP(fsopen, MT_CALL_FSOPEN)
SYSCALL_TP(fsconfig, MT_CALL_FSCONFIG)
SYSCALL_TP(fsmount, MT_CALL_FSMOUNT)
SYSCALL_TP(open_tree, MT_CALL_OPEN_TREE)
SYSCALL_TP(mount_setattr, MT_CALL_MOUNT_SETATTR)	/* sys_enter reads struct mount_attr */
SYSCALL_TP(pivot_root, MT_CALL_PIVOT_ROOT)
SYSCALL_TP(setns, MT_CALL_SETNS)
SYSCALL_TP(rmdir, MT_CALL_RMDIR)

/* Calls that only matter with some flags: filter at entry. */
SEC("tp/syscalls/sys_enter_unshare")
int enter_unshare(struct trace_event_raw_sys_enter *ctx)
{
	if (!(BPF_CORE_READ(ctx, args[0]) & MT_CLONE_NEWNS))
		return 0;
	return sys_enter(ctx, MT_CALL_UNSHARE, 0);
}

SEC("tp/syscalls/sys_exit_unshare")
int exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	return sys_exit(ctx);
}

SEC("tp/syscalls/sys_enter_clone")
int enter_clone(struct trace_event_raw_sys_enter *ctx)
{
	if (!(BPF_CORE_READ(ctx, args[0]) & MT_CLONE_NEWNS))
		return 0;
	return sys_enter(ctx, MT_CALL_CLONE, 0);
}

SEC("tp/syscalls/sys_exit_clone")
int exit_clone(struct trace_event_raw_sys_exit *ctx)
{
	/* the child returns 0 from clone too; only the parent has a stash */
	return sys_exit(ctx);
}

SEC("tp/syscalls/sys_enter_clone3")
int enter_clone3(struct trace_event_raw_sys_enter *ctx)
{
	struct clone_args *uargs = (void *)BPF_CORE_READ(ctx, args[0]);
	u64 flags = 0;

	bpf_probe_read_user(&flags, sizeof(flags), &uargs->flags);
	if (!(flags & MT_CLONE_NEWNS))
		return 0;
	return sys_enter(ctx, MT_CALL_CLONE3, flags);
}

SEC("tp/syscalls/sys_exit_clone3")
int exit_clone3(struct trace_event_raw_sys_exit *ctx)
{
	return sys_exit(ctx);
}

SEC("tp/syscalls/sys_enter_unlinkat")
int enter_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	if (!(BPF_CORE_READ(ctx, args[2]) & MT_AT_REMOVEDIR))
		return 0;
	return sys_enter(ctx, MT_CALL_UNLINKAT, 0);
}

SEC("tp/syscalls/sys_exit_unlinkat")
int exit_unlinkat(struct trace_event_raw_sys_exit *ctx)
{
	return sys_exit(ctx);
}

/*
 * clone(CLONE_NEWNS): the child's namespace exists once the child does.
 * Walk it here and leave its id for the parent's clone exit record.
 */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	struct mnt_namespace *pns = task_mnt_ns(parent), *cns = task_mnt_ns(child);
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct stash *st;

	if (pns == cns || !cns)
		return 0;
	st = bpf_map_lookup_elem(&stashes, &tid);
	if (!st)
		return 0;
	st->new_mntns = mnt_ns_inum(cns);
	st->new_mntns_id = mnt_ns_uid(cns);
	walk_ns(cns, st->call);
	return 0;
}

/* -------------------------------------------------------------------- */
/* Entry arguments of fexit-less hooks wait here for the return           */

enum kfn {
	KFN_COPY_MNT_NS, KFN_CLONE_MNT, KFN_PROPAGATE_UMOUNT,
	KFN_CHANGE_PROPAGATION, KFN_MOUNT_BUSY, KFN_LOCAL_MP, KFN_OVL_INUSE,
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
/* Kernel internals: shared bodies                                       */

static __always_inline bool want_mount(struct mount *m)
{
	return !is_self() && (!overlay_only || mount_is_overlay(m));
}

static __always_inline void on_copy_mnt_ns(struct mnt_namespace *old,
					   struct mnt_namespace *new, u64 flags)
{
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

static __always_inline void on_clone_mnt(struct mount *old, struct mount *new)
{
	if (!new || IS_ERR_VALUE((unsigned long)new) || !want_mount(old))
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
 */
/*
 * @last is the list's tail at entry: umount_tree's own mounts come first
 * and propagate_umount appends the copies it takes after them (6.1, 6.12).
 * Without it (no entry hook) the whole list is reported.
 */
static __always_inline void on_propagate_umount(struct list_head *list,
						struct list_head *last)
{
	struct umount_list_ctx c = { .head = list };

	if (is_self())
		return;
	c.cur = BPF_CORE_READ(last ? last : list, next);
	bpf_loop(4096, umount_list_step, &c, 0);
}

static __always_inline void propagate_umount_entry(struct list_head *list)
{
	kstash_put(KFN_PROPAGATE_UMOUNT, (u64)list, (u64)BPF_CORE_READ(list, prev));
}

static __always_inline void propagate_umount_exit(struct list_head *list)
{
	struct kargs a;

	if (kstash_take(KFN_PROPAGATE_UMOUNT, &a))
		on_propagate_umount((void *)a.a0, (void *)a.a1);
	else if (list)
		on_propagate_umount(list, NULL);
}

static __always_inline void on_change_propagation(struct mount *m, int type)
{
	/* umount_tree makes every mount it takes private: not news */
	if (!BPF_CORE_READ(m, mnt_ns))
		return;
	if (want_mount(m))
		emit_mount(m, m, MT_MNT_PROPAGATION, type, 0, 0);
}

static __always_inline void on_propagate_mnt(struct mount *dest, struct mount *src)
{
	if (want_mount(src))
		emit_mount(src, dest, MT_MNT_PROPAGATE, BPF_CORE_READ(dest, mnt_id), 0, 0);
}

static __always_inline void on_mount_busy(struct mount *m, int busy)
{
	if (busy && !is_self())
		emit_mount(m, m, MT_MNT_BUSY, 0, 0, 0);
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

/* -------------------------------------------------------------------- */
/* fentry/fexit                                                          */

SEC("fexit/copy_mnt_ns")
int BPF_PROG(fx_copy_mnt_ns, u64 flags, struct mnt_namespace *ns,
	     struct user_namespace *user_ns, struct fs_struct *new_fs,
	     struct mnt_namespace *ret)
{
	on_copy_mnt_ns(ns, ret, flags);
	return 0;
}

SEC("fexit/clone_mnt")
int BPF_PROG(fx_clone_mnt, struct mount *old, struct dentry *root, int flag,
	     struct mount *ret)
{
	on_clone_mnt(old, ret);
	return 0;
}

SEC("fentry/umount_tree")
int BPF_PROG(fe_umount_tree, struct mount *m, int how)
{
	on_umount_tree(m, how);
	return 0;
}

SEC("fentry/propagate_umount")
int BPF_PROG(fe_propagate_umount, struct list_head *list)
{
	propagate_umount_entry(list);
	return 0;
}

SEC("fexit/propagate_umount")
int BPF_PROG(fx_propagate_umount, struct list_head *list)
{
	propagate_umount_exit(list);
	return 0;
}

SEC("fexit/change_mnt_propagation")
int BPF_PROG(fx_change_mnt_propagation, struct mount *m, int type)
{
	on_change_propagation(m, type);
	return 0;
}

SEC("fentry/propagate_mnt")
int BPF_PROG(fe_propagate_mnt, struct mount *dest, struct mountpoint *mp,
	     struct mount *src)
{
	on_propagate_mnt(dest, src);
	return 0;
}

SEC("fentry/__detach_mounts")
int BPF_PROG(fe_detach_mounts, struct dentry *d)
{
	emit_dentry(d, MT_MNT_DETACH);
	return 0;
}

SEC("fexit/propagate_mount_busy")
int BPF_PROG(fx_propagate_mount_busy, struct mount *m, int refcnt, int ret)
{
	on_mount_busy(m, ret);
	return 0;
}

SEC("fexit/__is_local_mountpoint")
int BPF_PROG(fx_is_local_mountpoint, struct dentry *d, bool ret)
{
	if (ret)
		emit_dentry(d, MT_MNT_LOCAL_MP);
	return 0;
}

SEC("fexit/ovl_inuse_trylock")
int BPF_PROG(fx_ovl_inuse_trylock, struct dentry *d, bool ret)
{
	if (!ret)
		emit_dentry(d, MT_MNT_OVL_INUSE);
	return 0;
}

/* -------------------------------------------------------------------- */
/* kprobe/kretprobe twins: entry arguments wait in a map for the return  */

SEC("kprobe")
int BPF_KPROBE(kp_copy_mnt_ns, u64 flags, struct mnt_namespace *ns)
{
	kstash_put(KFN_COPY_MNT_NS, flags, (u64)ns);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_copy_mnt_ns, struct mnt_namespace *ret)
{
	struct kargs a;

	if (kstash_take(KFN_COPY_MNT_NS, &a))
		on_copy_mnt_ns((void *)a.a1, ret, a.a0);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_clone_mnt, struct mount *old)
{
	kstash_put(KFN_CLONE_MNT, (u64)old, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_clone_mnt, struct mount *ret)
{
	struct kargs a;

	if (kstash_take(KFN_CLONE_MNT, &a))
		on_clone_mnt((void *)a.a0, ret);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_umount_tree, struct mount *m, int how)
{
	on_umount_tree(m, how);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_propagate_umount, struct list_head *list)
{
	propagate_umount_entry(list);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_propagate_umount)
{
	propagate_umount_exit(NULL);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_change_mnt_propagation, struct mount *m, int type)
{
	kstash_put(KFN_CHANGE_PROPAGATION, (u64)m, type);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_change_mnt_propagation)
{
	struct kargs a;

	if (kstash_take(KFN_CHANGE_PROPAGATION, &a))
		on_change_propagation((void *)a.a0, a.a1);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_propagate_mnt, struct mount *dest, struct mountpoint *mp,
	       struct mount *src)
{
	on_propagate_mnt(dest, src);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_detach_mounts, struct dentry *d)
{
	emit_dentry(d, MT_MNT_DETACH);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_propagate_mount_busy, struct mount *m)
{
	kstash_put(KFN_MOUNT_BUSY, (u64)m, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_propagate_mount_busy, int ret)
{
	struct kargs a;

	if (kstash_take(KFN_MOUNT_BUSY, &a))
		on_mount_busy((void *)a.a0, ret);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_is_local_mountpoint, struct dentry *d)
{
	kstash_put(KFN_LOCAL_MP, (u64)d, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_is_local_mountpoint, int ret)
{
	struct kargs a;

	if (kstash_take(KFN_LOCAL_MP, &a) && (ret & 0xff))
		emit_dentry((void *)a.a0, MT_MNT_LOCAL_MP);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_ovl_inuse_trylock, struct dentry *d)
{
	kstash_put(KFN_OVL_INUSE, (u64)d, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_ovl_inuse_trylock, int ret)
{
	struct kargs a;

	if (kstash_take(KFN_OVL_INUSE, &a) && !(ret & 0xff))
		emit_dentry((void *)a.a0, MT_MNT_OVL_INUSE);
	return 0;
}
