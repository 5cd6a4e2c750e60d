// SPDX-License-Identifier: GPL-2.0
/*
 * The workloads of `make bench`. Each run makes its own private mount
 * namespace with a tmpfs to work in, so nothing touches the host's mount
 * table, then times only the measured phase and prints its wall time in
 * seconds on stdout (setup, e.g. the storm's M mounts, is not timed).
 *
 *   workload churn-tmpfs N | churn-bind N | churn-overlay N
 *   workload storm M K      M mounts (every 10th an overlay), K unshares;
 *                           prints the setup's time, then the unshares'
 *   workload rmdir N        N x mkdir + rmdir
 *   workload getppid N | read N
 *   workload startup M K R CMD...  M mounts copied into K namespaces, then R
 *                           times: exec CMD, time its first line (below)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char base[64];

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void mkdir_p(const char *fmt, const char *a, int i)
{
	char p[256];

	snprintf(p, sizeof(p), fmt, a, i);
	if (mkdir(p, 0755) && errno != EEXIST)
		die(p);
}

/* A private namespace with a tmpfs at base to work in. */
static void private_tmpfs(void)
{
	strcpy(base, "/tmp/mnttrace-bench.XXXXXX");
	if (!mkdtemp(base))
		die("mkdtemp");
	if (unshare(CLONE_NEWNS))
		die("unshare");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("make / private");
	if (mount("bench", base, "tmpfs", 0, "size=64m"))
		die("mount tmpfs");
}

static void cleanup(void)
{
	umount2(base, MNT_DETACH);
	rmdir(base);
}

/* Layers for overlay number i under base. */
static void overlay_opts(char *buf, size_t len, int i)
{
	mkdir_p("%s/l%d", base, i);
	mkdir_p("%s/u%d", base, i);
	mkdir_p("%s/w%d", base, i);
	snprintf(buf, len, "lowerdir=%s/l%d,upperdir=%s/u%d,workdir=%s/w%d",
		 base, i, base, i, base, i);
}

static double churn(const char *kind, long n)
{
	char target[128], src[128], opts[512];
	double t0;

	snprintf(target, sizeof(target), "%s/m", base);
	snprintf(src, sizeof(src), "%s/src", base);
	mkdir_p("%s/m", base, 0);
	mkdir_p("%s/src", base, 0);
	overlay_opts(opts, sizeof(opts), 0);
	t0 = now();
	for (long i = 0; i < n; i++) {
		int r;

		if (!strcmp(kind, "tmpfs"))
			r = mount("t", target, "tmpfs", 0, NULL);
		else if (!strcmp(kind, "bind"))
			r = mount(src, target, NULL, MS_BIND, NULL);
		else
			r = mount("overlay", target, "overlay", 0, opts);
		if (r)
			die("mount");
		if (umount2(target, 0))
			die("umount");
	}
	return now() - t0;
}

/* M mounts under base, every 10th an overlay. */
static void many_mounts(long m)
{
	char target[128], opts[512];

	for (long i = 0; i < m; i++) {
		mkdir_p("%s/%d", base, (int)i);
		snprintf(target, sizeof(target), "%s/%ld", base, i);
		if (i % 10 == 9) {
			overlay_opts(opts, sizeof(opts), (int)i);
			if (mount("overlay", target, "overlay", 0, opts))
				die("mount overlay");
		} else if (mount("s", target, "tmpfs", 0, "size=64k")) {
			die("mount tmpfs");
		}
	}
}

/* Prints the setup's time first: mnttrace walks the namespace after each
 * overlay mount, so building it is a workload of its own. */
static double storm(long m, long k)
{
	double t0 = now();

	many_mounts(m);
	printf("%.6f ", now() - t0);
	/* each unshare copies every mount; the previous copy dies with it */
	t0 = now();
	for (long i = 0; i < k; i++)
		if (unshare(CLONE_NEWNS))
			die("unshare");
	return now() - t0;
}

static double rmdirs(long n)
{
	char p[128];
	double t0;

	snprintf(p, sizeof(p), "%s/d", base);
	t0 = now();
	for (long i = 0; i < n; i++) {
		if (mkdir(p, 0755))
			die("mkdir");
		if (rmdir(p))
			die("rmdir");
	}
	return now() - t0;
}

static double cheap(const char *kind, long n)
{
	int fd = open("/dev/zero", O_RDONLY);
	char c;
	double t0;

	if (fd < 0)
		die("/dev/zero");
	t0 = now();
	if (!strcmp(kind, "getppid")) {
		for (long i = 0; i < n; i++)
			getppid();
	} else {
		for (long i = 0; i < n; i++)
			if (read(fd, &c, 1) != 1)
				die("read");
	}
	close(fd);
	return now() - t0;
}

/* A process that holds a copy of our namespace until we go. */
static pid_t hold_copy(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNS))
			die("unshare");
		close(p[0]);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		die("namespace holder");
	close(p[0]);
	return pid;
}

