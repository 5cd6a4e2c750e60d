// SPDX-License-Identifier: GPL-2.0
/*
 * Filters: each test runs the same mixed workload and checks that what the
 * filter should let through is there and that nothing else is. mnttrace is
 * started after the scenario child exists (its pid and namespace are the
 * filter values) and before it does anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenarios.h"

/* Fork a process that mounts and unmounts a tmpfs at path, in a namespace
 * of its own if newns, and wait for it. */
static pid_t mount_elsewhere(struct sc_ctx *c, const char *path, bool newns)
{
	pid_t pid = fork();
	int st;

	SC_CHECK(c, pid >= 0, "fork");
	if (pid == 0) {
		/* a name of its own, for --comm */
		prctl(PR_SET_NAME, newns ? "itest-other" : "itest-sibling");
		if (newns && unshare(CLONE_NEWNS) < 0)
			_exit(1);
		if (mount("itest-other", path, "tmpfs", 0, NULL) < 0 || umount2(path, 0) < 0)
			_exit(1);
		_exit(0);
	}
	SC_CHECK(c, waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
		 "helper mounting %s failed", path);
	return pid;
}

static void filter_child(struct sc_ctx *c, void *arg)
{
	char x[256], y[256], plain[256], sib[256], other[256], base[256], merged[512];

	snprintf(x, sizeof(x), "%s/x", c->dir);
	snprintf(y, sizeof(y), "%s/y", c->dir);
	snprintf(plain, sizeof(plain), "%s/plain", c->dir);
	snprintf(sib, sizeof(sib), "%s/sib", c->dir);
	snprintf(other, sizeof(other), "%s/other", c->dir);
	snprintf(base, sizeof(base), "%s/ovl", c->dir);
	make_dir(c, x);
	make_dir(c, y);
	make_dir(c, plain);
	make_dir(c, sib);
	make_dir(c, other);
	sc_sync(c);	/* the runner starts mnttrace now */

	SC_CHECK(c, mount("itest", x, "tmpfs", 0, NULL) == 0, "mount x");
	SC_CHECK(c, rmdir(x) < 0 && errno == EBUSY, "rmdir x must fail");
	SC_CHECK(c, rmdir(y) == 0, "rmdir y");
	SC_CHECK(c, mount("itest", plain, "tmpfs", 0, NULL) == 0, "mount plain");
	make_overlay(c, base, NULL, merged, sizeof(merged));
	SC_CHECK(c, umount2(merged, MNT_DETACH) == 0, "umount overlay");
	sc_report(c, "sib_pid", "%d", mount_elsewhere(c, sib, false));
	sc_report(c, "other_pid", "%d", mount_elsewhere(c, other, true));
	sc_report(c, "x", "%s", x);
	sc_report(c, "y", "%s", y);
	sc_report(c, "plain", "%s", plain);
	sc_report(c, "sib", "%s", sib);
	sc_report(c, "other", "%s", other);
	sc_report(c, "merged", "%s", merged);
}

/* Start the child, then mnttrace with its filter, then let the child run.
 * The filter value is the child's report named key, or key itself. */
static bool run_filtered(struct tracer *t, struct scenario *s, const char *opt,
			 const char *key, const char *suffix)
{
	char val[256];

	if (!sc_start(s, filter_child, NULL) || !sc_wait_sync(s))
		return false;
	if (key)
		snprintf(val, sizeof(val), "%s%s", sc_get(s, key) ? sc_get(s, key) : key,
			 suffix ? suffix : "");
	if (!tracer_start(t, opt, key ? val : NULL, NULL))
		return false;
	sc_go(s);
	return sc_finish(s) && tracer_stop(t);
}

/* Every record of this type must satisfy ok(); the first offender fails. */
static void assert_all(const struct tracer *t, const char *type,
		       bool (*ok)(const struct json *, const struct scenario *),
		       const struct scenario *s, const char *what)
{
	char buf[600];

	for (size_t i = 0; i < t->nrecs; i++) {
		const char *ty = json_str(t->recs[i], "type");

		if (!ty || (type && strcmp(ty, type)) || ok(t->recs[i], s))
			continue;
		json_format(t->recs[i], buf, sizeof(buf));
		mt_test_fail(__FILE__, __LINE__, "%s: %s", what, buf);
		return;
	}
}

static void assert_absent(const struct tracer *t, const char *what, const char *path)
{
	if (rec_find(t, 0, NULL, "full_path", path, NULL) || rec_find(t, 0, NULL, "path", path, NULL)) {
		mt_test_fail(__FILE__, __LINE__, "filtered out, but present: %s (%s)", what, path);
		rec_dump(t, "records", "full_path", path, NULL);
	}
}

#define PID_REC(t, s, what, call, ...)                                       \
	ASSERT_REC(t, what, "type", "syscall", "call", call, "pid", sc_get(s, "pid"), \
		   __VA_ARGS__)

