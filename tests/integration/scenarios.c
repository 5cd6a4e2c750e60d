// SPDX-License-Identifier: GPL-2.0
/* The BACKGROUND.md leak scenarios, run inside a scenario child. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenarios.h"

const char *errno_name(int err)
{
	switch (err) {
	case 0: return "0";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case ENOTDIR: return "ENOTDIR";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ENOSYS: return "ENOSYS";
	default: return "E?";
	}
}

/* Report a call's result as <what>_ret and <what>_errno. */
static void report_ret(struct sc_ctx *c, const char *what, int ret)
{
	char key[64];
	int err = ret < 0 ? errno : 0;

	snprintf(key, sizeof(key), "%s_ret", what);
	sc_report(c, key, "%d", ret < 0 ? -err : ret);
	snprintf(key, sizeof(key), "%s_errno", what);
	sc_report(c, key, "%s", errno_name(err));
}

/* Report whether pid's namespace still has a mount at path. */
static bool report_present(struct sc_ctx *c, const char *key, pid_t pid, const char *path)
{
	struct mi_entry e;
	bool found = mi_find(pid, path, &e) && strcmp(e.fstype, "overlay") == 0;

	sc_report(c, key, "%d", found);
	return found;
}

static void report_overlay(struct sc_ctx *c, const char *base, const char *merged)
{
	struct mi_entry e;

	sc_report(c, "base", "%s", base);
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "upper", "%s/upper", base);
	sc_report(c, "work", "%s/work", base);
	sc_report(c, "lower", "%s/lower", base);
	SC_CHECK(c, mi_find(0, merged, &e) && !strcmp(e.fstype, "overlay"),
		 "overlay not in own mountinfo at %s", merged);
	sc_report(c, "ovl_id", "%d", e.mnt_id);
	sc_report(c, "ovl_prop", "%s", e.propagation);
}

static void remount_layers(struct sc_ctx *c, const char *base, const char *extra)
{
	char opts[1024], merged2[512];

	/* same layers, fresh mountpoint: only the layers are shared */
	snprintf(merged2, sizeof(merged2), "%s/merged2", base);
	make_dir(c, merged2);
	overlay_opts(base, extra, opts, sizeof(opts));
	sc_report(c, "remount_path", "%s", merged2);
	report_ret(c, "remount", mount("overlay", merged2, "overlay", 0, opts));
}

static void remove_merged(struct sc_ctx *c, const char *base, const char *merged,
			  enum scn_removal how)
{
	int dfd;

	char slash[700];

	if (how == SCN_RMDIR) {
		report_ret(c, "rm", rmdir(merged));
		return;
	}
	if (how == SCN_RMDIR_SLASH) {
		snprintf(slash, sizeof(slash), "%s/", merged);
		report_ret(c, "rm", rmdir(slash));
		return;
	}
	/* Go's os.RemoveAll: unlinkat relative to the parent directory */
	dfd = open(base, O_RDONLY | O_DIRECTORY);
	SC_CHECK(c, dfd >= 0, "open %s", base);
	report_ret(c, "rm", unlinkat(dfd, "merged", AT_REMOVEDIR));
	close(dfd);
}

void scn_leak_child(struct sc_ctx *c, void *arg)
{
	const struct scn_leak *a = arg;
	char graph[256], base[512], merged[600];
	struct mi_entry e;
	pid_t svc;

	snprintf(graph, sizeof(graph), "%s/graph", c->dir);
	make_graph_root(c, graph, a->graph_prop);
	SC_CHECK(c, mi_find(0, graph, &e), "graph root not in mountinfo");
	sc_report(c, "graph_prop", "%s", e.propagation);
	sc_report(c, "graph_id", "%d", e.mnt_id);
	snprintf(base, sizeof(base), "%s/overlay2", graph);
	make_dir(c, base);
	snprintf(base, sizeof(base), "%s/overlay2/%s", graph, SCN_CONTAINER_ID);
	if (!a->new_api) {
		make_overlay(c, base, NULL, merged, sizeof(merged));
	} else if (make_overlay_newapi(c, base, merged, sizeof(merged)) == -ENOSYS) {
		sc_report(c, "skip", "fsopen: ENOSYS (kernel before 5.2)");
		return;
	}
	report_overlay(c, base, merged);

	svc = spawn_service(c, true, a->svc_prop, a->svc_busy ? merged : NULL);
	sc_report(c, "svc_pid", "%d", svc);
	sc_report(c, "svc_ns", "%lu", ns_inode(svc));
	SC_CHECK(c, mi_find(svc, merged, &e), "no overlay copy in the service namespace");
	sc_report(c, "copy_id", "%d", e.mnt_id);
	sc_report(c, "copy_prop", "%s", e.propagation);
	SC_CHECK(c, mi_find(svc, graph, &e), "no graph root copy in the service namespace");
	sc_report(c, "graph_copy_id", "%d", e.mnt_id);
	if (a->sync_before_umount)
		sc_sync(c);
	if (!a->do_umount) {
		sc_sync(c);
		return;
	}

	report_ret(c, "umount", umount2(merged, a->umount_flags));
	report_present(c, "copy_after_umount", svc, merged);
	if (a->removal != SCN_KEEP) {
		remove_merged(c, base, merged, a->removal);
		report_present(c, "copy_after_rm", svc, merged);
	}
	if (a->remount_opts)
		remount_layers(c, base, a->remount_opts);
	/* keep the service and its namespace alive while mnttrace looks */
	sc_sync(c);
}

