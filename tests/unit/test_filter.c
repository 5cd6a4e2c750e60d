// SPDX-License-Identifier: GPL-2.0
/* The --overlay lens: which records are about overlays, and what it keeps. */
#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>

#include "filter.h"
#include "testlib.h"
#include "../fixtures/records.h"

#define PID 812
#define MERGED "/var/lib/docker/overlay2/abc/merged"

struct lens {
	struct mt_filter *f;
	struct fx_sink s;
	bool shown;		/* the last record passed the filter */
};

/* What main does per record: learn, then match. */
static int feed(void *ctx, const struct mt_record *rec)
{
	struct lens *l = ctx;

	mt_filter__learn(l->f, rec);
	l->shown = mt_filter__match(l->f, rec);
	return 0;
}

static bool lens_init(struct lens *l)
{
	struct mt_options opt = MT_OPTIONS_DEFAULT;

	opt.overlay = true;
	l->f = mt_filter__new(&opt);
	l->s = (struct fx_sink){ .feed = feed, .ctx = l, .clock = 1000 };
	return ASSERT_TRUE(l->f != NULL, "filter");
}

/* Whether an rmdir of @path would be shown by the lens. */
static bool shows_rmdir(struct lens *l, const char *path)
{
	SC(&l->s, .h = { .pid = 1 }, .call = MT_CALL_RMDIR, .path = path, .ret = -EBUSY);
	return l->shown;
}

TEST(filter_overlay_lens_mount_options_unescaped)
{
	struct lens l;

	if (!lens_init(&l))
		return;
	SC(&l.s, .h = { .pid = PID }, .call = MT_CALL_MOUNT, .fstype = "overlay",
	   .src = "overlay", .path = "merged/", .base = "/ctr",
	   .data = "lowerdir=/l,upperdir=/up\\,per,workdir=/wo\\:rk");
	ASSERT_TRUE(l.shown, "the overlay mount itself");
	ASSERT_TRUE(shows_rmdir(&l, "/up,per"), "the real upperdir");
	ASSERT_TRUE(shows_rmdir(&l, "/up,per/x/"), "below the upperdir");
	ASSERT_FALSE(shows_rmdir(&l, "/up\\"), "not the upperdir cut at the escaped comma");
	ASSERT_TRUE(shows_rmdir(&l, "/wo:rk"), "the workdir, unescaped");
	ASSERT_TRUE(shows_rmdir(&l, "/ctr/merged"), "the merged dir, resolved");
	ASSERT_FALSE(shows_rmdir(&l, "/l"), "lower layers are not watched");
	mt_filter__free(l.f);
}

TEST(filter_overlay_lens_by_components)
{
	struct lens l;
	struct mt_filter_stats st;

	if (!lens_init(&l))
		return;
	ASSERT_OK(mt_filter__add_overlay_path(l.f, MERGED "/"), "add");
	ASSERT_OK(mt_filter__add_overlay_path(l.f, MERGED), "add again");
	mt_filter__stats(l.f, &st);
	ASSERT_EQ(st.paths, 1, "one path, whatever its spelling");
	ASSERT_TRUE(shows_rmdir(&l, MERGED), "the path");
	ASSERT_TRUE(shows_rmdir(&l, MERGED "/etc/hosts"), "deep below it");
	ASSERT_FALSE(shows_rmdir(&l, MERGED "X"), "a sibling with the same prefix");
	ASSERT_FALSE(shows_rmdir(&l, "/var/lib/docker/overlay2/abc"), "its parent");
	ASSERT_FALSE(shows_rmdir(&l, "/"), "the root");
	mt_filter__forget_overlay_path(l.f, MERGED "//");
	ASSERT_FALSE(shows_rmdir(&l, MERGED "/etc"), "forgotten once unmounted");
	mt_filter__stats(l.f, &st);
	ASSERT_EQ(st.paths, 0, "nothing left");
	ASSERT_EQ(st.paths_forgotten, 1, "counted");
	mt_filter__free(l.f);
}