static bool failed_call(const struct json *r, const struct scenario *s)
{
	long long ret;

	return json_int(r, "ret", &ret) && ret < 0 && json_str(r, "errno");
}

TEST(filter_failed_only)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (!run_filtered(&t, &s, "-x", NULL, NULL))
		goto out;
	PID_REC(&t, &s, "failed rmdir", "rmdir", "path", sc_get(&s, "x"), "errno", "EBUSY");
	assert_all(&t, "syscall", failed_call, &s, "-x printed a call that did not fail");
	assert_absent(&t, "rmdir y (succeeded)", sc_get(&s, "y"));
out:
	sc_free(&s);
	tracer_free(&t);
}

/*
 * -p and --comm narrow the events, and the findings by the call that raised
 * them (test_finding_filters.c checks that a finding of a selected call is
 * shown): every record with a pid must match.
 */
static bool same_pid(const struct json *r, const struct scenario *s)
{
	long long pid;

	return !json_get(r, "pid") || (json_int(r, "pid", &pid) && pid == sc_num(s, "pid"));
}

TEST(filter_pid)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (!run_filtered(&t, &s, "-p", "pid", NULL))
		goto out;
	PID_REC(&t, &s, "own rmdir", "rmdir", "path", sc_get(&s, "x"));
	PID_REC(&t, &s, "own mount", "mount", "path", sc_get(&s, "plain"));
	assert_all(&t, NULL, same_pid, &s, "-p printed another pid's record");
	assert_absent(&t, "sibling's mount", sc_get(&s, "sib"));
out:
	sc_free(&s);
	tracer_free(&t);
}

static bool same_ns(const struct json *r, const struct scenario *s)
{
	long long ns;

	return json_int(r, "mnt_ns", &ns) && ns == sc_num(s, "ns");
}

TEST(filter_mntns)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (!run_filtered(&t, &s, "--mntns", "ns", NULL))
		goto out;
	PID_REC(&t, &s, "own rmdir", "rmdir", "path", sc_get(&s, "x"));
	/* same namespace, other process: in */
	ASSERT_REC(&t, "sibling's mount", "type", "syscall", "call", "mount",
		   "pid", sc_get(&s, "sib_pid"), "path", sc_get(&s, "sib"));
	assert_all(&t, "syscall", same_ns, &s, "--mntns printed a call from another namespace");
	/* the unshare itself starts in our namespace; the mount after it not */
	assert_absent(&t, "mount in another namespace", sc_get(&s, "other"));
out:
	sc_free(&s);
	tracer_free(&t);
}

static bool under_x(const struct json *r, const struct scenario *s)
{
	const char *p = json_str(r, "full_path");
	const char *x = sc_get(s, "x");

	return !p || !strncmp(p, x, strlen(x));
}

TEST(filter_path_prefix)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (!run_filtered(&t, &s, "--path", "dir", "/x"))
		goto out;
	PID_REC(&t, &s, "mount under prefix", "mount", "path", sc_get(&s, "x"));
	PID_REC(&t, &s, "rmdir under prefix", "rmdir", "path", sc_get(&s, "x"));
	assert_all(&t, "syscall", under_x, &s, "--path printed a call outside the prefix");
	assert_absent(&t, "rmdir y", sc_get(&s, "y"));
	assert_absent(&t, "mount plain", sc_get(&s, "plain"));
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(filter_overlay)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (!run_filtered(&t, &s, "--overlay", NULL, NULL))
		goto out;
	PID_REC(&t, &s, "overlay mount", "mount", "path", sc_get(&s, "merged"), "fstype", "overlay");
	PID_REC(&t, &s, "overlay umount", "umount2", "path", sc_get(&s, "merged"));
	assert_absent(&t, "unrelated tmpfs mount", sc_get(&s, "plain"));
	assert_absent(&t, "unrelated rmdir", sc_get(&s, "y"));
out:
	sc_free(&s);
	tracer_free(&t);
}

static bool sibling_comm(const struct json *r, const struct scenario *s)
{
	const char *comm = json_str(r, "comm");

	return !json_get(r, "pid") || (comm && !strcmp(comm, "itest-sibling"));
}

TEST(filter_comm)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (!run_filtered(&t, &s, "--comm", "itest-sibling", NULL))
		goto out;
	ASSERT_REC(&t, "sibling's mount", "type", "syscall", "call", "mount",
		   "pid", sc_get(&s, "sib_pid"), "path", sc_get(&s, "sib"));
	assert_all(&t, NULL, sibling_comm, &s, "--comm printed another task's record");
	assert_absent(&t, "own rmdir", sc_get(&s, "x"));
out:
	sc_free(&s);
	tracer_free(&t);
}

/*
 * A container start the way runc does it (defect 7 of issue 8): a mount
 * namespace of its own, /proc, /dev and /sys mounted in the rootfs, a
 * setns into a network namespace, pivot_root into the overlay and
 * MS_REC|MS_SLAVE on the new "/", while the host removes a cgroup-like
 * directory. Only the overlay and the mount namespace belong to --overlay.
 */
