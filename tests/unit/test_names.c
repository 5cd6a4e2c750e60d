// SPDX-License-Identifier: GPL-2.0
/* Name tables and the flag decoder, checked against the system headers. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <linux/sched.h>

#include "mnttrace.h"
#include "names.h"
#include "testlib.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* mt_flags_format() into a fresh buffer, for one-line assertions */
static const char *fmt(unsigned long long flags, const struct mt_flag_name *t)
{
	static char buf[512];

	mt_flags_format(buf, sizeof(buf), flags, t);
	return buf;
}

TEST(names_mount_bind_rec)
{
	/* bcc mountsnoop printed these as MS_MOVE and MS_VERBOSE */
	ASSERT_STREQ(fmt(MS_BIND | MS_REC, mt_mount_flags), "MS_BIND|MS_REC",
		     "MS_BIND|MS_REC");
	ASSERT_STREQ(fmt(MS_BIND, mt_mount_flags), "MS_BIND", "MS_BIND");
	ASSERT_STREQ(fmt(MS_MOVE, mt_mount_flags), "MS_MOVE", "MS_MOVE");
	ASSERT_STREQ(fmt(MS_REC | MS_PRIVATE, mt_mount_flags),
		     "MS_REC|MS_PRIVATE", "make-rprivate");
	ASSERT_STREQ(fmt(MS_REC | MS_SLAVE, mt_mount_flags),
		     "MS_REC|MS_SLAVE", "make-rslave");
	ASSERT_STREQ(fmt(MS_SHARED, mt_mount_flags), "MS_SHARED", "make-shared");
	ASSERT_STREQ(fmt(MS_UNBINDABLE, mt_mount_flags), "MS_UNBINDABLE",
		     "make-unbindable");
	ASSERT_STREQ(fmt(MS_REMOUNT | MS_BIND | MS_RDONLY, mt_mount_flags),
		     "MS_RDONLY|MS_REMOUNT|MS_BIND", "remount,bind,ro");
	ASSERT_STREQ(fmt(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME,
			 mt_mount_flags),
		     "MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_RELATIME", "proc-like");
	ASSERT_STREQ(fmt(MS_SILENT, mt_mount_flags), "MS_SILENT", "MS_SILENT");
}

TEST(names_mount_mgc_val)
{
	ASSERT_STREQ(fmt(MS_MGC_VAL, mt_mount_flags), "MS_MGC_VAL", "magic");
	ASSERT_STREQ(fmt(MS_MGC_VAL | MS_RDONLY | MS_NOSUID, mt_mount_flags),
		     "MS_MGC_VAL|MS_RDONLY|MS_NOSUID", "magic + flags");
	/* the magic's bits must not read as MS_PRIVATE|MS_SLAVE|... */
	ASSERT_STREQ(fmt(MS_MGC_VAL | MS_BIND | MS_REC, mt_mount_flags),
		     "MS_MGC_VAL|MS_BIND|MS_REC", "magic + bind");
	/* not the magic: the high bits are flags again */
	ASSERT_STREQ(fmt(MS_SLAVE | MS_PRIVATE, mt_mount_flags),
		     "MS_PRIVATE|MS_SLAVE", "high bits without magic");
	ASSERT_STREQ(fmt(0xC0EE0000, mt_mount_flags),
		     "MS_UNBINDABLE|MS_PRIVATE|MS_SLAVE|MS_RELATIME|MS_KERNMOUNT|"
		     "MS_I_VERSION|MS_ACTIVE|MS_NOUSER", "near-magic");
}

TEST(names_umount)
{
	ASSERT_STREQ(fmt(MNT_DETACH, mt_umount_flags), "MNT_DETACH", "MNT_DETACH");
	ASSERT_STREQ(fmt(MNT_FORCE | UMOUNT_NOFOLLOW, mt_umount_flags),
		     "MNT_FORCE|UMOUNT_NOFOLLOW", "force,nofollow");
	ASSERT_STREQ(fmt(MNT_EXPIRE, mt_umount_flags), "MNT_EXPIRE", "MNT_EXPIRE");
	ASSERT_STREQ(fmt(MT_UMOUNT_SYNC | MT_UMOUNT_PROPAGATE, mt_umount_tree_flags),
		     "UMOUNT_SYNC|UMOUNT_PROPAGATE", "umount_tree");
	ASSERT_STREQ(fmt(MT_UMOUNT_CONNECTED, mt_umount_tree_flags),
		     "UMOUNT_CONNECTED", "umount_tree connected");
}

