// SPDX-License-Identifier: GPL-2.0
/*
 * The BACKGROUND.md scenarios end to end: mnttrace must turn the events
 * into "type":"finding" records (issue 4) that name the overlay, the
 * namespace holding its copy, who made that namespace, who lives in it,
 * and why the umount did not reach it. Only findings about this test's own
 * paths count: the host may have overlays of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "scenarios.h"

static const struct json *finding(const struct tracer *t, const char *kind, const char *path)
{
	return rec_find(t, 0, NULL, "type", "finding", "kind", kind, "path", path, NULL);
}

/* The findings about this test's own dir: the host may have many others. */
static void dump_findings(const struct tracer *t, const char *path)
{
	char prefix[160];
	const char *it = path ? strstr(path, "/mnttrace-it.") : NULL;
	const char *end = it ? strchr(it + 1, '/') : NULL;

	snprintf(prefix, sizeof(prefix), "^%.*s", end ? (int)(end - path) : 0, path ? path : "");
	rec_dump(t, "findings about this test", "type", "finding", "path", prefix, NULL);
}

#define ASSERT_FINDING(t, kind, path)                                        \
	({ const struct json *f_ = finding(t, kind, path);                   \
	   if (!f_) { mt_test_fail(__FILE__, __LINE__, "no \"%s\" finding for %s", \
				   kind, path);                              \
		      dump_findings(t, path); }                              \
	   f_; })

/* The holder entry for namespace ns, or NULL. */
static const struct json *holder(const struct json *f, long long ns)
{
	const struct json *hs = json_get(f, "holders"), *h;
	long long v;

	for (size_t i = 0; (h = json_at(hs, i)); i++)
		if (json_int(h, "mnt_ns", &v) && v == ns)
			return h;
	return NULL;
}

static bool holder_has_pid(const struct json *h, long long pid)
{
	const struct json *ps = json_get(h, "pids"), *p;
	long long v;

	for (size_t i = 0; (p = json_at(ps, i)); i++)
		if (json_int(p, "pid", &v) && v == pid)
			return true;
	return false;
}

/* A holder for ns exists and lists pid among the processes living in it. */
static const struct json *assert_holder(const struct json *f, long long ns, long long pid)
{
	const struct json *h = holder(f, ns);
	char buf[800];

	if (!h) {
		json_format(json_get(f, "holders"), buf, sizeof(buf));
		mt_test_fail(__FILE__, __LINE__, "no holder with mnt_ns %lld in %s", ns, buf);
		return NULL;
	}
	if (pid > 0 && !holder_has_pid(h, pid)) {
		json_format(h, buf, sizeof(buf));
		mt_test_fail(__FILE__, __LINE__, "holder of ns %lld does not list pid %lld: %s",
			     ns, pid, buf);
	}
	return h;
}

static void assert_overlay_identity(const struct json *f, const struct scenario *s)
{
	const struct json *o = json_get(f, "overlay");

	if (!ASSERT_TRUE(o && o->type == JSON_OBJECT, "finding has an \"overlay\" object"))
		return;
	ASSERT_JSTR(o, "upperdir", sc_get(s, "upper"));
	ASSERT_JSTR(o, "workdir", sc_get(s, "work"));
	ASSERT_JSTR(o, "container_id", SCN_CONTAINER_ID);
	if (!json_str(f, "reason") || !json_str(f, "reason")[0])
		ASSERT_TRUE(false, "finding has a \"reason\"");
}

/* The leak of scenario 1: one "leak", naming the service's namespace. */
static const struct json *assert_leak(const struct tracer *t, const struct scenario *s)
{
	const char *merged = sc_get(s, "merged");
	const struct json *f, *h, *cb;

	ASSERT_EQ(rec_count(t, "type", "finding", "kind", "leak", "path", merged, NULL), 1,
		  "\"leak\" findings for the overlay");
	f = ASSERT_FINDING(t, "leak", merged);
	if (!f)
		return NULL;
	assert_overlay_identity(f, s);
	h = assert_holder(f, sc_num(s, "svc_ns"), sc_num(s, "svc_pid"));
	if (!h)
		return f;
	ASSERT_JSTR(h, "propagation", "private");
	cb = json_get(h, "created_by");
	if (ASSERT_TRUE(cb != NULL, "holder has \"created_by\"")) {
		ASSERT_JINT(cb, "pid", sc_num(s, "svc_pid"));
		ASSERT_JSTR(cb, "comm", sc_get(s, "comm"));
		ASSERT_TRUE(json_str(cb, "time") != NULL, "created_by.time");
	}
	return f;
}

