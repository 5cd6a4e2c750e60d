// SPDX-License-Identifier: GPL-2.0
/*
 * How the model keeps its memory small: interned paths (strpool.h), an
 * overlay's dirs kept as what differs from its merged dir, read back whole
 * through the view (model_strs.c), and mounts carved from slabs (slab.h).
 */
#include <stdio.h>
#include <string.h>

#include "model_view.h"
#include "slab.h"
#include "strpool.h"
#include "testlib.h"
#include "../fixtures/records.h"

TEST(strpool_shares_counts_and_frees)
{
	struct mt_strpool p = { 0 };
	const char *s[3000];
	char buf[64];
	bool all = true;

	const char *a = mt_strpool_get(&p, "/run/a/merged");
	const char *b = mt_strpool_get(&p, "/run/a/merged");

	ASSERT_TRUE(a && a == b, "one copy for two owners");
	ASSERT_TRUE(mt_strpool_get(&p, "") == NULL && mt_strpool_get(&p, NULL) == NULL,
		    "no string for nothing");
	mt_strpool_put(&p, a);
	ASSERT_STREQ(b, "/run/a/merged", "still there for its other owner");
	mt_strpool_put(&p, b);
	ASSERT_EQ((int)p.n, 0, "gone with its last owner");
	/* enough to grow the table several times and to make probe runs:
	 * every second string out, then all the others still found */
	for (int i = 0; i < 3000; i++) {
		snprintf(buf, sizeof(buf), "/var/lib/docker/overlay2/%d/merged", i);
		s[i] = mt_strpool_get(&p, buf);
	}
	for (int i = 0; i < 3000; i += 2)
		mt_strpool_put(&p, s[i]);
	for (int i = 1; i < 3000; i += 2) {
		snprintf(buf, sizeof(buf), "/var/lib/docker/overlay2/%d/merged", i);
		const char *again = mt_strpool_get(&p, buf);

		all &= again == s[i];
		mt_strpool_put(&p, again);
	}
	ASSERT_TRUE(all, "every string left is found after the removals");
	ASSERT_EQ((int)p.n, 1500, "half left");
	for (int i = 1; i < 3000; i += 2)
		mt_strpool_put(&p, s[i]);
	ASSERT_EQ((int)p.n, 0, "all gone");
	mt_strpool_free(&p);
}

/* A held string outlives its owner's change of string, and goes with the
 * last of the two references. */
TEST(strpool_hold_keeps_the_old_string)
{
	struct mt_strpool p = { 0 };
	const char *owner = mt_strpool_get(&p, "/mnt/old");
	const char *kept = mt_strpool_hold(owner);

	ASSERT_TRUE(kept == owner, "the same copy");
	ASSERT_TRUE(mt_strpool_hold(NULL) == NULL, "nothing held for nothing");
	mt_strpool_put(&p, owner);
	owner = mt_strpool_get(&p, "/mnt/new");
	ASSERT_STREQ(kept, "/mnt/old", "the holder still reads the old path");
	ASSERT_EQ((int)p.n, 2, "both strings in the pool");
	ASSERT_TRUE(mt_strpool_get(&p, "/mnt/old") == kept, "and the old one is still found");
	mt_strpool_put(&p, kept);
	mt_strpool_put(&p, kept);
	ASSERT_EQ((int)p.n, 1, "gone with its last reference");
	mt_strpool_put(&p, owner);
	mt_strpool_free(&p);
}

struct obj {
	void *first;		/* where a freed object keeps its link */
	char name[40];
};

TEST(slab_gives_zeroed_objects_and_reuses_freed_ones)
{
	struct mt_slab s = MT_SLAB_INIT(struct obj);
	struct obj *o[200];
	bool distinct = true, zeroed = true;

	for (int i = 0; i < 200; i++) {	/* more than one chunk */
		o[i] = mt_slab_alloc(&s);
		if (!ASSERT_TRUE(o[i], "allocated"))
			return;
		zeroed &= !o[i]->first && !o[i]->name[0];
		snprintf(o[i]->name, sizeof(o[i]->name), "mount %d", i);
	}
	for (int i = 0; i < 200; i++)
		for (int k = 0; k < i; k++)
			distinct &= o[i] != o[k];
	ASSERT_TRUE(distinct, "no object given twice");
	ASSERT_STREQ(o[0]->name, "mount 0", "the first kept its contents");
	mt_slab_free(&s, o[7]);
	o[7] = mt_slab_alloc(&s);
	zeroed &= !o[7]->first && !o[7]->name[0];
	ASSERT_TRUE(zeroed, "every object zeroed, a reused one too");
	ASSERT_STREQ(o[199]->name, "mount 199", "the others untouched");
	for (int i = 0; i < 200; i++)
		mt_slab_free(&s, o[i]);
	mt_slab_destroy(&s);
}

