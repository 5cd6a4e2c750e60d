// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "testlib.h"
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

	n = mt_proc_uses(root, 1501, merged, uses, 4);
	if (!ASSERT_EQ(n, 2, "cwd and fd 7"))
		return;
	ASSERT_STREQ(uses[0].what, "cwd", "first is cwd");
	ASSERT_STREQ(uses[0].path, "/home/docker_rt/overlay2/3f2a9c0d1e5b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e/merged/var/www", "cwd path");
	ASSERT_STREQ(uses[1].what, "fd 7", "then fd 7");
	ASSERT_EQ(uses[1].fd, 7, "fd number");
	ASSERT_EQ(mt_proc_uses(root, 1501, merged, uses, 1), 2, "count beyond max");
	n = mt_proc_uses(root, 2000, merged, uses, 4);
	ASSERT_EQ(n, 1, "root inside");
	ASSERT_STREQ(uses[0].what, "root", "root");
	ASSERT_EQ(mt_proc_uses(root, 1500, merged, uses, 4), 0, "nothing");
	ASSERT_EQ(mt_proc_uses(root, 4242, merged, uses, 4), -ENOENT, "no such pid");
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