/* Mount the overlay as a process of pid's namespace would, then return. */
static void mount_in_ns(struct sc_ctx *c, pid_t pid, const char *base, char *merged, size_t len)
{
	char path[64];
	int self, target;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	self = open("/proc/self/ns/mnt", O_RDONLY);
	target = open(path, O_RDONLY);
	SC_CHECK(c, self >= 0 && target >= 0, "open namespaces");
	SC_CHECK(c, setns(target, CLONE_NEWNS) == 0, "setns into daemon namespace");
	make_overlay(c, base, NULL, merged, len);
	SC_CHECK(c, setns(self, CLONE_NEWNS) == 0, "setns back");
	close(self);
	close(target);
}

void scn_restart_child(struct sc_ctx *c, void *arg)
{
	char base[512], merged[600];
	pid_t daemon1, shim, daemon2;

	/* the layer dirs live in the shared tmpfs; only the mount is private */
	snprintf(base, sizeof(base), "%s/overlay2", c->dir);
	make_dir(c, base);
	snprintf(base, sizeof(base), "%s/overlay2/%s", c->dir, SCN_CONTAINER_ID);
	daemon1 = spawn_service(c, true, MS_SLAVE, NULL);
	sc_report(c, "old_pid", "%d", daemon1);
	sc_report(c, "old_ns", "%lu", ns_inode(daemon1));
	mount_in_ns(c, daemon1, base, merged, sizeof(merged));
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "upper", "%s/upper", base);
	sc_report(c, "work", "%s/work", base);
	shim = spawn_in_ns(c, daemon1);
	sc_report(c, "shim_pid", "%d", shim);

	kill_wait(daemon1);	/* the daemon restarts; the shim lives on */
	daemon2 = spawn_service(c, true, MS_SLAVE, NULL);
	sc_report(c, "new_pid", "%d", daemon2);
	sc_report(c, "new_ns", "%lu", ns_inode(daemon2));
	report_present(c, "in_old", shim, merged);
	report_present(c, "in_new", daemon2, merged);
	remount_layers(c, base, "index=on");
	sc_sync(c);	/* the shim must still be there when mnttrace looks */
}

/* Scenario 1 under dir/<side>: private graph root, overlay, slave service,
 * the runtime's lazy umount; the copy must stay in the service's namespace. */
static void leak_under(struct sc_ctx *c, const char *side)
{
	char dir[256], graph[300], base[600], merged[700], key[32];
	struct mi_entry e;
	pid_t svc;

	snprintf(dir, sizeof(dir), "%s/%s", c->dir, side);
	make_dir(c, dir);
	snprintf(graph, sizeof(graph), "%s/graph", dir);
	make_graph_root(c, graph, MS_PRIVATE);
	snprintf(base, sizeof(base), "%s/overlay2", graph);
	make_dir(c, base);
	snprintf(base, sizeof(base), "%s/overlay2/%s", graph, SCN_CONTAINER_ID);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	svc = spawn_service(c, true, MS_SLAVE, NULL);
	SC_CHECK(c, umount2(merged, MNT_DETACH) == 0, "umount %s", merged);
	SC_CHECK(c, mi_find(svc, merged, &e), "%s: the copy did not stay", side);
	snprintf(key, sizeof(key), "%s_merged", side);
	sc_report(c, key, "%s", merged);
	snprintf(key, sizeof(key), "%s_svc_pid", side);
	sc_report(c, key, "%d", svc);
	snprintf(key, sizeof(key), "%s_svc_ns", side);
	sc_report(c, key, "%lu", ns_inode(svc));
}

