/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF <-> userspace ABI of mnttrace, and the record format of capture
 * files. This header compiles on both sides: fixed-width types only, no libc
 * and no vmlinux.h. Bump MT_ABI_VERSION when a record layout changes.
 *
 * Every record starts with struct mt_hdr; hdr.size is the whole record,
 * including trailing strings. Strings follow the fixed part in index order;
 * str_len[i] counts the bytes of string i including its NUL, 0 = absent.
 */
#ifndef MNTTRACE_H
#define MNTTRACE_H

#ifdef __BPF__
/* vmlinux.h already provides __u8 .. __u64 */
#else
#include <linux/types.h>
#endif

#define MT_ABI_VERSION 3

#define MT_COMM_LEN 16
/*
 * String limits are the kernel's own (checked on 6.1 and 6.18): a path is at
 * most PATH_MAX bytes with its NUL (getname), mount(2) data at most one page
 * (copy_mount_options), an fsconfig string value 256 bytes (strndup_user).
 * A string that does not fit in what is left of MT_RECORD_MAX is cut and
 * flagged; only mount(2) with every string at its limit and a relative
 * target gets there.
 */
#define MT_STR_MAX 4096		/* one path or name: PATH_MAX */
#define MT_DATA_MAX 4096	/* mount(2) data: one page */
#define MT_FSTYPE_MAX 64	/* fstype, fsopen's fsname */
#define MT_RECORD_MAX 16384	/* no record is larger than this (a power of 2) */

enum mt_type {
	MT_EV_SYSCALL = 1,	/* struct mt_syscall */
	MT_EV_MOUNT = 2,	/* struct mt_mount */
	MT_EV_NS = 3,		/* struct mt_ns */
	MT_EV_LOST = 4,		/* struct mt_lost: made by userspace */
};

struct mt_hdr {
	__u16 type;		/* enum mt_type */
	__u16 size;		/* whole record in bytes */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 mntns;		/* inode of /proc/PID/ns/mnt, at the call */
	__u64 mntns_id;		/* never reused (ns_id / seq); 0 if unknown */
	__u64 ts_ns;		/* CLOCK_MONOTONIC */
	char comm[MT_COMM_LEN];
	__u32 flags;		/* MT_F_*: what in this record is incomplete */
	__u32 ns_pid;		/* pid (tgid) in mnttrace's own pid namespace, the
				 * one -p takes; 0 if not visible from there. Equal
				 * to pid unless mnttrace runs in a pid namespace */
};

/*
 * hdr.flags. A truncated string is still NUL-terminated and holds the part
 * that was read: the start of a too-long string, or the deepest components
 * of a walked (dentry) path that was too long, written without its leading
 * "/" so that it never looks absolute. Userspace shows the cut with "…" in
 * text and a "truncated" list in JSON, and never matches it exactly.
 */
#define MT_F_TRUNC(slot) (1u << (slot))	/* string slot 0..4 was cut */
#define MT_F_TRUNC_MASK 0x1fu
#define MT_F_WALK_TRUNC (1u << 8)	/* a namespace walk stopped at its limit */
#define MT_F_STR_FAULT (1u << 9)	/* a user string could not be read at all */
/* which string slot could not be read (with MT_F_STR_FAULT); the slot is absent */
#define MT_F_FAULT(slot) (1u << (16 + (slot)))
#define MT_F_FAULT_MASK (0x1fu << 16)

/* Syscalls. Keep in step with mt_call_name() in src/names.c. */
enum mt_call {
	MT_CALL_MOUNT = 1,
	MT_CALL_UMOUNT2,
	MT_CALL_MOVE_MOUNT,
	MT_CALL_FSOPEN,
	MT_CALL_FSCONFIG,
	MT_CALL_FSMOUNT,
	MT_CALL_OPEN_TREE,
	MT_CALL_MOUNT_SETATTR,
	MT_CALL_PIVOT_ROOT,
	MT_CALL_UNSHARE,
	MT_CALL_CLONE,
	MT_CALL_CLONE3,
	MT_CALL_SETNS,
	MT_CALL_RMDIR,
	MT_CALL_UNLINKAT,
	MT_CALL_OPEN_TREE_ATTR,	/* 6.15+: open_tree with a struct mount_attr */
	MT_CALL__MAX,
};

/*
 * Which syscall argument each string slot holds:
 *   mount:         SRC=source  PATH=target  FSTYPE=fstype  DATA=data
 *   umount2, rmdir, unlinkat, open_tree, open_tree_attr, mount_setattr: PATH
 *   move_mount:    SRC=from_path  PATH=to_path
 *   fsopen:        FSTYPE=fsname
 *   fsconfig:      SRC=key  DATA=value (string and path commands)
 *   pivot_root:    SRC=new_root  PATH=put_old
 * BASE is the directory a relative PATH is resolved against (dirfd or
 * cwd), absent when PATH is absolute.
 */
