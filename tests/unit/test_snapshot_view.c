// SPDX-License-Identifier: GPL-2.0
/* The model as --snapshot and --explain read it (model_view.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model_view.h"
#include "testlib.h"
#include "../fixtures/fixture.h"

#define HOST 4026531841u
#define SVC 4026532500u

static int count_overlays(void *ctx, const struct mt_ovl_view *v)
{
	(*(int *)ctx)++;
	return 0;
}

/*
 * A namespace that only an open fd keeps (as --explain's full keeper scan
 * finds: nsscan's MT_FD_KEEPERS_ALWAYS, and every scan before 6.12): an fd
 * keeper has no path, and loading it must not read one.
 */
TEST(model_loads_fd_keeper)
{
	struct mt_ns_keeper k = { .kind = MT_KEEPER_FD, .ns_ino = 4026532500, .pid = 77,
				  .fd = 5, .comm = "holder", .path = NULL };
	struct mt_snap_ns ns = { .ino = 4026532500, .mounts_err = -ESRCH,
				 .kept_by = { .v = &k, .nr = 1, .cap = 1 } };
	struct mt_snapshot snap = { .ns = &ns, .nr_ns = 1, .cap_ns = 1 };
	struct mt_model *m = mt_model__new(&(struct mt_model_opts){
		.proc_root = "/nonexistent-mnttrace", .self_ns = 1, .no_rescan = true });
	struct mt_gone_stats st;
	int nr = 0;

	if (!ASSERT_TRUE(m, "model"))
		return;
	ASSERT_OK(mt_model__load(m, &snap), "load");
	ASSERT_OK(mt_model__snapshot_leaks(m, &st), "the snapshot's leak rule");
	ASSERT_EQ(st.leaks, 0, "no overlay, no leak");
	ASSERT_OK(mt_model__each_overlay(m, count_overlays, &nr), "walk");
	ASSERT_EQ(nr, 0, "no overlay");
	mt_model__free(m);
}

struct gone_env {
	char *root;		/* the fake /proc */
	char merged[512];	/* a real directory's child: stat follows it */
	struct { int risk, leak; __u32 holder_ns; char code[40]; } got;
};

static void on_gone(void *ctx, const struct mt_finding *f)
{
	struct gone_env *e = ctx;

	e->got.risk += f->kind == MT_FIND_RISK;
	e->got.leak += f->kind == MT_FIND_LEAK;
	if (f->kind == MT_FIND_LEAK && f->nr_holders) {
		e->got.holder_ns = f->holders[0].mnt_ns;
		snprintf(e->got.code, sizeof(e->got.code), "%s", mt_reason_name(f->reason_code));
	}
}

/*
 * Scenario 1 after the runtime's umount, on a fake /proc: mnttrace's
 * namespace (HOST) has no overlay any more, httpd's (SVC) holds a private
 * copy. Every /proc/PID/root leads to "/", so both see the same layer dir;
 * with @other_root httpd's leads to a directory of its own where the same
 * path is another directory. @daemon names the holder dockerd.
 */
static bool run_gone(struct gone_env *e, bool other_root, bool daemon, struct mt_gone_stats *st)
{
	char dir[1400], line[1400];
	struct mt_model *m;
	struct mt_snapshot *snap;
	bool ok = false;

	memset(e, 0, sizeof(*e));
	e->root = fx_tmpdir();
	if (!e->root)
		return false;
	snprintf(dir, sizeof(dir), "%s/layer/merged", e->root);
	fx_mkdirs(dir);		/* makes the parents of its argument */
	snprintf(e->merged, sizeof(e->merged), "%s/layer/merged", e->root);
	fx_proc(e->root, 1, "systemd", HOST, "/init.scope", NULL);
	fx_write(e->root, "1/mountinfo", "22 1 253:0 / / rw,relatime shared:1 - xfs /dev/root rw\n");
	/* mnttrace itself: the runtime namespace is its own */
	fx_proc(e->root, (unsigned int)getpid(), "mnttrace", HOST, "/user.slice", NULL);
	fx_proc(e->root, 1500, daemon ? "dockerd" : "httpd", SVC, "/system.slice/httpd.service",
		NULL);
	if (other_root) {
		snprintf(dir, sizeof(dir), "%s/other%s/layer/x", e->root, e->root);
		fx_mkdirs(dir);
		snprintf(dir, sizeof(dir), "%s/other", e->root);
		fx_link(e->root, "1500/root", dir);
	}
	snprintf(line, sizeof(line),
		 "301 300 253:0 / / rw,relatime - xfs /dev/root rw\n"
		 "312 301 0:52 / %s rw,relatime - overlay overlay rw,lowerdir=%s/l,"
		 "upperdir=%s/layer/diff,workdir=%s/layer/work\n", e->merged, e->root, e->root,
		 e->root);
	fx_write(e->root, "1500/mountinfo", "%s", line);
	m = mt_model__new(&(struct mt_model_opts){ .proc_root = e->root, .self_ns = HOST,
						  .no_rescan = true, .on_finding = on_gone,
						  .ctx = e });
	snap = mt_snapshot__new(e->root, &(struct mt_snap_opts){
		.mnttab_flags = MT_MNTTAB_OVERLAY_ONLY, .no_keepers = true });
	if (m && snap && mt_model__load(m, snap) == 0)
		ok = mt_model__snapshot_leaks(m, st) == 0;
	mt_snapshot__free(snap);
	mt_model__free(m);
	return ok;
}

TEST(snapshot_leak_original_gone)
{
	struct gone_env e;
	struct mt_gone_stats st;

	if (ASSERT_TRUE(run_gone(&e, false, false, &st), "run")) {
		ASSERT_EQ(e.got.leak, 1, "the copy that stayed");
		ASSERT_EQ(e.got.holder_ns, SVC, "held in httpd's namespace");
		ASSERT_STREQ(e.got.code, "original_gone", "reason code");
		ASSERT_EQ(e.got.risk, 0, "no original left to judge a risk by");
		ASSERT_EQ(st.leaks, 1, "counted");
	}
	fx_rmtree(e.root);
}

/* httpd's root shows another directory at the same path (its own tmpfs):
 * not the place the runtime unmounted, so no verdict. */
TEST(snapshot_leak_needs_the_same_directory)
{
	struct gone_env e;
	struct mt_gone_stats st;

	if (ASSERT_TRUE(run_gone(&e, true, false, &st), "run")) {
		ASSERT_EQ(e.got.leak, 0, "another directory: no leak");
		ASSERT_EQ(st.checked, 1, "the copy was looked at");
	}
	fx_rmtree(e.root);
}

/* A container daemon's namespace is a runtime namespace: its overlays are home. */
TEST(snapshot_leak_daemon_namespace_is_home)
{
	struct gone_env e;
	struct mt_gone_stats st;

	if (ASSERT_TRUE(run_gone(&e, false, true, &st), "run"))
		ASSERT_EQ(e.got.leak, 0, "mounted where dockerd lives");
	fx_rmtree(e.root);
}