void scn_two_leaks_child(struct sc_ctx *c, void *arg)
{
	int go[2], done[2];
	char b = 0;
	pid_t other;

	SC_CHECK(c, pipe(go) == 0 && pipe(done) == 0, "pipe");
	sc_sync(c);	/* the runner starts mnttrace now */
	other = fork();
	SC_CHECK(c, other >= 0, "fork");
	if (other == 0) {
		/* dies with the child, and its service with it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "itest-other");
		close(c->go_fd);
		SC_CHECK(c, unshare(CLONE_NEWNS) == 0, "unshare (other)");
		sc_report(c, "other_ns", "%lu", ns_inode(0));
		SC_CHECK(c, write(done[1], "r", 1) == 1, "say the namespace is made");
		SC_CHECK(c, read(go[0], &b, 1) == 1, "wait for side a");
		leak_under(c, "b");
		SC_CHECK(c, write(done[1], "d", 1) == 1, "say side b is done");
		for (;;)
			pause();
	}
	sc_report(c, "other_pid", "%d", other);
	close(done[1]);
	/* other's namespace is copied before side a exists: it holds no copy of a */
	SC_CHECK(c, read(done[0], &b, 1) == 1, "other failed to unshare");
	leak_under(c, "a");
	SC_CHECK(c, write(go[1], "g", 1) == 1, "start side b");
	SC_CHECK(c, read(done[0], &b, 1) == 1, "side b failed");
	sc_sync(c);	/* both services hold their copies while mnttrace looks */
	kill_wait(other);
}

/* nsfs: a mount namespace's never-reused id (6.8+, include/uapi/linux/nsfs.h) */
#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID _IOR(0xb7, 0x5, unsigned long long)
#endif

/* Report pid's namespace inode as <who>_ns, and its id, if the kernel has
 * one, as <who>_ns_id. */
static unsigned long report_ns(struct sc_ctx *c, const char *who, pid_t pid)
{
	unsigned long long id = 0;
	unsigned long ino = ns_inode(pid);
	char key[32], path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0 && ioctl(fd, NS_GET_MNTNS_ID, &id) < 0)
		id = 0;
	if (fd >= 0)
		close(fd);
	snprintf(key, sizeof(key), "%s_ns", who);
	sc_report(c, key, "%lu", ino);
	snprintf(key, sizeof(key), "%s_ns_id", who);
	sc_report(c, key, "%llu", id);
	return ino;
}

#define NS_REUSE_TRIES 10

void scn_ns_reuse_child(struct sc_ctx *c, void *arg)
{
	char graph[256], base[512], merged[600];
	unsigned long httpd_ns;
	pid_t keeper, httpd, sshd = -1;
	struct mi_entry e;
	int tries;

	/* a namespace with no overlay in it, to copy sshd's from */
	keeper = spawn_named_ns(c, "keeper", 0, MS_PRIVATE);
	snprintf(graph, sizeof(graph), "%s/graph", c->dir);
	make_graph_root(c, graph, MS_PRIVATE);
	snprintf(base, sizeof(base), "%s/overlay2", graph);
	make_dir(c, base);
	snprintf(base, sizeof(base), "%s/overlay2/%s", graph, SCN_CONTAINER_ID);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "upper", "%s/upper", base);
	sc_report(c, "work", "%s/work", base);

	httpd = spawn_named_ns(c, "httpd", 0, MS_SLAVE);
	sc_report(c, "httpd_pid", "%d", httpd);
	httpd_ns = report_ns(c, "httpd", httpd);
	SC_CHECK(c, mi_find(httpd, merged, &e), "no overlay copy in httpd's namespace");
	sc_sync(c);	/* mnttrace sees httpd's copy while httpd lives */

	kill_wait(httpd);	/* its namespace dies with it: nothing else holds it */
	for (tries = 1; tries <= NS_REUSE_TRIES; tries++) {
		sshd = spawn_named_ns(c, "sshd", keeper, MS_SLAVE);
		if (ns_inode(sshd) == httpd_ns)
			break;
		/* another process took it (other tests run namespaces too) */
		kill_wait(sshd);
		sshd = -1;
		sleep_ms(200);
	}
	sc_report(c, "tries", "%d", tries);
	if (sshd < 0) {
		sc_report(c, "skip", "the kernel did not hand httpd's dead mount namespace inode "
			  "%lu to a new namespace in %d tries", httpd_ns, NS_REUSE_TRIES);
		return;
	}
	sc_report(c, "sshd_pid", "%d", sshd);
	report_ns(c, "sshd", sshd);

	report_ret(c, "umount", umount2(merged, MNT_DETACH));
	/* the kernel's view: the overlay is mounted nowhere now */
	report_present(c, "in_sshd", sshd, merged);
	report_present(c, "in_runtime", 0, merged);
	sc_sync(c);	/* sshd lives while mnttrace looks */
}
