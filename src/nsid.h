/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Never-reused ids from the kernel, for the start-up snapshot: a mount
 * namespace's id (nsfs ioctl NS_GET_MNTNS_ID, 6.11+) and each mount's
 * unique id (listmount/statmount in another namespace, 6.11+). The inode
 * of /proc/PID/ns/mnt and the mountinfo mount id are both handed to the
 * next namespace or mount as soon as the old one is gone (seen on 6.18),
 * so only these ids tell two of them apart. docs/kernel.md has the
 * per-kernel facts. 0 means "unknown" everywhere.
 */
#ifndef MT_NSID_H
#define MT_NSID_H

#include <linux/types.h>

#include "mountinfo.h"

/*
 * The id of the mount namespace @fd refers to (an open nsfs file:
 * /proc/PID/ns/mnt, an nsfs bind mount, /proc/PID/fd/N). It equals the
 * records' mntns_id (hdr.mntns_id) on 6.12 and 6.18. 0 and -ENOTTY before
 * 6.11, -EINVAL when @fd is not a mount namespace.
 */
int mt_nsfd_id(int fd, __u64 *id);

/* The same for a path; also gives the file's inode. -errno on failure. */
int mt_nsfile_id(int dirfd, const char *path, __u32 *ino, __u64 *id);

/* A mount namespace as the kernel lists it. */
struct mt_ns_ident {
	__u32 ino;
	__u64 id;
	__u32 nr_mounts;
};

/*
 * Every mount namespace the caller may see, in id order, from the kernel
 * itself (NS_MNT_GET_PREV/NEXT, 6.12+): also those no process is in.
 * Returns how many were put in *@out (malloc'ed), or -errno (-ENOTTY
 * before 6.12).
 */
int mt_mntns_list(struct mt_ns_ident **out);

/*
 * Fill mnt_id_unique of @tab's entries, a table read from namespace
 * @ns_id: lists the namespace's mounts (listmount) and maps each legacy
 * id back to its unique id (statmount), keeping only those whose parent
 * and device also match (a mount id can be reused between the two
 * reads). Returns how many entries got an id, or -errno (-ENOSYS before
 * 6.8, -E2BIG/-EINVAL where listmount cannot take a namespace id, before
 * 6.11).
 */
int mt_mnttab_unique_ids(struct mt_mnttab *tab, __u64 ns_id);

#endif /* MT_NSID_H */