TEST(names_unknown_and_zero)
{
	ASSERT_STREQ(fmt(MS_BIND | 0x200, mt_mount_flags), "MS_BIND|0x200",
		     "unused bit 9");
	ASSERT_STREQ(fmt(MNT_DETACH | 0x80000000, mt_umount_flags),
		     "MNT_DETACH|0x80000000", "umount unknown");
	ASSERT_STREQ(fmt(0x30, mt_umount_flags), "0x30", "only unknown");
	ASSERT_STREQ(fmt(1ULL << 63, mt_unshare_flags), "0x8000000000000000",
		     "bit 63");
	ASSERT_STREQ(fmt(5, NULL), "0x5", "no table");
	ASSERT_STREQ(fmt(0, mt_mount_flags), "0", "mount 0");
	ASSERT_STREQ(fmt(0, mt_umount_flags), "0", "umount 0");
	ASSERT_STREQ(fmt(0, mt_mount_attr_flags), "0", "attr 0");
	ASSERT_STREQ(fmt(0, mt_clone_flags), "0", "clone 0");
}

TEST(names_truncation)
{
	char buf[32];
	int n;

	/* like snprintf: the length it needs, what fits, always a NUL */
	memset(buf, 'X', sizeof(buf));
	n = mt_flags_format(buf, 8, MS_BIND | MS_REC, mt_mount_flags);
	ASSERT_EQ(n, strlen("MS_BIND|MS_REC"), "needed length");
	ASSERT_STREQ(buf, "MS_BIND", "truncated to 7");
	ASSERT_EQ(buf[8], 'X', "no write past len");

	memset(buf, 'X', sizeof(buf));
	n = mt_flags_format(buf, 15, MS_BIND | MS_REC, mt_mount_flags);
	ASSERT_EQ(n, 14, "exact fit");
	ASSERT_STREQ(buf, "MS_BIND|MS_REC", "exact fit");
	ASSERT_EQ(buf[15], 'X', "no write past exact fit");

	memset(buf, 'X', sizeof(buf));
	n = mt_flags_format(buf, 14, MS_BIND | MS_REC, mt_mount_flags);
	ASSERT_STREQ(buf, "MS_BIND|MS_RE", "one short");

	memset(buf, 'X', sizeof(buf));
	n = mt_flags_format(buf, 9, MS_BIND | 0x200, mt_mount_flags);
	ASSERT_EQ(n, strlen("MS_BIND|0x200"), "hex counted");
	ASSERT_STREQ(buf, "MS_BIND|", "cut before hex");

	memset(buf, 'X', sizeof(buf));
	n = mt_flags_format(buf, 1, MNT_DETACH, mt_umount_flags);
	ASSERT_EQ(n, strlen("MNT_DETACH"), "len 1");
	ASSERT_EQ(buf[0], '\0', "len 1 is empty");
	ASSERT_EQ(buf[1], 'X', "len 1 writes one byte");

	n = mt_flags_format(NULL, 0, MNT_DETACH | MNT_FORCE, mt_umount_flags);
	ASSERT_EQ(n, strlen("MNT_FORCE|MNT_DETACH"), "sizing call");
}

TEST(names_clone)
{
	ASSERT_STREQ(fmt(CLONE_NEWNS | SIGCHLD, mt_clone_flags),
		     "CLONE_NEWNS|SIGCHLD", "clone newns");
	ASSERT_STREQ(fmt(SIGCHLD, mt_clone_flags), "SIGCHLD", "fork");
	ASSERT_STREQ(fmt(CLONE_VM | CLONE_VFORK | SIGCHLD, mt_clone_flags),
		     "CLONE_VM|CLONE_VFORK|SIGCHLD", "vfork");
	/* an unnamed signal (SIGRTMIN+n) stays a number */
	ASSERT_STREQ(fmt(CLONE_NEWNS | 34, mt_clone_flags),
		     "CLONE_NEWNS|0x22", "rt signal");
	/* clone(2) has no CLONE_NEWTIME: 0x80 is part of the signal byte */
	ASSERT_STREQ(fmt(0x80, mt_clone_flags), "0x80", "no NEWTIME in clone");

	/* unshare and clone3 have no signal byte */
	ASSERT_STREQ(fmt(CLONE_NEWNS | CLONE_NEWUSER, mt_unshare_flags),
		     "CLONE_NEWNS|CLONE_NEWUSER", "unshare -Um");
	ASSERT_STREQ(fmt(CLONE_NEWTIME, mt_unshare_flags), "CLONE_NEWTIME",
		     "unshare -T");
	ASSERT_STREQ(fmt(SIGCHLD, mt_unshare_flags), "0x11", "no signal");
	ASSERT_STREQ(fmt(CLONE_INTO_CGROUP | CLONE_NEWNS, mt_unshare_flags),
		     "CLONE_NEWNS|CLONE_INTO_CGROUP", "clone3 64-bit");

	ASSERT_STREQ(fmt(CLONE_NEWNS, mt_setns_flags), "CLONE_NEWNS", "setns");
	ASSERT_STREQ(fmt(0, mt_setns_flags), "0", "setns any");
}