/* The finding came from the same leak: leak_id points at it. */
static void assert_tied(const struct json *f, const struct json *leak)
{
	long long id;

	if (leak && json_int(leak, "id", &id))
		ASSERT_JINT(f, "leak_id", id);
}

static void check_scenario1(const char *const *args)
{
	struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *risk, *um;

	if (!trace_scenario(&t, args, &s, scn_leak_child, &a))
		goto out;
	/* the warning comes when the copy is made, before the umount */
	risk = ASSERT_FINDING(&t, "risk", sc_get(&s, "merged"));
	um = ASSERT_REC(&t, "runtime umount2", "type", "syscall", "call", "umount2",
			"pid", sc_get(&s, "pid"), "path", sc_get(&s, "merged"));
	if (risk) {
		long long rts = 0, uts = 0;

		assert_holder(risk, sc_num(&s, "svc_ns"), 0);
		if (um && json_int(risk, "ts_ns", &rts) && json_int(um, "ts_ns", &uts))
			ASSERT_TRUE(rts < uts, "risk finding precedes the umount");
	}
	ASSERT_EQ(rec_count(&t, "type", "finding", "kind", "risk", "path", sc_get(&s, "merged"),
			    NULL), 1, "one \"risk\" per (namespace, overlay)");
	assert_leak(&t, &s);
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(finding_scenario1_private_root_leak)
{
	check_scenario1(NULL);
}

/* --overlay is the lens findings are made for: they must come through it */
TEST(finding_scenario1_with_overlay_filter)
{
	static const char *const args[] = { "--overlay", NULL };

	check_scenario1(args);
}

TEST(finding_scenario2_shared_root_no_leak)
{
	struct scn_leak a = { .graph_prop = MS_SHARED, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const char *merged;

	if (!trace_scenario(&t, NULL, &s, scn_leak_child, &a))
		goto out;
	merged = sc_get(&s, "merged");
	/* mnttrace saw the scenario, so the silence below means something */
	ASSERT_REC(&t, "runtime umount2", "type", "syscall", "call", "umount2",
		   "pid", sc_get(&s, "pid"), "path", merged, "ret", "0");
	ASSERT_EQ(rec_count(&t, "type", "finding", "kind", "leak", "path", merged, NULL), 0,
		  "\"leak\" findings for a propagated umount");
	ASSERT_EQ(rec_count(&t, "type", "finding", "kind", "risk", "path", merged, NULL), 0,
		  "\"risk\" findings for a slave copy");
	if (mt_test_failed())
		dump_findings(&t, merged);
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(finding_scenario3_busy_slave_ebusy)
{
	struct scn_leak a = { .graph_prop = MS_SHARED, .svc_prop = MS_SLAVE, .svc_busy = true,
			      .do_umount = true, .umount_flags = 0 };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *f;

	if (!trace_scenario(&t, NULL, &s, scn_leak_child, &a))
		goto out;
	ASSERT_REC(&t, "umount2 EBUSY", "type", "syscall", "call", "umount2",
		   "pid", sc_get(&s, "pid"), "path", sc_get(&s, "merged"), "errno", "EBUSY");
	f = ASSERT_FINDING(&t, "ebusy", sc_get(&s, "merged"));
	if (!f)
		goto out;
	ASSERT_JSTR(f, "op", "umount2");
	ASSERT_JSTR(f, "errno", "EBUSY");
	assert_overlay_identity(f, &s);
	/* the busy copy's namespace, and the process sitting in it */
	assert_holder(f, sc_num(&s, "svc_ns"), sc_num(&s, "svc_pid"));
out:
	sc_free(&s);
	tracer_free(&t);
}

/*
 * Issue 8, defect 4: Docker's umount -l of a shared overlay propagates to
 * the service's slave copy although the service sits in it; the kernel
 * detaches it (no EBUSY for a lazy umount) and a "detached" finding names
 * the process that lost its cwd.
 */
TEST(finding_lazy_umount_detaches_busy_slave_copy)
{
	struct scn_leak a = { .graph_prop = MS_SHARED, .svc_prop = MS_SLAVE, .svc_busy = true,
			      .do_umount = true, .umount_flags = MNT_DETACH };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *f, *h;

	if (!trace_scenario(&t, NULL, &s, scn_leak_child, &a))
		goto out;
	ASSERT_EQ(sc_num(&s, "umount_ret"), 0, "the lazy umount succeeded");
	ASSERT_EQ(sc_num(&s, "copy_after_umount"), 0, "and took the busy copy");
	f = ASSERT_FINDING(&t, "detached", sc_get(&s, "merged"));
	if (!f)
		goto out;
	ASSERT_JSTR(f, "op", "umount2");
	ASSERT_JSTR(f, "reason_code", "lazy_umount_detached_busy_copy");
	assert_overlay_identity(f, &s);
	h = assert_holder(f, sc_num(&s, "svc_ns"), sc_num(&s, "svc_pid"));
	if (h)
		ASSERT_TRUE(json_get(h, "detached") != NULL, "the copy is marked detached");
	ASSERT_TRUE(!finding(&t, "leak", sc_get(&s, "merged")), "no leak: nothing stayed");
out:
	sc_free(&s);
	tracer_free(&t);
}

/*
 * The finding about the second mount of pinned layers, by what the kernel
 * did with it (docs/findings.md): a refused index=on mount is an "ebusy"
 * with op "mount" and errno EBUSY; an index=off mount that only warned is
 * an "inuse" with ret 0 and no errno. Never both.
 */
static const struct json *assert_remount_finding(const struct tracer *t, const struct scenario *s)
{
	const char *path = sc_get(s, "remount_path");
	bool refused = !strcmp(sc_get(s, "remount_errno"), "EBUSY");
	const char *kind = refused ? "ebusy" : "inuse", *other = refused ? "inuse" : "ebusy";
	const struct json *f = ASSERT_FINDING(t, kind, path);

	ASSERT_EQ(rec_count(t, "type", "finding", "kind", other, "path", path, NULL), 0,
		  refused ? "\"inuse\" findings for a refused mount" :
			    "\"ebusy\" findings for a mount that succeeded");
	if (!f)
		return NULL;
	ASSERT_JSTR(f, "op", "mount");
	if (refused) {
		ASSERT_JINT(f, "ret", -EBUSY);
		ASSERT_JSTR(f, "errno", "EBUSY");
	} else {
		ASSERT_JINT(f, "ret", 0);
		ASSERT_TRUE(json_get(f, "errno") == NULL, "no \"errno\" on a mount that succeeded");
	}
	if (ASSERT_TRUE(json_get(f, "overlay") != NULL, "finding has an \"overlay\" object"))
		ASSERT_JSTR(json_get(f, "overlay"), "upperdir", sc_get(s, "upper"));
	return f;
}

TEST(finding_scenario4_restarted_daemon)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *f;

	if (!trace_scenario(&t, NULL, &s, scn_restart_child, NULL))
		goto out;
	if (!ASSERT_STREQ(sc_get(&s, "remount_errno"), "EBUSY", "index=on remount"))
		goto out;
	f = assert_remount_finding(&t, &s);
	if (!f)
		goto out;
	/* the old daemon's namespace holds it, kept alive by the shim */
	assert_holder(f, sc_num(&s, "old_ns"), sc_num(&s, "shim_pid"));
	ASSERT_TRUE(holder(f, sc_num(&s, "new_ns")) == NULL,
		    "the restarted daemon's namespace is not a holder");
out:
	sc_free(&s);
	tracer_free(&t);
}

/*
 * @late: the overlay and its copy exist before mnttrace starts, so only the
 * start-up scan can have put "merged" in mp_names (bpf/removal.h).
 */
static void check_detached(enum scn_removal how, bool late)
{
	struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH, .removal = how,
			      .sync_before_umount = late };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *leak, *f;

	if (!(late ? trace_scenario_late : trace_scenario)(&t, NULL, &s, scn_leak_child, &a))
		goto out;
	/* Linux >= 3.18: the removal succeeds and detaches the leaked copy */
	if (!ASSERT_STREQ(sc_get(&s, "rm_errno"), "0", "removal of merged"))
		goto out;
	leak = assert_leak(&t, &s);
	f = ASSERT_FINDING(&t, "detached", sc_get(&s, "merged"));
	if (!f)
		goto out;
	assert_holder(f, sc_num(&s, "svc_ns"), sc_num(&s, "svc_pid"));
	assert_tied(f, leak);
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(finding_leak_then_rmdir_detached)
{
	check_detached(SCN_RMDIR, false);
}

TEST(finding_leak_then_unlinkat_detached)
{
	check_detached(SCN_UNLINKAT, false);
}

TEST(finding_leak_then_rmdir_slash_detached)
{
	check_detached(SCN_RMDIR_SLASH, false);
}

/* the copy was made before mnttrace started: the seeded set lets the rmdir through */
TEST(finding_preexisting_leak_then_rmdir_detached)
{
	check_detached(SCN_RMDIR, true);
}

static void check_remount_after_leak(const char *opts, const char *want_errno)
{
	struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH, .remount_opts = opts };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *leak, *f;

	if (!trace_scenario(&t, NULL, &s, scn_leak_child, &a))
		goto out;
	if (!ASSERT_STREQ(sc_get(&s, "remount_errno"), want_errno, opts))
		goto out;
	leak = assert_leak(&t, &s);
	f = assert_remount_finding(&t, &s);
	if (!f)
		goto out;
	/* the leaked copy pins the layers */
	assert_holder(f, sc_num(&s, "svc_ns"), sc_num(&s, "svc_pid"));
	assert_tied(f, leak);
out:
	sc_free(&s);
	tracer_free(&t);
}

/* index=on: overlayfs refuses a second mount on pinned layers */
TEST(finding_leak_then_index_on_remount)
{
	check_remount_after_leak("index=on", "EBUSY");
}

/* index=off: the mount succeeds, overlayfs only warns */
TEST(finding_leak_then_index_off_remount_inuse)
{
	check_remount_after_leak("index=off", "0");
}

TEST(finding_leak_new_mount_api_overlay)
{
	struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE, .do_umount = true,
			      .umount_flags = MNT_DETACH, .new_api = true };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (trace_scenario(&t, NULL, &s, scn_leak_child, &a))
		assert_leak(&t, &s);
	sc_free(&s);
	tracer_free(&t);
}