/*
 * Start-up: exec @cmd once the host is built and time (a) the first
 * line on its stdout that names a mount made after the exec (a tmpfs
 * mounted and unmounted at @marker, outside the copied tree, every
 * millisecond), (b) the line on stderr that says it traces, (c) SIGINT
 * to exit. @cmd runs in the host's namespace (@host_ns). Prints
 * "FIRST READY EXIT" in seconds, -1 for what never came.
 */
static void startup_once(char **cmd, int host_ns, const char *marker)
{
	int go[2], out[2], err[2];
	double t0, first = -1, ready = -1, t_int, gone;
	char buf[65536];
	size_t have = 0;
	pid_t pid;
	char c;

	if (pipe(go) || pipe(out) || pipe(err))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		setpgid(0, 0);	/* SIGINT to the group: a wrapper (strace) and CMD */
		if (setns(host_ns, CLONE_NEWNS) || read(go[0], &c, 1) != 1)
			_exit(1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	t0 = now();
	if (write(go[1], "x", 1) != 1)
		die("start");
	while (first < 0 && now() - t0 < 30) {
		struct pollfd p[2] = { { .fd = out[0], .events = POLLIN },
				       { .fd = err[0], .events = POLLIN } };
		ssize_t n;

		if (mount("m", marker, "tmpfs", 0, NULL) == 0)
			umount2(marker, 0);
		if (poll(p, 2, 1) <= 0)
			continue;
		if (p[1].revents && (n = read(err[0], buf, sizeof(buf) - 1)) > 0) {
			buf[n] = '\0';
			if (ready < 0 && strstr(buf, "tracing in"))
				ready = now() - t0;
		}
		if (!p[0].revents)
			continue;
		/* the marker is the path's end: look at whole lines only */
		n = read(out[0], buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += n;
		buf[have] = '\0';
		if (strstr(buf, marker))
			first = now() - t0;
		char *nl = strrchr(buf, '\n');
		if (nl) {
			have = strlen(nl + 1);
			memmove(buf, nl + 1, have + 1);
		} else if (have > sizeof(buf) / 2) {
			have = 0;
		}
	}
	t_int = now();
	kill(-pid, SIGINT);
	/* drain so that it never blocks on a full pipe while exiting */
	for (;;) {
		struct pollfd p[2] = { { .fd = out[0], .events = POLLIN },
				       { .fd = err[0], .events = POLLIN } };

		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		if (now() - t_int > 10) {	/* it did not end: say so (-1) */
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
			t_int = now() + 1;
			break;
		}
		poll(p, 2, 1);
		for (int i = 0; i < 2; i++)
			if (p[i].revents && read(p[i].fd, buf, sizeof(buf)) < 0)
				break;
	}
	gone = now() - t_int;
	close(out[0]);
	close(err[0]);
	close(go[0]);
	close(go[1]);
	printf("%.6f %.6f %.6f\n", first, ready, gone);
	fflush(stdout);
}

static int startup(long m, long k, long rounds, char **cmd)
{
	pid_t *holders = calloc(k, sizeof(*holders));
	int host_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	char marker[] = "/tmp/mnttrace-marker.XXXXXX";
	double t0 = now();

	if (!holders || host_ns < 0 || !mkdtemp(marker))
		die("startup");
	private_tmpfs();
	many_mounts(m);
	/* copies that stay peers of ours: a quiet host, no finding at start */
	if (mount(NULL, base, NULL, MS_REC | MS_SHARED, NULL))
		die("make the tmpfs shared");
	for (long i = 0; i < k; i++)
		holders[i] = hold_copy();
	printf("setup %.6f\n", now() - t0);
	fflush(stdout);
	for (long r = 0; r < rounds; r++)
		startup_once(cmd, host_ns, marker);
	rmdir(marker);
	for (long i = 0; i < k; i++)
		kill(holders[i], SIGKILL);
	for (long i = 0; i < k; i++)
		waitpid(holders[i], NULL, 0);
	free(holders);
	cleanup();
	return 0;
}

int main(int argc, char **argv)
{
	const char *w = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;
	long k = argc > 3 ? atol(argv[3]) : 0;
	double t;

	if (!strcmp(w, "startup") && argc > 5 && n > 0 && k > 0 && atol(argv[4]) > 0)
		return startup(n, k, atol(argv[4]), argv + 5);
	if (n <= 0 || (!strcmp(w, "storm") && k <= 0)) {
		fprintf(stderr, "usage: workload churn-tmpfs|churn-bind|churn-overlay|rmdir|"
			"getppid|read N, or workload storm M K\n");
		return 2;
	}
	private_tmpfs();
	if (!strncmp(w, "churn-", 6))
		t = churn(w + 6, n);
	else if (!strcmp(w, "storm"))
		t = storm(n, k);
	else if (!strcmp(w, "rmdir"))
		t = rmdirs(n);
	else if (!strcmp(w, "getppid") || !strcmp(w, "read"))
		t = cheap(w, n);
	else {
		fprintf(stderr, "workload: unknown workload %s\n", w);
		return 2;
	}
	cleanup();
	printf("%.6f\n", t);
	return 0;
}
