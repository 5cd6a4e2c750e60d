// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 8's end-to-end scenarios: a real container (Debian's docker.io 20.10
 * or podman 4.3) and a PrivateTmp-like service namespace
 * (`unshare -m --propagation unchanged sleep 600`) created while it runs,
 * under `mnttrace -j --overlay`. Each test first checks its premise in the
 * kernel's own view (/proc/PID/mountinfo), then the findings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "e2e.h"

/* The copy goes (or is detached) within the runtime's rm; give a loaded
 * machine time. */
#define GONE_MS 10000

struct run {
	struct e2e_runtime rt;
	struct tracer t;
	char id[128], merged[256];
	pid_t svc;
	bool removed;
	struct e2e_overlay o;
};

#define RUN_INIT { .t = TRACER_INIT, .svc = -1 }

static const char *const overlay_args[] = { "--overlay", NULL };

static void run_free(struct run *r)
{
	service_stop(r->svc);
	if (r->id[0] && !r->removed)
		rt_remove(&r->rt, r->id);
	tracer_free(&r->t);
}

/* The container, then the service (propagation prop, sitting in cwd). */
static bool run_setup(struct run *r, const char *prop, const char *cwd_merged)
{
	if (!rt_start_container(&r->rt, r->id, sizeof(r->id), r->merged, sizeof(r->merged)))
		return false;
	r->svc = service_start(prop, cwd_merged ? r->merged : NULL);
	return r->svc > 0 && overlay_observe(&r->o, r->merged, r->svc);
}

static bool run_remove(struct run *r)
{
	r->removed = rt_remove(&r->rt, r->id);
	return r->removed;
}

/* The release command a user would run for the service's copy. */
static void assert_release(const struct json *f, const struct run *r)
{
	char want[512];

	snprintf(want, sizeof(want), "nsenter -t %d -m umount %s", r->svc, r->merged);
	ASSERT_JHAS(f, "release", want);
}

/*
 * A private graph root: the service's copy is private, the runtime's
 * umount does not reach it (leak), and its rmdir of merged lazily detaches
 * it (detached). late: mnttrace starts after the copy exists, so only its
 * start-up snapshot can raise the risk.
 */
static void leak_case(struct run *r, bool late, const char *home, const char *advice)
{
	const struct json *risk, *leak, *det;
	long long leak_id = -1;
	struct mi_entry e;

	if (!late && !tracer_startv(&r->t, overlay_args))
		return;
	if (!run_setup(r, "unchanged", NULL) ||
	    !ASSERT_TRUE(mi_find(0, home, &e) && !strcmp(e.propagation, "private"),
			 "the store's home is a private mount (mountinfo)") ||
	    !ASSERT_STREQ(r->o.svc_prop, "private", "propagation of the service's copy (mountinfo)"))
		return;
	if (late && !tracer_startv(&r->t, overlay_args))
		return;
	if (!run_remove(r))
		return;
	ASSERT_TRUE(wait_mounted(r->svc, r->merged, false, GONE_MS),
		    "the runtime's rmdir of merged detached the service's copy (mountinfo)");
	if (!tracer_stop(&r->t))
		return;

	risk = assert_finding(&r->t, "risk", r->id, &r->rt, &r->o);
	if (risk && assert_holder(risk, &r->o, r->svc, false)) {
		if (late) {
			ASSERT_JSTR(risk, "op", "snapshot");
		} else {
			ASSERT_JSTR(risk, "op", "unshare");
			ASSERT_JINT(risk, "pid", r->svc);
		}
		ASSERT_JSTR(risk, "reason_code", "private_copy_of_private_original");
		ASSERT_JHAS(risk, "reason", advice);
		if (r->rt.podman)
			ASSERT_FALSE(strstr(json_str(risk, "reason"), "Docker"),
				     "podman's remedy speaks of Docker");
		assert_release(risk, r);
	}
	leak = assert_finding(&r->t, "leak", r->id, &r->rt, &r->o);
	if (leak && assert_holder(leak, &r->o, r->svc, false)) {
		ASSERT_JSTR(leak, "op", "umount2");
		ASSERT_JSTR(leak, "reason_code", "copy_private");
		assert_release(leak, r);
		json_int(leak, "id", &leak_id);
	}
	det = assert_finding(&r->t, "detached", r->id, &r->rt, &r->o);
	if (det && assert_holder(det, &r->o, r->svc, false)) {
		ASSERT_JSTR(det, "reason_code", "rmdir_detached_copies");
		ASSERT_JINT(det, "leak_id", leak_id);
	}
	ASSERT_EQ(findings_below(&r->t, r->rt.root), 3, "findings about the graph root");
}

