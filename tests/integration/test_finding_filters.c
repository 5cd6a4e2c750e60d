// SPDX-License-Identifier: GPL-2.0
/*
 * Findings under -p, --comm, --mntns and --path: a finding is shown when
 * the call that raised it matches the filter (its pid, comm, mnt_ns; the
 * overlay's path for --path), like an event (docs/json.md). Side "a" of
 * scn_two_leaks_child matches each filter, side "b" matches none. An
 * unfiltered mnttrace watches the same run, so that a finding missing from
 * the filtered output is known to have been raised at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios.h"

static const char *dir_a(const struct scenario *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/a", sc_get(s, "dir"));
	return buf;
}

/*
 * Start the scenario, then both tracers once its pid and namespace exist:
 * all (no filter) and filtered (opt val), then run it to its end, letting
 * both settle while the services still live.
 */
static bool run_both(struct tracer *all, struct tracer *filtered, struct scenario *s,
		     const char *opt, const char *key)
{
	char val[300];

	if (!sc_start(s, scn_two_leaks_child, NULL) || !sc_wait_sync(s))
		return false;
	if (!strcmp(key, "dir_a"))
		dir_a(s, val, sizeof(val));
	else
		snprintf(val, sizeof(val), "%s", sc_get(s, key) ? sc_get(s, key) : "?");
	if (!tracer_startv(all, NULL) || !tracer_start(filtered, opt, val, NULL))
		return false;
	sc_go(s);
	while (sc_next_sync(s)) {
		tracer_settle(all);
		tracer_settle(filtered);
		sc_go(s);
	}
	return sc_finish(s) && tracer_stop(all) && tracer_stop(filtered);
}

static const struct json *leak_of(const struct tracer *t, const struct scenario *s,
				  const char *side)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_merged", side);
	return rec_find(t, 0, NULL, "type", "finding", "kind", "leak", "path", sc_get(s, key),
			NULL);
}

static const struct json *umount_of(const struct tracer *t, const struct scenario *s,
				    const char *side)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_merged", side);
	return rec_find(t, 0, NULL, "type", "syscall", "call", "umount2", "path",
			sc_get(s, key), NULL);
}

/* The unfiltered run saw both leaks, raised by the calls we made. */
static bool assert_control(const struct tracer *all, const struct scenario *s)
{
	const struct json *a = leak_of(all, s, "a"), *b = leak_of(all, s, "b");

	if (!ASSERT_TRUE(a && b, "unfiltered mnttrace: a \"leak\" finding for each side")) {
		rec_dump(all, "findings", "type", "finding", NULL);
		return false;
	}
	ASSERT_JINT(a, "pid", sc_num(s, "pid"));
	ASSERT_JINT(a, "mnt_ns", sc_num(s, "ns"));
	ASSERT_JINT(b, "pid", sc_num(s, "other_pid"));
	ASSERT_JINT(b, "mnt_ns", sc_num(s, "other_ns"));
	ASSERT_JSTR(b, "comm", "itest-other");
	return true;
}

/* Side a in, side b out, for the findings and for the umount events. */
static void assert_a_not_b(const struct tracer *t, const struct scenario *s, const char *filter)
{
	char what[96];

	snprintf(what, sizeof(what), "%s: side a's leak is shown", filter);
	if (!ASSERT_TRUE(leak_of(t, s, "a") != NULL, what))
		rec_dump(t, "findings", "type", "finding", NULL);
	snprintf(what, sizeof(what), "%s: side b's leak is not shown", filter);
	ASSERT_TRUE(leak_of(t, s, "b") == NULL, what);
	snprintf(what, sizeof(what), "%s: side a's umount2 is shown", filter);
	ASSERT_TRUE(umount_of(t, s, "a") != NULL, what);
	snprintf(what, sizeof(what), "%s: side b's umount2 is not shown", filter);
	ASSERT_TRUE(umount_of(t, s, "b") == NULL, what);
}

/*
 * Every finding shown was raised by a call the filter selects: its field
 * equals the scenario's report key (-p, --comm, --mntns), or ok() says so
 * (--path). The first one that is not fails.
 */
static void assert_findings(const struct tracer *t, const struct scenario *s, const char *field,
			    const char *key, bool (*ok)(const struct json *, const struct scenario *),
			    const char *what)
{
	const char *kv[] = { "type", "finding", field, sc_get(s, key), NULL };
	char buf[600];

	for (size_t i = 0; i < t->nrecs; i++) {
		const char *type = json_str(t->recs[i], "type");

		if (!type || strcmp(type, "finding") ||
		    (ok ? ok(t->recs[i], s) : rec_matches_v(t->recs[i], kv)))
			continue;
		json_format(t->recs[i], buf, sizeof(buf));
		mt_test_fail(__FILE__, __LINE__, "%s: %s", what, buf);
		return;
	}
}

static void check_filter(const char *opt, const char *key, const char *field,
			 bool (*ok)(const struct json *, const struct scenario *))
{
	struct tracer all = TRACER_INIT, filtered = TRACER_INIT;
	struct scenario s = SC_INIT;
	char what[96];

	if (!run_both(&all, &filtered, &s, opt, key) || !assert_control(&all, &s))
		goto out;
	assert_a_not_b(&filtered, &s, opt);
	snprintf(what, sizeof(what), "%s showed a finding raised by a call it does not select",
		 opt);
	assert_findings(&filtered, &s, field, key, ok, what);
out:
	sc_free(&s);
	tracer_free(&all);
	tracer_free(&filtered);
}

TEST(finding_filter_pid)
{
	check_filter("-p", "pid", "pid", NULL);
}

TEST(finding_filter_comm)
{
	check_filter("--comm", "comm", "comm", NULL);
}

TEST(finding_filter_mntns)
{
	check_filter("--mntns", "ns", "mnt_ns", NULL);
}

/* Whole components: dir/a selects dir/a/..., never dir/ab. */
static bool by_path(const struct json *f, const struct scenario *s)
{
	const char *path = json_str(f, "path");
	char a[300];
	size_t n = strlen(dir_a(s, a, sizeof(a)));

	return path && !strncmp(path, a, n) && (path[n] == '/' || path[n] == '\0');
}

TEST(finding_filter_path)
{
	check_filter("--path", "dir_a", NULL, by_path);
}
