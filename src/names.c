// SPDX-License-Identifier: GPL-2.0
/*
 * Name tables built from the system headers' constants. F(x) pairs a
 * constant with its own spelling, so the name printed is always the name
 * of the value. A fallback #define appears only where an older header
 * lacks a constant, with the kernel version that introduced it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* CLONE_* in <sched.h>, AT_* in <fcntl.h> */
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>		/* glibc >= 2.36 pulls in <linux/mount.h> */
#include <linux/magic.h>
#include <linux/sched.h>

#include "mnttrace.h"
#include "names.h"

/*
 * A 32-bit constant is taken as unsigned: glibc makes MS_NOUSER an enum
 * int, 1 << 31, which would otherwise widen to 0xffffffff80000000.
 */
#define U(x) (sizeof(x) <= 4 ? (unsigned int)(x) : (unsigned long long)(x))
#define F(x) { U(x), #x, 0 }
#define FIELD(x, mask) { U(x), #x, (mask) }
#define END { 0, NULL, 0 }
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* mount(2) flags an older <sys/mount.h> may lack */
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW (1 << 8)		/* 5.10 */
#endif
/* sb-internal flags, never valid from userspace but seen in raw arguments;
 * glibc's <sys/mount.h> leaves them out when it does not include
 * <linux/mount.h> (glibc >= 2.37 stopped including it) */
#ifndef MS_SUBMOUNT
#define MS_SUBMOUNT (1 << 26)		/* 4.14 */
#endif
#ifndef MS_NOREMOTELOCK
#define MS_NOREMOTELOCK (1 << 27)	/* 4.11 */
#endif
#ifndef MS_NOSEC
#define MS_NOSEC (1 << 28)
#endif
#ifndef MS_BORN
#define MS_BORN (1 << 29)
#endif
#ifndef MS_MGC_MSK
#define MS_MGC_MSK 0xffff0000
#endif

/* new mount API, 5.2 unless noted */
#ifndef MOVE_MOUNT_SET_GROUP
#define MOVE_MOUNT_SET_GROUP 0x00000100	/* 5.15 */
#endif
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200	/* 6.5 */
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000	/* 5.12 */
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000	/* 5.14 */
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000		/* 5.2, open_tree and mount_setattr */
#endif
#ifndef AT_NO_AUTOMOUNT
#define AT_NO_AUTOMOUNT 0x800		/* 2.6.38 */
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000		/* 2.6.39 */
#endif

/* clone flags */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000		/* 5.2 */
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080	/* 5.6, unshare/clone3 only */
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL	/* 5.5, clone3 only */
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL	/* 5.7, clone3 only */
#endif
#ifndef CSIGNAL
#define CSIGNAL 0x000000ff
#endif

/* magics the uapi <linux/magic.h> does not carry */
#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202		/* ipc/mqueue.c */
#endif
#ifndef FUSE_CTL_SUPER_MAGIC
#define FUSE_CTL_SUPER_MAGIC 0x65735543	/* fs/fuse/control.c */
#endif

/*
 * Kernel-internal errnos (include/linux/errno.h). They never reach a
 * process, but the raw_syscalls/sys_exit tracepoint sees a return value
 * before signal delivery turns -ERESTARTSYS into -EINTR or a restart.
 */
#ifndef ERESTARTSYS
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ENOIOCTLCMD 515
#define ERESTART_RESTARTBLOCK 516
#define EPROBE_DEFER 517
#define EOPENSTALE 518
#define ENOPARAM 519
#define EBADHANDLE 521
#define ENOTSYNC 522
#define EBADCOOKIE 523
#define ENOTSUPP 524
#define ETOOSMALL 525
#define ESERVERFAULT 526
#define EBADTYPE 527
#define EJUKEBOX 528
#define EIOCBQUEUED 529
#define ERECALLCONFLICT 530
#define ENOGRACE 531
#endif

