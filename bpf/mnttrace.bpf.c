// SPDX-License-Identifier: GPL-2.0
/*
 * mnttrace BPF programs.
 *
 * Syscall tracepoints (every attach mode): arguments are stashed at entry
 * and one record is sent at exit, with the result. Calls that change a mount
 * namespace or its propagation also walk the namespace (bpf/mounts.h).
 *
 * Kernel internals (fentry/fexit and kprobe/kretprobe twins) live in
 * bpf/hooks.h; the loader loads one set or neither (tracepoint-only mode).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "mnttrace.h"
#include "kernel_compat.h"
#include "emit.h"
#include "mounts.h"
#include "hooks.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 filter_pid = 0;	/* -p: tgid in our pid namespace, 0 = all */
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
	if (filter_pid && tgid_in_own_pidns() != filter_pid)
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

/*
 * Calls that only matter with some flags are filtered here, before the
 * task checks. clone3's flags live in its struct clone_args.
 */
static __always_inline bool call_wanted(u32 call, const u64 *args, u64 *extra)
{
	u64 flags = 0;

	switch (call) {
	case MT_CALL_UNSHARE:
	case MT_CALL_CLONE:
		return args[0] & MT_CLONE_NEWNS;
	case MT_CALL_UNLINKAT:
		return args[2] & MT_AT_REMOVEDIR;
	case MT_CALL_CLONE3:
		bpf_probe_read_user(&flags, sizeof(flags),
				    &((struct clone_args *)args[0])->flags);
		*extra = flags;
		return flags & MT_CLONE_NEWNS;
	}
	return true;
}

/* A syscall's entry, from its tracepoint or its kprobe: stash the args. */
static __always_inline int sys_enter(const u64 *args, u32 call)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct mnt_namespace *ns;
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct stash st = {};
	u64 extra = 0;

	if (!call_wanted(call, args, &extra) || !wanted_task())
		return 0;
	for (int i = 0; i < 6; i++)
		st.args[i] = args[i];
	st.call = call;
	st.extra = extra;
	/* at entry: the caller may change or free it before the exit */
	if (call == MT_CALL_MOUNT_SETATTR || call == MT_CALL_OPEN_TREE_ATTR) {
		st.attr_size = read_mount_attr(&st.attr, (void *)st.args[3], st.args[4]);
		st.extra = st.attr.propagation;
	}
	st.enter_ns = bpf_ktime_get_ns();
	ns = task_mnt_ns(task);
	st.mntns = mnt_ns_inum(ns);
	st.mntns_id = mnt_ns_uid(ns);
	/* A task is in one syscall at a time, and exits are attached first
	 * (src/loader.c): a stash already there is a previous call whose exit
	 * never ran (a kretprobe out of instances, bpf/ksyscall.h). */
	if (bpf_map_update_elem(&stashes, &tid, &st, BPF_NOEXIST)) {
		if (bpf_map_lookup_elem(&stashes, &tid))
			count(MT_CNT_EXIT_MISSED);
		if (bpf_map_update_elem(&stashes, &tid, &st, BPF_ANY))
			count(MT_CNT_STASH_DROP);
	}
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

