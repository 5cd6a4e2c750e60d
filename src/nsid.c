// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "array.h"
#include "nsid.h"

/*
 * Our libc headers predate these (checked against the 6.18 uapi headers):
 * include/uapi/linux/nsfs.h and include/uapi/linux/mount.h.
 *
 * NS_GET_MNTNS_ID came in 6.11 as _IO(0xb7, 5) and was corrected to
 * _IOR(0xb7, 5, __u64) before 6.12; ns_ioctl() matches the whole number,
 * so a kernel answers to one spelling only (6.18 refuses the _IO one).
 */
#define MT_NS_GET_MNTNS_ID	_IOR(0xb7, 0x5, __u64)
#define MT_NS_GET_MNTNS_ID_611	_IO(0xb7, 0x5)

/* 6.12: the mount namespaces next to an nsfs fd's, in id order */
struct mt_mnt_ns_info {
	__u32 size;
	__u32 nr_mounts;
	__u64 mnt_ns_id;
};
#define MT_NS_MNT_GET_INFO	_IOR(0xb7, 10, struct mt_mnt_ns_info)
#define MT_NS_MNT_GET_NEXT	_IOR(0xb7, 11, struct mt_mnt_ns_info)
#define MT_NS_MNT_GET_PREV	_IOR(0xb7, 12, struct mt_mnt_ns_info)

#ifndef __NR_statmount
#define __NR_statmount 457	/* the same number on every architecture, 6.8+ */
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif

#define MT_STATMOUNT_SB_BASIC	0x00000001U
#define MT_STATMOUNT_MNT_BASIC	0x00000002U
#define MT_LSMT_ROOT		0xffffffffffffffffULL	/* list from the namespace's root */
/* listmount flag: the last mounts first (include/uapi/linux/mount.h); 6.18
 * has it, a kernel without it refuses the call with EINVAL */
#define MT_LISTMOUNT_REVERSE	0x01UL
#define MT_MNT_ID_REQ_SIZE_VER1	32	/* with mnt_ns_id, 6.11+ */

struct mt_mnt_id_req {
	__u32 size;
	__u32 spare;
	__u64 mnt_id;
	__u64 param;		/* statmount: the mask; listmount: the last id seen */
	__u64 mnt_ns_id;	/* 6.11+: another namespace than the caller's */
};

/* The leading fields of struct statmount (6.8 layout, unchanged in 6.18). */
struct mt_statmount {
	__u32 size;
	__u32 mnt_opts;
	__u64 mask;
	__u32 sb_dev_major;
	__u32 sb_dev_minor;
	__u64 sb_magic;
	__u32 sb_flags;
	__u32 fs_type;
	__u64 mnt_id;
	__u64 mnt_parent_id;
	__u32 mnt_id_old;
	__u32 mnt_parent_id_old;
	__u64 rest[64];		/* room the kernel may fill; never read */
};

int mt_nsfd_id(int fd, __u64 *id)
{
	*id = 0;
	if (ioctl(fd, MT_NS_GET_MNTNS_ID, id) == 0)
		return 0;
	if (errno == ENOTTY && ioctl(fd, MT_NS_GET_MNTNS_ID_611, id) == 0)
		return 0;
	*id = 0;
	return -errno;
}

int mt_nsfile_id(int dirfd, const char *path, __u32 *ino, __u64 *id)
{
	struct stat st;
	int fd, err = 0;

	*id = 0;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		err = -errno;
	else
		*ino = (__u32)st.st_ino;
	if (!err && mt_nsfd_id(fd, id) == -EINVAL)
		err = -EINVAL;	/* not a mount namespace */
	close(fd);
	return err;
}

static int add_ident(struct mt_ns_ident **v, int nr, int *cap, int fd,
		     const struct mt_mnt_ns_info *info)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (mt_array_grow(v, nr, cap, sizeof(**v), 64))
		return -ENOMEM;
	(*v)[nr] = (struct mt_ns_ident){ .ino = (__u32)st.st_ino, .id = info->mnt_ns_id,
					 .nr_mounts = info->nr_mounts };
	return 0;
}

