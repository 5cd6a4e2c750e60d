/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building records: per-CPU scratch space, the common header, strings and
 * paths appended with explicit lengths, and the ring buffer.
 */
#ifndef MT_EMIT_H
#define MT_EMIT_H

#include "kernel_compat.h"
#include "mnttrace.h"

/* Filled in by the loader before load. */
const volatile __u32 self_pid = 0;	/* never trace mnttrace itself: getpid() */
/* inode of mnttrace's /proc/self/ns/pid; 0 when that is the initial pid
 * namespace, where a pid in mnttrace's namespace is the kernel's tgid */
const volatile __u32 self_pidns_ino = 0;
const volatile bool overlay_only = false;	/* --overlay: in-kernel filter */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MT_CNT__MAX);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

/*
 * Records are assembled here, then copied to the ring buffer with their real
 * size (bpf_ringbuf_reserve needs a constant size). The second half is slack
 * so that a masked offset plus the largest read stays inside the value.
 */
#define MT_OFF_MASK (MT_RECORD_MAX - 1)
struct scratch {
	char raw[2 * MT_RECORD_MAX] __attribute__((aligned(8)));
	const unsigned char *names[MT_PATH_DEPTH];
	/*
	 * Write cursor and name count live here, not in registers: values
	 * loaded from a map are unknown to the verifier, so loop states do not
	 * multiply with every possible length (1M-insn limit on 6.18).
	 */
	u32 cursor;
	u32 nnames;
	u32 slot;		/* this value's own key, for bpf_loop callbacks */
	struct mount *walk_mnt;	/* path walk position */
	struct dentry *walk_dentry;
	u32 path_cut;		/* the last path lost components or bytes */
};
#define scratch_hdr(s) ((struct mt_hdr *)(s)->raw)
#define scratch_sc(s) ((struct mt_syscall *)(s)->raw)
#define scratch_mnt(s) ((struct mt_mount *)(s)->raw)
#define scratch_ns(s) ((struct mt_ns *)(s)->raw)

/* Slot 0 builds syscall records, slot 1 mount/ns records: a walk may run
 * while a syscall record is being built. */
enum { SCRATCH_SYSCALL, SCRATCH_MOUNT, SCRATCH__MAX };
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH__MAX);
	__type(key, u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* A scratch slot with its cursor at the end of a @fixed-byte record head. */
static __always_inline struct scratch *get_scratch(u32 slot, u32 fixed)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &slot);

	if (s) {
		s->cursor = fixed;
		s->slot = slot;
	}
	return s;
}

static __always_inline void count(u32 idx)
{
	u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		(*c)++;
}

#define MT_PIDNS_DEPTH 8	/* pid namespace levels searched (the kernel allows 32) */

/*
 * The current process's pid as mnttrace sees it: in mnttrace's own pid
 * namespace (a container, a pod), where getpid() and -p live. 0 when the
 * process is not visible there (it runs outside that namespace). A task's
 * struct pid has one upid per level, from the initial namespace down to
 * its own (include/linux/pid.h, 4.19 to 6.18); mnttrace's namespace may be
 * any of them, so find it by inode. bpf_get_ns_current_pid_tgid would
 * miss processes in pid namespaces nested below mnttrace's.
 */