/*
 * MS_MGC_VAL is a magic in the high 16 bits that pre-2.4 callers pass; the
 * kernel drops the whole high half when it is present. As a field entry it
 * must come first, so its bits never show up as MS_PRIVATE|MS_SLAVE|...
 * MS_VERBOSE is the old name of MS_SILENT (same value); a value has one
 * name, and MS_SILENT is the one the kernel still uses.
 */
const struct mt_flag_name mt_mount_flags[] = {
	FIELD(MS_MGC_VAL, MS_MGC_MSK),
	F(MS_RDONLY),
	F(MS_NOSUID),
	F(MS_NODEV),
	F(MS_NOEXEC),
	F(MS_SYNCHRONOUS),
	F(MS_REMOUNT),
	F(MS_MANDLOCK),
	F(MS_DIRSYNC),
	F(MS_NOSYMFOLLOW),
	F(MS_NOATIME),
	F(MS_NODIRATIME),
	F(MS_BIND),
	F(MS_MOVE),
	F(MS_REC),
	F(MS_SILENT),
	F(MS_POSIXACL),
	F(MS_UNBINDABLE),
	F(MS_PRIVATE),
	F(MS_SLAVE),
	F(MS_SHARED),
	F(MS_RELATIME),
	F(MS_KERNMOUNT),
	F(MS_I_VERSION),
	F(MS_STRICTATIME),
	F(MS_LAZYTIME),
	F(MS_SUBMOUNT),
	F(MS_NOREMOTELOCK),
	F(MS_NOSEC),
	F(MS_BORN),
	F(MS_ACTIVE),
	F(MS_NOUSER),
	END
};

const struct mt_flag_name mt_umount_flags[] = {
	F(MNT_FORCE),
	F(MNT_DETACH),
	F(MNT_EXPIRE),
	F(UMOUNT_NOFOLLOW),
	END
};

const struct mt_flag_name mt_move_mount_flags[] = {
	F(MOVE_MOUNT_F_SYMLINKS),
	F(MOVE_MOUNT_F_AUTOMOUNTS),
	F(MOVE_MOUNT_F_EMPTY_PATH),
	F(MOVE_MOUNT_T_SYMLINKS),
	F(MOVE_MOUNT_T_AUTOMOUNTS),
	F(MOVE_MOUNT_T_EMPTY_PATH),
	F(MOVE_MOUNT_SET_GROUP),
	F(MOVE_MOUNT_BENEATH),
	END
};

const struct mt_flag_name mt_fsopen_flags[] = {
	F(FSOPEN_CLOEXEC),
	END
};

const struct mt_flag_name mt_fspick_flags[] = {
	F(FSPICK_CLOEXEC),
	F(FSPICK_SYMLINK_NOFOLLOW),
	F(FSPICK_NO_AUTOMOUNT),
	F(FSPICK_EMPTY_PATH),
	END
};

const struct mt_flag_name mt_fsmount_flags[] = {
	F(FSMOUNT_CLOEXEC),
	END
};

/*
 * The atime mode is a 3-bit field, not bits: RELATIME is 0 (the default,
 * never printed), NOATIME and STRICTATIME are values of the field, and the
 * whole mask is what mount_setattr's attr_clr carries to change the mode.
 * Other field values are invalid and print as hex.
 */
#define ATIME_FIELDS							\
	FIELD(MOUNT_ATTR__ATIME, MOUNT_ATTR__ATIME),			\
	FIELD(MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME),			\
	FIELD(MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME),		\
	FIELD(MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME)

const struct mt_flag_name mt_mount_attr_flags[] = {
	ATIME_FIELDS,
	F(MOUNT_ATTR_RDONLY),
	F(MOUNT_ATTR_NOSUID),
	F(MOUNT_ATTR_NODEV),
	F(MOUNT_ATTR_NOEXEC),
	F(MOUNT_ATTR_NODIRATIME),
	F(MOUNT_ATTR_IDMAP),
	F(MOUNT_ATTR_NOSYMFOLLOW),
	END
};

const struct mt_flag_name mt_mount_attr_atime[] = {
	ATIME_FIELDS,
	END
};

