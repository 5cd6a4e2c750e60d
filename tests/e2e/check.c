// SPDX-License-Identifier: GPL-2.0
/*
 * What a user checks in a finding about a real container: whose container
 * it is (the id `docker run -d` / `podman run -d` printed), which layers
 * (upperdir and lowerdir exactly as /proc/PID/mountinfo shows them), which
 * namespace holds the copy, with which propagation, and which process.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

bool overlay_observe(struct e2e_overlay *o, const char *merged, pid_t svc)
{
	struct mi_entry e;

	memset(o, 0, sizeof(*o));
	snprintf(o->merged, sizeof(o->merged), "%s", merged);
	if (!mi_find(0, merged, &e) || strcmp(e.fstype, "overlay")) {
		mt_test_fail(__FILE__, __LINE__, "no overlay at %s in our mountinfo", merged);
		return false;
	}
	mi_collect_option(e.super_opts, "upperdir", "", o->upperdir, sizeof(o->upperdir));
	mi_collect_option(e.super_opts, "lowerdir", ":", o->lowerdir, sizeof(o->lowerdir));
	/* our paths have no ':' or '\\' to escape */
	for (char *save = NULL, *l = strtok_r(strdupa(o->lowerdir), ":", &save);
	     l && o->nr_layers < 8; l = strtok_r(NULL, ":", &save)) {
		char real[PATH_MAX];

		if (!realpath(l, real)) {
			mt_test_fail(__FILE__, __LINE__, "lower layer %s: no such path", l);
			return false;
		}
		snprintf(o->layers[o->nr_layers++], sizeof(o->layers[0]), "%s", real);
	}
	if (!svc)
		return true;
	if (!mi_find(svc, merged, &e)) {
		mt_test_fail(__FILE__, __LINE__, "the service %d has no copy of %s", svc, merged);
		return false;
	}
	o->svc_ns = ns_inode(svc);
	snprintf(o->svc_prop, sizeof(o->svc_prop), "%s", e.propagation);
	return true;
}

static void assert_layers(const struct json *ov, const struct e2e_overlay *o)
{
	const struct json *ls = json_get(ov, "lower_layers");
	char buf[1500];

	if (!ASSERT_TRUE(ls && ls->type == JSON_ARRAY, "overlay.lower_layers is an array") ||
	    !ASSERT_EQ(ls->n, o->nr_layers, "lower layers in the finding vs in mountinfo"))
		return;
	for (int i = 0; i < o->nr_layers; i++) {
		const struct json *l = json_at(ls, (size_t)i);

		if (l->type == JSON_STRING && !strcmp(l->s, o->layers[i]))
			continue;
		json_format(ls, buf, sizeof(buf));
		mt_test_fail(__FILE__, __LINE__, "lower_layers[%d] is not %s: %s", i,
			     o->layers[i], buf);
		return;
	}
}

const struct json *assert_finding(const struct tracer *t, const char *kind, const char *id,
				  const struct e2e_runtime *rt, const struct e2e_overlay *o)
{
	size_t n = rec_count(t, "type", "finding", "kind", kind, "path", o->merged, NULL);
	const struct json *f, *ov;

	if (n != 1) {
		mt_test_fail(__FILE__, __LINE__, "%zu %s findings about %s, want 1", n, kind,
			     o->merged);
		rec_dump(t, "findings", "type", "finding", NULL);
		return NULL;
	}
	f = rec_find(t, 0, NULL, "type", "finding", "kind", kind, "path", o->merged, NULL);
	ov = json_get(f, "overlay");
	if (!ASSERT_TRUE(ov && ov->type == JSON_OBJECT, "finding has an overlay object"))
		return NULL;
	ASSERT_JSTR(ov, "container_id", id);
	ASSERT_JSTR(ov, "runtime", rt->podman ? "podman/cri-o" : "docker");
	ASSERT_JSTR(ov, "id_source", rt->podman ? "containers-storage" : "docker-layerdb");
	ASSERT_JSTR(ov, "upperdir", o->upperdir);
	ASSERT_JSTR(ov, "lowerdir", o->lowerdir);
	assert_layers(ov, o);
	return mt_test_failed() ? NULL : f;
}

static const struct json *holder_in(const struct json *f, unsigned long ns)
{
	const struct json *hs = json_get(f, "holders");
	long long v;

	for (size_t i = 0; hs && hs->type == JSON_ARRAY && i < hs->n; i++)
		if (json_int(json_at(hs, i), "mnt_ns", &v) && (unsigned long)v == ns)
			return json_at(hs, i);
	return NULL;
}

static const struct json *pid_in(const struct json *h, pid_t pid)
{
	const struct json *ps = json_get(h, "pids");
	long long v;

	for (size_t i = 0; ps && ps->type == JSON_ARRAY && i < ps->n; i++)
		if (json_int(json_at(ps, i), "pid", &v) && v == pid)
			return json_at(ps, i);
	return NULL;
}

bool assert_holder(const struct json *f, const struct e2e_overlay *o, pid_t svc, bool want_cwd)
{
	const struct json *h = holder_in(f, o->svc_ns), *p;
	char buf[1500];

	if (!h) {
		json_format(f, buf, sizeof(buf));
		mt_test_fail(__FILE__, __LINE__, "no holder in the service's mnt:[%lu]: %s",
			     o->svc_ns, buf);
		return false;
	}
	if (!ASSERT_JSTR(h, "propagation", o->svc_prop))
		return false;
	p = pid_in(h, svc);
	if (!p) {
		json_format(h, buf, sizeof(buf));
		mt_test_fail(__FILE__, __LINE__, "the service's pid %d is not among the holder's "
			     "pids: %s", svc, buf);
		return false;
	}
	return !want_cwd || ASSERT_JSTR(p, "holds", "cwd");
}

size_t findings_below(const struct tracer *t, const char *root)
{
	char prefix[600];

	snprintf(prefix, sizeof(prefix), "^%s/", root);
	return rec_count(t, "type", "finding", "path", prefix, NULL);
}
