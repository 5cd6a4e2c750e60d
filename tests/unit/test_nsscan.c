// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* statx */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "testlib.h"
#include "nsid.h"
#include "nsscan.h"
#include "procinfo.h"
#include "../fixtures/fixture.h"

#define CTR "4bd3f1e59b0a7c8d2e6f10a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9"

struct cg_case {
	const char *cgroup, *unit, *ctr, *runtime;
};

TEST(cgroup_unit_and_container)
{
	static const struct cg_case cases[] = {
		{ "/system.slice/httpd.service", "httpd.service", "", NULL },
		{ "/init.scope", "init.scope", "", NULL },
		{ "/user.slice/user-1000.slice/session-3.scope", "session-3.scope", "", NULL },
		{ "/system.slice/docker-" CTR ".scope", "docker-" CTR ".scope", CTR, "docker" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice/"
		  "cri-containerd-" CTR ".scope", "cri-containerd-" CTR ".scope", CTR, "containerd" },
		{ "/kubepods.slice/kubepods-pod1.slice/crio-" CTR ".scope", "crio-" CTR ".scope", CTR, "crio" },
		{ "/kubepods.slice/kubepods-pod1.slice/crio-conmon-" CTR ".scope",
		  "crio-conmon-" CTR ".scope", "", NULL },
		{ "/machine.slice/libpod-" CTR ".scope/container", "libpod-" CTR ".scope", CTR, "podman" },
		{ "/machine.slice/libpod-conmon-" CTR ".scope", "libpod-conmon-" CTR ".scope", "", NULL },
		{ "/docker/" CTR, "", CTR, "docker" },
		{ "/kubepods/besteffort/pod1234/" CTR, "", CTR, NULL },
		{ "/system.slice/containerd.service", "containerd.service", "", NULL },
		{ "/system.slice/docker-xyz.scope", "docker-xyz.scope", "", NULL },
		{ "/", "", "", NULL },
		{ "", "", "", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cg_case *c = &cases[i];
		struct mt_cg_ident id;

		mt_cgroup_ident(c->cgroup, &id);
		mt_test_log("case %zu: %s", i, c->cgroup);
		ASSERT_STREQ(id.unit, c->unit, "unit");
		ASSERT_STREQ(id.container_id, c->ctr, "container id");
		if (c->runtime)
			ASSERT_STREQ(id.runtime, c->runtime, "runtime");
		else
			ASSERT_TRUE(id.runtime == NULL, "no runtime");
	}
	ASSERT_FALSE(mt_cgroup_ident(NULL, &(struct mt_cg_ident){}), "NULL cgroup");
}

TEST(proc_reads)
{
	const char *root = fx_path("proc");
	char buf[256];
	__u32 ino = 0;

	ASSERT_OK(mt_proc_mntns(root, 1500, &ino), "ns of 1500");
	ASSERT_EQ(ino, 4026532500u, "ns inode from the link text");
	ASSERT_EQ(mt_proc_mntns(root, 2100, &ino), -ENOENT, "no ns link");
	ASSERT_OK(mt_proc_comm(root, 812, buf, sizeof(buf)), "comm");
	ASSERT_STREQ(buf, "dockerd", "comm without newline");
	ASSERT_OK(mt_proc_cgroup(root, 1500, buf, sizeof(buf)), "cgroup");
	ASSERT_STREQ(buf, "/system.slice/httpd.service", "the 0:: line wins");
}

TEST(proc_start_time)
{
	char *root = fx_tmpdir();
	__u64 ts = 0;

	if (!ASSERT_TRUE(root != NULL, "tmpdir"))
		return;
	/* a comm with spaces and a ')' must not shift the fields */
	fx_write(root, "42/stat", "42 (a) b c) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
		 "%ld 100 10 0\n", 7 * sysconf(_SC_CLK_TCK));
	ASSERT_OK(mt_proc_start_ns(root, 42, &ts), "stat");
	ASSERT_EQ(ts, 7000000000ULL, "starttime in ns");
	fx_write(root, "43/stat", "43 (short) S 1\n");
	ASSERT_ERR(mt_proc_start_ns(root, 43, &ts), "truncated stat");
	ASSERT_OK(mt_proc_start_ns("/proc", (__u32)getpid(), &ts), "own stat");
	fx_rmtree(root);
}

TEST(proc_uses_below_a_mountpoint)
{
	const char *root = fx_path("proc");
	const char *merged = "/home/docker_rt/overlay2/3f2a9c0d1e5b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e/merged";
	struct mt_use uses[4];
	int n;

	n = mt_proc_uses(root, 1501, merged, 0, uses, 4);
	if (!ASSERT_EQ(n, 2, "cwd and fd 7"))
		return;
	ASSERT_STREQ(uses[0].what, "cwd", "first is cwd");
	ASSERT_STREQ(uses[0].path, "/home/docker_rt/overlay2/3f2a9c0d1e5b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e/merged/var/www", "cwd path");
	ASSERT_STREQ(uses[1].what, "fd 7", "then fd 7");
	ASSERT_EQ(uses[1].fd, 7, "fd number");
	ASSERT_EQ(mt_proc_uses(root, 1501, merged, 0, uses, 1), 2, "count beyond max");
	n = mt_proc_uses(root, 2000, merged, 0, uses, 4);
	ASSERT_EQ(n, 1, "root inside");
	ASSERT_STREQ(uses[0].what, "root", "root");
	ASSERT_EQ(mt_proc_uses(root, 1500, merged, 0, uses, 4), 0, "nothing");
	ASSERT_EQ(mt_proc_uses(root, 4242, merged, 0, uses, 4), -ENOENT, "no such pid");
}

/* A cwd in a copy that a lazy umount detached reads as "/", not as the
 * mountpoint: the superblock it leads to still tells. */
TEST(proc_uses_on_a_superblock)
{
	struct mt_use uses[4];
	struct stat st;
	char *root = fx_tmpdir();
	__u32 dev;

	if (!ASSERT_TRUE(root != NULL, "tmpdir"))
		return;
	fx_proc(root, 77, "sh", 4026532500u, "/x.service", NULL);	/* cwd and root -> "/" */
	if (!ASSERT_OK(stat("/", &st), "stat /"))
		goto out;
	dev = (major(st.st_dev) << 20) | minor(st.st_dev);
	ASSERT_EQ(mt_proc_uses(root, 77, "/nowhere/merged", 0, uses, 4), 0, "not by path");
	ASSERT_EQ(mt_proc_uses(root, 77, "/nowhere/merged", dev, uses, 4), 2,
		  "cwd and root on that superblock");
	ASSERT_STREQ(uses[0].what, "cwd", "cwd first");
	ASSERT_EQ(mt_proc_uses(root, 77, "/nowhere/merged", dev + 1, uses, 4), 0,
		  "another superblock");
out:
	fx_rmtree(root);
}

TEST(snapshot_fixture_dedups_namespaces)
{
	struct mt_snapshot *snap = mt_snapshot__new(fx_path("proc"), NULL);
	struct mt_snap_ns *host, *httpd, *ctr;

	if (!ASSERT_TRUE(snap != NULL, "snapshot"))
		return;
	ASSERT_EQ(snap->nr_ns, 3, "three namespaces");
	ASSERT_EQ(snap->nr_procs, 5, "five processes");
	ASSERT_EQ(snap->nr_errors, 1, "pid 2100 without ns link");
	host = mt_snapshot__find(snap, 4026531841u);
	httpd = mt_snapshot__find(snap, 4026532500u);
	ctr = mt_snapshot__find(snap, 4026532600u);
	if (!ASSERT_TRUE(host && httpd && ctr, "namespaces found"))
		goto out;
	ASSERT_EQ(host->nr_procs, 2, "systemd and dockerd share the host ns");
	ASSERT_EQ(host->reader_pid, 1, "read once, via the first pid");
	ASSERT_EQ(host->mounts.nr, 6, "host mounts");
	ASSERT_EQ(httpd->nr_procs, 2, "two httpd");
	ASSERT_EQ(httpd->reader_pid, 1500, "httpd ns read via 1500");
	ASSERT_STREQ(httpd->procs[1].ident.unit, "httpd.service", "unit");
	ASSERT_STREQ(ctr->procs[0].ident.container_id, CTR, "container from cgroup");
	ASSERT_EQ(snap->nr_mounts, 6 + 6 + 1, "all mounts");
out:
	mt_snapshot__free(snap);
}

TEST(snapshot_only_some_namespaces)
{
	__u32 only[] = { 4026532500u };
	struct mt_snap_opts o = { .only_ns = only, .nr_only = 1,
				  .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY };
	struct mt_snapshot *snap = mt_snapshot__new(fx_path("proc"), &o);

	if (!ASSERT_TRUE(snap != NULL, "snapshot"))
		return;
	ASSERT_EQ(snap->nr_ns, 1, "one namespace");
	ASSERT_EQ(snap->ns[0].mounts.nr, 1, "its overlay only");
	ASSERT_EQ(snap->ns[0].mounts.ents[0].mnt_id, 312, "the copy");
	mt_snapshot__free(snap);
	ASSERT_TRUE(mt_snapshot__new("/nonexistent-proc", NULL) == NULL, "bad root");
	ASSERT_EQ(errno, ENOENT, "errno");
}

TEST(snapshot_live_proc)
{
	struct mt_snapshot *snap = mt_snapshot__new(NULL, &(struct mt_snap_opts){
		.mnttab_flags = MT_MNTTAB_OVERLAY_ONLY });
	__u32 self;

	if (!ASSERT_TRUE(snap != NULL, "snapshot of /proc"))
		return;
	if (mt_proc_mntns("/proc", (__u32)getpid(), &self) == 0)
		ASSERT_TRUE(mt_snapshot__find(snap, self) != NULL, "own namespace listed");
	mt_test_log("%d namespaces, %d processes in %llu us", snap->nr_ns,
		    snap->nr_procs, (unsigned long long)snap->elapsed_ns / 1000);
	mt_snapshot__free(snap);
}

TEST(proc_kernel_threads)
{
	char *root = fx_tmpdir();

	if (!ASSERT_TRUE(root != NULL, "tmpdir"))
		return;
	fx_write(root, "2/stat", "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 1\n");
	fx_write(root, "50/stat", "50 (a b) c) S 1 50 50 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 9\n");
	ASSERT_TRUE(mt_proc_is_kthread(root, 2), "kthreadd");
	ASSERT_FALSE(mt_proc_is_kthread(root, 50), "a user process");
	ASSERT_FALSE(mt_proc_is_kthread(root, 51), "no such process");
	ASSERT_FALSE(mt_proc_is_kthread("/proc", (__u32)getpid()), "ourselves");
	fx_rmtree(root);
}

TEST(snapshot_threads_read_the_same)
{
	char *root = fx_tmpdir();
	struct mt_snapshot *one = NULL, *many = NULL;

	if (!ASSERT_TRUE(root != NULL, "tmpdir"))
		return;
	/* 40 namespaces, each with its own number of overlay copies */
	for (unsigned int i = 0; i < 40; i++) {
		char rel[64];

		fx_proc(root, 100 + i, "svc", 4026540000u + i, "/system.slice/x.service", NULL);
		snprintf(rel, sizeof(rel), "%u/mountinfo", 100 + i);
		fx_write(root, rel, "1 0 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n");
		for (unsigned int j = 0; j < i % 5; j++) {
			char line[256];
			FILE *f;

			snprintf(line, sizeof(line), "%s/%s", root, rel);
			f = fopen(line, "a");
			if (!f)
				continue;
			fprintf(f, "%u 1 0:%u / /m%u rw - overlay overlay rw,upperdir=/u%u,workdir=/w%u\n",
				10 + j, 50 + j, j, j, j);
			fclose(f);
		}
	}
	one = mt_snapshot__new(root, &(struct mt_snap_opts){ .threads = 1,
		.mnttab_flags = MT_MNTTAB_OVERLAY_ONLY });
	many = mt_snapshot__new(root, &(struct mt_snap_opts){ .threads = 4,
		.mnttab_flags = MT_MNTTAB_OVERLAY_ONLY });
	if (ASSERT_TRUE(one && many, "snapshots")) {
		ASSERT_EQ(one->nr_ns, 40, "namespaces");
		ASSERT_EQ(one->nr_mounts, 80, "overlay copies, one thread");
		ASSERT_EQ(many->nr_mounts, 80, "the same with four");
		for (int i = 0; i < many->nr_ns; i++) {
			struct mt_snap_ns *a = &many->ns[i];
			struct mt_snap_ns *b = mt_snapshot__find(one, a->ino);

			if (!ASSERT_TRUE(b != NULL, "same namespaces"))
				break;
			ASSERT_EQ(a->mounts.nr, b->mounts.nr, "same mounts per namespace");
			ASSERT_EQ(a->reader_pid, b->reader_pid, "read through the same pid");
		}
	}
	mt_snapshot__free(one);
	mt_snapshot__free(many);
	fx_rmtree(root);
}

/* NS_GET_MNTNS_ID as a test reads it, independently of src/nsid.c */
static __u64 own_ns_id(void)
{
	int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	__u64 id = 0;

	if (fd >= 0 && ioctl(fd, _IOR(0xb7, 5, __u64), &id))
		id = 0;
	if (fd >= 0)
		close(fd);
	return id;
}

TEST(snapshot_namespace_ids)
{
	struct mt_snapshot *snap = mt_snapshot__new(NULL, &(struct mt_snap_opts){
		.mnttab_flags = MT_MNTTAB_OVERLAY_ONLY, .no_keepers = true });
	__u64 want = own_ns_id();
	struct mt_snap_ns *self;
	__u32 ino;

	if (!ASSERT_TRUE(snap != NULL, "snapshot of /proc"))
		return;
	if (!ASSERT_OK(mt_proc_mntns("/proc", (__u32)getpid(), &ino), "own namespace"))
		goto out;
	self = mt_snapshot__find_id(snap, ino, want);
	if (!ASSERT_TRUE(self != NULL, "own namespace listed"))
		goto out;
	/* 0 before 6.11, which has no id to give */
	ASSERT_EQ(self->id, want, "the kernel's id for it");
	if (want)
		ASSERT_TRUE(mt_snapshot__find_id(snap, ino, want + 1000000) == NULL,
			    "another id with the same inode is another namespace");
out:
	mt_snapshot__free(snap);
}

TEST(snapshot_unique_mount_ids)
{
	struct mt_snapshot *snap = mt_snapshot__new(NULL, &(struct mt_snap_opts){
		.only_ns = NULL, .no_cgroup = true, .no_keepers = true });
	struct statx stx;
	struct mt_snap_ns *self;
	__u32 ino;

	if (!ASSERT_TRUE(snap != NULL, "snapshot of /proc"))
		return;
	if (mt_proc_mntns("/proc", (__u32)getpid(), &ino) ||
	    !(self = mt_snapshot__find_id(snap, ino, own_ns_id())))
		goto out;
	/* statx's STATX_MNT_ID_UNIQUE (0x4000, 6.8+) is the independent answer */
	if (!self->id || statx(AT_FDCWD, "/proc", 0, 0x4000, &stx) || !(stx.stx_mask & 0x4000)) {
		mt_test_log("SKIP: no namespace id or unique mount id on this kernel");
		goto out;
	}
	for (int i = 0; i < self->mounts.nr; i++) {
		const struct mt_mntent *e = &self->mounts.ents[i];

		if (strcmp(e->mountpoint, "/proc") != 0 || strcmp(e->fstype, "proc") != 0)
			continue;
		ASSERT_EQ(e->mnt_id_unique, stx.stx_mnt_id, "/proc's unique id, as statx sees it");
	}
	ASSERT_GT(snap->nr_unique_ids, 0, "unique ids given");
out:
	mt_snapshot__free(snap);
}

/*
 * Only a few entries kept, as an overlay-only table keeps them: the first
 * ones (listed forward, no further than the last of them) or the last ones
 * (listed from the end, LISTMOUNT_REVERSE on 6.18) get the ids the whole
 * table gets.
 */
TEST(unique_ids_of_the_first_and_last_mounts)
{
	struct mt_mnttab full = {}, part = {};
	__u64 ns_id = own_ns_id();
	int got;

	if (mt_mnttab_read(&full, "/proc/self/mountinfo", 0) ||
	    !ns_id || (got = mt_mnttab_unique_ids(&full, ns_id)) <= 0 || full.nr < 6) {
		mt_test_log("SKIP: no namespace id or listmount on this kernel, or few mounts");
		goto out;
	}
	ASSERT_EQ(got, full.nr, "every mount of the whole table");
	for (int last = 0; last < 2; last++) {
		int nr;

		if (!ASSERT_OK(mt_mnttab_read(&part, "/proc/self/mountinfo", 0), "read again") ||
		    !ASSERT_EQ(part.nr, full.nr, "the same table (nothing mounted meanwhile)"))
			goto out;
		/* keep two: move them to the front */
		if (last) {
			struct mt_mntent t = part.ents[0];

			part.ents[0] = part.ents[part.nr - 2];
			part.ents[part.nr - 2] = t;
			t = part.ents[1];
			part.ents[1] = part.ents[part.nr - 1];
			part.ents[part.nr - 1] = t;
		}
		nr = part.nr;
		part.nr = 2;
		mt_test_log("the %s two", last ? "last" : "first");
		ASSERT_EQ(mt_mnttab_unique_ids(&part, ns_id), 2, "both got one");
		for (int i = 0; i < 2; i++) {
			const struct mt_mntent *e = &part.ents[i], *f = &full.ents[e->line];

			ASSERT_EQ(e->mnt_id, f->mnt_id, "the same mount");
			ASSERT_EQ(e->mnt_id_unique, f->mnt_id_unique, "the same unique id");
		}
		part.nr = nr;
		mt_mnttab_free(&part);
	}
out:
	mt_mnttab_free(&part);
	mt_mnttab_free(&full);
}

TEST(snapshot_reader_left_its_namespace)
{
	char *root = fx_tmpdir();
	struct mt_snapshot *snap;
	struct mt_snap_ns *ns;

	if (!ASSERT_TRUE(root != NULL, "tmpdir"))
		return;
	fx_proc(root, 100, "svc", 4026540001u, "/system.slice/a.service", "mountinfo/docker-18.06-httpd.txt");
	fx_proc(root, 101, "svc", 4026540001u, "/system.slice/a.service", "mountinfo/docker-18.06-httpd.txt");
	snap = mt_snapshot__new(root, &(struct mt_snap_opts){ .no_mounts = true });
	if (!ASSERT_TRUE(snap != NULL, "processes first"))
		goto out;
	/* between the two phases pid 100 unshares: its link names another ns */
	fx_link(root, "100/ns/mnt", "mnt:[4026540002]");
	ASSERT_OK(mt_snapshot__read_mounts(snap, root, NULL), "then mounts");
	ns = mt_snapshot__find(snap, 4026540001u);
	if (ASSERT_TRUE(ns != NULL, "namespace")) {
		ASSERT_EQ(ns->reader_pid, 101, "read through the process still in it");
		ASSERT_OK(ns->mounts_err, "read");
		ASSERT_GT(ns->mounts.nr, 0, "mounts");
	}
	ASSERT_EQ(snap->nr_moved, 1, "one reader had moved");
	/* and when no process is left in it, nothing is read */
	fx_link(root, "101/ns/mnt", "mnt:[4026540002]");
	mt_snapshot__free(snap);
	snap = mt_snapshot__new(root, &(struct mt_snap_opts){ .no_mounts = true });
	if (snap) {
		fx_link(root, "100/ns/mnt", "mnt:[4026540003]");
		fx_link(root, "101/ns/mnt", "mnt:[4026540003]");
		ASSERT_OK(mt_snapshot__read_mounts(snap, root, NULL), "mounts again");
		ns = mt_snapshot__find(snap, 4026540002u);
		if (ASSERT_TRUE(ns != NULL, "namespace"))
			ASSERT_EQ(ns->mounts_err, -ESRCH, "no reader left");
		ASSERT_EQ(ns ? ns->mounts.nr : -1, 0, "no mounts taken from another namespace");
	}
out:
	mt_snapshot__free(snap);
	fx_rmtree(root);
}

/* A host namespace holding an nsfs pin, and a process of another
 * namespace holding an fd on a third: two namespaces with no process. */
static char *keeper_tree(void)
{
	char *root = fx_tmpdir();

	if (!root)
		return NULL;
	fx_proc(root, 1, "systemd", 4026531841u, "/init.scope", NULL);
	fx_write(root, "1/mountinfo",
		 "24 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n"
		 "92 24 0:4 mnt:[4026532700] /run/x/ns rw - nsfs nsfs rw\n");
	fx_proc(root, 300, "holder", 4026532800u, "/system.slice/h.service", NULL);
	fx_write(root, "300/mountinfo", "30 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
	fx_link(root, "300/fd/5", "mnt:[4026532701]");
	fx_link(root, "300/fd/6", "net:[4026532701]");
	return root;
}

TEST(snapshot_namespaces_kept_without_a_process)
{
	char *root = keeper_tree();
	struct mt_snapshot *snap;
	struct mt_snap_ns *pinned, *held;

	if (!ASSERT_TRUE(root != NULL, "fixture"))
		return;
	snap = mt_snapshot__new(root, &(struct mt_snap_opts){ .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY });
	if (!ASSERT_TRUE(snap != NULL, "snapshot"))
		goto out;
	ASSERT_EQ(snap->nr_ns, 4, "two with processes, two kept");
	pinned = mt_snapshot__find(snap, 4026532700u);
	held = mt_snapshot__find(snap, 4026532701u);
	if (ASSERT_TRUE(pinned != NULL, "the pinned namespace is listed")) {
		ASSERT_EQ(pinned->nr_procs, 0, "no process in it");
		ASSERT_EQ(pinned->mounts_err, -ESRCH, "its mounts unknown (not a live /proc)");
		if (ASSERT_EQ(pinned->kept_by.nr, 1, "one keeper")) {
			const struct mt_ns_keeper *k = &pinned->kept_by.v[0];

			ASSERT_EQ(k->kind, MT_KEEPER_NSFS_MOUNT, "an nsfs mount");
			ASSERT_STREQ(k->path, "/run/x/ns", "its path");
			ASSERT_EQ(k->mount_ns, 4026531841u, "in the host namespace");
			ASSERT_EQ(k->mnt_id, 92, "the bind mount's id");
		}
	}
	if (ASSERT_TRUE(held != NULL, "the fd-held namespace is listed")) {
		ASSERT_EQ(held->nr_procs, 0, "no process in it");
		if (ASSERT_EQ(held->kept_by.nr, 1, "one keeper, the net ns fd is not one")) {
			const struct mt_ns_keeper *k = &held->kept_by.v[0];

			ASSERT_EQ(k->kind, MT_KEEPER_FD, "an fd");
			ASSERT_EQ(k->pid, 300, "held by pid 300");
			ASSERT_EQ(k->fd, 5, "as fd 5");
			ASSERT_STREQ(k->comm, "holder", "whose comm is known");
		}
	}
	ASSERT_TRUE(snap->fd_scanned, "a fixture tree cannot be listed by the kernel: fds scanned");
	mt_snapshot__free(snap);
	snap = mt_snapshot__new(root, &(struct mt_snap_opts){ .fd_keepers = MT_FD_KEEPERS_NEVER });
	if (ASSERT_TRUE(snap != NULL, "snapshot, pins only")) {
		ASSERT_FALSE(snap->fd_scanned, "no fd scan");
		ASSERT_TRUE(mt_snapshot__find(snap, 4026532700u) != NULL, "the pinned one");
		ASSERT_TRUE(mt_snapshot__find(snap, 4026532701u) == NULL, "not the fd-held one");
	}
	mt_snapshot__free(snap);
	/* a rescan of some namespaces does not look for keepers */
	snap = mt_snapshot__new(root, &(struct mt_snap_opts){ .only_ns = (__u32[]){ 4026531841u },
							    .nr_only = 1 });
	if (ASSERT_TRUE(snap != NULL, "rescan"))
		ASSERT_EQ(snap->nr_ns, 1, "only the namespace asked for");
out:
	mt_snapshot__free(snap);
	fx_rmtree(root);
}

TEST(ns_alive_confirms_death)
{
	char *root = keeper_tree();
	struct mt_ns_keepers ks = {};

	if (!ASSERT_TRUE(root != NULL, "fixture"))
		return;
	ASSERT_EQ(mt_ns_alive(root, 4026531841u, 0, &ks), MT_NS_ALIVE_PROCS, "host: processes");
	ASSERT_EQ(ks.nr, 0, "no keepers asked of a namespace with processes");
	ASSERT_EQ(mt_ns_alive(root, 4026532700u, 0, &ks), MT_NS_ALIVE_KEPT, "pinned: kept");
	if (ASSERT_EQ(ks.nr, 1, "its keeper"))
		ASSERT_EQ(ks.v[0].kind, MT_KEEPER_NSFS_MOUNT, "the nsfs mount");
	mt_keepers_free(&ks);
	ASSERT_EQ(mt_ns_alive(root, 4026532701u, 0, NULL), MT_NS_ALIVE_KEPT, "fd-held: kept");
	ASSERT_EQ(mt_ns_alive(root, 4026539999u, 0, NULL), MT_NS_DEAD, "nothing holds it: dead");
	/* the holder closes its fd: dead now */
	fx_link(root, "300/fd/5", "/dev/null");
	ASSERT_EQ(mt_ns_alive(root, 4026532701u, 0, NULL), MT_NS_DEAD, "fd closed: dead");
	ASSERT_TRUE(mt_ns_alive("/nonexistent-proc", 1, 0, NULL) < 0, "bad proc root");
	fx_rmtree(root);
}
