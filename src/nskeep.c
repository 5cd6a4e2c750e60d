// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "array.h"
#include "nsid.h"
#include "nskeep.h"
#include "nsscan.h"
#include "procinfo.h"

int mt_keepers_add(struct mt_ns_keepers *ks, const struct mt_ns_keeper *k)
{
	struct mt_ns_keeper c = *k;

	if (k->path && !(c.path = strdup(k->path)))
		return -ENOMEM;
	if (mt_array_grow(&ks->v, ks->nr, &ks->cap, sizeof(c), 2)) {
		free(c.path);
		return -ENOMEM;
	}
	ks->v[ks->nr++] = c;
	return 0;
}

void mt_keepers_free(struct mt_ns_keepers *ks)
{
	for (int i = 0; i < ks->nr; i++)
		free(ks->v[i].path);
	free(ks->v);
	memset(ks, 0, sizeof(*ks));
}

static bool parse_number(const char *s, unsigned long *v)
{
	char *end;

	*v = strtoul(s, &end, 10);
	return end != s && !*end && *v <= 0x7fffffffUL;
}

struct dirent64_raw {
	__u64 d_ino;
	__s64 d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * The mount-namespace fds of one process. This runs for every process of
 * the host, so it keeps to one open, two getdents64 and one readlinkat per
 * fd (no DIR stream: fdopendir costs an fcntl and an fstat more).
 */
static int scan_fd_dir(const char *proc_root, int rootfd, __u32 pid,
		       struct mt_ns_keepers *out)
{
	struct mt_ns_keeper k = { .kind = MT_KEEPER_FD, .pid = pid };
	char rel[32], buf[8192];
	bool have_comm = false;
	int fdd, err = 0;
	long n;

	snprintf(rel, sizeof(rel), "%u/fd", pid);
	fdd = openat(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0)
		return 0;	/* exited, or not ours to read */
	while (!err && (n = syscall(SYS_getdents64, fdd, buf, sizeof(buf))) > 0) {
		for (long off = 0; !err && off < n;) {
			struct dirent64_raw *d = (void *)(buf + off);
			unsigned long fd;
			char link[64];
			ssize_t len;

			off += d->d_reclen;
			if (!parse_number(d->d_name, &fd))
				continue;
			len = readlinkat(fdd, d->d_name, link, sizeof(link) - 1);
			if (len <= 0)
				continue;
			link[len] = '\0';
			if (!mt_mntns_name_ino(link, &k.ns_ino))
				continue;
			k.fd = (int)fd;
			/* the link opens the very namespace the fd holds */
			if (mt_nsfile_id(fdd, d->d_name, &(__u32){ 0 }, &k.ns_id))
				k.ns_id = 0;
			if (!have_comm) {
				mt_proc_comm(proc_root, pid, k.comm, sizeof(k.comm));
				have_comm = true;
			}
			err = mt_keepers_add(out, &k);
		}
	}
	close(fdd);
	return err;
}

int mt_keepers_scan_fds(const char *proc_root, struct mt_ns_keepers *out)
{
	const char *root = proc_root ? proc_root : "/proc";
	int rootfd, nr = 0, err = 0;
	struct dirent *d;
	DIR *dir;

	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	dir = fdopendir(rootfd);
	if (!dir) {
		err = -errno;
		close(rootfd);
		return err;
	}
	while (!err && (d = readdir(dir)) != NULL) {
		unsigned long pid;

		if (!parse_number(d->d_name, &pid) || !pid)
			continue;
		err = scan_fd_dir(root, rootfd, (__u32)pid, out);
		nr++;
	}
	closedir(dir);
	return err ? err : nr;
}

/* The child's side of mt_ns_read_mounts: only async-signal-safe calls. */
static void __attribute__((noreturn)) read_in_ns(int nsfd, int procfd, int wr)
{
	char buf[16384];
	ssize_t n;
	int fd;

	if (setns(nsfd, CLONE_NEWNS))
		_exit(1);
	/* /proc of the caller's view; "self" is this child, now in that ns */
	fd = openat(procfd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(2);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(wr, buf + off, (size_t)(n - off));

			if (w <= 0)
				_exit(3);
			off += w;
		}
	}
	_exit(n < 0 ? 4 : 0);
}

int mt_ns_read_mounts(int nsfd, struct mt_mnttab *tab, unsigned int flags)
{
	int pipefd[2], procfd, status, err;
	pid_t child;

	memset(tab, 0, sizeof(*tab));
	procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	if (pipe2(pipefd, O_CLOEXEC)) {
		err = -errno;
		close(procfd);
		return err;
	}
	child = fork();
	if (child == 0) {
		close(pipefd[0]);
		read_in_ns(nsfd, procfd, pipefd[1]);
	}
	close(pipefd[1]);
	close(procfd);
	if (child < 0) {
		err = -errno;
		close(pipefd[0]);
		return err;
	}
	err = mt_mnttab_read_fd(tab, pipefd[0], flags);
	close(pipefd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!err && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		/* setns refused (1) or mountinfo unreadable: nothing trustworthy */
		mt_mnttab_free(tab);
		err = WIFEXITED(status) && WEXITSTATUS(status) == 1 ? -EPERM : -EIO;
	}
	return err;
}

/* Is (@ino, @id) among the namespaces the kernel lists? -errno if it
 * cannot list them (before 6.12). */
static int kernel_lists(__u32 ino, __u64 id)
{
	struct mt_ns_ident *all;
	int nr = mt_mntns_list(&all), found = 0;

	if (nr < 0)
		return nr;
	for (int i = 0; i < nr && !found; i++)
		found = all[i].ino == ino && all[i].id == id;
	free(all);
	return found;
}

/* What a snapshot with @o says of (@ino, @id); keepers copied to @out. */
static int state_in(const char *proc_root, const struct mt_snap_opts *o, bool live,
		    __u32 ino, __u64 id, struct mt_ns_keepers *out)
{
	struct mt_snapshot *snap = mt_snapshot__new(proc_root, o);
	struct mt_snap_ns *ns;
	int state = MT_NS_DEAD;

	if (!snap)
		return -errno;
	ns = mt_snapshot__find_id(snap, ino, id);
	if (ns && ns->nr_procs)
		state = MT_NS_ALIVE_PROCS;
	else if (ns && (ns->kept_by.nr || (live && id && kernel_lists(ino, id) == 1)))
		state = MT_NS_ALIVE_KEPT;	/* the kernel has it: kept by what /proc hides */
	for (int i = 0; out && state == MT_NS_ALIVE_KEPT && i < ns->kept_by.nr; i++)
		if (mt_keepers_add(out, &ns->kept_by.v[i])) {
			state = -ENOMEM;
			break;
		}
	mt_snapshot__free(snap);
	return state;
}

int mt_ns_alive(const char *proc_root, __u32 ino, __u64 id, struct mt_ns_keepers *out)
{
	struct mt_snap_opts quick = { .only_ns = &ino, .nr_only = 1, .no_mounts = true,
				      .no_cgroup = true, .no_keepers = true };
	struct mt_snap_opts full = { .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY,
				     .no_cgroup = true };
	bool live = !proc_root || strcmp(proc_root, "/proc") == 0;
	int state;

	/* with an id, the kernel's own list settles death (6.12+) */
	if (live && id && kernel_lists(ino, id) == 0)
		return MT_NS_DEAD;
	/* a process in it settles life cheaply */
	state = state_in(proc_root, &quick, live, ino, id, NULL);
	if (state)
		return state;
	/* no process: look for pins in every namespace, and for fds */
	return state_in(proc_root, &full, live, ino, id, out);
}