TEST(names_new_mount_api)
{
	/* fsopen has its own table: 1 is FSOPEN_CLOEXEC, not MS_RDONLY */
	ASSERT_STREQ(fmt(FSOPEN_CLOEXEC, mt_fsopen_flags), "FSOPEN_CLOEXEC",
		     "fsopen");
	ASSERT_STREQ(fmt(FSMOUNT_CLOEXEC, mt_fsmount_flags), "FSMOUNT_CLOEXEC",
		     "fsmount");
	ASSERT_STREQ(fmt(MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS,
			 mt_move_mount_flags),
		     "MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_SYMLINKS", "move_mount");
	ASSERT_STREQ(fmt(0x200, mt_move_mount_flags), "MOVE_MOUNT_BENEATH",
		     "MOVE_MOUNT_BENEATH (6.5)");
	ASSERT_STREQ(fmt(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE,
			 mt_open_tree_flags),
		     "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE", "open_tree");
	ASSERT_STREQ(fmt(AT_EMPTY_PATH | AT_RECURSIVE, mt_mount_setattr_flags),
		     "AT_EMPTY_PATH|AT_RECURSIVE", "mount_setattr");
	ASSERT_STREQ(fmt(AT_REMOVEDIR, mt_unlinkat_flags), "AT_REMOVEDIR",
		     "unlinkat");
	ASSERT_STREQ(fmt(FSPICK_CLOEXEC | FSPICK_EMPTY_PATH, mt_fspick_flags),
		     "FSPICK_CLOEXEC|FSPICK_EMPTY_PATH", "fspick");
}

TEST(names_mount_attr_atime)
{
	const struct mt_flag_name *t = mt_mount_attr_flags;

	ASSERT_STREQ(fmt(MOUNT_ATTR_NOATIME, t), "MOUNT_ATTR_NOATIME", "noatime");
	ASSERT_STREQ(fmt(MOUNT_ATTR_RDONLY | MOUNT_ATTR_STRICTATIME, t),
		     "MOUNT_ATTR_STRICTATIME|MOUNT_ATTR_RDONLY", "ro,strictatime");
	/* attr_clr's "change the atime mode" */
	ASSERT_STREQ(fmt(MOUNT_ATTR__ATIME, t), "MOUNT_ATTR__ATIME", "atime mask");
	/* 0x30 is no atime mode: not NOATIME|STRICTATIME */
	ASSERT_STREQ(fmt(0x30, t), "0x30", "invalid atime mode");
	ASSERT_STREQ(fmt(MOUNT_ATTR_NODEV | MOUNT_ATTR_RELATIME, t),
		     "MOUNT_ATTR_NODEV", "relatime is the silent default");
	ASSERT_STREQ(fmt(MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSYMFOLLOW, t),
		     "MOUNT_ATTR_IDMAP|MOUNT_ATTR_NOSYMFOLLOW", "idmap");
	ASSERT_STREQ(mt_value_name(mt_mount_attr_atime,
				   MOUNT_ATTR_RELATIME & MOUNT_ATTR__ATIME),
		     "MOUNT_ATTR_RELATIME", "atime field 0");
	ASSERT_STREQ(mt_value_name(mt_mount_attr_atime, MOUNT_ATTR_NOATIME),
		     "MOUNT_ATTR_NOATIME", "atime field noatime");
}

