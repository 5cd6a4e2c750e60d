/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What keeps a mount namespace alive besides its processes: an nsfs bind
 * mount of it (`unshare --mount=FILE`; seen in some namespace's
 * mountinfo) or an open fd on it in some process (/proc/PID/fd/N reads
 * "mnt:[INODE]"), and the confirmation, for tracepoint mode, that a
 * namespace with no process left is really gone.
 *
 * Not visible from /proc (so never reported): a namespace fd in flight in
 * a unix socket (SCM_RIGHTS), and a reference the kernel holds for a task
 * in the middle of setns().
 */
#ifndef MT_NSKEEP_H
#define MT_NSKEEP_H

#include <linux/types.h>

#include "mountinfo.h"

enum mt_keeper_kind {
	MT_KEEPER_NSFS_MOUNT = 1,	/* an nsfs bind mount */
	MT_KEEPER_FD,			/* an open fd */
};

struct mt_ns_keeper {
	enum mt_keeper_kind kind;
	__u32 ns_ino;		/* the namespace kept */
	__u64 ns_id;		/* its unique id; 0 = unknown */
	/* MT_KEEPER_NSFS_MOUNT: where the bind mount is */
	char *path;		/* its mount point, as mount_ns sees it */
	__u32 mount_ns;		/* the namespace the bind mount is in (inode) */
	__u64 mount_ns_id;	/* and its id; 0 = unknown */
	__u32 mnt_id;		/* the bind mount's id in that namespace */
	/* MT_KEEPER_FD: who holds it */
	__u32 pid;
	int fd;			/* -1 for a mount */
	char comm[16];
};

struct mt_ns_keepers {
	struct mt_ns_keeper *v;
	int nr;
	int cap;
};

/* Append a copy of @k (path duplicated). 0 or -ENOMEM. */
int mt_keepers_add(struct mt_ns_keepers *ks, const struct mt_ns_keeper *k);
void mt_keepers_free(struct mt_ns_keepers *ks);

/*
 * Every open mount-namespace fd of every process under @proc_root
 * ("/proc" when NULL), appended to @out as MT_KEEPER_FD entries, with the
 * namespace's id when the kernel gives it. Returns how many processes
 * were looked at, or -errno (the proc root could not be read).
 *
 * One readlink per open fd is the cost; readlink of an fd link is cheap
 * next to the path walk, so the walk goes through per-process directory
 * fds (openat/readlinkat) and never rebuilds a path per fd.
 */
int mt_keepers_scan_fds(const char *proc_root, struct mt_ns_keepers *out);

/*
 * Read the mount table of a namespace that no process is in, through an
 * open fd on it (@nsfd): a child process enters it (setns) and reads its
 * own mountinfo. Works on every kernel we support (checked on 6.18; setns
 * to a mount namespace needs CAP_SYS_ADMIN and CAP_SYS_CHROOT). 0 or
 * -errno.
 */
int mt_ns_read_mounts(int nsfd, struct mt_mnttab *tab, unsigned int flags);

enum mt_ns_state {
	MT_NS_DEAD = 0,		/* no process, no nsfs mount, no fd */
	MT_NS_ALIVE_PROCS,	/* a process is in it */
	MT_NS_ALIVE_KEPT,	/* no process, but kept (see @out) */
};

/*
 * Is the mount namespace (@ino, @id) still alive? @id 0 means unknown
 * (6.1): then any namespace with that inode counts, and the caller must
 * know that inodes are reused at once. With @id, a namespace that reuses
 * the inode is not taken for this one, and on 6.12+ the kernel's list of
 * namespaces answers "dead" without reading /proc. Fills @out (may be
 * NULL) with what keeps it, when it has no process (it may be kept by
 * nothing /proc shows: an fd in flight, on 6.12+ only). Returns an enum
 * mt_ns_state, or -errno when /proc could not be read.
 */
int mt_ns_alive(const char *proc_root, __u32 ino, __u64 id, struct mt_ns_keepers *out);

#endif /* MT_NSKEEP_H */