#define AT_PATH_FLAGS							\
	F(AT_SYMLINK_NOFOLLOW),						\
	F(AT_NO_AUTOMOUNT),						\
	F(AT_EMPTY_PATH),						\
	F(AT_RECURSIVE)

const struct mt_flag_name mt_open_tree_flags[] = {
	F(OPEN_TREE_CLONE),
	F(OPEN_TREE_CLOEXEC),
	AT_PATH_FLAGS,
	END
};

const struct mt_flag_name mt_mount_setattr_flags[] = {
	AT_PATH_FLAGS,
	END
};

const struct mt_flag_name mt_unlinkat_flags[] = {
	F(AT_REMOVEDIR),
	END
};

/* Namespace flags valid in clone(2), unshare, clone3 and setns alike. */
#define CLONE_NS_FLAGS							\
	F(CLONE_NEWNS),							\
	F(CLONE_NEWCGROUP),						\
	F(CLONE_NEWUTS),						\
	F(CLONE_NEWIPC),						\
	F(CLONE_NEWUSER),						\
	F(CLONE_NEWPID),						\
	F(CLONE_NEWNET)

#define CLONE_TASK_FLAGS						\
	F(CLONE_VM),							\
	F(CLONE_FS),							\
	F(CLONE_FILES),							\
	F(CLONE_SIGHAND),						\
	F(CLONE_PIDFD),							\
	F(CLONE_PTRACE),						\
	F(CLONE_VFORK),							\
	F(CLONE_PARENT),						\
	F(CLONE_THREAD),						\
	F(CLONE_SYSVSEM),						\
	F(CLONE_SETTLS),						\
	F(CLONE_PARENT_SETTID),						\
	F(CLONE_CHILD_CLEARTID),					\
	F(CLONE_DETACHED),						\
	F(CLONE_UNTRACED),						\
	F(CLONE_CHILD_SETTID),						\
	F(CLONE_IO)

/* not FIELD(x, CSIGNAL): x would be expanded before FIELD stringifies it */
#define SIG(x) { U(x), #x, CSIGNAL }

/*
 * clone(2) keeps the child's exit signal in the low byte (CSIGNAL), so
 * CLONE_NEWTIME (0x80) cannot be asked for there; a signal without a name
 * (real-time ones) stays in the hex remainder. No bit entry shares the
 * low byte, so the signal can come last, as strace prints it.
 */
const struct mt_flag_name mt_clone_flags[] = {
	CLONE_NS_FLAGS,
	CLONE_TASK_FLAGS,
	SIG(SIGHUP), SIG(SIGINT), SIG(SIGQUIT), SIG(SIGILL), SIG(SIGTRAP),
	SIG(SIGABRT), SIG(SIGBUS), SIG(SIGFPE), SIG(SIGKILL), SIG(SIGUSR1),
	SIG(SIGSEGV), SIG(SIGUSR2), SIG(SIGPIPE), SIG(SIGALRM), SIG(SIGTERM),
#ifdef SIGSTKFLT
	SIG(SIGSTKFLT),
#endif
	SIG(SIGCHLD), SIG(SIGCONT), SIG(SIGSTOP), SIG(SIGTSTP), SIG(SIGTTIN),
	SIG(SIGTTOU), SIG(SIGURG), SIG(SIGXCPU), SIG(SIGXFSZ), SIG(SIGVTALRM),
	SIG(SIGPROF), SIG(SIGWINCH), SIG(SIGIO), SIG(SIGPWR), SIG(SIGSYS),
	END
};

/* unshare(2) and clone3(2) have no signal byte; clone3 has 64-bit flags. */
const struct mt_flag_name mt_unshare_flags[] = {
	CLONE_NS_FLAGS,
	F(CLONE_NEWTIME),
	CLONE_TASK_FLAGS,
	F(CLONE_CLEAR_SIGHAND),
	F(CLONE_INTO_CGROUP),
	END
};

const struct mt_flag_name mt_setns_flags[] = {
	CLONE_NS_FLAGS,
	F(CLONE_NEWTIME),
	END
};