TEST(filter_overlay_lens_is_bounded)
{
	struct lens l;
	struct mt_filter_stats st;
	char p[32];

	if (!lens_init(&l))
		return;
	for (int i = 0; i < MT_FILTER_MAX_PATHS + 2; i++) {
		snprintf(p, sizeof(p), "/ovl/%d", i);
		if (i == MT_FILTER_MAX_PATHS)	/* full: a match keeps /ovl/0 */
			shows_rmdir(&l, "/ovl/0/x");
		mt_filter__add_overlay_path(l.f, p);
	}
	mt_filter__stats(l.f, &st);
	ASSERT_EQ(st.paths, MT_FILTER_MAX_PATHS, "at most MT_FILTER_MAX_PATHS");
	ASSERT_EQ(st.paths_evicted, 2, "the least recently used evicted");
	ASSERT_TRUE(shows_rmdir(&l, "/ovl/0"), "the matched path stayed");
	ASSERT_FALSE(shows_rmdir(&l, "/ovl/1"), "evicted");
	ASSERT_FALSE(shows_rmdir(&l, "/ovl/2"), "evicted");
	ASSERT_TRUE(shows_rmdir(&l, "/ovl/3"), "kept");
	mt_filter__free(l.f);
}

TEST(filter_overlay_lens_new_mount_api)
{
	struct lens l;
	struct mt_filter_stats st;

	if (!lens_init(&l))
		return;
	SC(&l.s, .h = { .pid = PID }, .call = MT_CALL_FSOPEN, .fstype = "overlay", .ret = 3);
	ASSERT_TRUE(l.shown, "fsopen(overlay)");
	SC(&l.s, .h = { .pid = PID }, .call = MT_CALL_FSCONFIG, .src = "upperdir",
	   .data = "/up\\,per", .args = { 3, FSCONFIG_SET_STRING, 1, 1 });
	ASSERT_TRUE(l.shown, "fsconfig on the overlay context");
	SC(&l.s, .h = { .pid = PID }, .call = MT_CALL_FSCONFIG, .args = { 3, FSCONFIG_CMD_CREATE });
	SC(&l.s, .h = { .pid = PID }, .call = MT_CALL_FSMOUNT, .args = { 3 }, .ret = 4);
	ASSERT_TRUE(l.shown, "fsmount of it");
	SC(&l.s, .h = { .pid = PID }, .call = MT_CALL_MOVE_MOUNT, .src = "", .path = "/m",
	   .args = { 4 });
	ASSERT_TRUE(l.shown, "the move_mount that attaches it, though its context is freed");
	ASSERT_TRUE(shows_rmdir(&l, "/m/sub"), "below the new mount");
	ASSERT_TRUE(shows_rmdir(&l, "/up,per"), "its upperdir, unescaped");
	SC(&l.s, .h = { .pid = PID }, .call = MT_CALL_FSOPEN, .fstype = "tmpfs", .ret = 3);
	SC(&l.s, .h = { .pid = PID }, .call = MT_CALL_FSCONFIG, .src = "size", .data = "1m",
	   .args = { 3, FSCONFIG_SET_STRING, 1, 1 });
	ASSERT_FALSE(l.shown, "fsconfig of another filesystem");
	mt_filter__stats(l.f, &st);
	ASSERT_EQ(st.newapi.mounted, 1, "tracker stats pass through");
	ASSERT_EQ(st.newapi.tracked, 0, "nothing held after move_mount");
	mt_filter__free(l.f);
}

TEST(filter_overlay_lens_never_learns_a_cut_path)
{
	struct lens l;
	struct mt_filter_stats st;

	if (!lens_init(&l))
		return;
	/* a too-deep walk keeps the deepest components: "/abc/merged" is wrong */
	MNT(&l.s, .h = { .pid = 1, .flags = MT_F_TRUNC(MT_MS_PATH) }, .op = MT_MNT_WALK,
	    .mnt_id = 300, .path = "/abc/merged", .upper = "/u", .work = "/w");
	ASSERT_TRUE(l.shown, "the record itself is an overlay mount");
	ASSERT_FALSE(shows_rmdir(&l, "/abc/merged"), "its cut path is not learnt");
	ASSERT_TRUE(shows_rmdir(&l, "/u"), "its whole upperdir is");
	SC(&l.s, .h = { .pid = PID, .flags = MT_F_TRUNC(MT_SC_DATA) }, .call = MT_CALL_MOUNT,
	   .fstype = "overlay", .path = "/m2", .data = "lowerdir=/l,upperdir=/up");
	ASSERT_FALSE(shows_rmdir(&l, "/up"), "nothing from a cut option string");
	ASSERT_TRUE(shows_rmdir(&l, "/m2"), "the whole target is learnt");
	SC(&l.s, .h = { .pid = PID, .flags = MT_F_TRUNC(MT_SC_BASE) }, .call = MT_CALL_MOUNT,
	   .fstype = "overlay", .path = "m3", .base = "/cut");
	ASSERT_FALSE(shows_rmdir(&l, "/cut/m3"), "not a target relative to a cut base");
	mt_filter__stats(l.f, &st);
	ASSERT_EQ(st.paths, 3, "/u, /w and /m2");
	mt_filter__free(l.f);
}