/*
 * A shared store: the service's copy is a peer, the runtime's umount takes
 * it along, and mnttrace, which saw the copy, says nothing.
 */
static void shared_case(struct run *r)
{
	if (!tracer_startv(&r->t, overlay_args) || !run_setup(r, "unchanged", NULL) ||
	    !ASSERT_TRUE(!strncmp(r->o.svc_prop, "shared:", 7),
			 "the service's copy is a peer (shared:N in its mountinfo)") ||
	    !run_remove(r))
		return;
	ASSERT_TRUE(wait_mounted(r->svc, r->merged, false, GONE_MS),
		    "the runtime's umount reached the service's copy (mountinfo)");
	if (!tracer_stop(&r->t))
		return;
	if (!ASSERT_REC(&r->t, "the walk that saw the service's copy", "type", "mount", "op",
			"walk", "path", r->merged, "propagation", r->o.svc_prop))
		return;
	if (!ASSERT_EQ(findings_below(&r->t, r->rt.root), 0, "findings about the graph root"))
		rec_dump(&r->t, "findings", "type", "finding", NULL);
}

/* ---- docker ---- */

/* dockerd 20.10 binds its data-root onto itself and makes it shared at
 * start (moby#36047): the leak needs a root made private afterwards. */
static char docker_advice[600];

static const char *docker_remedy(const struct e2e_runtime *rt)
{
	snprintf(docker_advice, sizeof(docker_advice), "mount --make-rshared %s", rt->root);
	return docker_advice;
}

TEST(e2e_docker_shared_root_no_finding)
{
	struct run r = RUN_INIT;

	if (rt_docker(&r.rt) && set_propagation(r.rt.root, MS_SHARED, false))
		shared_case(&r);
	run_free(&r);
}

TEST(e2e_docker_private_root_leaks)
{
	struct run r = RUN_INIT;

	if (rt_docker(&r.rt) && set_propagation(r.rt.root, MS_PRIVATE, false))
		leak_case(&r, false, r.rt.root, docker_remedy(&r.rt));
	run_free(&r);
	if (r.rt.root)
		set_propagation(r.rt.root, MS_SHARED, false);
}

TEST(e2e_docker_snapshot_finds_leaking_copy)
{
	struct run r = RUN_INIT;

	if (rt_docker(&r.rt) && set_propagation(r.rt.root, MS_PRIVATE, false))
		leak_case(&r, true, r.rt.root, docker_remedy(&r.rt));
	run_free(&r);
	if (r.rt.root)
		set_propagation(r.rt.root, MS_SHARED, false);
}

/*
 * What a user runs during the incident, with no tracer running: --explain
 * with the short id `docker ps` shows, and --snapshot. Both name the real
 * container and the service that holds the private copy. After docker rm
 * (its rmdir of merged detached the copy) nothing is left to report.
 */
