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
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

/* Prints the setup's time first: mnttrace walks the namespace after each
 * overlay mount, so building it is a workload of its own. */
static double storm(long m, long k)
{
	char target[128], opts[512];
	double t0 = now();

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

int main(int argc, char **argv)
{
	const char *w = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;
	long k = argc > 3 ? atol(argv[3]) : 0;
	double t;

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
