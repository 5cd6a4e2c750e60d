// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace copies and propagation changes. In every attach mode mnttrace
 * walks a namespace when it is created (unshare, clone) and when a mount
 * call changes propagation, and prints its overlay mounts: each walk record
 * must agree with /proc/PID/mountinfo at that moment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenarios.h"

/*
 * The walk record of path in namespace ns with this propagation, emitted
 * at or after `after` entered the kernel; and its walk_done. NULL (test
 * failed) if there is none.
 */
static const struct json *assert_walk(const struct tracer *t, const char *ns, const char *path,
				      const char *prop, const struct json *after)
{
	const char *trigger = after ? json_str(after, "call") : NULL;
	long long min_ts = after ? rec_enter_ns(after) : 0, ts, seq;
	const struct json *r, *done;
	char seqs[32];
	size_t i;

	for (i = 0; (r = rec_find(t, i, &i, "type", "mount", "op", "walk", "ns", ns,
				   "path", path, NULL)); i++) {
		if (json_int(r, "ts_ns", &ts) && ts >= min_ts &&
		    (!prop || (json_str(r, "propagation") &&
			       !strcmp(json_str(r, "propagation"), prop))))
			break;
	}
	if (!r) {
		mt_test_fail(__FILE__, __LINE__, "no walk record of %s in ns %s with propagation %s",
			     path, ns, prop ? prop : "(any)");
		rec_dump(t, "walk records of that ns", "op", "walk", "ns", ns, NULL);
		return NULL;
	}
	if (!json_int(r, "walk_seq", &seq)) {
		ASSERT_JINT(r, "walk_seq", -1);
		return r;
	}
	snprintf(seqs, sizeof(seqs), "%lld", seq);
	/* walk_done closes the walk: it comes after the walk's records */
	done = rec_find(t, i, NULL, "type", "ns", "op", "walk_done", "ns", ns, "walk_seq", seqs, NULL);
	if (!done) {
		mt_test_fail(__FILE__, __LINE__, "no ns walk_done after walk_seq %s of ns %s",
			     seqs, ns);
		rec_dump(t, "ns records", "type", "ns", NULL);
	} else if (trigger) {
		/* the walk says which call caused it */
		ASSERT_JSTR(done, "trigger", trigger);
	}
	return r;
}

static void assert_overlay_fields(const struct json *w, const struct scenario *s)
{
	ASSERT_JSTR(w, "fstype", "overlay");
	ASSERT_JSTR(w, "upperdir", sc_get(s, "upper"));
	ASSERT_JSTR(w, "workdir", sc_get(s, "work"));
	ASSERT_JSTR(w, "lowerdir", sc_get(s, "lower"));
}

static void check_unshare(unsigned long graph_prop)
{
	struct scn_leak a = { .graph_prop = graph_prop, .svc_prop = MS_SLAVE };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r, *w;
	const char *svc_ns;

	if (!trace_scenario(&t, NULL, &s, scn_leak_child, &a))
		goto out;
	svc_ns = sc_get(&s, "svc_ns");
	r = ASSERT_REC(&t, "unshare", "type", "syscall", "call", "unshare",
		       "pid", sc_get(&s, "svc_pid"));
	if (!r)
		goto out;
	ASSERT_JFLAG(r, "flags", "CLONE_NEWNS");
	ASSERT_JINT(r, "ret", 0);
	ASSERT_JINT(r, "mnt_ns", sc_num(&s, "ns"));
	ASSERT_JINT(r, "new_mnt_ns", sc_num(&s, "svc_ns"));
	if (graph_prop == MS_PRIVATE) {
		/* a private original gives a private copy */
		w = assert_walk(&t, svc_ns, sc_get(&s, "merged"), "private", r);
	} else {
		/* a peer at unshare exit ... */
		w = assert_walk(&t, svc_ns, sc_get(&s, "merged"), sc_get(&s, "ovl_prop"), r);
		/* ... and a slave after the service's MS_REC|MS_SLAVE */
		r = ASSERT_REC(&t, "mount MS_SLAVE of /", "type", "syscall", "call", "mount",
			       "pid", sc_get(&s, "svc_pid"), "path", "/");
		if (r)
			assert_walk(&t, svc_ns, sc_get(&s, "merged"), sc_get(&s, "copy_prop"), r);
	}
	if (!w)
		goto out;
	assert_overlay_fields(w, &s);
	ASSERT_JINT(w, "mnt_id", sc_num(&s, "copy_id"));
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(unshare_walks_private_overlay_copy)
{
	check_unshare(MS_PRIVATE);
}

TEST(unshare_walks_shared_copy_peer_then_slave)
{
	check_unshare(MS_SHARED);
}

/* ---- clone(CLONE_NEWNS) ---- */

static void clone_child(struct sc_ctx *c, void *arg)
{
	char base[256], merged[512];
	long pid;
	int st;

	snprintf(base, sizeof(base), "%s/ovl", c->dir);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "upper", "%s/upper", base);
	sc_report(c, "work", "%s/work", base);
	sc_report(c, "lower", "%s/lower", base);
	/* the raw syscall, so the call is "clone" whatever libc prefers */
	pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, 0);
	SC_CHECK(c, pid >= 0, "clone(CLONE_NEWNS)");
	if (pid == 0) {
		sc_report(c, "clone_ns", "%lu", ns_inode(0));
		_exit(0);
	}
	SC_CHECK(c, waitpid((pid_t)pid, &st, 0) == pid, "waitpid");
	sc_report(c, "clone_pid", "%ld", pid);
}

