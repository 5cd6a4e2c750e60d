// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "array.h"
#include "paths.h"
#include "procinfo.h"

static bool is_hex_id(const char *s, size_t n)
{
	if (n < 12 || n >= MT_CTR_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static const struct {
	const char *prefix;
	const char *runtime;
} scope_kinds[] = {
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "crio" },
	{ "libpod-", "podman" },
};

/* "<prefix><hex>.scope" -> container id. The conmon scopes do not match:
 * "conmon-<hex>" is not hex. */
static bool scope_container(const char *c, size_t n, struct mt_cg_ident *out)
{
	if (!ends_with(c, n, ".scope"))
		return false;
	for (size_t i = 0; i < sizeof(scope_kinds) / sizeof(scope_kinds[0]); i++) {
		size_t p = strlen(scope_kinds[i].prefix);
		size_t idlen = n - strlen(".scope");

		if (idlen <= p || strncmp(c, scope_kinds[i].prefix, p) != 0)
			continue;
		if (!is_hex_id(c + p, idlen - p))
			continue;
		memcpy(out->container_id, c + p, idlen - p);
		out->container_id[idlen - p] = '\0';
		out->runtime = scope_kinds[i].runtime;
		return true;
	}
	return false;
}

bool mt_cgroup_ident(const char *cgroup, struct mt_cg_ident *out)
{
	const char *c = cgroup, *prev = NULL;
	size_t prev_len = 0;

	memset(out, 0, sizeof(*out));
	if (!cgroup)
		return false;
	while (*c) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if (!n)
			break;
		if ((ends_with(c, n, ".service") || ends_with(c, n, ".scope")) &&
		    n < MT_UNIT_LEN) {
			memcpy(out->unit, c, n);
			out->unit[n] = '\0';
		}
		if (!scope_container(c, n, out) && n == 64 && is_hex_id(c, n)) {
			/* cgroupfs driver: /docker/<id>, /kubepods/.../<id> */
			memcpy(out->container_id, c, n);
			out->container_id[n] = '\0';
			out->runtime = prev && prev_len == 6 &&
				       strncmp(prev, "docker", 6) == 0 ? "docker" : NULL;
		}
		prev = c;
		prev_len = n;
		c += n;
	}
	return out->unit[0] || out->container_id[0];
}

static int read_small(const char *proc_root, __u32 pid, const char *name,
		      char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%u/%s", proc_root, pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	return (int)n;
}

bool mt_mntns_name_ino(const char *name, __u32 *ino)
{
	unsigned long v;
	char *end;

	if (strncmp(name, "mnt:[", 5) != 0)
		return false;
	v = strtoul(name + 5, &end, 10);
	if (end[0] != ']' || end[1] || !v || v > 0xffffffffUL)
		return false;
	*ino = (__u32)v;
	return true;
}

int mt_proc_mntns_at(int dirfd, const char *path, __u32 *ino)
{
	char link[64];
	struct stat st;
	ssize_t n;

	n = readlinkat(dirfd, path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		if (mt_mntns_name_ino(link, ino))
			return 0;
	}
	if (fstatat(dirfd, path, &st, 0))
		return -errno;
	*ino = (__u32)st.st_ino;
	return 0;
}

int mt_proc_mntns(const char *proc_root, __u32 pid, __u32 *ino)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%u/ns/mnt", proc_root, pid);
	return mt_proc_mntns_at(AT_FDCWD, path, ino);
}