static __always_inline bool is_overlay_fstype(struct scratch *s, u16 off, u16 len)
{
	const char want[] = "overlay";

	if (len != sizeof(want))
		return false;
	for (int i = 0; i < sizeof(want); i++)
		if (s->raw[(off + i) & MT_OFF_MASK] != want[i])
			return false;
	return true;
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

#define CALL_ARGS_SLOTS 32	/* a power of two above MT_CALL__MAX: indexed with a mask */
static const struct call_args call_args[CALL_ARGS_SLOTS] = {
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
	[MT_CALL_OPEN_TREE_ATTR] = { { NA, 1, NA, NA }, 0 },
};
_Static_assert(MT_CALL__MAX <= CALL_ARGS_SLOTS, "call_args is indexed with a mask");

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

/* A syscall's exit: one record, with its result @ret. */
static __always_inline int exit_record(long ret)
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

	st = bpf_map_lookup_elem(&stashes, &tid);
	if (!st)
		return 0;
	s = get_scratch(SCRATCH_SYSCALL, sizeof(struct mt_syscall));
	if (!s)
		goto out;
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
	if ((call == MT_CALL_MOUNT_SETATTR || call == MT_CALL_OPEN_TREE_ATTR) &&
	    !st->attr_size) {
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
	sa = &call_args[call & (CALL_ARGS_SLOTS - 1)];
	put_arg_str(s, st, sa->arg[MT_SC_SRC], MT_SC_SRC, MT_STR_MAX);
	put_arg_str(s, st, sa->arg[MT_SC_PATH], MT_SC_PATH, MT_STR_MAX);
	off = s->cursor;
	put_arg_str(s, st, sa->arg[MT_SC_FSTYPE], MT_SC_FSTYPE, MT_FSTYPE_MAX);
	/* fsconfig: only SET_STRING, SET_PATH, SET_PATH_EMPTY carry a string */
	if (call != MT_CALL_FSCONFIG || st->args[1] == MT_FSCONFIG_SET_STRING ||
	    st->args[1] == MT_FSCONFIG_SET_PATH || st->args[1] == MT_FSCONFIG_SET_PATH_EMPTY)
		put_arg_str(s, st, sa->arg[MT_SC_DATA], MT_SC_DATA, MT_DATA_MAX);

	/* which calls walk the namespace after them: bpf/walk_policy.h */
	if (ret >= 0)
		walk = walk_after_call(call, st->args, st->extra, ret, e->new_mntns != 0,
				       is_overlay_fstype(s, off, e->str_len[MT_SC_FSTYPE]),
				       ns_now, !filter_pid && !filter_mntns);

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
		walk_ns_as(ns_now, call, walk);
out:
	bpf_map_delete_elem(&stashes, &tid);
	return 0;
}

/*
 * Every syscall exit tail-calls this one program, so the verifier checks
 * the record builder and the walk once instead of once per syscall (load
 * time went from 7.6 s to under a second on 6.18). bpf/ksyscall.h has its
 * kprobe twin: a tail call stays within one program type.
 */
SEC("tracepoint")
int sys_exit_handler(struct trace_event_raw_sys_exit *ctx)
{
	return exit_record(BPF_CORE_READ(ctx, ret));
}

/*
 * Slot 0 is sys_exit_handler, set by src/loader.c after the load rather
 * than statically: a second instance of this object, loaded later for a
 * module's hooks (src/latemod.c), shares this map and must not rewrite it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} exit_tail SEC(".maps");

static __always_inline int sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();

	/* the child returns from clone too; only the parent has a stash */
	if (bpf_map_lookup_elem(&stashes, &tid))
		bpf_tail_call(ctx, &exit_tail, 0);
	return 0;
}

static __always_inline int tp_enter(struct trace_event_raw_sys_enter *ctx, u32 call)
{
	u64 args[6];

	for (int i = 0; i < 6; i++)
		args[i] = BPF_CORE_READ(ctx, args[i]);
	return sys_enter(args, call);
}

/*
 * Tracepoint mode's syscall layer. Enabling any syscall tracepoint puts
 * every syscall of every task on the slow path; fentry and kprobe modes
 * use bpf/ksyscall.h instead where kprobes exist.
 */
#define SYSCALL_TP(name, call)                                              \
	SEC("tp/syscalls/sys_enter_" #name)                                 \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)             \
	{                                                                   \
		return tp_enter(ctx, call);                                 \
	}                                                                   \
	SEC("tp/syscalls/sys_exit_" #name)                                  \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)               \
	{                                                                   \
		return sys_exit(ctx);                                       \
	}

#define MT_SYSCALLS(X)                                                      \
	X(mount, MT_CALL_MOUNT)                                             \
	X(umount, MT_CALL_UMOUNT2)                                          \
	X(move_mount, MT_CALL_MOVE_MOUNT)                                   \
	X(fsopen, MT_CALL_FSOPEN)                                           \
	X(fsconfig, MT_CALL_FSCONFIG)                                       \
	X(fsmount, MT_CALL_FSMOUNT)                                         \
	X(open_tree, MT_CALL_OPEN_TREE)                                     \
	X(mount_setattr, MT_CALL_MOUNT_SETATTR)                             \
	X(open_tree_attr, MT_CALL_OPEN_TREE_ATTR)                           \
	X(pivot_root, MT_CALL_PIVOT_ROOT)                                   \
	X(setns, MT_CALL_SETNS)                                             \
	X(unshare, MT_CALL_UNSHARE)                                         \
	X(clone, MT_CALL_CLONE)                                             \
	X(clone3, MT_CALL_CLONE3)

/*
 * umount2's events are named after SYSCALL_DEFINE2(umount); open_tree_attr
 * is 6.15+ (absent: switched off); unshare, clone and clone3 are filtered
 * by flags in call_wanted().
 */
MT_SYSCALLS(SYSCALL_TP)

#include "removal.h"

/* rmdir and unlinkat: an exit program only (bpf/removal.h) */
#define REMOVAL_TP(name, call)                                              \
	SEC("tp/syscalls/sys_exit_" #name)                                  \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)               \
	{                                                                   \
		if (removal_exit(BPF_CORE_READ(ctx, ret), call))            \
			return sys_exit(ctx);                               \
		return 0;                                                   \
	}

MT_REMOVALS(REMOVAL_TP)

#include "ksyscall.h"

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