TEST(names_values)
{
	ASSERT_STREQ(mt_value_name(mt_fsconfig_cmds, FSCONFIG_SET_STRING),
		     "FSCONFIG_SET_STRING", "fsconfig set_string");
	ASSERT_STREQ(mt_value_name(mt_fsconfig_cmds, FSCONFIG_SET_FLAG),
		     "FSCONFIG_SET_FLAG", "fsconfig 0");
	ASSERT_STREQ(mt_value_name(mt_fsconfig_cmds, FSCONFIG_CMD_CREATE),
		     "FSCONFIG_CMD_CREATE", "fsconfig create");
	ASSERT_STREQ(mt_value_name(mt_fsconfig_cmds, 8),
		     "FSCONFIG_CMD_CREATE_EXCL", "fsconfig create_excl");
	ASSERT_TRUE(mt_value_name(mt_fsconfig_cmds, 9) == NULL, "fsconfig 9");
	ASSERT_STREQ(mt_value_name(mt_propagation_types, MS_SLAVE), "MS_SLAVE",
		     "propagation slave");
	ASSERT_TRUE(mt_value_name(mt_propagation_types, 0) == NULL,
		    "propagation 0 unchanged");
	ASSERT_EQ(mt_value_from_name(mt_propagation_types, "MS_SHARED"),
		  MS_SHARED, "propagation from name");
	ASSERT_EQ(mt_value_from_name(mt_propagation_types, "MS_BIND"), -1,
		  "not a propagation");
	ASSERT_EQ(mt_value_from_name(mt_propagation_types, NULL), -1, "NULL name");
}

TEST(names_calls_and_ops)
{
	unsigned int i;

	ASSERT_STREQ(mt_call_name(MT_CALL_MOUNT), "mount", "mount");
	ASSERT_STREQ(mt_call_name(MT_CALL_UMOUNT2), "umount2", "umount2");
	ASSERT_STREQ(mt_call_name(MT_CALL_MOUNT_SETATTR), "mount_setattr",
		     "mount_setattr");
	ASSERT_STREQ(mt_call_name(MT_CALL_UNLINKAT), "unlinkat", "unlinkat");
	ASSERT_TRUE(mt_call_name(0) == NULL, "call 0");
	ASSERT_TRUE(mt_call_name(MT_CALL__MAX) == NULL, "call max");
	ASSERT_EQ(mt_call_from_name("move_mount"), MT_CALL_MOVE_MOUNT, "by name");
	ASSERT_EQ(mt_call_from_name("umount"), -1, "no such call");
	for (i = 1; i < MT_CALL__MAX; i++) {
		const char *name = mt_call_name(i);

		if (!ASSERT_TRUE(name, "every call has a name") ||
		    !ASSERT_EQ(mt_call_from_name(name), i, name))
			return;
	}

	ASSERT_STREQ(mt_mount_op_name(MT_MNT_WALK), "walk", "walk");
	ASSERT_STREQ(mt_mount_op_name(MT_MNT_UMOUNT_PROP), "umount_propagated",
		     "umount_propagated");
	ASSERT_STREQ(mt_mount_op_name(MT_MNT_LOCAL_MP), "local_mountpoint",
		     "local_mountpoint");
	ASSERT_STREQ(mt_mount_op_name(MT_MNT_OVL_INUSE), "ovl_inuse", "ovl_inuse");
	for (i = 1; i < MT_MNT_OP__MAX; i++)
		if (!ASSERT_TRUE(mt_mount_op_name(i), "every mount op has a name"))
			return;
	ASSERT_TRUE(mt_mount_op_name(MT_MNT_OP__MAX) == NULL, "mount op max");
	ASSERT_STREQ(mt_ns_op_name(MT_NS_COPY), "copy", "ns copy");
	ASSERT_STREQ(mt_ns_op_name(MT_NS_WALK_DONE), "walk_done", "ns walk_done");
	ASSERT_TRUE(mt_ns_op_name(0) == NULL, "ns op 0");
}

