// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "perf_release.h"

static bool is_perf_event(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[perf_event]") == 0;
}

int mt_perf_hold(const int *link_fds, int nlinks, int *held, int max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while (n < max && (e = readdir(d))) {
		int fd = atoi(e->d_name), copy;
		bool is_link = false;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d))
			continue;
		for (int i = 0; i < nlinks && !is_link; i++)
			is_link = link_fds[i] == fd;
		if (is_link || !is_perf_event(fd))
			continue;
		copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (copy >= 0)
			held[n++] = copy;
	}
	closedir(d);
	return n;
}

static void *close_one(void *fd)
{
	close((int)(long)fd);
	return NULL;
}

/* One thread a perf event: part of each teardown's wait is not under the
 * kernel's global mutex and overlaps (6.18: 2.0 s for 32 in a row, 0.9 s
 * so). */
static void close_all(const int *fds, int n)
{
	pthread_t tid[n];
	bool started[n];

	for (int i = 0; i < n; i++)
		started[i] = !pthread_create(&tid[i], NULL, close_one, (void *)(long)fds[i]);
	for (int i = 0; i < n; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			close(fds[i]);
	}
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The child keeps @keep (sorted) and nothing else: no stdout, no pipe a
 * reader waits on, no cwd under a watched path. */
static void keep_only(int *keep, int n)
{
	unsigned int from = 0;

	qsort(keep, n, sizeof(*keep), cmp_int);
	for (int i = 0; i <= n; i++) {
		unsigned int to = i < n ? (unsigned int)keep[i] : ~0U;

		if (to > from)
			close_range(from, to - 1, 0);
		from = to + 1;
	}
	if (chdir("/"))
		_exit(0);	/* keep no cwd: drop the events now instead */
}

void mt_perf_release_later(int *held, int n)
{
	int gate[2];
	pid_t pid;

	if (n <= 0)
		return;
	/* the child waits for the end of @gate: our copies are closed then */
	if (pipe2(gate, O_CLOEXEC) == 0) {
		pid = fork();
		if (pid < 0) {
			close(gate[0]);
			close(gate[1]);
		} else if (pid == 0) {
			int keep[n + 1];
			char c;

			memcpy(keep, held, n * sizeof(*held));
			keep[n] = gate[0];
			keep_only(keep, n + 1);
			/* a second Ctrl-C or a closed terminal must not hand the
			 * wait back to the parent */
			signal(SIGINT, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
			prctl(PR_SET_NAME, "mnttrace-rel");
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			close_all(held, n);	/* the kernel drops the perf events here */
			_exit(0);
		}
		if (pid > 0) {
			close(gate[0]);
			for (int i = 0; i < n; i++)
				close(held[i]);
			close(gate[1]);
			return;
		}
	}
	for (int i = 0; i < n; i++)
		close(held[i]);
}
