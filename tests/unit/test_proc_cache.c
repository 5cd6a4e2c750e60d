// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "testlib.h"
#include "proc_cache.h"
#include "../fixtures/fixture.h"

#define MERGED "/home/docker_rt/overlay2/" \
	"3f2a9c0d1e5b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e/merged"

/* The cache gives what mt_proc_uses() gives, asked once or many times. */
TEST(proc_cache_uses_as_procinfo)
{
	const char *root = fx_path("proc");
	struct mt_proc_cache *c = mt_proc_cache__new(root);
	static const __u32 pids[] = { 1501, 2000, 1500, 4242 };
	struct mt_use want[4], got[4];

	if (!ASSERT_TRUE(c != NULL, "cache"))
		return;
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
			int n = mt_proc_uses(root, pids[i], MERGED, 0, want, 4);

			mt_test_log("round %d, pid %u", round, pids[i]);
			ASSERT_EQ(mt_proc_cache__uses(c, pids[i], MERGED, 0, got, 4), n, "count");
			for (int k = 0; k < n && k < 4; k++) {
				ASSERT_STREQ(got[k].what, want[k].what, "what");
				ASSERT_STREQ(got[k].path, want[k].path, "path");
				ASSERT_EQ(got[k].fd, want[k].fd, "fd");
				ASSERT_EQ(got[k].pid, pids[i], "pid");
			}
		}
	ASSERT_EQ(mt_proc_cache__uses(c, 1501, MERGED, 0, got, 1), 2, "count beyond max");
	ASSERT_STREQ(got[0].what, "cwd", "the first one filled");
	ASSERT_EQ(mt_proc_cache__uses(c, 1501, "/elsewhere", 0, got, 4), 0, "another dir");
	ASSERT_EQ(mt_proc_cache__uses(c, 4242, MERGED, 0, got, 4), -ENOENT, "no such pid");
	mt_proc_cache__free(c);
}

/* One read per process: what changes afterwards is not seen (a snapshot
 * answers about one moment); the superblock question is answered from the
 * kept links too. */
TEST(proc_cache_reads_a_process_once)
{
	char *root = fx_tmpdir();
	struct mt_proc_cache *c;
	struct mt_use u[2];
	char cmd[MT_PROC_CACHE_CMDLINE];
	__u64 t1 = 0, t2 = 0;
	struct stat st;
	__u32 dev;

	if (!ASSERT_TRUE(root != NULL, "tmpdir"))
		return;
	c = mt_proc_cache__new(root);
	if (!ASSERT_TRUE(c != NULL, "cache"))
		goto out;
	fx_proc(root, 77, "sh", 4026532500u, "/x.service", NULL);	/* cwd, root -> "/" */
	fx_write(root, "77/cmdline", "sh%c-c%cx%c", 0, 0, 0);
	ASSERT_EQ(mt_proc_cache__uses(c, 77, "/srv/merged", 0, u, 2), 0, "nothing below it");
	ASSERT_OK(mt_proc_cache__start_ns(c, 77, &t1), "start");
	mt_proc_cache__cmdline(c, 77, cmd, sizeof(cmd));
	ASSERT_STREQ(cmd, "sh -c x", "cmdline");
	ASSERT_FALSE(mt_proc_cache__is_kthread(c, 77), "no kernel thread");
	if (!ASSERT_OK(stat("/", &st), "stat /"))
		goto out;
	dev = (major(st.st_dev) << 20) | minor(st.st_dev);
	ASSERT_EQ(mt_proc_cache__uses(c, 77, "/nowhere", dev, u, 2), 2,
		  "cwd and root on the superblock of /");
	ASSERT_EQ(mt_proc_cache__uses(c, 77, "/nowhere", dev + 1, u, 2), 0, "another one");

	fx_link(root, "77/cwd", "/srv/merged/app");
	fx_write(root, "77/stat", "77 (sh) S 1 77 77 0 -1 2097152 0 0 0 0 0 0 0 0 20 0 1 0 "
		 "999 1 1 0\n");
	fx_write(root, "77/cmdline", "other");
	ASSERT_EQ(mt_proc_uses(root, 77, "/srv/merged", 0, u, 2), 1, "procinfo sees the change");
	ASSERT_EQ(mt_proc_cache__uses(c, 77, "/srv/merged", 0, u, 2), 0, "the cache does not");
	ASSERT_OK(mt_proc_cache__start_ns(c, 77, &t2), "start again");
	ASSERT_EQ(t2, t1, "start time kept");
	mt_proc_cache__cmdline(c, 77, cmd, sizeof(cmd));
	ASSERT_STREQ(cmd, "sh -c x", "cmdline kept");
	ASSERT_FALSE(mt_proc_cache__is_kthread(c, 77), "flags kept");

	/* a new process is read when first asked about */
	fx_proc(root, 78, "sh", 4026532500u, "/x.service", NULL);
	fx_link(root, "78/fd/3", "/srv/merged/log");
	ASSERT_EQ(mt_proc_cache__uses(c, 78, "/srv/merged", 0, u, 2), 1, "pid 78's fd 3");
	ASSERT_STREQ(u[0].what, "fd 3", "what");
out:
	mt_proc_cache__free(c);
	fx_rmtree(root);
}
