// SPDX-License-Identifier: GPL-2.0
/*
 * The fixtures themselves, checked against /proc/PID/mountinfo without
 * mnttrace: if the kernel does not leak in scenario 1, or leaks in
 * scenario 2, a later mnttrace verdict would mean nothing. No mnttrace,
 * so TEST_ANY_MODE: once a kernel (the kernel, not the mode, decides).
 */
#include <stdlib.h>
#include <sys/mount.h>

#include "scenarios.h"

static bool run_plain(struct scenario *s, sc_fn fn, void *arg)
{
	return sc_start(s, fn, arg) && sc_finish(s);
}

#define ASSERT_REPORT(s, key, want) ASSERT_STREQ(sc_get(s, key), want, key)

TEST_ANY_MODE(fixture_private_root_leaks)
{
	struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH, .removal = SCN_RMDIR };
	struct scenario s = SC_INIT;

	if (run_plain(&s, scn_leak_child, &a)) {
		ASSERT_REPORT(&s, "ovl_prop", "private");
		ASSERT_REPORT(&s, "copy_prop", "private");
		ASSERT_REPORT(&s, "umount_errno", "0");
		ASSERT_REPORT(&s, "copy_after_umount", "1");
		/* Linux >= 3.18: rmdir outside the copy's namespace detaches it */
		ASSERT_REPORT(&s, "rm_errno", "0");
		ASSERT_REPORT(&s, "copy_after_rm", "0");
	}
	sc_free(&s);
}

TEST_ANY_MODE(fixture_shared_root_does_not_leak)
{
	struct scn_leak a = { .graph_prop = MS_SHARED, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH };
	struct scenario s = SC_INIT;
	char want[64];

	if (run_plain(&s, scn_leak_child, &a)) {
		const char *ovl = sc_get(&s, "ovl_prop");

		ASSERT_TRUE(ovl && !strncmp(ovl, "shared:", 7), "overlay under a shared root is shared");
		snprintf(want, sizeof(want), "master:%s", ovl ? ovl + 7 : "?");
		ASSERT_REPORT(&s, "copy_prop", want);
		ASSERT_REPORT(&s, "copy_after_umount", "0");
	}
	sc_free(&s);
}

TEST_ANY_MODE(fixture_busy_slave_ebusy)
{
	struct scn_leak a = { .graph_prop = MS_SHARED, .svc_prop = MS_SLAVE, .svc_busy = true,
			      .do_umount = true, .umount_flags = 0 };
	struct scenario s = SC_INIT;

	if (run_plain(&s, scn_leak_child, &a)) {
		ASSERT_REPORT(&s, "umount_errno", "EBUSY");
		ASSERT_REPORT(&s, "copy_after_umount", "1");
	}
	sc_free(&s);
}

TEST_ANY_MODE(fixture_restarted_daemon)
{
	struct scenario s = SC_INIT;

	if (run_plain(&s, scn_restart_child, NULL)) {
		ASSERT_REPORT(&s, "in_old", "1");
		ASSERT_REPORT(&s, "in_new", "0");
		/* index=on refuses layers a live superblock still uses */
		ASSERT_REPORT(&s, "remount_errno", "EBUSY");
	}
	sc_free(&s);
}

TEST_ANY_MODE(fixture_leak_then_index_remount)
{
	struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH, .remount_opts = "index=on" };
	struct scenario s = SC_INIT;

	if (run_plain(&s, scn_leak_child, &a)) {
		ASSERT_REPORT(&s, "copy_after_umount", "1");
		ASSERT_REPORT(&s, "remount_errno", "EBUSY");
	}
	sc_free(&s);
}
