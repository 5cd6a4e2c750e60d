/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Start-up snapshot of every mount namespace on the host: namespaces are
 * found through /proc/PID/ns/mnt and de-duplicated by inode, each one's
 * mountinfo is read once through one of its processes, and the processes
 * living in it are listed with comm, cgroup and the unit or container the
 * cgroup names. The same scan, limited to a few namespaces, is the rescan
 * that confirms what tracepoint-only mode has to infer.
 *
 * The proc root is a parameter, so that tests run on a fixture tree.
 * A namespace that no process is in (kept alive only by a bind mount of
 * its nsfs file or an open fd) is invisible here.
 */
#ifndef MT_NSSCAN_H
#define MT_NSSCAN_H

#include <linux/types.h>

#include "mountinfo.h"
#include "procinfo.h"

struct mt_snap_proc {
	__u32 pid;
	char comm[16];
	char *cgroup;		/* NULL when unreadable or not asked for */
	struct mt_cg_ident ident;
};

struct mt_snap_ns {
	__u32 ino;
	__u64 id;		/* never-reused namespace id; 0 = the kernel gives none */
	__u32 reader_pid;	/* whose mountinfo was read; 0 = none could be */
	int mounts_err;		/* 0, or why no mountinfo could be read */
	struct mt_mnttab mounts;
	struct mt_snap_proc *procs;	/* in /proc order (ascending pids) */
	int nr_procs;
	int cap_procs;
};

struct mt_snapshot {
	struct mt_snap_ns *ns;
	int nr_ns;
	int cap_ns;
	int nr_procs;		/* processes seen, in all listed namespaces */
	int nr_mounts;		/* mounts kept, in all namespaces */
	int nr_bad_lines;	/* malformed mountinfo lines skipped */
	int nr_errors;		/* processes that vanished or could not be read */
	__u64 elapsed_ns;	/* how long the scan took */
};

struct mt_snap_opts {
	const __u32 *only_ns;	/* scan just these namespaces (a rescan) */
	int nr_only;
	unsigned int mnttab_flags;	/* MT_MNTTAB_OVERLAY_ONLY keeps it small */
	bool no_mounts;		/* processes only */
	bool no_cgroup;		/* skip /proc/PID/cgroup */
	int threads;		/* mountinfo readers; 0 = one per CPU, up to 8 */
};

#define MT_SNAP_MAX_THREADS 8

/* Scan @proc_root ("/proc" when NULL). NULL and errno on failure. */
struct mt_snapshot *mt_snapshot__new(const char *proc_root,
				     const struct mt_snap_opts *opts);
void mt_snapshot__free(struct mt_snapshot *snap);
struct mt_snap_ns *mt_snapshot__find(const struct mt_snapshot *snap, __u32 ino);

#endif /* MT_NSSCAN_H */
