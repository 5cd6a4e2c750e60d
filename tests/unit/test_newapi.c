// SPDX-License-Identifier: GPL-2.0
/* The new-mount-API overlay tracker: fsopen .. fsconfig .. fsmount .. move_mount. */
#include <errno.h>
#include <sys/mount.h>

#include "newapi.h"
#include "testlib.h"
#include "../fixtures/records.h"

#define PID 812

struct feed_ctx {
	struct mt_newapi *t;
	struct mt_newapi_result res;
	int err;
};

static int feed(void *ctx, const struct mt_record *rec)
{
	struct feed_ctx *f = ctx;

	f->err = mt_newapi__feed(f->t, rec, &f->res);
	return 0;
}

static void sink_init(struct fx_sink *s, struct feed_ctx *f, const struct mt_newapi_limits *lim)
{
	*f = (struct feed_ctx){ .t = mt_newapi__new(lim) };
	*s = (struct fx_sink){ .feed = feed, .ctx = f, .clock = 1000 };
}

#define OPEN(s, type_, fd) \
	SC(s, .h = { .pid = PID }, .call = MT_CALL_FSOPEN, .fstype = type_, .ret = fd)
#define SET(s, fd, key, val, r) \
	SC(s, .h = { .pid = PID }, .call = MT_CALL_FSCONFIG, .src = key, .data = val, .ret = r, \
	   .args = { fd, FSCONFIG_SET_STRING, 0x1000, 0x2000 })
#define CREATE(s, fd, r) \
	SC(s, .h = { .pid = PID }, .call = MT_CALL_FSCONFIG, .ret = r, \
	   .args = { fd, FSCONFIG_CMD_CREATE })
#define FSMOUNT(s, fd, r) \
	SC(s, .h = { .pid = PID }, .call = MT_CALL_FSMOUNT, .ret = r, .args = { fd })
#define MOVE(s, mfd, to, base_, r) \
	SC(s, .h = { .pid = PID }, .call = MT_CALL_MOVE_MOUNT, .src = "", .path = to, \
	   .base = base_, .ret = r, .args = { mfd, 0, (__u64)MT_AT_FDCWD, 0, 4 })

TEST(newapi_overlay_mounted_end_to_end)
{
	struct fx_sink s;
	struct feed_ctx f;
	struct mt_newapi_stats st;
	const struct mt_ovl_opts *o;

	sink_init(&s, &f, NULL);
	OPEN(&s, "overlay", 3);
	ASSERT_EQ(f.res.event, MT_NEWAPI_OPENED, "fsopen(overlay)");
	SET(&s, 3, "upperdir", "/up\\,per", 0);
	ASSERT_EQ(f.res.event, MT_NEWAPI_CONFIGURED, "fsconfig upperdir");
	SET(&s, 3, "workdir", "/work", 0);
	SET(&s, 3, "lowerdir+", "/l1", 0);
	SET(&s, 3, "lowerdir+", "/l2", 0);
	SET(&s, 3, "workdir", "/rejected", -EINVAL);
	ASSERT_EQ(f.res.err, EINVAL, "a failed fsconfig is reported");
	CREATE(&s, 3, 0);
	FSMOUNT(&s, 3, 4);
	ASSERT_EQ(f.res.event, MT_NEWAPI_FSMOUNT, "fsmount of the overlay context");
	o = mt_newapi__find(f.t, PID, 4);
	ASSERT_TRUE(o && o->upper && o->nr_lower == 2, "the mount fd carries the options");
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 4 + 1) == NULL, "other fds are not overlays");
	MOVE(&s, 4, "merged/", "/var/lib/x", 0);
	if (ASSERT_EQ(f.res.event, MT_NEWAPI_MOUNTED, "move_mount attaches it")) {
		ASSERT_STREQ(f.res.path, "/var/lib/x/merged", "absolute target");
		ASSERT_STREQ(f.res.opts->upper, "/up,per", "upperdir unescaped");
		ASSERT_STREQ(f.res.opts->work, "/work", "a failed fsconfig changed nothing");
		ASSERT_EQ(f.res.opts->nr_lower, 2, "both lowerdir+ layers");
	}
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 4) == NULL, "freed once mounted");
	mt_newapi__stats(f.t, &st);
	ASSERT_EQ(st.tracked, 0, "nothing left");
	ASSERT_EQ(st.mounted, 1, "counted as mounted");
	OPEN(&s, "tmpfs", 5);
	ASSERT_EQ(f.res.event, MT_NEWAPI_NONE, "other filesystems are not tracked");
	SET(&s, 5, "size", "1m", 0);
	ASSERT_EQ(f.res.event, MT_NEWAPI_NONE, "nor their fsconfig");
	mt_newapi__free(f.t);
}

TEST(newapi_failed_create_kills_the_context)
{
	struct fx_sink s;
	struct feed_ctx f;
	struct mt_newapi_stats st;

	sink_init(&s, &f, NULL);
	OPEN(&s, "overlay", 3);
	SET(&s, 3, "upperdir", "/busy/upper", 0);
	CREATE(&s, 3, -EBUSY);
	if (ASSERT_EQ(f.res.event, MT_NEWAPI_CREATE_FAILED, "overlay refused the upperdir")) {
		ASSERT_EQ(f.res.err, EBUSY, "errno");
		ASSERT_STREQ(f.res.opts->upper, "/busy/upper", "the options it was given");
	}
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 3) == NULL, "a failed context is dead");

	OPEN(&s, "overlay", 6);
	CREATE(&s, 6, -EPERM);
	ASSERT_EQ(f.res.event, MT_NEWAPI_CONFIGURED, "EPERM is mount_capable: not dead");
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 6) != NULL, "still there");
	CREATE(&s, 6, 0);
	CREATE(&s, 6, -EBUSY);
	ASSERT_EQ(f.res.event, MT_NEWAPI_CONFIGURED, "EBUSY after a create is the phase check");
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 6) != NULL, "and leaves the context alone");
	mt_newapi__stats(f.t, &st);
	ASSERT_EQ(st.failed, 1, "one killed context");
	mt_newapi__free(f.t);
}