int mt_proc_comm(const char *proc_root, __u32 pid, char *buf, size_t size)
{
	int n = read_small(proc_root, pid, "comm", buf, size);

	if (n < 0)
		return n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int mt_proc_cgroup(const char *proc_root, __u32 pid, char *buf, size_t size)
{
	char raw[4096], *line, *p, *pick = NULL;
	int n = read_small(proc_root, pid, "cgroup", raw, sizeof(raw));
	int rank = 0;

	if (n < 0)
		return n;
	/* lines are "hierarchy-id:controllers:path" */
	for (p = raw; (line = strsep(&p, "\n")) != NULL;) {
		char *ctrl = strchr(line, ':'), *path;
		int r;

		if (!ctrl || !(path = strchr(ctrl + 1, ':')))
			continue;
		path++;
		if (strncmp(line, "0::", 3) == 0)
			r = 3;
		else if (strncmp(ctrl + 1, "name=systemd:", 13) == 0)
			r = 2;
		else
			r = 1;
		if (r > rank) {
			rank = r;
			pick = path;
		}
	}
	if (!pick)
		return -ENOENT;
	mt_strscpy(buf, pick, size);
	return 0;
}

/* Field @field (1-based, as in proc(5)) of /proc/PID/stat, as a number. */
static int stat_field(const char *proc_root, __u32 pid, int field,
		      unsigned long long *v)
{
	char buf[1024], *p;
	int n = read_small(proc_root, pid, "stat", buf, sizeof(buf));

	if (n < 0)
		return n;
	/* comm may hold spaces and parentheses: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	/* p is at the end of field 2; each space starts the next field */
	for (int f = 3; f <= field; f++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	return sscanf(p + 1, "%llu", v) == 1 ? 0 : -EINVAL;
}

int mt_proc_start_ns(const char *proc_root, __u32 pid, __u64 *ns)
{
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long ticks;
	int err;

	if (hz <= 0)
		return -EINVAL;
	err = stat_field(proc_root, pid, 22, &ticks);	/* starttime */
	if (err)
		return err;
	*ns = ticks * (1000000000ULL / (unsigned long long)hz);
	return 0;
}

int mt_proc_ppid(const char *proc_root, __u32 pid, __u32 *ppid)
{
	unsigned long long v;
	int err = stat_field(proc_root, pid, 4, &v);	/* ppid */

	*ppid = err ? 0 : (__u32)v;
	return err;
}

bool mt_proc_is_kthread(const char *proc_root, __u32 pid)
{
	unsigned long long flags;

	/* PF_KTHREAD, include/linux/sched.h (the same value since 2.6.26) */
	return stat_field(proc_root, pid, 9, &flags) == 0 && (flags & 0x00200000);
}

void mt_proc_cmdline(const char *proc_root, __u32 pid, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%u/cmdline", proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
}

/* Append link @rel of @pid ("cwd", "root", "fd/3") to @links: 0, or
 * -ENOMEM. A link that cannot be read (gone meanwhile) is left out. */
static int add_link(const char *proc_root, __u32 pid, const char *rel, const char *what,
		    int fd, struct mt_proc_link **links, int *nr, int *cap)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct mt_proc_link *l;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/%s", proc_root, pid, rel);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	if (mt_array_grow(links, *nr, cap, sizeof(**links), 8))
		return -ENOMEM;
	l = &(*links)[*nr];
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	mt_strscpy(l->what, what, sizeof(l->what));
	l->target = strdup(target);
	if (!l->target)
		return -ENOMEM;
	(*nr)++;
	return 0;
}

int mt_proc_links(const char *proc_root, __u32 pid, struct mt_proc_link **out)
{
	struct mt_proc_link *links = NULL;
	char path[PATH_MAX];
	struct dirent *d;
	int nr = 0, cap = 0, err;
	DIR *fds;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/%u/fd", proc_root, pid);
	fds = opendir(path);
	if (!fds)
		return -errno;
	err = add_link(proc_root, pid, "cwd", "cwd", -1, &links, &nr, &cap);
	if (!err)
		err = add_link(proc_root, pid, "root", "root", -1, &links, &nr, &cap);
	while (!err && (d = readdir(fds)) != NULL) {
		char rel[64], what[16];
		char *end;
		long fd = strtol(d->d_name, &end, 10);

		if (*end || end == d->d_name || fd < 0 || fd > INT_MAX)
			continue;
		snprintf(rel, sizeof(rel), "fd/%ld", fd);
		snprintf(what, sizeof(what), "fd %ld", fd);
		err = add_link(proc_root, pid, rel, what, (int)fd, &links, &nr, &cap);
	}
	closedir(fds);
	if (err) {
		mt_proc_links_free(links, nr);
		return err;
	}
	*out = links;
	return nr;
}

void mt_proc_links_free(struct mt_proc_link *links, int nr)
{
	for (int i = 0; links && i < nr; i++)
		free(links[i].target);
	free(links);
}

/* Is link @l on the superblock @dev? Its stat is taken once. */
static bool link_on_dev(const char *proc_root, __u32 pid, struct mt_proc_link *l, __u32 dev)
{
	char path[PATH_MAX];
	struct stat st;

	if (!l->stat_done) {
		if (l->fd >= 0)
			snprintf(path, sizeof(path), "%s/%u/fd/%d", proc_root, pid, l->fd);
		else
			snprintf(path, sizeof(path), "%s/%u/%s", proc_root, pid, l->what);
		l->stat_done = true;
		l->stat_ok = stat(path, &st) == 0;
		l->dev = l->stat_ok ? st.st_dev : 0;
	}
	return l->stat_ok && l->dev == makedev(dev >> 20, dev & 0xfffff);
}

int mt_proc_links_match(const char *proc_root, __u32 pid, struct mt_proc_link *links, int nr,
			const char *dir, __u32 dev, struct mt_use *uses, int max)
{
	int found = 0;

	for (int i = 0; i < nr; i++) {
		struct mt_proc_link *l = &links[i];

		/*
		 * By path (files deleted since they were opened end in " (deleted)"),
		 * or by the superblock the link leads to: a cwd in a copy that a lazy
		 * umount detached since reads as "/", yet is still on the overlay
		 * (checked on 6.18).
		 */
		if (!mt_path_under(l->target, dir) &&
		    !(dev && link_on_dev(proc_root, pid, l, dev)))
			continue;
		if (found < max) {
			struct mt_use *u = &uses[found];

			u->pid = pid;
			u->fd = l->fd;
			mt_strscpy(u->what, l->what, sizeof(u->what));
			mt_strscpy(u->path, l->target, sizeof(u->path));
		}
		found++;
	}
	return found;
}

int mt_proc_uses(const char *proc_root, __u32 pid, const char *dir, __u32 dev,
		 struct mt_use *uses, int max)
{
	struct mt_proc_link *links;
	int nr = mt_proc_links(proc_root, pid, &links), found;

	if (nr < 0)
		return nr;
	found = mt_proc_links_match(proc_root, pid, links, nr, dir, dev, uses, max);
	mt_proc_links_free(links, nr);
	return found;
}