const struct mt_flag_name mt_umount_tree_flags[] = {
	{ MT_UMOUNT_SYNC, "UMOUNT_SYNC", 0 },
	{ MT_UMOUNT_PROPAGATE, "UMOUNT_PROPAGATE", 0 },
	{ MT_UMOUNT_CONNECTED, "UMOUNT_CONNECTED", 0 },
#ifdef MT_UMOUNT_NS_ROOT
	/* mnttrace's own bit, not the kernel's: the namespace's root went */
	{ MT_UMOUNT_NS_ROOT, "NS_ROOT", 0 },
#endif
	END
};

const struct mt_flag_name mt_fsconfig_cmds[] = {
	F(FSCONFIG_SET_FLAG),
	F(FSCONFIG_SET_STRING),
	F(FSCONFIG_SET_BINARY),
	F(FSCONFIG_SET_PATH),
	F(FSCONFIG_SET_PATH_EMPTY),
	F(FSCONFIG_SET_FD),
	F(FSCONFIG_CMD_CREATE),
	F(FSCONFIG_CMD_RECONFIGURE),
	/* 6.6; an enum constant, so no #ifdef can tell if the header has it */
	{ 8, "FSCONFIG_CMD_CREATE_EXCL", 0 },
	END
};

/* mount_setattr's attr->propagation, change_mnt_propagation's type */
const struct mt_flag_name mt_propagation_types[] = {
	F(MS_UNBINDABLE),
	F(MS_PRIVATE),
	F(MS_SLAVE),
	F(MS_SHARED),
	END
};

#define CALL(id, str) { MT_CALL_##id, str, 0 }
const struct mt_flag_name mt_call_names[] = {
	CALL(MOUNT, "mount"),
	CALL(UMOUNT2, "umount2"),
	CALL(MOVE_MOUNT, "move_mount"),
	CALL(FSOPEN, "fsopen"),
	CALL(FSCONFIG, "fsconfig"),
	CALL(FSMOUNT, "fsmount"),
	CALL(OPEN_TREE, "open_tree"),
	CALL(MOUNT_SETATTR, "mount_setattr"),
	CALL(PIVOT_ROOT, "pivot_root"),
	CALL(UNSHARE, "unshare"),
	CALL(CLONE, "clone"),
	CALL(CLONE3, "clone3"),
	CALL(SETNS, "setns"),
	CALL(RMDIR, "rmdir"),
	CALL(UNLINKAT, "unlinkat"),
	CALL(OPEN_TREE_ATTR, "open_tree_attr"),
	END
};
/* A new enum mt_call needs its name here. */
_Static_assert(ARRAY_SIZE(mt_call_names) == MT_CALL__MAX, "mt_call_names");

#define MOP(id, str) { MT_MNT_##id, str, 0 }
const struct mt_flag_name mt_mount_ops[] = {
	MOP(WALK, "walk"),
	MOP(COPY, "copy"),
	MOP(UMOUNT, "umount"),
	MOP(UMOUNT_PROP, "umount_propagated"),
	MOP(PROPAGATION, "propagation"),
	MOP(BUSY, "busy"),
	MOP(PROPAGATE, "propagate"),
	MOP(DETACH, "detach"),
	MOP(LOCAL_MP, "local_mountpoint"),
	MOP(OVL_INUSE, "ovl_inuse"),
	MOP(PROP_COPY, "propagated_copy"),
	MOP(WALK_COPY, "walk_copy"),
	END
};
_Static_assert(ARRAY_SIZE(mt_mount_ops) == MT_MNT_OP__MAX, "mt_mount_ops");

const struct mt_flag_name mt_ns_ops[] = {
	{ MT_NS_COPY, "copy", 0 },
	{ MT_NS_WALK_DONE, "walk_done", 0 },
	END
};
_Static_assert(ARRAY_SIZE(mt_ns_ops) == MT_NS_OP__MAX, "mt_ns_ops");

