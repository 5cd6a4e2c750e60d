/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Start-up snapshot of every mount namespace on the host: namespaces are
 * found through /proc/PID/ns/mnt and de-duplicated by inode, each one's
 * mountinfo is read once through one of its processes, and the processes
 * living in it are listed with comm, cgroup and the unit or container the
 * cgroup names. The same scan, limited to a few namespaces, is the rescan
 * that confirms what tracepoint-only mode has to infer.
 *
 * Identity: a namespace is (inode, id). The inode is handed to the next
 * namespace as soon as one dies (6.18), so each process's namespace id is
 * read too (nsid.h; 6.11+), and two namespaces that share an inode during
 * one scan are two entries. Before 6.11 the id is 0 and only the inode
 * is known. Mounts carry their unique id where statmount gives it.
 *
 * A process may leave its namespace (setns, unshare) or die, and its pid
 * be reused, between the scan and the read of its mountinfo: the read
 * goes through an fd on /proc/PID and checks the namespace before and
 * after opening mountinfo, and falls back to the next process.
 *
 * Keepers (nskeep.h): a full scan (no only_ns) also lists what keeps each
 * namespace alive besides its processes, and adds the namespaces that
 * only such keepers hold (nr_procs 0; their mounts are read by entering
 * them, on a live /proc).
 *
 * The proc root is a parameter, so that tests run on a fixture tree.
 */
#ifndef MT_NSSCAN_H
#define MT_NSSCAN_H

#include <linux/types.h>

#include "mountinfo.h"
#include "nskeep.h"
#include "procinfo.h"

struct mt_snap_proc {
	__u32 pid;
	char comm[16];
	char *cgroup;		/* NULL when unreadable or not asked for */
	struct mt_cg_ident ident;
};

struct mt_snap_ns {
	__u32 ino;
	__u64 id;		/* never reused (NS_GET_MNTNS_ID, 6.11+); 0 = unknown */
	__u32 reader_pid;	/* whose mountinfo was read; 0 = none (or entered) */
	int mounts_err;		/* 0, or why no mountinfo could be read */
	struct mt_mnttab mounts;	/* entries carry mnt_id_unique where known */
	/* nsfs bind mounts and fds on it (full scans only); a namespace with
	 * nr_procs 0 is here because of them */
	struct mt_ns_keepers kept_by;
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
	int nr_moved;		/* readers that had left their namespace, or died */
	int nr_unique_ids;	/* mounts given their unique id */
	__u64 keepers_ns;	/* time spent looking for keepers (fds, pins) */
	bool fd_scanned;	/* every process's fds were looked at */
	__u64 elapsed_ns;	/* how long the scan took */
};

enum mt_fd_keepers {
	/* only when a namespace is left that no process or pin explains, or
	 * when the kernel cannot list its namespaces (before 6.12): then
	 * namespaces with a process get no fd keepers */
	MT_FD_KEEPERS_AUTO = 0,
	MT_FD_KEEPERS_ALWAYS,	/* every keeper of every namespace (explain) */
	MT_FD_KEEPERS_NEVER,	/* pins only */
};

struct mt_snap_opts {
	const __u32 *only_ns;	/* scan just these namespaces (a rescan) */
	int nr_only;
	unsigned int mnttab_flags;	/* MT_MNTTAB_OVERLAY_ONLY keeps it small */
	bool no_mounts;		/* processes only */
	bool no_cgroup;		/* skip /proc/PID/cgroup */
	bool no_keepers;	/* skip the keeper scan (only_ns scans never do it) */
	enum mt_fd_keepers fd_keepers;	/* when to look at every process's fds */
	int threads;		/* mountinfo readers; 0 = one per CPU, up to 8 */
};

#define MT_SNAP_MAX_THREADS 8

/* Scan @proc_root ("/proc" when NULL). NULL and errno on failure. */
struct mt_snapshot *mt_snapshot__new(const char *proc_root,
				     const struct mt_snap_opts *opts);
void mt_snapshot__free(struct mt_snapshot *snap);
/*
 * Two phases, for callers that want the processes now and the mounts
 * later (off the ring-buffer callback): __new with no_mounts, then this.
 * Also reads keepers when @opts asks for them. 0 or -ENOMEM.
 */
int mt_snapshot__read_mounts(struct mt_snapshot *snap, const char *proc_root,
			     const struct mt_snap_opts *opts);
/* The first namespace with inode @ino, whatever its id. */
struct mt_snap_ns *mt_snapshot__find(const struct mt_snapshot *snap, __u32 ino);
/*
 * The namespace (@ino, @id): with @id 0, the first with that inode; else
 * the one with that id, or one whose id is unknown (a kernel before 6.11
 * gives none, so the inode is all there is to go by).
 */
struct mt_snap_ns *mt_snapshot__find_id(const struct mt_snapshot *snap, __u32 ino, __u64 id);

#endif /* MT_NSSCAN_H */
