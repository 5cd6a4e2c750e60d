// SPDX-License-Identifier: GPL-2.0
/*
 * Overlay lower layers as a namespace walk reports them: the walk record's
 * "lowerdir" must say what /proc/PID/mountinfo says, for the legacy
 * lowerdir=a:b:c option and for layers added one by one with fsconfig
 * lowerdir+/datadir+ (6.8+).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "scenarios.h"

/* The walk record of the overlay at the scenario's "merged" must carry
 * the lower layers that mountinfo showed the child ("mi_lower"). */
static void assert_walk_lowerdir(const struct tracer *t, const struct scenario *s)
{
	const struct json *r = rec_find(t, 0, NULL, "type", "mount", "op", "walk", "ns",
					sc_get(s, "ns"), "path", sc_get(s, "merged"), NULL);

	if (!r) {
		mt_test_fail(__FILE__, __LINE__, "no walk record of the overlay at %s",
			     sc_get(s, "merged"));
		rec_dump(t, "walk records", "op", "walk", NULL);
		return;
	}
	ASSERT_JSTR(r, "fstype", "overlay");
	ASSERT_JSTR(r, "lowerdir", sc_get(s, "mi_lower"));
}

/* Trace @child, check that mountinfo's layers (as the child saw them)
 * hold @first then @then, and that the walk reported the same. */
static void check_walk_layers(sc_fn child, const char *first, const char *then,
			      const char *what)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const char *mi, *p;

	if (!trace_scenario(&t, NULL, &s, child, NULL))
		goto out;
	mi = sc_get(&s, "mi_lower");
	p = mi ? strstr(mi, first) : NULL;
	if (ASSERT_TRUE(p && strstr(p, then), what))
		assert_walk_lowerdir(&t, &s);
out:
	sc_free(&s);
	tracer_free(&t);
}

static void make_dirs(struct sc_ctx *c, const char *base, const char *const *names, size_t n)
{
	char path[512];

	make_dir(c, base);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", base, names[i]);
		make_dir(c, path);
	}
}

/* ---- lowerdir=a:b:c via mount(2) ---- */

static void three_lowers_child(struct sc_ctx *c, void *arg)
{
	static const char *const dirs[] = { "l1", "l2", "l3", "upper", "work", "merged" };
	char base[256], opts[1400], merged[300], lower[800] = "";
	struct mi_entry e;

	snprintf(base, sizeof(base), "%s/three", c->dir);
	make_dirs(c, base, dirs, sizeof(dirs) / sizeof(dirs[0]));
	snprintf(merged, sizeof(merged), "%s/merged", base);
	snprintf(opts, sizeof(opts),
		 "lowerdir=%s/l1:%s/l2:%s/l3,upperdir=%s/upper,workdir=%s/work",
		 base, base, base, base, base);
	SC_CHECK(c, mount("overlay", merged, "overlay", 0, opts) == 0, "mount overlay (%s)", opts);
	SC_CHECK(c, mi_find(0, merged, &e), "overlay not in mountinfo at %s", merged);
	mi_collect_option(e.super_opts, "lowerdir", ":", lower, sizeof(lower));
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "mi_lower", "%s", lower);
}

TEST(overlay_walk_lowerdir_three_layers)
{
	/* the kernel's own view first: l1, then l2, then l3 */
	check_walk_layers(three_lowers_child, "/l1:", "/l2:", "mountinfo shows three lower layers");
}

/* ---- fsconfig lowerdir+ / datadir+ (6.8+) ---- */

/* lowerdir+ and datadir+ came with 6.8 */
static bool before_6_8(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	return uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
	       (major < 6 || (major == 6 && minor < 8));
}

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif

static void layers_plus_child(struct sc_ctx *c, void *arg)
{
	static const char *const dirs[] = { "l1", "l2", "d1", "upper", "work", "merged" };
	static const char *const keys[] = { "lowerdir+", "lowerdir+", "datadir+",
					    "upperdir", "workdir" };
	char base[256], path[512], merged[300], lower[800] = "", data[400] = "";
	struct mi_entry e;
	int fd, mfd;
	long created;

	snprintf(base, sizeof(base), "%s/plus", c->dir);
	make_dirs(c, base, dirs, sizeof(dirs) / sizeof(dirs[0]));
	snprintf(merged, sizeof(merged), "%s/merged", base);
	fd = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (fd < 0 && errno == ENOSYS) {
		sc_report(c, "skip", "fsopen: ENOSYS (kernel before 5.2)");
		return;
	}
	SC_CHECK(c, fd >= 0, "fsopen overlay");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", base, dirs[i]);
		if (syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, keys[i], path, 0) == 0)
			continue;
		if (i == 0 && errno == EINVAL && before_6_8()) {
			sc_report(c, "skip", "overlay has no lowerdir+ (kernel before 6.8)");
			close(fd);
			return;
		}
		SC_CHECK(c, false, "fsconfig %s=%s", keys[i], path);
	}
	/* data-only layers need metacopy (overlayfs.rst) */
	SC_CHECK(c, syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, "metacopy", "on", 0) == 0,
		 "fsconfig metacopy=on");
	created = syscall(SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	if (created < 0 && errno == EINVAL && before_6_8()) {
		/* up to 6.4 overlay takes fsconfig keys blindly (the legacy
		 * fs_context, checked on 6.1) and refuses them at create */
		sc_report(c, "skip", "overlay has no lowerdir+ (kernel before 6.8)");
		close(fd);
		return;
	}
	SC_CHECK(c, created == 0, "fsconfig create");
	mfd = (int)syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, 0);
	SC_CHECK(c, mfd >= 0, "fsmount");
	SC_CHECK(c, syscall(SYS_move_mount, mfd, "", AT_FDCWD, merged,
			    MOVE_MOUNT_F_EMPTY_PATH) == 0, "move_mount to %s", merged);
	close(mfd);
	close(fd);
	SC_CHECK(c, mi_find(0, merged, &e), "overlay not in mountinfo at %s", merged);
	/* overlay's legacy syntax for the same layers: a:b::data */
	mi_collect_option(e.super_opts, "lowerdir+", ":", lower, sizeof(lower));
	mi_collect_option(e.super_opts, "datadir+", "::", data, sizeof(data));
	snprintf(lower + strlen(lower), sizeof(lower) - strlen(lower), "::%s", data);
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "mi_lower", "%s", lower);
}

TEST(overlay_walk_lowerdir_plus_and_datadir_plus)
{
	check_walk_layers(layers_plus_child, "/l1:", "/l2::",
			  "mountinfo shows two lowerdir+ layers and a datadir+ layer");
}