/* Does any holder of f name namespace ns, or list pid among its processes? */
static bool names_ns_or_pid(const struct json *f, long long ns, long long pid)
{
	const struct json *h = holder(f, ns), *hs = json_get(f, "holders");

	if (h)
		return true;
	for (size_t i = 0; (h = json_at(hs, i)); i++)
		if (holder_has_pid(h, pid))
			return true;
	return false;
}

/*
 * Issue 7, defect 1, for real: httpd's namespace held a private copy and
 * died unseen; sshd's new namespace got its inode but never had a copy
 * (it was copied from a namespace without the overlay). After the
 * runtime's umount no namespace holds the overlay, so any "leak" is false,
 * and one naming sshd's namespace is the inode confusion. With late,
 * mnttrace starts once httpd's copy exists: it knows that copy only from
 * its start-up snapshot.
 */
static void check_reused_ns(bool late)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const char *merged;
	const struct json *f;
	size_t i = 0;

	if (!(late ? trace_scenario_late : trace_scenario)(&t, NULL, &s, scn_ns_reuse_child, NULL))
		goto out;
	merged = sc_get(&s, "merged");
	mt_test_log("mount namespace inode %s: httpd's (id %s), then sshd's (id %s), after %s "
		    "tries", sc_get(&s, "httpd_ns"), sc_get(&s, "httpd_ns_id"),
		    sc_get(&s, "sshd_ns_id"), sc_get(&s, "tries"));
	/* the kernel's truth: the umount worked and left no copy anywhere */
	if (!ASSERT_STREQ(sc_get(&s, "umount_errno"), "0", "runtime umount2") ||
	    !ASSERT_STREQ(sc_get(&s, "in_sshd"), "0", "overlay in sshd's namespace") ||
	    !ASSERT_STREQ(sc_get(&s, "in_runtime"), "0", "overlay in the runtime's namespace"))
		goto out;
	/* mnttrace knew httpd's copy (its op and pids in fentry/kprobe modes
	 * are issue 7's defect 8, not this test's), and saw the umount */
	f = ASSERT_FINDING(&t, "risk", merged);
	if (f)
		assert_holder(f, sc_num(&s, "httpd_ns"), 0);
	if (f && late)
		ASSERT_JSTR(f, "op", "snapshot");
	ASSERT_REC(&t, "runtime umount2", "type", "syscall", "call", "umount2",
		   "pid", sc_get(&s, "pid"), "path", merged, "ret", "0");
	while ((f = rec_find(&t, i, &i, "type", "finding", "kind", "leak", "path", merged, NULL))) {
		char buf[800];

		json_format(f, buf, sizeof(buf));
		mt_test_fail(__FILE__, __LINE__, "a false leak%s: %s",
			     names_ns_or_pid(f, sc_num(&s, "sshd_ns"), sc_num(&s, "sshd_pid")) ?
			     " naming sshd's namespace" : "", buf);
		i++;
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(finding_reused_ns_inode_no_false_leak)
{
	check_reused_ns(false);
}

TEST(finding_reused_ns_inode_from_snapshot_no_false_leak)
{
	check_reused_ns(true);
}