TEST(filter_learns_nothing_without_the_lens)
{
	struct mt_options opt = MT_OPTIONS_DEFAULT;
	struct mt_filter *f = mt_filter__new(&opt);
	struct mt_filter_stats st;

	if (!ASSERT_TRUE(f != NULL, "filter"))
		return;
	mt_filter__add_overlay_path(f, MERGED);
	mt_filter__stats(f, &st);
	ASSERT_EQ(st.paths, 0, "no --overlay: no path kept");
	mt_filter__free(f);
}

/* Defect 7 of issue 8: what a container start does besides its overlay. */
TEST(filter_overlay_lens_drops_a_container_start_noise)
{
	struct lens l;

	if (!lens_init(&l))
		return;
	SC(&l.s, .h = { .pid = PID }, .call = MT_CALL_MOUNT, .fstype = "overlay",
	   .src = "overlay", .path = MERGED, .data = "lowerdir=/l,upperdir=/u,workdir=/w");
	ASSERT_TRUE(l.shown, "the overlay mount");
	/* the runtime's namespaces: only the mount namespace counts */
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_UNSHARE, .args = { 0x20000 | 0x40000000 },
	   .new_ns = 4026532999u);
	ASSERT_TRUE(l.shown, "unshare into a new mount namespace");
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_SETNS, .args = { 5, 0x40000000 });
	ASSERT_FALSE(l.shown, "setns into a network namespace");
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_SETNS, .args = { 5, 0 });
	ASSERT_FALSE(l.shown, "setns(fd, 0) that left the mount namespace alone");
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_SETNS, .args = { 6, 0 },
	   .new_ns = 4026532998u);
	ASSERT_TRUE(l.shown, "setns(fd, 0) into a mount namespace");
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_UNSHARE, .args = { 0x20000 }, .ret = -EPERM);
	ASSERT_TRUE(l.shown, "a failed unshare(CLONE_NEWNS)");
	/* runc's mounts into the rootfs before pivot_root */
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_MOUNT, .fstype = "proc", .src = "proc",
	   .path = MERGED "/proc");
	ASSERT_FALSE(l.shown, "proc below the rootfs");
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_MOUNT, .fstype = "tmpfs", .src = "tmpfs",
	   .path = MERGED "/dev");
	ASSERT_FALSE(l.shown, "a tmpfs /dev below the rootfs");
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_MOUNT, .src = MERGED, .path = MERGED,
	   .args = { 0, 0, 0, MS_BIND | MS_REC });
	ASSERT_TRUE(l.shown, "the rootfs bound onto itself");
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_MOUNT, .path = MERGED,
	   .args = { 0, 0, 0, MS_PRIVATE });
	ASSERT_TRUE(l.shown, "a propagation change of the overlay mount");
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_MOUNT, .src = MERGED "/etc", .path = "/x",
	   .args = { 0, 0, 0, MS_BIND });
	ASSERT_TRUE(l.shown, "a bind of a dir of the overlay elsewhere");
	/* after pivot_root the walk shows the rootfs at "/" of its namespace */
	MNT(&l.s, .h = { .pid = 900 }, .op = MT_MNT_WALK, .mnt_ns = 4026532999u, .mnt_id = 900,
	    .magic = MT_OVERLAYFS_MAGIC, .path = "/", .upper = "/u", .work = "/w");
	ASSERT_TRUE(l.shown, "the rootfs walk itself");
	SC(&l.s, .h = { .pid = 900 }, .call = MT_CALL_MOUNT, .fstype = "sysfs", .src = "sysfs",
	   .path = "/sys");
	ASSERT_FALSE(l.shown, "sysfs in the container's namespace");
	ASSERT_FALSE(shows_rmdir(&l, "/sys/fs/cgroup/system.slice/docker-abc.scope"),
		     "a cgroup rmdir");
	ASSERT_TRUE(shows_rmdir(&l, MERGED "/tmp/x"), "an rmdir in the overlay");
	mt_filter__free(l.f);
}
