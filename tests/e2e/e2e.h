/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The end-to-end runner: real container runtimes (Debian's docker.io and
 * podman) under a live mnttrace. tests/e2e/e2e.sh starts dockerd, builds
 * the image and tells this runner what it set up through the environment
 * (below); the runner reuses the integration suite's tracer, JSON parser
 * and mountinfo helpers (tests/integration/itest.h).
 *
 *   E2E_DOCKER        the docker CLI; DOCKER_HOST the daemon e2e.sh started
 *   E2E_DOCKER_ROOT   dockerd's --data-root (a bind mount dockerd made)
 *   E2E_DOCKER_SKIP   why the docker tests cannot run (then they SKIP)
 *   E2E_PODMAN        the podman CLI
 *   E2E_PODMAN_ROOT, E2E_PODMAN_SHARED_ROOT   two --root dirs (image in both)
 *   E2E_PODMAN_RUN    a dir for --runroot and --tmpdir
 *   E2E_PODMAN_SKIP   why the podman tests cannot run
 *   E2E_IMAGE         the image name in every store
 */
#ifndef MT_E2E_H
#define MT_E2E_H

#include <limits.h>

#include "itest.h"

/* A runtime's CLI with the global options that point it at our store. */
struct e2e_runtime {
	const char *name;		/* "docker" or "podman" */
	const char *argv[16];		/* the CLI and its global options */
	int argc;
	const char *root;		/* graph root: --data-root / --root */
	bool podman;
};

/* Fill rt from the environment, or SKIP the test with e2e.sh's reason. */
bool rt_docker(struct e2e_runtime *rt);
/* shared: the store that keeps its home unmounted (skip_mount_home) */
bool rt_podman(struct e2e_runtime *rt, bool shared);

/* Run the runtime's CLI with these args (NULL-terminated), with a timeout;
 * its stdout, last newline cut, into out. A non-zero exit fails the test
 * and logs stderr. */
bool rt_cmd(const struct e2e_runtime *rt, char *out, size_t len, const char *arg, ...)
	__attribute__((sentinel));
/* `run -d` of the image's `sleep 600`: the id the CLI printed, and the
 * overlay's merged dir from `inspect`. */
bool rt_start_container(const struct e2e_runtime *rt, char *id, size_t id_len,
			char *merged, size_t merged_len);
/* Run `mnttrace ARGS...` (NULL-terminated) to its end, as a user runs
 * --snapshot or --explain; its JSON Lines go to t->recs, checked against
 * docs/json.md. A non-zero exit fails the test. */
bool mnttrace_once(struct tracer *t, const char *arg, ...) __attribute__((sentinel));
/* `rm -f` (podman: without the 10 s stop timeout). */
bool rt_remove(const struct e2e_runtime *rt, const char *id);

/* Bind path onto itself unless it is a mount already, then set its
 * propagation recursively (MS_SHARED or MS_PRIVATE). */
bool set_propagation(const char *path, unsigned long prop, bool bind);

/*
 * A PrivateTmp-like service: `unshare -m --propagation PROP sleep 600`,
 * or with cwd, a shell that cds there and execs the sleep. It dies with
 * the runner (PR_SET_PDEATHSIG). Returns its pid once the sleep runs, or
 * -1 (test failed).
 */
pid_t service_start(const char *prop, const char *cwd);
void service_stop(pid_t pid);

/* Wait (at most timeout_ms) until path is, or is no longer, a mount in
 * pid's namespace. */
bool wait_mounted(pid_t pid, const char *path, bool mounted, int timeout_ms);

/* ---- check.c: findings against the kernel's view ---- */

/* What the kernel shows of one container's overlay and of a service's
 * copy of it (/proc/PID/mountinfo). */
struct e2e_overlay {
	char merged[256];
	char upperdir[512], lowerdir[1024];	/* the original's, host namespace */
	char layers[8][PATH_MAX];		/* lowerdir's layers, links followed */
	int nr_layers;
	unsigned long svc_ns;			/* the service's namespace inode */
	char svc_prop[64];			/* its copy's propagation */
};

/* Fill o from our mountinfo and the service's (svc 0: no service yet),
 * while the container runs (its layers' short links still exist). */
bool overlay_observe(struct e2e_overlay *o, const char *merged, pid_t svc);

/*
 * The one finding of this kind about the overlay (fails the test and dumps
 * the findings when there is none, or more than one), with the overlay
 * block checked: container_id exactly as the runtime printed it, runtime,
 * id_source, upperdir and lowerdir exactly as mountinfo shows them, and
 * lower_layers as realpath(3) resolved lowerdir's short links.
 */
const struct json *assert_finding(const struct tracer *t, const char *kind, const char *id,
				  const struct e2e_runtime *rt, const struct e2e_overlay *o);
/* The finding names the service: a holder in its namespace with the copy's
 * propagation and the service's pid (with holds "cwd" when want_cwd). */
bool assert_holder(const struct json *f, const struct e2e_overlay *o, pid_t svc, bool want_cwd);
/* How many findings concern paths below root. */
size_t findings_below(const struct tracer *t, const char *root);

#endif /* MT_E2E_H */
