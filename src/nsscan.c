// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
static void read_mounts(const char *root, unsigned int flags, struct mt_snap_ns *ns)
{
	char path[PATH_MAX];

	ns->mounts_err = -ESRCH;
	for (int i = 0; i < ns->nr_procs; i++) {
		__u32 pid = ns->procs[i].pid;

		snprintf(path, sizeof(path), "%s/%u/mountinfo", root, pid);
		ns->mounts_err = mt_mnttab_read(&ns->mounts, path, flags);
		if (ns->mounts_err == 0) {
			ns->reader_pid = pid;
			return;
		}
		if (ns->mounts_err == -ENOMEM)
			return;
	}
}

/*
 * The kernel's work of printing mountinfo dominates on hosts with many
 * mounts (about 1.3 us a line on 6.18), so namespaces are read by a few
 * threads at once. Each thread takes every nth namespace and writes only
 * into those.
 */
struct reader {
	pthread_t thread;
	struct mt_snapshot *snap;
	const char *root;
	unsigned int flags;
	int first, step;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	for (int i = r->first; i < r->snap->nr_ns; i += r->step)
		read_mounts(r->root, r->flags, &r->snap->ns[i]);
	return NULL;
}

static void read_all_mounts(struct mt_snapshot *snap, const char *root,
			    const struct mt_snap_opts *o)
{
	struct reader rd[MT_SNAP_MAX_THREADS];
	int nr = o->threads;

	if (nr <= 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		nr = cpus > 0 ? (int)cpus : 1;
	}
	if (nr > MT_SNAP_MAX_THREADS)
		nr = MT_SNAP_MAX_THREADS;
	if (snap->nr_ns < 16)
		nr = 1;
	for (int t = 0; t < nr; t++) {
		rd[t] = (struct reader){ .snap = snap, .root = root, .flags = o->mnttab_flags,
					 .first = t, .step = nr };
		/* thread 0 is this one; a thread that cannot start is done here */
		if (t && pthread_create(&rd[t].thread, NULL, reader_main, &rd[t]))
			rd[t].step = 0;
	}
	reader_main(&rd[0]);
	for (int t = 1; t < nr; t++) {
		if (rd[t].step)
			pthread_join(rd[t].thread, NULL);
		else
			for (int i = t; i < snap->nr_ns; i += nr)
				read_mounts(root, o->mnttab_flags, &snap->ns[i]);
	}
	for (int i = 0; i < snap->nr_ns; i++) {
		snap->nr_mounts += snap->ns[i].mounts.nr;
		snap->nr_bad_lines += snap->ns[i].mounts.nr_bad;
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
	}
	if (!o->no_mounts)
		read_all_mounts(snap, root, o);
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
