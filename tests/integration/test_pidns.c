// SPDX-License-Identifier: GPL-2.0
/*
 * mnttrace in a pid namespace (a container, a pod), started the way
 * `unshare -p -f --mount-proc mnttrace` would: -p takes the pids that
 * mnttrace's own /proc shows, and mnttrace, pid 1 there, still knows
 * itself. Workers join mnttrace's pid namespace and mount a tmpfs each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

/* In a new private mount namespace: mount a tmpfs on a fresh dir, unmount
 * it, remove the dir; tell the parent "PID DIR" with PID as seen in the
 * pid namespace this process runs in. */
static void __attribute__((noreturn)) worker_body(int report_fd)
{
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[256];

	snprintf(dir, sizeof(dir), "%s/mnttrace-pidns.XXXXXX", tmp);
	mkdir(tmp, 01777);	/* a bare busybox guest may have none */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    !mkdtemp(dir) || mount("itest", dir, "tmpfs", 0, NULL) || umount(dir) || rmdir(dir))
		_exit(1);
	dprintf(report_fd, "%d %s\n", getpid(), dir);
	_exit(0);
}

/*
 * Run one worker in the pid namespace that the shim @shim made for
 * mnttrace (its pid_for_children). Returns its pid there, and its dir.
 */
static long run_worker(pid_t shim, char *dir, size_t len)
{
	char nspath[64], line[400] = "";
	int fds[2], status, nsfd;
	long ns_pid = -1;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		snprintf(nspath, sizeof(nspath), "/proc/%d/ns/pid_for_children", (int)shim);
		nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWPID))
			_exit(2);
		pid = fork();	/* setns(CLONE_NEWPID) moves children only */
		if (pid == 0)
			worker_body(fds[1]);
		_exit(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ?
		      WEXITSTATUS(status) : 3);
	}
	close(fds[1]);
	n = pid > 0 ? read(fds[0], line, sizeof(line) - 1) : -1;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (n > 0 && sscanf(line, "%ld %255s", &ns_pid, dir) == 2 && len > 0)
		return ns_pid;
	mt_test_fail(__FILE__, __LINE__, "worker in mnttrace's pid namespace failed (status %d)",
		     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -1;
}

/*
 * mnttrace -p 3 in its own pid namespace, where it is pid 1 and its ring
 * buffer reader thread (src/ringq.c) pid 2: the first worker there is
 * pid 3 (pids are handed out in order in a fresh namespace, a thread
 * takes one too), the second pid 4. Only the first one's mount is shown.
 * With @no_findings BPF filters; otherwise userspace does.
 */
static void check_pid_filter(bool no_findings)
{
	struct tracer t = TRACER_INIT;
	char first[256] = "", second[256] = "";
	long p1, p2;
	bool ok;

	it_tracer_in_new_pidns = true;
	ok = no_findings ? tracer_start(&t, "-p", "3", "--no-findings", NULL) :
			   tracer_start(&t, "-p", "3", NULL);
	it_tracer_in_new_pidns = false;
	if (!ok)
		goto out;
	p1 = run_worker(t.pid, first, sizeof(first));
	p2 = run_worker(t.pid, second, sizeof(second));
	tracer_settle(&t);
	if (!tracer_stop(&t) || p1 < 0 || p2 < 0)
		goto out;
	if (!ASSERT_TRUE(p1 == 3 && p2 == 4, "workers are pids 3 and 4 in mnttrace's pid namespace"))
		goto out;
	ASSERT_REC(&t, "the -p process's mount", "type", "syscall", "call", "mount", "path", first);
	ASSERT_TRUE(!rec_find(&t, 0, NULL, "type", "syscall", "path", second, NULL),
		    "no record of the other process (pid 4 there)");
out:
	tracer_free(&t);
}

TEST(pidns_filter_pid_in_userspace)
{
	check_pid_filter(false);
}

TEST(pidns_filter_pid_in_bpf)
{
	check_pid_filter(true);
}
