// SPDX-License-Identifier: GPL-2.0
/* The ABI header's copies of kernel constants must equal the real ones. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mount.h>
#include <linux/magic.h>

#include "mnttrace.h"
#include "testlib.h"

TEST(abi_kernel_constants)
{
	ASSERT_EQ(MT_MS_BIND, MS_BIND, "MS_BIND");
	ASSERT_EQ(MT_MS_MOVE, MS_MOVE, "MS_MOVE");
	ASSERT_EQ(MT_MS_UNBINDABLE, MS_UNBINDABLE, "MS_UNBINDABLE");
	ASSERT_EQ(MT_MS_PRIVATE, MS_PRIVATE, "MS_PRIVATE");
	ASSERT_EQ(MT_MS_SLAVE, MS_SLAVE, "MS_SLAVE");
	ASSERT_EQ(MT_MS_SHARED, MS_SHARED, "MS_SHARED");
	ASSERT_EQ(MT_CLONE_NEWNS, CLONE_NEWNS, "CLONE_NEWNS");
	ASSERT_EQ(MT_AT_FDCWD, AT_FDCWD, "AT_FDCWD");
	ASSERT_EQ(MT_AT_REMOVEDIR, AT_REMOVEDIR, "AT_REMOVEDIR");
	ASSERT_EQ(MT_EBUSY, EBUSY, "EBUSY");
	ASSERT_EQ(MT_OVERLAYFS_MAGIC, OVERLAYFS_SUPER_MAGIC, "OVERLAYFS_SUPER_MAGIC");
	ASSERT_EQ(MT_FSCONFIG_SET_STRING, FSCONFIG_SET_STRING, "FSCONFIG_SET_STRING");
	ASSERT_EQ(MT_FSCONFIG_SET_PATH, FSCONFIG_SET_PATH, "FSCONFIG_SET_PATH");
	ASSERT_EQ(MT_FSCONFIG_SET_PATH_EMPTY, FSCONFIG_SET_PATH_EMPTY, "FSCONFIG_SET_PATH_EMPTY");
}

/* Layouts both sides rely on: a change here needs MT_ABI_VERSION bumped. */
TEST(abi_record_layout)
{
	ASSERT_EQ(sizeof(struct mt_hdr), 56, "header size");
	ASSERT_EQ(offsetof(struct mt_hdr, comm), 32, "comm offset");
	ASSERT_EQ(offsetof(struct mt_hdr, flags), 48, "flags offset");
	ASSERT_EQ(MT_F_TRUNC(MT_SC_NSTR - 1) & ~MT_F_TRUNC_MASK, 0, "string flags in mask");
	ASSERT_EQ(MT_F_TRUNC(MT_MS_NSTR - 1) & ~MT_F_TRUNC_MASK, 0, "mount string flags in mask");
	ASSERT_EQ(sizeof(struct mt_syscall) % 8, 0, "syscall record aligned");
	ASSERT_EQ(sizeof(struct mt_mount) % 8, 0, "mount record aligned");
	ASSERT_EQ(sizeof(struct mt_ns) % 8, 0, "ns record aligned");
	/* mount(2) with every string at the kernel's limit and an absolute
	 * target; move_mount with two paths and a base dir */
	ASSERT_TRUE(sizeof(struct mt_syscall) + 2 * MT_STR_MAX + MT_FSTYPE_MAX + MT_DATA_MAX <=
		    MT_RECORD_MAX, "largest mount record fits");
	ASSERT_TRUE(sizeof(struct mt_syscall) + 3 * MT_STR_MAX <= MT_RECORD_MAX,
		    "largest move_mount record fits");
	ASSERT_EQ(MT_RECORD_MAX & (MT_RECORD_MAX - 1), 0, "record mask is a power of 2");
	ASSERT_TRUE(MT_RECORD_MAX <= 0xffff, "hdr.size holds a record size");
	/* bpf/emit.h's struct scratch: record, slack, path buffer and a name,
	 * in one per-CPU value of at most 32 KiB (PCPU_MIN_UNIT_SIZE) */
	ASSERT_TRUE(MT_RECORD_MAX + 2 * MT_STR_MAX + 256 + 64 <= 32768, "scratch fits per-CPU");
	ASSERT_EQ(sizeof(struct mt_syscall), 184, "syscall record size");
	/* ABI 3: WALK_COPY's src_mnt_ns_id, WALK_DONE's nr_unchanged/digest */
	ASSERT_EQ(sizeof(struct mt_mount), 144, "mount record size");
	ASSERT_EQ(offsetof(struct mt_mount, src_mnt_ns_id), 128, "src_mnt_ns_id offset");
	ASSERT_EQ(sizeof(struct mt_ns), 128, "ns record size");
	ASSERT_EQ(offsetof(struct mt_ns, digest), 120, "digest offset");
}