TEST(newapi_reused_or_closed_fds_are_forgotten)
{
	struct fx_sink s;
	struct feed_ctx f;
	struct mt_newapi_stats st;

	sink_init(&s, &f, NULL);
	OPEN(&s, "overlay", 3);
	SET(&s, 3, "upperdir", "/old", 0);
	/* fd 3 was closed unseen, then handed out again */
	OPEN(&s, "overlay", 3);
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 3)->upper == NULL, "a fresh context, not the old one");
	SC(&s, .h = { .pid = PID }, .call = MT_CALL_OPEN_TREE, .path = "/x", .ret = 3);
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 3) == NULL, "open_tree got the fd: closed before");
	OPEN(&s, "overlay", 7);
	SC(&s, .h = { .pid = PID + 1 }, .call = MT_CALL_OPEN_TREE, .path = "/x", .ret = 7);
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 7) != NULL, "fds are per process");
	SET(&s, 7, "workdir", "/w", -EBADF);
	ASSERT_EQ(f.res.event, MT_NEWAPI_CONFIGURED, "the EBADF call still shows");
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 7) == NULL, "EBADF: the fd is closed");
	OPEN(&s, "overlay", 8);
	FSMOUNT(&s, 8, 9);
	OPEN(&s, "overlay", 9);
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 9)->nr_lower == 0, "mount fd 9 replaced");
	mt_newapi__forget_pid(f.t, PID);
	mt_newapi__stats(f.t, &st);
	ASSERT_EQ(st.tracked, 0, "the exited process's contexts are gone");
	ASSERT_EQ(st.closed, 4, "closed: reused twice, open_tree once, EBADF once");
	ASSERT_EQ(st.exited, 1, "dropped by pid");
	mt_newapi__free(f.t);
}

TEST(newapi_bounded_by_count_and_age)
{
	struct mt_newapi_limits lim = { .max_contexts = 4, .max_idle_ns = 1000000 };
	struct fx_sink s;
	struct feed_ctx f;
	struct mt_newapi_stats st;

	sink_init(&s, &f, &lim);
	for (int fd = 10; fd < 16; fd++)
		OPEN(&s, "overlay", fd);
	mt_newapi__stats(f.t, &st);
	ASSERT_EQ(st.tracked, 4, "at most max_contexts");
	ASSERT_EQ(st.evicted, 2, "the two oldest evicted");
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 10) == NULL && mt_newapi__find(f.t, PID, 11) == NULL,
		    "oldest gone");
	SET(&s, 12, "upperdir", "/u", 0);	/* a use keeps 12 young */
	s.clock += 600000;
	SET(&s, 12, "workdir", "/w", 0);
	s.clock += 600000;
	SC(&s, .h = { .pid = 1 }, .call = MT_CALL_RMDIR, .path = "/x");
	mt_newapi__stats(f.t, &st);
	ASSERT_EQ(st.expired, 3, "idle contexts expire by record time");
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 12) != NULL, "the one in use stays");
	mt_newapi__free(f.t);
}

TEST(newapi_cut_strings_are_not_stored)
{
	struct fx_sink s;
	struct feed_ctx f;

	sink_init(&s, &f, NULL);
	OPEN(&s, "overlay", 3);
	SC(&s, .h = { .pid = PID, .flags = MT_F_TRUNC(MT_SC_DATA) }, .call = MT_CALL_FSCONFIG,
	   .src = "upperdir", .data = "/var/lib/cut", .args = { 3, FSCONFIG_SET_STRING, 1, 1 });
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 3)->upper == NULL, "a cut upperdir stays unknown");
	CREATE(&s, 3, 0);
	FSMOUNT(&s, 3, 4);
	SC(&s, .h = { .pid = PID, .flags = MT_F_TRUNC(MT_SC_PATH) }, .call = MT_CALL_MOVE_MOUNT,
	   .src = "", .path = "/cut/target", .args = { 4 });
	ASSERT_EQ(f.res.event, MT_NEWAPI_MOUNTED, "still mounted");
	ASSERT_TRUE(f.res.path == NULL, "but no cut path handed out");
	mt_newapi__free(f.t);
}

TEST(newapi_exec_closes_only_cloexec_fds)
{
	struct fx_sink s;
	struct feed_ctx f;
	struct mt_newapi_stats st;

	sink_init(&s, &f, NULL);
	SC(&s, .h = { .pid = PID }, .call = MT_CALL_FSOPEN, .fstype = "overlay", .ret = 3,
	   .args = { 0, FSOPEN_CLOEXEC });
	OPEN(&s, "overlay", 5);
	CREATE(&s, 5, 0);
	SC(&s, .h = { .pid = PID }, .call = MT_CALL_FSMOUNT, .ret = 6,
	   .args = { 5, FSMOUNT_CLOEXEC });
	mt_newapi__exec(f.t, PID + 1);
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 3) != NULL, "another process's exec changes nothing");
	mt_newapi__exec(f.t, PID);
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 3) == NULL, "FSOPEN_CLOEXEC context closed by exec");
	ASSERT_TRUE(mt_newapi__find(f.t, PID, 6) == NULL, "FSMOUNT_CLOEXEC mount fd closed by exec");
	mt_newapi__stats(f.t, &st);
	ASSERT_EQ(st.exec_closed, 2, "counted");
	mt_newapi__free(f.t);
}