/* Linux errnos; values differ between architectures, names do not. */
const struct mt_flag_name mt_errno_names[] = {
	F(EPERM), F(ENOENT), F(ESRCH), F(EINTR), F(EIO), F(ENXIO), F(E2BIG),
	F(ENOEXEC), F(EBADF), F(ECHILD), F(EAGAIN), F(ENOMEM), F(EACCES),
	F(EFAULT), F(ENOTBLK), F(EBUSY), F(EEXIST), F(EXDEV), F(ENODEV),
	F(ENOTDIR), F(EISDIR), F(EINVAL), F(ENFILE), F(EMFILE), F(ENOTTY),
	F(ETXTBSY), F(EFBIG), F(ENOSPC), F(ESPIPE), F(EROFS), F(EMLINK),
	F(EPIPE), F(EDOM), F(ERANGE), F(EDEADLK), F(ENAMETOOLONG), F(ENOLCK),
	F(ENOSYS), F(ENOTEMPTY), F(ELOOP), F(ENOMSG), F(EIDRM), F(ECHRNG),
	F(EL2NSYNC), F(EL3HLT), F(EL3RST), F(ELNRNG), F(EUNATCH), F(ENOCSI),
	F(EL2HLT), F(EBADE), F(EBADR), F(EXFULL), F(ENOANO), F(EBADRQC),
	F(EBADSLT), F(EBFONT), F(ENOSTR), F(ENODATA), F(ETIME), F(ENOSR),
	F(ENONET), F(ENOPKG), F(EREMOTE), F(ENOLINK), F(EADV), F(ESRMNT),
	F(ECOMM), F(EPROTO), F(EMULTIHOP), F(EDOTDOT), F(EBADMSG),
	F(EOVERFLOW), F(ENOTUNIQ), F(EBADFD), F(EREMCHG), F(ELIBACC),
	F(ELIBBAD), F(ELIBSCN), F(ELIBMAX), F(ELIBEXEC), F(EILSEQ),
	F(ERESTART), F(ESTRPIPE), F(EUSERS), F(ENOTSOCK), F(EDESTADDRREQ),
	F(EMSGSIZE), F(EPROTOTYPE), F(ENOPROTOOPT), F(EPROTONOSUPPORT),
	F(ESOCKTNOSUPPORT), F(EOPNOTSUPP), F(EPFNOSUPPORT), F(EAFNOSUPPORT),
	F(EADDRINUSE), F(EADDRNOTAVAIL), F(ENETDOWN), F(ENETUNREACH),
	F(ENETRESET), F(ECONNABORTED), F(ECONNRESET), F(ENOBUFS), F(EISCONN),
	F(ENOTCONN), F(ESHUTDOWN), F(ETOOMANYREFS), F(ETIMEDOUT),
	F(ECONNREFUSED), F(EHOSTDOWN), F(EHOSTUNREACH), F(EALREADY),
	F(EINPROGRESS), F(ESTALE), F(EUCLEAN), F(ENOTNAM), F(ENAVAIL),
	F(EISNAM), F(EREMOTEIO), F(EDQUOT), F(ENOMEDIUM), F(EMEDIUMTYPE),
	F(ECANCELED), F(ENOKEY), F(EKEYEXPIRED), F(EKEYREVOKED),
	F(EKEYREJECTED), F(EOWNERDEAD), F(ENOTRECOVERABLE), F(ERFKILL),
	F(EHWPOISON),
#if EDEADLOCK != EDEADLK
	F(EDEADLOCK),		/* its own number on powerpc, sparc, mips */
#endif
	F(ERESTARTSYS), F(ERESTARTNOINTR), F(ERESTARTNOHAND), F(ENOIOCTLCMD),
	F(ERESTART_RESTARTBLOCK), F(EPROBE_DEFER), F(EOPENSTALE), F(ENOPARAM),
	F(EBADHANDLE), F(ENOTSYNC), F(EBADCOOKIE), F(ENOTSUPP), F(ETOOSMALL),
	F(ESERVERFAULT), F(EBADTYPE), F(EJUKEBOX), F(EIOCBQUEUED),
	F(ERECALLCONFLICT), F(ENOGRACE),
	END
};