#define HOST 4026531841u
#define SVC 4026532500u

struct dirs_seen {
	char merged[128], upper[128], work[128], lower[128];
	int nr;
};

static void copy_str(char *dst, const char *s)
{
	snprintf(dst, 128, "%s", s ? s : "(none)");
}

static int see_dirs(void *ctx, const struct mt_ovl_view *v)
{
	struct dirs_seen *d = ctx;

	copy_str(d->merged, v->merged);
	copy_str(d->upper, v->upper);
	copy_str(d->work, v->work);
	copy_str(d->lower, v->lower);
	d->nr++;
	return 0;
}

static int feed(void *ctx, const struct mt_record *rec)
{
	return mt_model__feed(ctx, rec);
}

/*
 * A service namespace's walk shows the overlay first, at a path of its
 * own; mnttrace's namespace's walk then gives the merged dir that counts.
 * The dirs, stored against the first merged dir, come back whole against
 * the second, and a dir that shares nothing with it too.
 */
TEST(model_overlay_dirs_survive_a_new_merged_dir)
{
	struct mt_model *m = mt_model__new(&(struct mt_model_opts){
		.proc_root = "/nonexistent-mnttrace", .self_ns = HOST, .no_rescan = true });
	struct fx_sink s = { .feed = feed, .ctx = m, .clock = 1000000 };
	struct dirs_seen d = { 0 };

	if (!ASSERT_TRUE(m, "model"))
		return;
	ASSERT_OK(MNT(&s, .h = { .pid = 9, .comm = "svc", .ns = SVC, .ns_id = 3 },
		      .op = MT_MNT_WALK, .mnt_ns = SVC, .mnt_ns_id = 3, .mnt_id = 200,
		      .parent_id = 30, .dev = 77, .path = "/tmp/svc/ctr/merged",
		      .upper = "/var/lib/x/ctr/diff", .work = "/var/lib/x/ctr/work",
		      .lower = "/tmp/svc/l/A:/tmp/svc/l/B"), "the copy's walk");
	ASSERT_OK(mt_model__each_overlay(m, see_dirs, &d), "view");
	ASSERT_STREQ(d.merged, "/tmp/svc/ctr/merged", "merged: the only path seen");
	ASSERT_STREQ(d.upper, "/var/lib/x/ctr/diff", "upper");
	ASSERT_STREQ(d.lower, "/tmp/svc/l/A:/tmp/svc/l/B", "lower");
	ASSERT_OK(MNT(&s, .h = { .pid = 1, .comm = "dockerd", .ns = HOST, .ns_id = 1 },
		      .op = MT_MNT_WALK, .mnt_ns = HOST, .mnt_ns_id = 1, .mnt_id = 100,
		      .parent_id = 30, .dev = 77, .path = "/var/lib/x/ctr/merged",
		      .upper = "/var/lib/x/ctr/diff", .work = "/var/lib/x/ctr/work"),
		  "the original's walk");
	d.nr = 0;
	ASSERT_OK(mt_model__each_overlay(m, see_dirs, &d), "view");
	ASSERT_EQ(d.nr, 1, "one overlay");
	ASSERT_STREQ(d.merged, "/var/lib/x/ctr/merged", "merged: as mnttrace's namespace sees it");
	ASSERT_STREQ(d.upper, "/var/lib/x/ctr/diff", "upper");
	ASSERT_STREQ(d.work, "/var/lib/x/ctr/work", "work");
	ASSERT_STREQ(d.lower, "/tmp/svc/l/A:/tmp/svc/l/B", "lower kept");
	mt_model__free(m);
}
