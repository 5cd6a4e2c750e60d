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
/*
 * Unread bytes in the ring buffer at which a record wakes the reader; 0:
 * every record may (the kernel then wakes it whenever it had caught up).
 * Below it, records wait for the reader's poll timeout: a wake-up per
 * record cost more than the record during mount churn on a 2-CPU 6.18 host.
 */
const volatile __u32 wakeup_bytes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/*
 * Read by userspace through mmap, never by a lookup: bpf_map_copy_value()
 * raises this CPU's bpf_prog_active with only migration disabled (6.1 to
 * 7.2 source), so a lookup preempted there makes every kprobe program on
 * that CPU skip its run. A 7.2 guest (one vCPU) lost a mount's kretprobe
 * exit that way while mnttrace read its per-CPU counters.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MT_CNT__MAX);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

/*
 * Records are assembled here, then copied to the ring buffer with their real
 * size (bpf_ringbuf_reserve needs a constant size). Past the record's
 * MT_RECORD_MAX bytes there is slack for one string read at a masked offset,
 * so the verifier sees every write inside the value. A per-CPU value may not
 * exceed 32 KiB (PCPU_MIN_UNIT_SIZE, 6.1 and 6.18), which is what bounds
 * MT_RECORD_MAX.
 */
#define MT_OFF_MASK (MT_RECORD_MAX - 1)
#define MT_NAME_MAX 256		/* a dentry name and its NUL (NAME_MAX + 1) */
#define MT_WALK_OFF_MASK (MT_STR_MAX - 1)
/* steps of one path walk: every component takes 2 bytes or more, and each
 * mount crossed takes a step of its own */
#define MT_WALK_STEPS 4096
struct scratch {
	char raw[MT_RECORD_MAX + MT_STR_MAX] __attribute__((aligned(8)));
	/* a walked path, written backwards from the end as d_path() does, so
	 * that its depth is bounded by its length only */
	char walk_buf[MT_STR_MAX + MT_NAME_MAX];
	/*
	 * Cursors live here, not in registers: values loaded from a map are
	 * unknown to the verifier, so loop states do not multiply with every
	 * possible length (1M-insn limit on 6.18).
	 */
	u32 cursor;
	u32 walk_pos;		/* first byte of the walked path in walk_buf */
	u32 slot;		/* this value's own key, for bpf_loop callbacks */
	u32 walk_done;		/* the walk reached the root */
	/* what the last put_*() did to its string */
	u32 cut;		/* it did not fit: the part kept is flagged */
	u32 fault;		/* it could not be read at all */
	struct mount *walk_mnt;	/* path walk position */
	struct dentry *walk_dentry;
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
		__sync_fetch_and_add(c, 1);
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

/* Send the record built in @s: its size is the cursor. False if lost. */
static __always_inline bool submit(struct scratch *s)
{
	u32 size = s->cursor;
	u64 flags = 0;

	if (size > MT_RECORD_MAX)	/* never: every put_*() stays inside */
		size = MT_RECORD_MAX;
	scratch_hdr(s)->size = size;
	if (wakeup_bytes)
		flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size >= wakeup_bytes ?
			BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&events, s->raw, size, flags)) {
		count(MT_CNT_RB_DROP);
		return false;
	}
	return true;
}

static __always_inline void put_char(struct scratch *s, char c)
{
	if (s->cursor >= MT_RECORD_MAX)
		return;
	s->raw[s->cursor & MT_OFF_MASK] = c;
	s->cursor++;
}

/* How many bytes a string of at most @max may take: what is left of the
 * record, and never more than the slack behind a masked offset. */
static __always_inline u32 str_room(struct scratch *s, u32 max)
{
	u32 cur = s->cursor;
	u32 room = cur < MT_RECORD_MAX ? MT_RECORD_MAX - cur : 0;

	if (room > max)
		room = max;
	if (room > MT_STR_MAX)
		room = MT_STR_MAX;
	return room;
}

/*
 * Append a NUL-terminated string from user (@user) or kernel memory; returns
 * the bytes written including the NUL, 0 when absent. Sets s->cut when the
 * string was longer than the room given, s->fault when it could not be read
 * (a user page not present: BPF cannot fault it in).
 */
static __always_inline u16 put_str(struct scratch *s, const void *ptr, u32 max, bool user)
{
	u32 room = str_room(s, max);
	char *dst = &s->raw[s->cursor & MT_OFF_MASK];
	char next = 0;
	long n;

	s->cut = 0;
	s->fault = 0;
	if (!ptr)
		return 0;
	if (!room) {
		s->cut = 1;
		return 0;
	}
	n = user ? bpf_probe_read_user_str(dst, room, ptr) :
		   bpf_probe_read_kernel_str(dst, room, ptr);
	if (n <= 0) {
		s->fault = 1;
		return 0;
	}
	/*
	 * A full buffer holds room - 1 bytes: cut unless that was all. The byte
	 * is read whatever n is, without a branch: fewer paths to verify.
	 */
	if (user)
		bpf_probe_read_user(&next, 1, ptr + n - 1);
	else
		bpf_probe_read_kernel(&next, 1, ptr + n - 1);
	s->cut = (n == room) & (next != 0);
	s->cursor += n;
	return n;
}

static __always_inline u16 put_user_str(struct scratch *s, const void *uptr, u32 max)
{
	return put_str(s, uptr, max, true);
}