/* Other spellings of a number above, accepted by mt_errno_from_name(). */
static const struct mt_flag_name errno_aliases[] = {
	F(EWOULDBLOCK),
	F(EDEADLOCK),
	F(ENOTSUP),
	END
};

/*
 * fstype names as /proc/self/mountinfo spells them. Some types share a
 * magic and cannot be told apart here: ext2/ext3/ext4 (all served by ext4
 * today), devtmpfs and tmpfs, rootfs and ramfs or tmpfs, vfat and msdos.
 */
#define MAGIC(x, str) { (x), str, 0 }
const struct mt_flag_name mt_fs_magics[] = {
	MAGIC(OVERLAYFS_SUPER_MAGIC, "overlay"),
	MAGIC(TMPFS_MAGIC, "tmpfs"),
	MAGIC(RAMFS_MAGIC, "ramfs"),
	MAGIC(EXT4_SUPER_MAGIC, "ext4"),
	MAGIC(XFS_SUPER_MAGIC, "xfs"),
	MAGIC(BTRFS_SUPER_MAGIC, "btrfs"),
	MAGIC(F2FS_SUPER_MAGIC, "f2fs"),
	MAGIC(EROFS_SUPER_MAGIC_V1, "erofs"),
	MAGIC(SQUASHFS_MAGIC, "squashfs"),
	MAGIC(ISOFS_SUPER_MAGIC, "iso9660"),
	MAGIC(MSDOS_SUPER_MAGIC, "vfat"),
	MAGIC(FUSE_SUPER_MAGIC, "fuse"),
	MAGIC(FUSE_CTL_SUPER_MAGIC, "fusectl"),
	MAGIC(NFS_SUPER_MAGIC, "nfs"),
	MAGIC(CIFS_SUPER_MAGIC, "cifs"),
	MAGIC(V9FS_MAGIC, "9p"),
	MAGIC(CEPH_SUPER_MAGIC, "ceph"),
	MAGIC(PROC_SUPER_MAGIC, "proc"),
	MAGIC(SYSFS_MAGIC, "sysfs"),
	MAGIC(CGROUP2_SUPER_MAGIC, "cgroup2"),
	MAGIC(CGROUP_SUPER_MAGIC, "cgroup"),
	MAGIC(NSFS_MAGIC, "nsfs"),
	MAGIC(BPF_FS_MAGIC, "bpf"),
	MAGIC(TRACEFS_MAGIC, "tracefs"),
	MAGIC(DEBUGFS_MAGIC, "debugfs"),
	MAGIC(SECURITYFS_MAGIC, "securityfs"),
	MAGIC(SELINUX_MAGIC, "selinuxfs"),
	MAGIC(DEVPTS_SUPER_MAGIC, "devpts"),
	MAGIC(MQUEUE_MAGIC, "mqueue"),
	MAGIC(HUGETLBFS_MAGIC, "hugetlbfs"),
	MAGIC(AUTOFS_SUPER_MAGIC, "autofs"),
	MAGIC(EFIVARFS_MAGIC, "efivarfs"),
	MAGIC(PSTOREFS_MAGIC, "pstore"),
	MAGIC(BINFMTFS_MAGIC, "binfmt_misc"),
	END
};

const struct mt_name_table mt_name_tables[] = {
	{ "mount", mt_mount_flags, 1 },
	{ "umount", mt_umount_flags, 1 },
	{ "move_mount", mt_move_mount_flags, 1 },
	{ "fsopen", mt_fsopen_flags, 1 },
	{ "fspick", mt_fspick_flags, 1 },
	{ "fsmount", mt_fsmount_flags, 1 },
	{ "mount_attr", mt_mount_attr_flags, 1 },
	{ "open_tree", mt_open_tree_flags, 1 },
	{ "mount_setattr", mt_mount_setattr_flags, 1 },
	{ "unlinkat", mt_unlinkat_flags, 1 },
	{ "clone", mt_clone_flags, 1 },
	{ "unshare", mt_unshare_flags, 1 },
	{ "setns", mt_setns_flags, 1 },
	{ "umount_tree", mt_umount_tree_flags, 1 },
	{ "fsconfig_cmd", mt_fsconfig_cmds, 0 },
	{ "propagation", mt_propagation_types, 0 },
	{ "mount_attr_atime", mt_mount_attr_atime, 0 },
	{ "call", mt_call_names, 0 },
	{ "mount_op", mt_mount_ops, 0 },
	{ "ns_op", mt_ns_ops, 0 },
	{ "errno", mt_errno_names, 0 },
	{ "fs_magic", mt_fs_magics, 0 },
	{ NULL, NULL, 0 },
};