TEST(e2e_docker_explain_and_snapshot)
{
	struct tracer ex = TRACER_INIT, snap = TRACER_INIT, after = TRACER_INIT;
	const struct json *f;
	struct run r = RUN_INIT;
	char short_id[13];

	if (!rt_docker(&r.rt) || !set_propagation(r.rt.root, MS_PRIVATE, false) ||
	    !run_setup(&r, "unchanged", NULL))
		goto out;
	snprintf(short_id, sizeof(short_id), "%.12s", r.id);
	if (!mnttrace_once(&ex, "--explain", short_id, "-j", NULL))
		goto out;
	ASSERT_REC(&ex, "the container's overlay", "type", "overlay", "path", r.merged);
	f = assert_finding(&ex, "risk", r.id, &r.rt, &r.o);
	if (f && assert_holder(f, &r.o, r.svc, false))
		assert_release(f, &r);
	if (!mnttrace_once(&snap, "--snapshot", "-j", NULL))
		goto out;
	f = assert_finding(&snap, "risk", r.id, &r.rt, &r.o);
	if (f && assert_holder(f, &r.o, r.svc, false))
		ASSERT_JSTR(f, "op", "snapshot");
	if (!run_remove(&r) || !ASSERT_TRUE(wait_mounted(r.svc, r.merged, false, GONE_MS),
					    "docker rm detached the copy (mountinfo)"))
		goto out;
	if (mnttrace_once(&after, "--snapshot", "-j", NULL) &&
	    !ASSERT_EQ(findings_below(&after, r.rt.root), 0, "findings after docker rm"))
		rec_dump(&after, "findings", "type", "finding", NULL);
out:
	tracer_free(&ex);
	tracer_free(&snap);
	tracer_free(&after);
	run_free(&r);
	if (r.rt.root)
		set_propagation(r.rt.root, MS_SHARED, false);
}

/*
 * A slave copy with a process inside (its cwd): a manual non-lazy umount
 * fails with EBUSY and names it; then docker rm's lazy umount (MNT_DETACH)
 * takes the copy away from under that process anyway.
 */
TEST(e2e_docker_busy_slave_copy)
{
	const struct json *busy, *det;
	struct run r = RUN_INIT;
	char cwd[64], buf[512] = "";
	ssize_t n;
	int rc;

	if (!rt_docker(&r.rt) || !set_propagation(r.rt.root, MS_SHARED, false) ||
	    !tracer_startv(&r.t, overlay_args) || !run_setup(&r, "slave", r.merged) ||
	    !ASSERT_TRUE(!strncmp(r.o.svc_prop, "master:", 7),
			 "the service's copy is a slave (master:N in its mountinfo)"))
		goto out;
	rc = umount2(r.merged, 0);
	if (!ASSERT_TRUE(rc < 0 && errno == EBUSY, "umount of merged fails with EBUSY") ||
	    !run_remove(&r))
		goto out;
	/* the kernel's view: the service's cwd is now in a detached tree */
	snprintf(cwd, sizeof(cwd), "/proc/%d/cwd", r.svc);
	for (int ms = 0; ms < GONE_MS && strcmp(buf, "/"); ms += 20, sleep_ms(20)) {
		n = readlink(cwd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
	}
	ASSERT_STREQ(buf, "/", "the service's cwd after docker rm (detached)");
	if (!tracer_stop(&r.t))
		goto out;

	busy = assert_finding(&r.t, "ebusy", r.id, &r.rt, &r.o);
	if (busy && assert_holder(busy, &r.o, r.svc, true)) {
		ASSERT_JSTR(busy, "op", "umount2");
		ASSERT_JSTR(busy, "errno", "EBUSY");
		ASSERT_JINT(busy, "pid", getpid());
		ASSERT_JSTR(busy, "reason_code", "propagated_copy_busy");
	}
	det = assert_finding(&r.t, "detached", r.id, &r.rt, &r.o);
	if (det && assert_holder(det, &r.o, r.svc, true)) {
		ASSERT_JSTR(det, "op", "umount2");
		ASSERT_JSTR(det, "reason_code", "lazy_umount_detached_busy_copy");
	}
out:
	run_free(&r);
}

/* ---- podman ---- */

/* containers/storage makes <root>/overlay private on every command: the
 * remedy is its storage option, not a mount --make-shared that won't last. */
TEST(e2e_podman_default_leaks)
{
	struct run r = RUN_INIT;
	char home[300];

	if (rt_podman(&r.rt, false)) {
		/* podman itself, not this test, makes its home private */
		snprintf(home, sizeof(home), "%s/overlay", r.rt.root);
		leak_case(&r, false, home, "skip_mount_home");
	}
	run_free(&r);
}

TEST(e2e_podman_shared_storage_no_finding)
{
	struct run r = RUN_INIT;

	/* skip_mount_home keeps podman off its home; the root above is shared */
	if (rt_podman(&r.rt, true) && set_propagation(r.rt.root, MS_SHARED, true))
		shared_case(&r);
	run_free(&r);
}