static __always_inline u16 put_kernel_str(struct scratch *s, const void *kptr, u32 max)
{
	return put_str(s, kptr, max, false);
}

/*
 * Paths are walked with bpf_loop: the verifier checks one step of each walk
 * instead of every unrolled iteration (the path walk was 70% of the insns
 * verified on 6.18, and loading under qemu TCG took 10 s). The callback
 * finds its state in the scratch slot, not in registers.
 */
struct path_loop {
	u32 slot;
};

/*
 * One step up from (s->walk_mnt, s->walk_dentry): at a mount's root to where
 * that mount is mounted, else to the parent directory, after writing
 * "/name" in front of what walk_buf holds. With no mount, stops at the
 * filesystem's root. bpf_d_path is not allowed on the hooks we use (6.1,
 * 6.18), so paths are walked by hand.
 */
static long path_up_step(u32 i, void *data)
{
	struct path_loop *c = data;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &c->slot);
	struct dentry *dentry, *parent;
	struct mount *m, *pm;
	u32 pos, len;

	if (!s)
		return 1;
	m = s->walk_mnt;
	dentry = s->walk_dentry;
	if (m && dentry == BPF_CORE_READ(m, mnt.mnt_root)) {
		pm = BPF_CORE_READ(m, mnt_parent);
		if (pm == m || !pm) {
			s->walk_done = 1;
			return 1;
		}
		s->walk_dentry = BPF_CORE_READ(m, mnt_mountpoint);
		s->walk_mnt = pm;
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (!parent || parent == dentry) {
		s->walk_done = 1;
		return 1;
	}
	len = BPF_CORE_READ(dentry, d_name.len);
	pos = s->walk_pos;
	/* "/name" must fit in front: else the path is longer than PATH_MAX */
	if (len >= MT_NAME_MAX || len + 1 > pos)
		return 1;
	pos -= len;
	bpf_probe_read_kernel(&s->walk_buf[pos & MT_WALK_OFF_MASK], len & (MT_NAME_MAX - 1),
			      BPF_CORE_READ(dentry, d_name.name));
	pos--;
	s->walk_buf[pos & MT_WALK_OFF_MASK] = '/';
	s->walk_pos = pos;
	s->walk_dentry = parent;
	return 0;
}

/* Append "/" (a namespace's root). */
static __always_inline u16 put_root(struct scratch *s)
{
	s->cut = 0;
	s->fault = 0;
	if (s->cursor + 2 > MT_RECORD_MAX) {
		s->cut = 1;
		return 0;
	}
	s->raw[s->cursor & MT_OFF_MASK] = '/';
	s->raw[(s->cursor + 1) & MT_OFF_MASK] = '\0';
	s->cursor += 2;
	return 2;
}

/*
 * The path of @dentry on mount @m (NULL: inside its filesystem only). A walk
 * that did not reach the root (longer than PATH_MAX, or MT_WALK_STEPS) keeps
 * the deepest components without the leading "/" and sets s->cut.
 */
static __always_inline u16 put_mount_path(struct scratch *s, struct mount *m,
					  struct dentry *dentry)
{
	struct path_loop c = { .slot = s->slot };
	u32 pos, n, room;
	bool cut;

	s->walk_mnt = m;
	s->walk_dentry = dentry;
	s->walk_done = 0;
	s->walk_pos = MT_STR_MAX - 1;
	s->walk_buf[MT_STR_MAX - 1] = '\0';
	bpf_loop(MT_WALK_STEPS, path_up_step, &c, 0);
	pos = s->walk_pos;
	cut = !s->walk_done;
	if (pos >= MT_STR_MAX - 1) {
		if (!cut)
			return put_root(s);
		pos = MT_STR_MAX - 1;	/* nothing kept: "" */
	} else if (cut) {
		pos++;			/* drop the leading "/" */
	}
	n = MT_STR_MAX - pos;
	room = str_room(s, MT_STR_MAX);
	if (n > room) {			/* keep the tail, as the walk does */
		pos += n - room;
		n = room;
		cut = true;
	}
	s->cut = cut;
	s->fault = 0;
	barrier_var(n);		/* keep the bound for the verifier */
	if (!n || n > MT_STR_MAX)
		return 0;
	/* the copy ends with walk_buf's last byte, the NUL */
	bpf_probe_read_kernel(&s->raw[s->cursor & MT_OFF_MASK], n,
			      &s->walk_buf[pos & MT_WALK_OFF_MASK]);
	s->cursor += n;
	return n;
}

/* Mount records' PATH slot: flag a cut path in the header. */
static __always_inline u16 put_mount_path_slot(struct scratch *s, struct mount *m,
					       struct dentry *dentry)
{
	u16 n = put_mount_path(s, m, dentry);

	if (s->cut)
		scratch_hdr(s)->flags |= MT_F_TRUNC(MT_MS_PATH);
	return n;
}

/* Where mount @m is mounted, inside its namespace. */
static __always_inline u16 put_mountpoint(struct scratch *s, struct mount *m)
{
	struct mount *parent = BPF_CORE_READ(m, mnt_parent);

	if (parent == m)
		return put_root(s);
	return put_mount_path_slot(s, parent, BPF_CORE_READ(m, mnt_mountpoint));
}

/* A dentry's name chain inside its own filesystem (no mount known). */
static __always_inline u16 put_dentry_path(struct scratch *s, struct dentry *dentry)
{
	return put_mount_path_slot(s, NULL, dentry);
}

#endif /* MT_EMIT_H */