/* snprintf()-like output: count everything, store what fits */
struct sink {
	char *buf;
	size_t len;
	size_t pos;
};

static void sink_put(struct sink *s, const char *str)
{
	size_t n = strlen(str);

	if (s->pos < s->len) {
		size_t room = s->len - s->pos;

		memcpy(s->buf + s->pos, str, n < room ? n : room);
	}
	s->pos += n;
}

static void sink_sep(struct sink *s)
{
	if (s->pos)
		sink_put(s, "|");
}

static int sink_finish(struct sink *s)
{
	if (s->len)
		s->buf[s->pos < s->len ? s->pos : s->len - 1] = '\0';
	return s->pos;
}

int mt_flags_format(char *buf, size_t len, unsigned long long flags,
		    const struct mt_flag_name *t)
{
	struct sink s = { buf, len, 0 };
	unsigned long long left = flags;
	char hex[sizeof("0x") + 16];

	for (; t && t->name; t++) {
		unsigned long long mask = t->mask ? t->mask : t->value;

		/* a zero field value is its default: nothing to show */
		if (!t->value || (left & mask) != t->value)
			continue;
		sink_sep(&s);
		sink_put(&s, t->name);
		left &= ~mask;
	}
	if (left || !flags) {
		snprintf(hex, sizeof(hex), left ? "0x%llx" : "0", left);
		sink_sep(&s);
		sink_put(&s, hex);
	}
	return sink_finish(&s);
}

static const struct mt_flag_name *find_value(const struct mt_flag_name *t,
					     unsigned long long v)
{
	for (; t && t->name; t++)
		if (t->value == v)
			return t;
	return NULL;
}

static const struct mt_flag_name *find_name(const struct mt_flag_name *t,
					    const char *name)
{
	if (!name)
		return NULL;
	for (; t && t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

const char *mt_value_name(const struct mt_flag_name *t, unsigned long long v)
{
	const struct mt_flag_name *e = find_value(t, v);

	return e ? e->name : NULL;
}

const char *mt_value_format(char *buf, size_t len, unsigned long long v,
			    const struct mt_flag_name *t)
{
	const char *name = mt_value_name(t, v);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%llu", v);
	return buf;
}

long long mt_value_from_name(const struct mt_flag_name *t, const char *name)
{
	const struct mt_flag_name *e = find_name(t, name);

	return e ? (long long)e->value : -1;
}

const char *mt_call_name(unsigned int call)
{
	return mt_value_name(mt_call_names, call);
}

int mt_call_from_name(const char *name)
{
	return mt_value_from_name(mt_call_names, name);
}

const char *mt_mount_op_name(unsigned int op)
{
	return mt_value_name(mt_mount_ops, op);
}

const char *mt_ns_op_name(unsigned int op)
{
	return mt_value_name(mt_ns_ops, op);
}

const char *mt_errno_name(int err)
{
	/* 0 is no error; the table's END entry must not answer for it */
	return err > 0 ? mt_value_name(mt_errno_names, err) : NULL;
}

int mt_errno_from_name(const char *name)
{
	long long v = mt_value_from_name(mt_errno_names, name);

	if (v < 0)
		v = mt_value_from_name(errno_aliases, name);
	return v;
}

const char *mt_fstype_from_magic(unsigned long magic)
{
	return magic ? mt_value_name(mt_fs_magics, magic) : NULL;
}
