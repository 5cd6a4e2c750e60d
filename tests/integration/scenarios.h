/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BACKGROUND.md scenarios as reusable scenario-child bodies. Each one
 * reports what it did ("merged", "svc_pid", "svc_ns", ids, propagation,
 * return values) so tests can assert mnttrace's records and findings
 * against the kernel's own view in /proc/PID/mountinfo.
 */
#ifndef MT_SCENARIOS_H
#define MT_SCENARIOS_H

#include "itest.h"

/* A docker-style layer id, so the path follows .../overlay2/<id>/merged */
#define SCN_CONTAINER_ID "3f4e9c1d2b7a6e5f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"

enum scn_removal {
	SCN_KEEP,		/* leave merged alone after the umount */
	SCN_RMDIR,		/* rmdir(merged) */
	SCN_RMDIR_SLASH,	/* rmdir("merged/"): the name BPF looks up is the same */
	SCN_UNLINKAT,		/* unlinkat(dirfd, "merged", AT_REMOVEDIR) */
};

/*
 * Scenarios 1-3: a graph root (bind of itself) with propagation graph_prop,
 * an overlay below it, a "service" that unshares its own namespace and
 * applies MS_REC|svc_prop to "/" (PrivateTmp does MS_SLAVE), then the
 * runtime's umount in the first namespace and optionally the removal.
 */
struct scn_leak {
	unsigned long graph_prop;	/* MS_PRIVATE: Docker 1.13; MS_SHARED: 18.02+ */
	unsigned long svc_prop;		/* MS_SLAVE or MS_PRIVATE */
	bool svc_busy;			/* the service's cwd is inside its copy */
	bool do_umount;			/* the runtime unmounts merged */
	int umount_flags;		/* MNT_DETACH like Docker, or 0 */
	enum scn_removal removal;
	const char *remount_opts;	/* then mount the layers again with these
					 * ("index=on": EBUSY; "index=off": a warning) */
	bool sync_before_umount;	/* sc_sync() after the copy is made */
	bool new_api;			/* mount the overlay with fsopen/fsmount */
};

/* Reports: skip (new_api without fsopen), merged, base, upper, work, lower, ovl_id, ovl_prop, graph_prop,
 * svc_pid, svc_ns, copy_id, copy_prop, umount_ret, umount_errno,
 * copy_after_umount (0/1), rm_ret, rm_errno, copy_after_rm, remount_ret,
 * remount_errno. */
void scn_leak_child(struct sc_ctx *c, void *arg);

/*
 * Scenario 4: daemon 1 runs in its own slave namespace and mounts the
 * overlay there; a shim joins that namespace; daemon 1 "restarts" (dies)
 * and daemon 2 starts in a fresh namespace that cannot see the overlay.
 * Then the runtime mounts the same layers again with index=on: EBUSY,
 * because the old namespace still pins upperdir/workdir.
 * Reports: merged, upper, work, old_ns, old_pid (dead), shim_pid, new_ns,
 * new_pid, in_old (0/1), in_new (0/1), remount_ret, remount_errno.
 */
void scn_restart_child(struct sc_ctx *c, void *arg);

/*
 * Two leaks of scenario 1 that differ in everything a filter selects on.
 * After a first sc_sync() (start mnttrace with its filter then):
 *   a: the scenario child itself (its pid, comm and namespace) leaks an
 *      overlay under dir/a;
 *   b: "other", a process with the comm "itest-other" in a namespace of its
 *      own (unshared after the sync), leaks one under dir/b.
 * A second sc_sync() keeps both services alive while mnttrace looks.
 * Reports: other_pid, other_ns, and per side (a_, b_): merged, svc_pid,
 * svc_ns.
 */
void scn_two_leaks_child(struct sc_ctx *c, void *arg);

/*
 * A dead namespace's inode handed to a new one (issue 7, defect 1):
 *   1. "keeper" unshares a namespace before any overlay exists;
 *   2. the runtime (the child) mounts an overlay below a private graph
 *      root; "httpd" unshares (slave) and holds a private copy of it;
 *      sc_sync(): mnttrace sees the copy while httpd lives;
 *   3. httpd is killed: its namespace dies (tracepoint mode cannot see it);
 *   4. "sshd" unshares from the keeper's namespace, so it has no copy,
 *      until the kernel gives it httpd's old inode (a few tries, else a
 *      "skip" report);
 *   5. the runtime unmounts the overlay: no namespace holds it any more;
 *      sc_sync() keeps sshd alive while mnttrace looks.
 * Reports: merged, upper, work, httpd_pid, httpd_ns, httpd_ns_id, sshd_pid,
 * sshd_ns, sshd_ns_id (ids where the kernel has NS_GET_MNTNS_ID, 6.8+),
 * tries, umount_ret, umount_errno, in_sshd, in_runtime (0/1).
 */
void scn_ns_reuse_child(struct sc_ctx *c, void *arg);

/* errno as its name, for reports compared with mnttrace's "errno". */
const char *errno_name(int err);

#endif /* MT_SCENARIOS_H */
