// SPDX-License-Identifier: GPL-2.0
/* The model as --snapshot and --explain read it (model_view.h). */
#include <errno.h>
#include <string.h>

#include "model_view.h"
#include "testlib.h"

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