enum mt_sc_str {
	MT_SC_SRC,
	MT_SC_PATH,
	MT_SC_FSTYPE,
	MT_SC_DATA,
	MT_SC_BASE,
	MT_SC_NSTR,
};

struct mt_syscall {
	struct mt_hdr hdr;
	__s64 ret;		/* return value, or -errno */
	__u64 args[6];		/* raw syscall arguments */
	__u64 enter_ns;		/* CLOCK_MONOTONIC at entry */
	__u64 new_mntns_id;	/* after unshare/clone/setns: the new namespace */
	__u32 call;		/* enum mt_call */
	__u32 new_mntns;	/* 0 when the call left the namespace alone */
	__u64 extra;		/* clone3: clone_args.flags; mount_setattr,
				 * open_tree_attr: mount_attr.propagation */
	/* mount_setattr, open_tree_attr: the rest of struct mount_attr (args[3]), valid when
	 * attr_size is not 0; read at entry, or at exit if entry faulted */
	__u64 attr_set;
	__u64 attr_clr;
	__u64 userns_fd;
	__u32 attr_size;	/* bytes of mount_attr read: 32 (MOUNT_ATTR_SIZE_VER0), 0 = none */
	__u16 str_len[MT_SC_NSTR];
	__u16 pad;
	char str[];
};

/* What a mount record reports. */
enum mt_mount_op {
	MT_MNT_WALK = 1,	/* seen by a namespace walk (all modes) */
	MT_MNT_COPY,		/* clone_mnt made this from src_mnt_id; aux = the
				 * original's namespace inode; mnt_ns is 0 (the
				 * copy joins its namespace later) */
	MT_MNT_UMOUNT,		/* umount_tree root; aux = umount_tree flags */
	MT_MNT_UMOUNT_PROP,	/* removed by propagate_umount */
	MT_MNT_PROPAGATION,	/* change_mnt_propagation; aux = MS_* type */
	MT_MNT_BUSY,		/* propagate_mount_busy said busy */
	MT_MNT_PROPAGATE,	/* propagate_mnt: copies of this go to peers/slaves
				 * of the mount with id aux */
	MT_MNT_DETACH,		/* __detach_mounts: PATH is the dentry's name chain */
	MT_MNT_LOCAL_MP,	/* __is_local_mountpoint returned true */
	MT_MNT_OVL_INUSE,	/* ovl_inuse_trylock failed: PATH is the dir */
	MT_MNT_PROP_COPY,	/* a copy propagate_mnt made of a mount being
				 * attached below a shared mount, for one of its
				 * peers or slaves (fentry/kprobe modes). Reported
				 * when propagate_mnt returns: mnt_ns = the
				 * namespace it is about to join (the receiving
				 * peer's or slave's), parent_id and PATH = where
				 * it goes there; src_mnt_id = the mount being
				 * attached (propagate_mnt's source, the caller's
				 * new mount); aux = the caller's namespace inode.
				 * Every mount of a copied tree is reported. Not a
				 * namespace copy: no MT_NS_COPY goes with it, and
				 * these copies never come as MT_MNT_COPY. */
	MT_MNT_WALK_COPY,	/* seen by a walk, at the same place as mount
				 * src_mnt_id of namespace (aux, src_mnt_ns_id),
				 * which was sent in full before: no strings, the
				 * path and layers are that mount's (a namespace
				 * copy). Userspace joins it with what it knows */
	MT_MNT_OP__MAX,
};

/* umount_tree()'s enum umount_tree_flags, checked on 6.1 and 6.18 */
#define MT_UMOUNT_SYNC 1
#define MT_UMOUNT_PROPAGATE 2
#define MT_UMOUNT_CONNECTED 4
/* mnttrace's own bit in aux: the unmounted mount is its namespace's root,
 * i.e. the namespace is being torn down */
#define MT_UMOUNT_NS_ROOT 0x100

enum mt_mnt_str {
	MT_MS_PATH,		/* mountpoint path inside the mount's namespace */
	MT_MS_UPPER,		/* overlay upperdir */
	MT_MS_WORK,		/* overlay workdir */
	MT_MS_LOWER,		/* overlay lowerdir(s), ':'-joined */
	MT_MS_NSTR,
};