static int cmp_ident(const void *a, const void *b)
{
	const struct mt_ns_ident *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int mt_mntns_list(struct mt_ns_ident **out)
{
	struct mt_mnt_ns_info info = { .size = sizeof(info) };
	unsigned long dirs[] = { MT_NS_MNT_GET_PREV, MT_NS_MNT_GET_NEXT };
	int self, nr = 0, cap = 0, err;

	*out = NULL;
	self = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	err = ioctl(self, MT_NS_MNT_GET_INFO, &info) ? -errno : 0;
	if (!err)
		err = add_ident(out, nr++, &cap, self, &info);
	/* walk down from our own namespace, then up; each step opens one */
	for (size_t d = 0; !err && d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		int cur = self;

		for (;;) {
			int next = ioctl(cur, dirs[d], &info);

			if (cur != self)
				close(cur);
			if (next < 0) {
				/* ENOENT: the end of the list */
				err = errno == ENOENT ? 0 : -errno;
				break;
			}
			cur = next;
			err = add_ident(out, nr++, &cap, cur, &info);
			if (err) {
				close(cur);
				break;
			}
		}
	}
	close(self);
	if (err) {
		free(*out);
		*out = NULL;
		return err;
	}
	qsort(*out, (size_t)nr, sizeof(**out), cmp_ident);
	return nr;
}

static int cmp_old_id(const void *a, const void *b)
{
	const struct mt_mntent *x = a, *y = b;

	return x->mnt_id < y->mnt_id ? -1 : x->mnt_id > y->mnt_id;
}

/* The entry of @tab with legacy id @old, by binary search over @sorted. */
static struct mt_mntent *by_old_id(struct mt_mntent **sorted, int nr, __u32 old)
{
	int lo = 0, hi = nr;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (sorted[mid]->mnt_id < old)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nr && sorted[lo]->mnt_id == old ? sorted[lo] : NULL;
}

static int cmp_ent_ptr(const void *a, const void *b)
{
	return cmp_old_id(*(struct mt_mntent *const *)a, *(struct mt_mntent *const *)b);
}

/* Is @sm the mount @e of mountinfo: the same id, parent and device? */
static bool same_mount(const struct mt_mntent *e, const struct mt_statmount *sm)
{
	return e->mnt_id == sm->mnt_id_old && e->parent_id == sm->mnt_parent_id_old &&
	       e->major == sm->sb_dev_major && e->minor == sm->sb_dev_minor;
}

static long list_ids(struct mt_mnt_id_req *req, __u64 *ids, size_t nr, unsigned long flags)
{
	return syscall(__NR_listmount, req, ids, nr, flags);
}

static int stat_id(__u64 ns_id, __u64 id, struct mt_statmount *sm)
{
	struct mt_mnt_id_req req = { .size = MT_MNT_ID_REQ_SIZE_VER1, .mnt_id = id,
				     .mnt_ns_id = ns_id,
				     .param = MT_STATMOUNT_SB_BASIC | MT_STATMOUNT_MNT_BASIC };

	return (int)syscall(__NR_statmount, &req, sm, sizeof(*sm), 0);
}

/*
 * Up to @want ids of namespace @ns_id in listmount's order, from the first
 * mount, or (@flags MT_LISTMOUNT_REVERSE) from the last. How many were put
 * in *@out (malloc'ed), or -errno.
 */
static int list_some(__u64 ns_id, unsigned long flags, int want, __u64 **out)
{
	struct mt_mnt_id_req req = { .size = MT_MNT_ID_REQ_SIZE_VER1,
				     .mnt_id = MT_LSMT_ROOT, .mnt_ns_id = ns_id };
	__u64 *ids = NULL;
	int nr = 0, cap = 0;

	while (nr < want) {
		size_t ask;
		long n;

		/* room for 256 more at least */
		if (mt_array_grow(&ids, nr + 255, &cap, sizeof(*ids), 1024)) {
			free(ids);
			return -ENOMEM;
		}
		ask = (size_t)(cap - nr < want - nr ? cap - nr : want - nr);
		n = list_ids(&req, ids + nr, ask, flags);
		if (n < 0) {
			free(ids);
			return -errno;
		}
		nr += (int)n;
		if ((size_t)n < ask)
			break;
		req.param = ids[nr - 1];	/* continue after the last one */
	}
	*out = ids;
	return nr;
}

/*
 * The fast way: the ids of the namespace (listmount), then one statmount
 * per entry, at the index of its mountinfo line (both lists are in
 * unique-id order on 6.8+, checked on 6.18), kept only when it is the
 * same mount. A namespace of 1,000 mounts with 10 overlays costs a few
 * listmount calls and 10 statmounts instead of up to 1,000 (measured on
 * 6.18: the statmounts were a third of a 1,000-namespace snapshot).
 * Only as far as the last entry is listed, or, when the entries are the
 * table's last mounts (a container's overlay is mounted late), only from
 * the end back to the first of them: listing every id of a thousand
 * namespaces of a thousand mounts took a twentieth of the snapshot
 * (6.18). Returns how many entries got an id, or -errno from listmount.
 */
static int ids_by_line(struct mt_mnttab *tab, __u64 ns_id)
{
	__u32 lo = tab->ents[0].line, hi = tab->ents[0].line, total = tab->nr_lines;
	bool rev;
	__u64 *ids = NULL;
	int nr, found = 0;

	for (int i = 1; i < tab->nr; i++) {
		lo = tab->ents[i].line < lo ? tab->ents[i].line : lo;
		hi = tab->ents[i].line > hi ? tab->ents[i].line : hi;
	}
	rev = total > hi && total - lo < hi + 1;
	nr = rev ? list_some(ns_id, MT_LISTMOUNT_REVERSE, (int)(total - lo), &ids) : -EINVAL;
	if (nr == -EINVAL) {
		/* forward; also where the kernel does not know the flag */
		rev = false;
		nr = list_some(ns_id, 0, (int)hi + 1, &ids);
	}
	if (nr < 0)
		return nr;
	for (int i = 0; i < tab->nr; i++) {
		struct mt_mntent *e = &tab->ents[i];
		/* from the end: the last line is the first id */
		long at = rev ? (long)total - 1 - e->line : (long)e->line;
		struct mt_statmount sm;

		if (at >= 0 && at < nr && !stat_id(ns_id, ids[at], &sm) && same_mount(e, &sm)) {
			e->mnt_id_unique = sm.mnt_id;
			found++;
		}
	}
	free(ids);
	return found;
}

int mt_mnttab_unique_ids(struct mt_mnttab *tab, __u64 ns_id)
{
	struct mt_mnt_id_req req = { .size = MT_MNT_ID_REQ_SIZE_VER1,
				     .mnt_id = MT_LSMT_ROOT, .mnt_ns_id = ns_id };
	struct mt_mntent **sorted;
	__u64 ids[256];
	int found = 0;

	if (!ns_id)
		return -EINVAL;
	if (!tab->nr)
		return 0;
	found = ids_by_line(tab, ns_id);
	if (found < 0 || found == tab->nr)
		return found;
	/* an entry did not line up (a mount came or went between the two
	 * reads, or mountinfo hid one above the reader's root): map the rest */
	sorted = malloc((size_t)tab->nr * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (int i = 0; i < tab->nr; i++)
		sorted[i] = &tab->ents[i];
	qsort(sorted, (size_t)tab->nr, sizeof(*sorted), cmp_ent_ptr);
	for (;;) {
		long n = list_ids(&req, ids, sizeof(ids) / sizeof(ids[0]), 0);

		if (n < 0) {
			found = found ? found : -errno;
			break;
		}
		for (long i = 0; i < n && found < tab->nr; i++) {
			struct mt_statmount sm;
			struct mt_mntent *e;

			if (stat_id(ns_id, ids[i], &sm))
				continue;	/* unmounted since it was listed */
			e = by_old_id(sorted, tab->nr, sm.mnt_id_old);
			/* the same id, parent and device: the mount mountinfo showed */
			if (!e || !same_mount(e, &sm) || e->mnt_id_unique)
				continue;
			e->mnt_id_unique = sm.mnt_id;
			found++;
		}
		/* done when every entry has its id: an overlay-only table is small */
		if (found == tab->nr || n < (long)(sizeof(ids) / sizeof(ids[0])))
			break;
		req.param = ids[n - 1];	/* continue after the last one */
	}
	free(sorted);
	return found;
}