static void runtime_child(const char *merged, int ready)
{
	char path[700];
	bool pivoted;
	int netfd;

	prctl(PR_SET_NAME, "itest-runc");
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(1);
	netfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (netfd < 0 || unshare(CLONE_NEWNET) < 0 || setns(netfd, CLONE_NEWNET) < 0 ||
	    setns(netfd, 0) < 0)
		_exit(2);
	snprintf(path, sizeof(path), "%s/proc", merged);
	if (mkdir(path, 0755) < 0 || mount("proc", path, "proc", 0, NULL) < 0)
		_exit(3);
	snprintf(path, sizeof(path), "%s/dev", merged);
	if (mkdir(path, 0755) < 0 || mount("tmpfs", path, "tmpfs", 0, NULL) < 0)
		_exit(4);
	snprintf(path, sizeof(path), "%s/sys", merged);
	if (mkdir(path, 0755) < 0 || chdir(merged) < 0)
		_exit(5);
	/* an initramfs root cannot be pivoted away from (EINVAL): then the
	 * rootfs is never "/" of the namespace, and sysfs goes below it */
	pivoted = syscall(SYS_pivot_root, ".", ".") == 0;
	if (!pivoted && errno != EINVAL)
		_exit(6);
	if (pivoted && (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0))
		_exit(7);
	/* runc's MS_SLAVE on the new root: the walk shows the rootfs at "/" */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("sysfs", pivoted ? "/sys" : path, "sysfs", 0, NULL) < 0)
		_exit(8);
	if (write(ready, pivoted ? "p" : "c", 1) != 1)
		_exit(9);
	pause();
	_exit(0);
}

static void container_start_child(struct sc_ctx *c, void *arg)
{
	char base[256], merged[512], cg[256];
	int pipefd[2];
	pid_t runc;
	char x;

	(void)arg;
	snprintf(base, sizeof(base), "%s/ovl", c->dir);
	snprintf(cg, sizeof(cg), "%s/cgroup", c->dir);
	make_dir(c, cg);
	snprintf(cg, sizeof(cg), "%s/cgroup/docker-abc.scope", c->dir);
	make_dir(c, cg);
	sc_sync(c);	/* the runner starts mnttrace now */

	make_overlay(c, base, NULL, merged, sizeof(merged));
	SC_CHECK(c, pipe(pipefd) == 0, "pipe");
	runc = fork();
	SC_CHECK(c, runc >= 0, "fork");
	if (runc == 0) {
		close(pipefd[0]);
		runtime_child(merged, pipefd[1]);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &x, 1) != 1) {
		int st = 0;

		waitpid(runc, &st, 0);
		SC_CHECK(c, false, "the container did not start: step %d failed",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	close(pipefd[0]);
	sc_report(c, "pivoted", "%d", x == 'p');
	/* the host side, while the container's namespace lives */
	SC_CHECK(c, rmdir(cg) == 0, "rmdir the cgroup-like dir");
	kill_wait(runc);
	SC_CHECK(c, umount2(merged, MNT_DETACH) == 0, "umount overlay");
	sc_report(c, "runc_pid", "%d", runc);
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "cgroup", "%s", cg);
}

TEST(filter_overlay_container_start)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	char proc[600], dev[600], sys[600];

	if (!sc_start(&s, container_start_child, NULL) || !sc_wait_sync(&s) ||
	    !tracer_start(&t, "--overlay", NULL))
		goto out;
	sc_go(&s);
	if (!sc_finish(&s) || !tracer_stop(&t))
		goto out;
	PID_REC(&t, &s, "overlay mount", "mount", "path", sc_get(&s, "merged"), "fstype", "overlay");
	PID_REC(&t, &s, "overlay umount", "umount2", "path", sc_get(&s, "merged"));
	ASSERT_REC(&t, "the runtime's new mount namespace", "type", "syscall", "call", "unshare",
		   "pid", sc_get(&s, "runc_pid"));
	snprintf(proc, sizeof(proc), "%s/proc", sc_get(&s, "merged"));
	snprintf(dev, sizeof(dev), "%s/dev", sc_get(&s, "merged"));
	snprintf(sys, sizeof(sys), "%s/sys", sc_get(&s, "merged"));
	assert_absent(&t, "proc mounted in the rootfs", proc);
	assert_absent(&t, "tmpfs /dev in the rootfs", dev);
	/* after pivot_root "/sys", else below the rootfs (an initramfs guest) */
	assert_absent(&t, "sysfs in the container's namespace",
		      sc_num(&s, "pivoted") ? "/sys" : sys);
	assert_absent(&t, "cgroup rmdir", sc_get(&s, "cgroup"));
	if (rec_find(&t, 0, NULL, "type", "syscall", "call", "setns", NULL)) {
		mt_test_fail(__FILE__, __LINE__, "--overlay printed a setns into a network namespace");
		rec_dump(&t, "records", "call", "setns", NULL);
	}
out:
	sc_free(&s);
	tracer_free(&t);
}
