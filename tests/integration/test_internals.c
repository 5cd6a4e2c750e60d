// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel internals, seen only through fentry/kprobe hooks (clone_mnt,
 * umount_tree, propagate_umount, __detach_mounts). Tracepoint mode cannot
 * see them, so these tests SKIP there with the reason.
 */
#include <stdio.h>
#include <sys/mount.h>

#include "scenarios.h"

static bool need_internals(void)
{
	const char *why = NULL;

	if (it_internals_available(&why))
		return true;
	mt_test_skip("%s", why);
	return false;
}

/* A mount record of the copy in the service's namespace. */
#define COPY_REC(t, s, what, op, ...)                                        \
	ASSERT_REC(t, what, "type", "mount", "op", op, "ns", sc_get(s, "svc_ns"), \
		   "mnt_id", sc_get(s, "copy_id"), __VA_ARGS__)

TEST(internals_copy_names_original)
{
	struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!need_internals() || !trace_scenario(&t, NULL, &s, scn_leak_child, &a))
		goto out;
	/* clone_mnt runs before the copy joins the new namespace, so "ns"
	 * may be absent (docs/json.md); mount ids are system-wide */
	r = ASSERT_REC(&t, "clone_mnt copy of the overlay", "type", "mount", "op", "copy",
		       "mnt_id", sc_get(&s, "copy_id"));
	if (r) {
		ASSERT_JINT(r, "src_mnt_id", sc_num(&s, "ovl_id"));
		ASSERT_JSTR(r, "fstype", "overlay");
		ASSERT_JSTR(r, "path", sc_get(&s, "merged"));
		if (json_get(r, "ns"))
			ASSERT_JINT(r, "ns", sc_num(&s, "svc_ns"));
	}
	r = ASSERT_REC(&t, "ns copy", "type", "ns", "op", "copy", "ns", sc_get(&s, "svc_ns"));
	if (r) {
		ASSERT_JINT(r, "old_ns", sc_num(&s, "ns"));
		ASSERT_JFLAG(r, "flags", "CLONE_NEWNS");
	}
	/* a namespace copy reports its overlay mounts only (docs/json.md):
	 * the graph root, a bind mount on the scenario's tmpfs, is copied
	 * into the service's namespace without a record, while the bind
	 * that made it (clone_mnt outside copy_mnt_ns) has one */
	ASSERT_REC(&t, "clone_mnt copy of the bind mount", "type", "mount", "op", "copy",
		   "mnt_id", sc_get(&s, "graph_id"), "fstype", "tmpfs");
	if (!ASSERT_EQ(rec_count(&t, "type", "mount", "op", "copy", "mnt_id",
				 sc_get(&s, "graph_copy_id"), NULL),
		       0, "copy records of the namespace copy of the graph root"))
		rec_dump(&t, "copy records", "type", "mount", "op", "copy", NULL);
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(internals_umount_propagated_to_slave)
{
	struct scn_leak a = { .graph_prop = MS_SHARED, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (!need_internals() || !trace_scenario(&t, NULL, &s, scn_leak_child, &a))
		goto out;
	if (!ASSERT_STREQ(sc_get(&s, "copy_after_umount"), "0", "slave copy removed"))
		goto out;
	ASSERT_REC(&t, "umount_tree of the original", "type", "mount", "op", "umount",
		   "ns", sc_get(&s, "ns"), "mnt_id", sc_get(&s, "ovl_id"));
	COPY_REC(&t, &s, "propagated umount of the slave copy", "umount_propagated",
		 "path", sc_get(&s, "merged"));
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(internals_rmdir_detaches_leaked_copy)
{
	struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH, .removal = SCN_RMDIR };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!need_internals() || !trace_scenario(&t, NULL, &s, scn_leak_child, &a))
		goto out;
	if (!ASSERT_STREQ(sc_get(&s, "copy_after_rm"), "0", "leaked copy detached by rmdir"))
		goto out;
	/* __detach_mounts -> umount_tree(m, UMOUNT_CONNECTED) on the copy */
	r = COPY_REC(&t, &s, "lazy detach of the leaked copy", "umount", NULL);
	if (r)
		ASSERT_JFLAG(r, "umount_flags", "UMOUNT_CONNECTED");
out:
	sc_free(&s);
	tracer_free(&t);
}

/*
 * An overlay mounted below a shared mount that has a slave in a service's
 * namespace: propagate_mnt gives the service a copy. It must come as a
 * propagated_copy in the service's namespace, at the same path, naming the
 * caller's new mount as its source; never as a clone_mnt "copy".
 */
static void propagated_child(struct sc_ctx *c, void *arg)
{
	char graph[256], base[400], merged[512];
	struct mi_entry e;
	pid_t svc;

	snprintf(graph, sizeof(graph), "%s/graph", c->dir);
	make_graph_root(c, graph, MS_SHARED);
	svc = spawn_service(c, true, MS_SLAVE, NULL);
	sc_report(c, "svc_ns", "%lu", ns_inode(svc));
	snprintf(base, sizeof(base), "%s/ovl", graph);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	sc_report(c, "merged", "%s", merged);
	SC_CHECK(c, mi_find(0, merged, &e), "overlay not in our mountinfo");
	sc_report(c, "orig_id", "%d", e.mnt_id);
	SC_CHECK(c, mi_find(svc, merged, &e), "no propagated copy in the service namespace");
	sc_report(c, "copy_id", "%d", e.mnt_id);
	sc_sync(c);	/* keep the service's namespace while mnttrace looks */
}

TEST(internals_propagated_copy_joins_slave_namespace)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!need_internals() || !trace_scenario(&t, NULL, &s, propagated_child, NULL))
		goto out;
	r = ASSERT_REC(&t, "propagated copy of the overlay", "type", "mount", "op",
		       "propagated_copy", "mnt_id", sc_get(&s, "copy_id"));
	if (r) {
		ASSERT_JINT(r, "ns", sc_num(&s, "svc_ns"));
		ASSERT_JSTR(r, "path", sc_get(&s, "merged"));
		ASSERT_JINT(r, "src_mnt_id", sc_num(&s, "orig_id"));
		ASSERT_JINT(r, "src_ns", sc_num(&s, "ns"));
		ASSERT_JSTR(r, "fstype", "overlay");
	}
	ASSERT_TRUE(!rec_find(&t, 0, NULL, "type", "mount", "op", "copy", "mnt_id",
			      sc_get(&s, "copy_id"), NULL),
		    "the propagated copy is not also reported as a clone_mnt copy");
out:
	sc_free(&s);
	tracer_free(&t);
}