TEST(clone_newns_walks_overlay_copy)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r, *w;

	if (!trace_scenario(&t, NULL, &s, clone_child, NULL))
		goto out;
	r = ASSERT_REC(&t, "clone", "type", "syscall", "call", "clone", "pid", sc_get(&s, "pid"),
		       "ret", sc_get(&s, "clone_pid"));
	if (!r)
		goto out;
	ASSERT_JFLAG(r, "flags", "CLONE_NEWNS");
	ASSERT_JINT(r, "mnt_ns", sc_num(&s, "ns"));
	ASSERT_JINT(r, "new_mnt_ns", sc_num(&s, "clone_ns"));
	w = assert_walk(&t, sc_get(&s, "clone_ns"), sc_get(&s, "merged"), "private", r);
	if (w)
		assert_overlay_fields(w, &s);
out:
	sc_free(&s);
	tracer_free(&t);
}

/* ---- propagation changes ---- */

static void report_prop(struct sc_ctx *c, const char *key, const char *path)
{
	char id_key[64];
	struct mi_entry e;

	SC_CHECK(c, mi_find(0, path, &e), "%s not in mountinfo", path);
	sc_report(c, key, "%s", e.propagation);
	snprintf(id_key, sizeof(id_key), "%s_id", key);
	sc_report(c, id_key, "%d", e.mnt_id);
}

static void propagation_child(struct sc_ctx *c, void *arg)
{
	char base[256], merged[512], peer[256];

	snprintf(base, sizeof(base), "%s/p", c->dir);
	snprintf(peer, sizeof(peer), "%s/peer", c->dir);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	make_dir(c, peer);
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "peer", "%s", peer);

	SC_CHECK(c, mount(NULL, merged, NULL, MS_SHARED, NULL) == 0, "MS_SHARED");
	report_prop(c, "prop_shared", merged);
	/* a bind of a shared mount joins its peer group; MS_SLAVE makes it
	 * a slave of that group */
	SC_CHECK(c, mount(merged, peer, NULL, MS_BIND, NULL) == 0, "bind to peer");
	SC_CHECK(c, mount(NULL, peer, NULL, MS_SLAVE, NULL) == 0, "MS_SLAVE");
	report_prop(c, "prop_slave", peer);
	SC_CHECK(c, mount(NULL, merged, NULL, MS_PRIVATE, NULL) == 0, "MS_PRIVATE");
	report_prop(c, "prop_private", merged);
}

static void check_step(const struct tracer *t, const struct scenario *s, const char *flag,
		       const char *path_key, const char *prop_key)
{
	const char *why = NULL;
	const struct json *r;
	char id_key[64];

	r = ASSERT_REC(t, flag, "type", "syscall", "call", "mount", "pid", sc_get(s, "pid"),
		       "path", sc_get(s, path_key), "flags", flag);
	if (!r)
		return;
	ASSERT_JINT(r, "ret", 0);
	assert_walk(t, sc_get(s, "ns"), sc_get(s, path_key), sc_get(s, prop_key), r);
	if (!it_internals_available(&why))
		return;
	/* change_mnt_propagation, hooked: the change on that very mount */
	snprintf(id_key, sizeof(id_key), "%s_id", prop_key);
	ASSERT_REC(t, "change_mnt_propagation", "type", "mount", "op", "propagation",
		   "mnt_id", sc_get(s, id_key), "change", flag);
}

TEST(propagation_change_rewalks_namespace)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (!trace_scenario(&t, NULL, &s, propagation_child, NULL))
		goto out;
	check_step(&t, &s, "MS_SHARED", "merged", "prop_shared");
	check_step(&t, &s, "MS_SLAVE", "peer", "prop_slave");
	check_step(&t, &s, "MS_PRIVATE", "merged", "prop_private");
out:
	sc_free(&s);
	tracer_free(&t);
}
