// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* O_PATH */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "nsid.h"
#include "nsscan.h"

/*
 * (inode, id) -> index into snap->ns, open addressing. Hosts have
 * thousands of processes but far fewer namespaces; the table grows at
 * half full. Inode 0 marks a free slot (no namespace has inode 0).
 */
struct ns_key {
	__u32 ino;
	__u64 id;
};

struct ns_index {
	struct ns_key *keys;
	int *vals;
	unsigned int cap;	/* power of two */
	unsigned int nr;
};

static unsigned int hash_key(struct ns_key k)
{
	__u64 v = k.id * 0x9e3779b97f4a7c15ULL ^ k.ino;

	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (unsigned int)v;
}

static int *index_slot(struct ns_index *ix, struct ns_key key, bool *found)
{
	unsigned int i = hash_key(key) & (ix->cap - 1);

	while (ix->keys[i].ino &&
	       (ix->keys[i].ino != key.ino || ix->keys[i].id != key.id))
		i = (i + 1) & (ix->cap - 1);
	*found = ix->keys[i].ino != 0;
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
		if (ix->keys[i].ino)
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

/* The namespace entry for (@ino, @id), made on first sight. */
static struct mt_snap_ns *get_ns(struct mt_snapshot *snap, struct ns_index *ix,
				 __u32 ino, __u64 id)
{
	bool found;
	int *slot;

	/* room first, so that a failure leaves the index consistent */
	if (ix->nr * 2 >= ix->cap && index_grow(ix))
		return NULL;
	if (mt_array_grow(&snap->ns, snap->nr_ns, &snap->cap_ns, sizeof(*snap->ns), 16))
		return NULL;
	slot = index_slot(ix, (struct ns_key){ ino, id }, &found);
	if (found)
		return &snap->ns[*slot];
	ix->nr++;
	*slot = snap->nr_ns;
	memset(&snap->ns[snap->nr_ns], 0, sizeof(snap->ns[0]));
	snap->ns[snap->nr_ns].ino = ino;
	snap->ns[snap->nr_ns].id = id;
	snap->ns[snap->nr_ns].mounts_err = -ENODATA;	/* not read yet */
	return &snap->ns[snap->nr_ns++];
}

/*
 * A process's namespace: inode and id through an open ns/mnt where the
 * kernel has the id ioctl (6.11+), else the inode from the link's text
 * (a fixture tree has only that). *@ids goes false for good once the
 * kernel (or the tree) shows it has no ids, so that 6.1 pays one
 * readlink per process, not an open too.
 */
static int proc_ns(int dirfd, const char *path, bool *ids, __u32 *ino, __u64 *id)
{
	int err = 0;

	*id = 0;
	if (*ids) {
		err = mt_nsfile_id(dirfd, path, ino, id);
		if (!err && !*id)
			*ids = false;	/* no id ioctl: the inode is all there is */
		if (err != -ENOENT)
			return err;
	}
	err = mt_proc_mntns_at(dirfd, path, ino);
	if (!err && *ids)
		*ids = false;	/* a link that opens nothing: a fixture tree */
	return err;
}

static int open_pid_dir(const char *root, __u32 pid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int add_proc(struct mt_snap_ns *ns, const struct mt_snap_proc *p)
{
	if (mt_array_grow(&ns->procs, ns->nr_procs, &ns->cap_procs, sizeof(*p), 4))
		return -ENOMEM;
	ns->procs[ns->nr_procs++] = *p;
	return 0;
}

static int scan_proc(struct mt_snapshot *snap, struct ns_index *ix, const char *root,
		     int rootfd, const struct mt_snap_opts *o, __u32 pid, bool *ids)
{
	struct mt_snap_proc p = { .pid = pid };
	struct mt_snap_ns *ns;
	char cg[PATH_MAX], nspath[32];
	__u32 ino = 0;
	__u64 id;

	snprintf(nspath, sizeof(nspath), "%u/ns/mnt", pid);
	/* a rescan wants a few namespaces: one readlink rules the rest out */
	if (o->only_ns && mt_proc_mntns_at(rootfd, nspath, &ino))
		return -ESRCH;
	if (o->only_ns && !wanted(o, ino))
		return 0;
	if (proc_ns(rootfd, nspath, ids, &ino, &id))
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
	ns = get_ns(snap, ix, ino, id);
	if (!ns || add_proc(ns, &p)) {
		free(p.cgroup);
		return -ENOMEM;
	}
	snap->nr_procs++;
	return 0;
}

/* Is the process behind @piddir (still) in @ns? */
static bool still_in(int piddir, const struct mt_snap_ns *ns)
{
	bool ids = ns->id != 0;
	__u32 ino = 0;
	__u64 id;

	if (proc_ns(piddir, "ns/mnt", &ids, &ino, &id))
		return false;	/* gone */
	return ino == ns->ino && (!ns->id || id == ns->id);
}

/*
 * Read @ns's mount table once, through the first of its processes that is
 * still in it. /proc/PID/mountinfo shows the namespace the task is in when
 * the file is opened, so the namespace is checked before and after the
 * open, on the same /proc/PID directory (a pid reused meanwhile gives a
 * directory that fails the check or refuses the open). Returns how many
 * processes had moved or died.
 */
static int read_mounts(const char *root, unsigned int flags, struct mt_snap_ns *ns)
{
	int moved = 0;

	ns->mounts_err = -ESRCH;
	for (int i = 0; i < ns->nr_procs; i++) {
		__u32 pid = ns->procs[i].pid;
		int piddir = open_pid_dir(root, pid), fd = -1;
		bool ok = piddir >= 0 && still_in(piddir, ns);

		if (ok) {
			fd = openat(piddir, "mountinfo", O_RDONLY | O_CLOEXEC);
			ok = fd >= 0 && still_in(piddir, ns);
		}
		if (piddir >= 0)
			close(piddir);
		if (!ok) {
			if (fd >= 0)
				close(fd);
			moved++;
			continue;
		}
		ns->mounts_err = mt_mnttab_read_fd(&ns->mounts, fd, flags);
		close(fd);
		if (ns->mounts_err == 0) {
			ns->reader_pid = pid;
			if (ns->id)
				mt_mnttab_unique_ids(&ns->mounts, ns->id);
			return moved;
		}
		if (ns->mounts_err == -ENOMEM)
			return moved;
	}
	return moved;
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
		__atomic_fetch_add(&r->snap->nr_moved,
				   read_mounts(r->root, r->flags, &r->snap->ns[i]),
				   __ATOMIC_RELAXED);
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
				snap->nr_moved += read_mounts(root, o->mnttab_flags,
							      &snap->ns[i]);
	}
}

static void count_mounts(struct mt_snapshot *snap)
{
	snap->nr_mounts = snap->nr_bad_lines = snap->nr_unique_ids = 0;
	for (int i = 0; i < snap->nr_ns; i++) {
		const struct mt_mnttab *t = &snap->ns[i].mounts;

		snap->nr_mounts += t->nr;
		snap->nr_bad_lines += t->nr_bad;
		for (int j = 0; j < t->nr; j++)
			snap->nr_unique_ids += t->ents[j].mnt_id_unique != 0;
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

static bool live_proc(const char *root)
{
	return strcmp(root, "/proc") == 0;
}

/* The entry a keeper's namespace goes to: by (inode, id), or by inode
 * alone when the keeper's id is unknown. */
static struct mt_snap_ns *keeper_ns(struct mt_snapshot *snap, struct ns_index *ix,
				    const struct mt_ns_keeper *k)
{
	struct mt_snap_ns *ns = k->ns_id ? NULL : mt_snapshot__find(snap, k->ns_ino);

	return ns ? ns : get_ns(snap, ix, k->ns_ino, k->ns_id);
}

/* Where @pin of @in can be opened from here: below its reader's root. */
static void pin_path(const char *root, const struct mt_snap_ns *in,
		     const struct mt_ns_pin *pin, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%u/root%s", root, in->reader_pid, pin->mountpoint);
}

static int add_pins(struct mt_snapshot *snap, struct ns_index *ix, const char *root, int i)
{
	for (int p = 0; p < snap->ns[i].mounts.nr_pins; p++) {
		const struct mt_snap_ns *in = &snap->ns[i];
		const struct mt_ns_pin *pin = &in->mounts.pins[p];
		struct mt_ns_keeper k = { .kind = MT_KEEPER_NSFS_MOUNT, .ns_ino = pin->ns_ino,
					  .path = pin->mountpoint, .mount_ns = in->ino,
					  .mount_ns_id = in->id, .mnt_id = pin->mnt_id, .fd = -1 };
		struct mt_snap_ns *target;
		char path[PATH_MAX];
		__u32 ino = 0;

		/* the id, when the pin can be opened and is not covered */
		if (in->reader_pid) {
			pin_path(root, in, pin, path, sizeof(path));
			if (mt_nsfile_id(AT_FDCWD, path, &ino, &k.ns_id) || ino != pin->ns_ino)
				k.ns_id = 0;
		}
		target = keeper_ns(snap, ix, &k);	/* may move snap->ns */
		if (!target || mt_keepers_add(&target->kept_by, &k))
			return -ENOMEM;
	}
	return 0;
}

/* An fd on a namespace that no process is in, through one of its keepers. */
static int open_kept(const char *root, const struct mt_snapshot *snap,
		     const struct mt_snap_ns *ns)
{
	for (int i = 0; i < ns->kept_by.nr; i++) {
		const struct mt_ns_keeper *k = &ns->kept_by.v[i];
		const struct mt_snap_ns *in;
		char path[PATH_MAX];
		struct stat st;
		int fd;

		if (k->kind == MT_KEEPER_FD) {
			snprintf(path, sizeof(path), "%s/%u/fd/%d", root, k->pid, k->fd);
		} else {
			in = mt_snapshot__find_id(snap, k->mount_ns, k->mount_ns_id);
			if (!in || !in->reader_pid)
				continue;	/* a pin inside an entered namespace */
			snprintf(path, sizeof(path), "%s/%u/root%s", root, in->reader_pid, k->path);
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && (__u32)st.st_ino == ns->ino) {
			__u64 id;

			if (!ns->id || (mt_nsfd_id(fd, &id) == 0 && id == ns->id))
				return fd;
		}
		close(fd);
	}
	return -ESRCH;
}

static int add_fd_keepers(struct mt_snapshot *snap, struct ns_index *ix, const char *root)
{
	struct mt_ns_keepers fds = {};
	int err = mt_keepers_scan_fds(root, &fds);

	for (int i = 0; err >= 0 && i < fds.nr; i++) {
		struct mt_snap_ns *target = keeper_ns(snap, ix, &fds.v[i]);

		err = target ? mt_keepers_add(&target->kept_by, &fds.v[i]) : -ENOMEM;
	}
	mt_keepers_free(&fds);
	snap->fd_scanned = err >= 0;
	return err == -ENOMEM ? err : 0;
}

/*
 * Does any namespace need the fd scan to be explained? The kernel lists
 * every mount namespace (6.12+): those it lists that no process and no
 * pin accounts for are added, and only they make the scan worth its cost
 * (about one readlink per open fd on the host). Where the kernel cannot
 * list them (before 6.12, or a fixture tree), the scan always runs.
 */
static int unexplained(struct mt_snapshot *snap, struct ns_index *ix, const char *root)
{
	struct mt_ns_ident *all;
	int nr, need = 0;

	if (!live_proc(root) || (nr = mt_mntns_list(&all)) < 0)
		return 1;
	for (int i = 0; i < nr; i++) {
		struct mt_snap_ns *ns = mt_snapshot__find_id(snap, all[i].ino, all[i].id);

		if (!ns && !(ns = get_ns(snap, ix, all[i].ino, all[i].id))) {
			need = -ENOMEM;
			break;
		}
		if (!ns->nr_procs && !ns->kept_by.nr)
			need = 1;
	}
	free(all);
	return need;
}

/* Mounts and pins of namespaces that no process is in, through a keeper. */
static int read_kept(struct mt_snapshot *snap, struct ns_index *ix, const char *root,
		     const struct mt_snap_opts *o)
{
	for (int i = 0; i < snap->nr_ns; i++) {
		struct mt_snap_ns *ns = &snap->ns[i];
		int fd;

		if (ns->nr_procs || ns->mounts_err != -ENODATA)
			continue;
		fd = live_proc(root) ? open_kept(root, snap, ns) : -ESRCH;
		ns->mounts_err = fd < 0 ? fd : mt_ns_read_mounts(fd, &ns->mounts, o->mnttab_flags);
		if (fd >= 0)
			close(fd);
		if (!ns->mounts_err && ns->id)
			mt_mnttab_unique_ids(&ns->mounts, ns->id);
		if (!ns->mounts_err && add_pins(snap, ix, root, i))
			return -ENOMEM;	/* may add namespaces: the loop reaches them */
	}
	return 0;
}

/*
 * Keepers of every namespace: nsfs pins in each mount table read, then
 * open namespace fds (always, or only when the kernel shows a namespace
 * nothing else explains: opts->fd_keepers). Namespaces found only this way
 * are added, and on a live /proc their mounts are read by entering them,
 * which may show pins of yet more namespaces.
 */
static int find_keepers(struct mt_snapshot *snap, struct ns_index *ix, const char *root,
			const struct mt_snap_opts *o)
{
	__u64 start = now_ns();
	int nr = snap->nr_ns, err = 0, need;

	for (int i = 0; !o->no_mounts && i < nr; i++)
		if (snap->ns[i].nr_procs && add_pins(snap, ix, root, i))
			return -ENOMEM;
	if (o->fd_keepers == MT_FD_KEEPERS_ALWAYS)
		need = 1;
	else if (o->fd_keepers == MT_FD_KEEPERS_NEVER)
		need = 0;
	else
		need = unexplained(snap, ix, root);
	if (need < 0)
		return need;
	if (need)
		err = add_fd_keepers(snap, ix, root);
	if (!err && !o->no_mounts)
		err = read_kept(snap, ix, root, o);
	snap->keepers_ns = now_ns() - start;
	return err;
}

static int snapshot_mounts(struct mt_snapshot *snap, struct ns_index *ix, const char *root,
			   const struct mt_snap_opts *o)
{
	int err = 0;

	if (!o->no_mounts)
		read_all_mounts(snap, root, o);
	if (!o->only_ns && !o->no_keepers)
		err = find_keepers(snap, ix, root, o);
	count_mounts(snap);
	return err;
}

static int index_of(struct mt_snapshot *snap, struct ns_index *ix)
{
	for (int i = 0; i < snap->nr_ns; i++) {
		bool found;

		if (ix->nr * 2 >= ix->cap && index_grow(ix))
			return -ENOMEM;
		*index_slot(ix, (struct ns_key){ snap->ns[i].ino, snap->ns[i].id }, &found) = i;
		ix->nr += !found;
	}
	return 0;
}

int mt_snapshot__read_mounts(struct mt_snapshot *snap, const char *proc_root,
			     const struct mt_snap_opts *opts)
{
	static const struct mt_snap_opts no_opts;
	const struct mt_snap_opts *o = opts ? opts : &no_opts;
	struct mt_snap_opts mo = *o;
	struct ns_index ix = {};
	__u64 start = now_ns();
	int err;

	mo.no_mounts = false;
	err = index_of(snap, &ix);
	if (!err)
		err = snapshot_mounts(snap, &ix, proc_root ? proc_root : "/proc", &mo);
	index_free(&ix);
	snap->elapsed_ns += now_ns() - start;
	return err;
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
	bool ids = true;
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
		err = scan_proc(snap, &ix, root, dirfd(dir), o, (__u32)pid, &ids);
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
	err = snapshot_mounts(snap, &ix, root, o);
	if (err)
		goto fail;
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
		mt_keepers_free(&ns->kept_by);
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

struct mt_snap_ns *mt_snapshot__find_id(const struct mt_snapshot *snap, __u32 ino, __u64 id)
{
	for (int i = 0; snap && i < snap->nr_ns; i++)
		if (snap->ns[i].ino == ino && (!id || !snap->ns[i].id || snap->ns[i].id == id))
			return &snap->ns[i];
	return NULL;
}