static __always_inline u32 tgid_in_own_pidns(void)
{
	struct task_struct *task;
	struct pid *pid;
	u32 level;

	if (!self_pidns_ino)
		return bpf_get_current_pid_tgid() >> 32;
	task = (void *)bpf_get_current_task();
	pid = BPF_CORE_READ(task, group_leader, thread_pid);
	if (!pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	for (u32 i = 0; i < MT_PIDNS_DEPTH; i++) {
		struct upid up = {};

		if (i > level)
			break;
		bpf_probe_read_kernel(&up, sizeof(up), (void *)pid +
				      bpf_core_field_offset(struct pid, numbers) +
				      i * sizeof(struct upid));
		if (up.ns && BPF_CORE_READ(up.ns, ns.inum) == self_pidns_ino)
			return up.nr;
	}
	return 0;
}

static __always_inline bool is_self(void)
{
	return tgid_in_own_pidns() == self_pid;
}

static __always_inline void fill_hdr(struct mt_hdr *h, u16 type)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct mnt_namespace *ns = task_mnt_ns(task);
	u64 id = bpf_get_current_pid_tgid();

	h->type = type;
	h->size = 0;
	h->pid = id >> 32;
	h->tid = (u32)id;
	h->mntns = mnt_ns_inum(ns);
	h->mntns_id = mnt_ns_uid(ns);
	h->ts_ns = bpf_ktime_get_ns();
	h->flags = 0;
	h->ns_pid = tgid_in_own_pidns();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* Send the record built in @s: its size is the cursor. */
static __always_inline void submit(struct scratch *s)
{
	u32 size = s->cursor & MT_OFF_MASK;

	scratch_hdr(s)->size = size;
	if (bpf_ringbuf_output(&events, s->raw, size, 0))
		count(MT_CNT_RB_DROP);
}

static __always_inline void put_char(struct scratch *s, char c)
{
	s->raw[s->cursor & MT_OFF_MASK] = c;
	s->cursor++;
}

/* Append a user string; returns the bytes written including the NUL. */
static __always_inline u16 put_user_str(struct scratch *s, const void *uptr, u32 max)
{
	long n;

	if (!uptr)
		return 0;
	n = bpf_probe_read_user_str(&s->raw[s->cursor & MT_OFF_MASK], max, uptr);
	if (n <= 0)
		return 0;
	s->cursor += n;
	return n;
}

static __always_inline u16 put_kernel_str(struct scratch *s, const void *kptr, u32 max)
{
	long n;

	if (!kptr)
		return 0;
	n = bpf_probe_read_kernel_str(&s->raw[s->cursor & MT_OFF_MASK], max, kptr);
	if (n <= 0)
		return 0;
	s->cursor += n;
	return n;
}

/*
 * Paths are built with bpf_loop: the verifier checks one step of each walk
 * instead of every unrolled iteration (the path walk was 70% of the insns
 * verified on 6.18, and loading under qemu TCG took 10 s). The callbacks
 * find their state in the scratch slot, not in registers.
 */
struct path_loop {
	u32 slot;
	u32 start;
};

/* One component of s->names (leaf first), written root first as "/name". */
static long name_step(u32 j, void *data)
{
	struct path_loop *c = data;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &c->slot);
	u32 n;
	long r;

	if (!s)
		return 1;
	n = s->nnames;
	if (j >= n)
		return 1;
	if (s->cursor - c->start > MT_STR_MAX - 256) {
		s->path_cut = 1;
		return 1;
	}
	put_char(s, '/');
	r = bpf_probe_read_kernel_str(&s->raw[s->cursor & MT_OFF_MASK], 256,
				      s->names[(n - 1 - j) & (MT_PATH_DEPTH - 1)]);
	if (r <= 0)
		return 1;
	s->cursor += r - 1;	/* the next '/' overwrites the NUL */
	return 0;
}

/* Write the collected names as "/a/b/c" ("/" for none). */
static __always_inline u16 put_names(struct scratch *s)
{
	struct path_loop c = { .slot = s->slot, .start = s->cursor };

	if (s->nnames == 0)
		put_char(s, '/');
	else
		bpf_loop(MT_PATH_DEPTH, name_step, &c, 0);
	put_char(s, '\0');
	return s->cursor - c.start;
}

/*
 * One step up from (s->walk_mnt, s->walk_dentry): to the parent directory,
 * or at a mount's root to where that mount is mounted. With no mount, stops
 * at the filesystem's root. bpf_d_path is not allowed on the hooks we use
 * (6.1, 6.18), so paths are walked by hand.
 */
static long path_up_step(u32 i, void *data)
{
	struct path_loop *c = data;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &c->slot);
	struct dentry *dentry, *parent;
	struct mount *m, *pm;
	u32 n;

	if (!s)
		return 1;
	m = s->walk_mnt;
	dentry = s->walk_dentry;
	if (m && dentry == BPF_CORE_READ(m, mnt.mnt_root)) {
		pm = BPF_CORE_READ(m, mnt_parent);
		if (pm == m || !pm) {
			s->path_cut = 0;	/* reached the namespace root */
			return 1;
		}
		s->walk_dentry = BPF_CORE_READ(m, mnt_mountpoint);
		s->walk_mnt = pm;
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	n = s->nnames;
	if (!parent || parent == dentry) {
		s->path_cut = 0;	/* reached the filesystem root */
		return 1;
	}
	if (n >= MT_PATH_DEPTH)
		return 1;
	s->names[n & (MT_PATH_DEPTH - 1)] = BPF_CORE_READ(dentry, d_name.name);
	s->nnames = n + 1;
	s->walk_dentry = parent;
	return 0;
}

/* The path of @dentry on mount @m (NULL: inside its filesystem only). */
static __always_inline u16 put_mount_path(struct scratch *s, struct mount *m,
					  struct dentry *dentry)
{
	struct path_loop c = { .slot = s->slot };

	s->nnames = 0;
	s->walk_mnt = m;
	s->walk_dentry = dentry;
	/* cut unless a step reaches the root: too deep, or out of steps */
	s->path_cut = 1;
	/* mount jumps take steps too: allow some beyond MT_PATH_DEPTH */
	bpf_loop(MT_PATH_DEPTH + 16, path_up_step, &c, 0);
	return put_names(s);
}

/* Where mount @m is mounted, inside its namespace. */
static __always_inline u16 put_mountpoint(struct scratch *s, struct mount *m)
{
	struct mount *parent = BPF_CORE_READ(m, mnt_parent);

	if (parent == m) {
		s->nnames = 0;
		s->path_cut = 0;
		return put_names(s);
	}
	return put_mount_path(s, parent, BPF_CORE_READ(m, mnt_mountpoint));
}

/* A dentry's name chain inside its own filesystem (no mount known). */
static __always_inline u16 put_dentry_path(struct scratch *s, struct dentry *dentry)
{
	return put_mount_path(s, NULL, dentry);
}

#endif /* MT_EMIT_H */