struct mt_mount {
	struct mt_hdr hdr;
	__u32 op;		/* enum mt_mount_op */
	__u32 mnt_id;		/* mountinfo's first column */
	__u64 mnt_id_unique;	/* 6.8+, else 0 */
	__u64 mnt_ns_id;
	__u32 mnt_ns;		/* namespace the mount is in; 0 = none yet */
	__u32 parent_id;
	__u32 group_id;		/* shared:N, 0 if not shared */
	__u32 master_id;	/* master:N, 0 if not a slave */
	__u32 parent_group_id;
	__u32 parent_master_id;
	__u32 src_mnt_id;	/* COPY: the original mount */
	__u32 mnt_flags;	/* vfsmount.mnt_flags */
	__u32 sb_dev;		/* kernel dev_t: major << 20 | minor */
	__u32 sb_magic;
	__u32 aux;		/* op-specific, see enum mt_mount_op */
	__u32 walk_seq;		/* WALK: which walk, matches mt_ns.walk_seq */
	__u64 src_mnt_ns_id;	/* WALK_COPY: the original's namespace */
	__u16 str_len[MT_MS_NSTR];
	char str[];
};

enum mt_ns_op {
	MT_NS_COPY = 1,		/* copy_mnt_ns made ns from old_ns */
	MT_NS_WALK_DONE,	/* a walk of ns finished; its MOUNT records precede */
	MT_NS_OP__MAX,
};

struct mt_ns {
	struct mt_hdr hdr;
	__u32 op;		/* enum mt_ns_op */
	__u32 ns;
	__u64 ns_id;
	__u64 old_ns_id;
	__u64 flags;		/* COPY: clone flags */
	__u32 old_ns;
	__u32 walk_seq;
	__u32 nr_mounts;	/* WALK_DONE: mounts visited */
	__u32 nr_emitted;	/* WALK_DONE: mount records sent */
	__u32 truncated;	/* WALK_DONE: stopped at the walk limit */
	__u32 trigger;		/* WALK_DONE: enum mt_call that caused it, 0 = internal */
	/* WALK_DONE: overlay mounts not sent because they were sent before
	 * in the same state, and the sum of mt_mnt_digest() of their ids */
	__u32 nr_unchanged;
	__u32 pad;
	__u64 digest;
};

/* One mount's share of mt_ns.digest. */
static inline __u64 mt_mnt_digest(__u32 mnt_id)
{
	return (__u64)mnt_id * 0x9e3779b97f4a7c15ULL;
}

/* Made by userspace when BPF or the reader lost records. */
struct mt_lost {
	struct mt_hdr hdr;
	__u64 bpf_drops;	/* ring buffer full, counted in BPF */
	__u64 user_drops;	/* undecodable or filtered by overflow */
};

/*
 * Kernel UAPI constants the BPF side needs but cannot take from libc
 * headers next to vmlinux.h; tests/unit/test_abi.c checks them against
 * <sys/mount.h>, <sched.h>, <fcntl.h> and <linux/magic.h>.
 */
#define MT_MS_BIND (1 << 12)
#define MT_MS_MOVE (1 << 13)
#define MT_MS_UNBINDABLE (1 << 17)
#define MT_MS_PRIVATE (1 << 18)
#define MT_MS_SLAVE (1 << 19)
#define MT_MS_SHARED (1 << 20)
#define MT_CLONE_NEWNS 0x00020000
#define MT_AT_FDCWD -100
#define MT_AT_REMOVEDIR 0x200
#define MT_OVERLAYFS_MAGIC 0x794c7630
#define MT_EBUSY 16
/* fsconfig(2) commands that carry a string value */
#define MT_FSCONFIG_SET_STRING 1
#define MT_FSCONFIG_SET_PATH 3
#define MT_FSCONFIG_SET_PATH_EMPTY 4

/*
 * A key of the mp_names set (bpf/mp_names.h, src/mp_names.c): the last
 * MT_MP_NAME_LEN bytes of a path's last component (trailing slashes
 * dropped), right-aligned, zeros in front. Longer names share a key with
 * others of the same tail: that only lets more removals through.
 */
#define MT_MP_NAME_LEN 64
struct mt_mp_name {
	char b[MT_MP_NAME_LEN];
};
#define MT_MP_NAMES_MAX 65536

/* Indexes of the per-CPU counters map. */
enum mt_counter {
	MT_CNT_RB_DROP,		/* bpf_ringbuf_output failed */
	MT_CNT_STASH_DROP,	/* syscall entry not stashed (map full) */
	MT_CNT_WALK_TRUNC,	/* namespace walk hit its limit */
	MT_CNT_WALK_SKIP,	/* a call that could have walked did not: its
				 * namespace is known to hold no overlay */
	MT_CNT_WALK_DONE,	/* namespace walks made */
	MT_CNT_EXIT_MISSED,	/* a syscall's exit never ran: its record is lost
				 * (a kretprobe out of instances, ksyscall.h) */
	MT_CNT__MAX,
};

#endif /* MNTTRACE_H */
