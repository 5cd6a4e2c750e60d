// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "nsscan.h"

/*
 * inode -> index into snap->ns, open addressing. Hosts have thousands of
 * processes but far fewer namespaces; the table grows at half full.
 */
struct ns_index {
	__u32 *keys;
	int *vals;
	unsigned int cap;	/* power of two */
	unsigned int nr;
};

static unsigned int hash32(__u32 k)
{
	k ^= k >> 16;
	k *= 0x7feb352dU;
	k ^= k >> 15;
	k *= 0x846ca68bU;
	return k ^ (k >> 16);
}

static int *index_slot(struct ns_index *ix, __u32 key, bool *found)
{
	unsigned int i = hash32(key) & (ix->cap - 1);

	while (ix->keys[i] && ix->keys[i] != key)
		i = (i + 1) & (ix->cap - 1);
	*found = ix->keys[i] == key;
	ix->keys[i] = key;
	return &ix->vals[i];
}

static int index_grow(struct ns_index *ix)
{
	struct ns_index n = { .cap = ix->cap ? ix->cap * 2 : 256 };
	bool found;

	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < ix->cap; i++)
		if (ix->keys[i])
			*index_slot(&n, ix->keys[i], &found) = ix->vals[i];
	n.nr = ix->nr;
	free(ix->keys);
	free(ix->vals);
	*ix = n;
	return 0;
}

static void index_free(struct ns_index *ix)
{
	free(ix->keys);
	free(ix->vals);
}

static bool wanted(const struct mt_snap_opts *o, __u32 ino)
{
	if (!o->only_ns)
		return true;
	for (int i = 0; i < o->nr_only; i++)
		if (o->only_ns[i] == ino)
			return true;
	return false;
}

/* The namespace entry for @ino, made on first sight. */
static struct mt_snap_ns *get_ns(struct mt_snapshot *snap, struct ns_index *ix,
				 __u32 ino)
{
	bool found;
	int *slot;

	/* room first, so that a failure leaves the index consistent */
	if (ix->nr * 2 >= ix->cap && index_grow(ix))
		return NULL;
	if (mt_array_grow(&snap->ns, snap->nr_ns, &snap->cap_ns, sizeof(*snap->ns), 16))
		return NULL;
	slot = index_slot(ix, ino, &found);
	if (found)
		return &snap->ns[*slot];
	ix->nr++;
	*slot = snap->nr_ns;
	memset(&snap->ns[snap->nr_ns], 0, sizeof(snap->ns[0]));
	snap->ns[snap->nr_ns].ino = ino;
	return &snap->ns[snap->nr_ns++];
}

static int add_proc(struct mt_snap_ns *ns, const struct mt_snap_proc *p)
{
	if (mt_array_grow(&ns->procs, ns->nr_procs, &ns->cap_procs, sizeof(*p), 4))
		return -ENOMEM;
	ns->procs[ns->nr_procs++] = *p;
	return 0;
}

static int scan_proc(struct mt_snapshot *snap, struct ns_index *ix,
		     const char *root, const struct mt_snap_opts *o, __u32 pid)
{
	struct mt_snap_proc p = { .pid = pid };
	struct mt_snap_ns *ns;
	char cg[PATH_MAX];
	__u32 ino;

	if (mt_proc_mntns(root, pid, &ino))
		return -ESRCH;	/* exited, or a kernel thread we may not read */
	if (!wanted(o, ino))
		return 0;
	if (mt_proc_comm(root, pid, p.comm, sizeof(p.comm)))
		return -ESRCH;
	if (!o->no_cgroup && mt_proc_cgroup(root, pid, cg, sizeof(cg)) == 0) {
		p.cgroup = strdup(cg);
		if (!p.cgroup)
			return -ENOMEM;
		mt_cgroup_ident(cg, &p.ident);
	}
	ns = get_ns(snap, ix, ino);
	if (!ns || add_proc(ns, &p)) {
		free(p.cgroup);
		return -ENOMEM;
	}
	snap->nr_procs++;
	return 0;
}

/* Read @ns's mount table once, through the first of its processes that
 * still exists. */
static void read_mounts(struct mt_snapshot *snap, const char *root,
			const struct mt_snap_opts *o, struct mt_snap_ns *ns)
{
	char path[PATH_MAX];

	ns->mounts_err = -ESRCH;
	for (int i = 0; i < ns->nr_procs; i++) {
		__u32 pid = ns->procs[i].pid;

		snprintf(path, sizeof(path), "%s/%u/mountinfo", root, pid);
		ns->mounts_err = mt_mnttab_read(&ns->mounts, path, o->mnttab_flags);
		if (ns->mounts_err == 0) {
			ns->reader_pid = pid;
			snap->nr_mounts += ns->mounts.nr;
			snap->nr_bad_lines += ns->mounts.nr_bad;
			return;
		}
		if (ns->mounts_err == -ENOMEM)
			return;
	}
}

static int cmp_pid(const void *a, const void *b)
{
	const struct mt_snap_proc *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

struct mt_snapshot *mt_snapshot__new(const char *proc_root,
				     const struct mt_snap_opts *opts)
{
	static const struct mt_snap_opts no_opts;
	const struct mt_snap_opts *o = opts ? opts : &no_opts;
	const char *root = proc_root ? proc_root : "/proc";
	struct ns_index ix = {};
	struct mt_snapshot *snap;
	__u64 start = now_ns();
	struct dirent *d;
	int err = 0;
	DIR *dir;

	snap = calloc(1, sizeof(*snap));
	if (!snap)
		return NULL;
	dir = opendir(root);
	if (!dir) {
		err = -errno;
		goto fail;
	}
	while ((d = readdir(dir)) != NULL) {
		char *end;
		unsigned long pid = strtoul(d->d_name, &end, 10);

		if (*end || end == d->d_name || !pid || pid > 0x7fffffffUL)
			continue;
		err = scan_proc(snap, &ix, root, o, (__u32)pid);
		if (err == -ENOMEM) {
			closedir(dir);
			goto fail;
		}
		if (err)
			snap->nr_errors++;
		err = 0;
	}
	closedir(dir);
	for (int i = 0; i < snap->nr_ns; i++) {
		struct mt_snap_ns *ns = &snap->ns[i];

		/* /proc lists in pid order, a fixture directory may not */
		qsort(ns->procs, (size_t)ns->nr_procs, sizeof(*ns->procs), cmp_pid);
		if (!o->no_mounts)
			read_mounts(snap, root, o, ns);
	}
	index_free(&ix);
	snap->elapsed_ns = now_ns() - start;
	return snap;
fail:
	index_free(&ix);
	mt_snapshot__free(snap);
	errno = -err;
	return NULL;
}

void mt_snapshot__free(struct mt_snapshot *snap)
{
	if (!snap)
		return;
	for (int i = 0; i < snap->nr_ns; i++) {
		struct mt_snap_ns *ns = &snap->ns[i];

		for (int j = 0; j < ns->nr_procs; j++)
			free(ns->procs[j].cgroup);
		free(ns->procs);
		mt_mnttab_free(&ns->mounts);
	}
	free(snap->ns);
	free(snap);
}

struct mt_snap_ns *mt_snapshot__find(const struct mt_snapshot *snap, __u32 ino)
{
	for (int i = 0; snap && i < snap->nr_ns; i++)
		if (snap->ns[i].ino == ino)
			return &snap->ns[i];
	return NULL;
}