TEST(names_errno)
{
	int e;

	ASSERT_STREQ(mt_errno_name(16), "EBUSY", "16");
	ASSERT_EQ(mt_errno_from_name("EBUSY"), 16, "EBUSY");
	ASSERT_STREQ(mt_errno_name(ENOENT), "ENOENT", "ENOENT");
	ASSERT_STREQ(mt_errno_name(EINVAL), "EINVAL", "EINVAL");
	ASSERT_STREQ(mt_errno_name(EHWPOISON), "EHWPOISON", "last one");
	ASSERT_STREQ(mt_errno_name(512), "ERESTARTSYS", "kernel-internal");
	ASSERT_TRUE(mt_errno_name(0) == NULL, "0");
	ASSERT_TRUE(mt_errno_name(-EBUSY) == NULL, "negative");
	ASSERT_TRUE(mt_errno_name(4000) == NULL, "unknown");
	ASSERT_EQ(mt_errno_from_name("EWOULDBLOCK"), EAGAIN, "alias EWOULDBLOCK");
	ASSERT_EQ(mt_errno_from_name("ENOTSUP"), EOPNOTSUPP, "alias ENOTSUP");
	ASSERT_EQ(mt_errno_from_name("EDEADLOCK"), EDEADLOCK, "alias EDEADLOCK");
	ASSERT_EQ(mt_errno_from_name("EFOO"), -1, "unknown name");
	ASSERT_EQ(mt_errno_from_name(NULL), -1, "NULL name");

	/* every errno the C library names, we name alike */
	for (e = 1; e < 512; e++) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
		const char *libc = strerrorname_np(e);

		if (libc && !ASSERT_STREQ(mt_errno_name(e), libc, "libc's name"))
			return;
#endif
	}
	/* and every errno <errno.h> defines below EHWPOISON has a name */
	for (e = 1; e <= EHWPOISON; e++) {
		if (e == 41 || e == 58)	/* unused on x86/arm; aliases elsewhere */
			continue;
		if (!ASSERT_TRUE(mt_errno_name(e), "errno without a name")) {
			mt_test_log("errno %d", e);
			return;
		}
	}
}

TEST(names_fstype)
{
	ASSERT_STREQ(mt_fstype_from_magic(0x794c7630), "overlay", "overlay");
	ASSERT_STREQ(mt_fstype_from_magic(TMPFS_MAGIC), "tmpfs", "tmpfs");
	ASSERT_STREQ(mt_fstype_from_magic(EXT4_SUPER_MAGIC), "ext4", "ext4");
	ASSERT_STREQ(mt_fstype_from_magic(XFS_SUPER_MAGIC), "xfs", "xfs");
	ASSERT_STREQ(mt_fstype_from_magic(PROC_SUPER_MAGIC), "proc", "proc");
	ASSERT_STREQ(mt_fstype_from_magic(CGROUP2_SUPER_MAGIC), "cgroup2",
		     "cgroup2");
	ASSERT_STREQ(mt_fstype_from_magic(NSFS_MAGIC), "nsfs", "nsfs");
	ASSERT_STREQ(mt_fstype_from_magic(BPF_FS_MAGIC), "bpf", "bpf");
	ASSERT_STREQ(mt_fstype_from_magic(0x19800202), "mqueue", "mqueue");
	ASSERT_TRUE(mt_fstype_from_magic(0) == NULL, "magic 0");
	ASSERT_TRUE(mt_fstype_from_magic(0x12345678) == NULL, "unknown magic");
}

static bool is_single_bit(unsigned long long v)
{
	return v && !(v & (v - 1));
}

/* Names unique, values unique, and each value prints as its own name. */
static bool check_table(const struct mt_name_table *nt)
{
	const struct mt_flag_name *a, *b;
	unsigned long long bits = 0;

	for (a = nt->table; a->name; a++) {
		if (!ASSERT_TRUE(a->name[0], "empty name"))
			return false;
		for (b = a + 1; b->name; b++) {
			if (!ASSERT_TRUE(strcmp(a->name, b->name), "duplicate name") ||
			    !ASSERT_TRUE(a->value != b->value || a->mask != b->mask,
					 "duplicate value")) {
				mt_test_log("table %s: %s, %s", nt->name, a->name,
					    b->name);
				return false;
			}
		}
		if (!nt->is_flags) {
			if (!ASSERT_STREQ(mt_value_name(nt->table, a->value),
					  a->name, nt->name))
				return false;
			continue;
		}
		if (a->mask) {
			/* a field value lies inside its field */
			if (!ASSERT_EQ(a->value & ~a->mask, 0, a->name))
				return false;
		} else {
			/* a flag is one bit no other flag has */
			if (!ASSERT_TRUE(is_single_bit(a->value), a->name) ||
			    !ASSERT_EQ(bits & a->value, 0, a->name))
				return false;
			bits |= a->value;
		}
		if (a->value && !ASSERT_STREQ(fmt(a->value, nt->table), a->name,
					      nt->name))
			return false;
	}
	return ASSERT_TRUE(a != nt->table, "empty table");
}

TEST(names_table_sanity)
{
	const struct mt_name_table *nt;
	int n = 0;

	for (nt = mt_name_tables; nt->name; nt++, n++)
		if (!check_table(nt)) {
			mt_test_log("in table %s", nt->name);
			return;
		}
	ASSERT_GT(n, 20, "tables checked");
}
