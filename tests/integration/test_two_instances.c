// SPDX-License-Identifier: GPL-2.0
/*
 * Two mnttrace instances at once (issue 10, "Faults"): both see a leak,
 * neither shows the other (its pid, or the child that releases its perf
 * events, src/perf_release.c) in a record or a finding, and the one left
 * keeps tracing after the other's teardown: both hold the same syscall
 * tracepoints, and the first one's detach must not take the second's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "scenarios.h"

static bool leak_seen(const struct tracer *t, const struct scenario *s, const char *who)
{
	const char *merged = sc_get(s, "merged");

	if (merged && rec_find(t, 0, NULL, "type", "finding", "kind", "leak", "path", merged,
			       NULL))
		return true;
	mt_test_fail(__FILE__, __LINE__, "%s: no \"leak\" finding for %s", who,
		     merged ? merged : "?");
	rec_dump(t, "findings", "type", "finding", NULL);
	return false;
}

/* Nothing @t printed comes from @other (or its release child). */
static void assert_blind_to(const struct tracer *t, const char *who, pid_t other)
{
	long long pid;

	for (size_t i = 0; i < t->nrecs; i++) {
		const struct json *r = t->recs[i];
		const char *comm = json_str(r, "comm");

		if ((json_int(r, "pid", &pid) && pid == other) ||
		    (comm && !strcmp(comm, "mnttrace-rel"))) {
			char buf[400];

			json_format(r, buf, sizeof(buf));
			mt_test_fail(__FILE__, __LINE__, "%s shows the other instance (pid %d): %s",
				     who, (int)other, buf);
			return;
		}
	}
}

/* Run @s to its end while every tracer of @ts (NULL-ended) looks. */
static bool run_watched(struct scenario *s, struct tracer *const *ts)
{
	struct scn_leak *a = calloc(1, sizeof(*a));
	bool ok;

	if (!a)
		return false;
	*a = (struct scn_leak){ .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE,
				.do_umount = true, .umount_flags = MNT_DETACH,
				.sync_before_umount = true };
	ok = sc_start(s, scn_leak_child, a);
	while (ok && sc_next_sync(s)) {
		for (int i = 0; ts[i]; i++)
			tracer_settle(ts[i]);
		sc_go(s);
	}
	ok = ok && sc_finish(s);
	for (int i = 0; ok && ts[i]; i++)
		tracer_settle(ts[i]);
	free(a);
	return ok;
}

TEST(two_instances_both_see_and_ignore_each_other)
{
	struct tracer a = TRACER_INIT, b = TRACER_INIT;
	struct scenario s1 = SC_INIT, s2 = SC_INIT;
	pid_t pid_a, pid_b;

	if (!tracer_startv(&a, NULL) || !tracer_startv(&b, NULL))
		goto out;
	pid_a = a.pid;
	pid_b = b.pid;
	if (!run_watched(&s1, (struct tracer *[]){ &a, &b, NULL }))
		goto out;
	/* a goes while b traces: its teardown must leave b's tracepoints on */
	if (!tracer_stop(&a) || !run_watched(&s2, (struct tracer *[]){ &b, NULL }) ||
	    !tracer_stop(&b))
		goto out;
	leak_seen(&a, &s1, "the first instance");
	leak_seen(&b, &s1, "the second instance");
	leak_seen(&b, &s2, "the second instance, after the first one's exit");
	assert_blind_to(&a, "the first instance", pid_b);
	assert_blind_to(&b, "the second instance", pid_a);
out:
	sc_free(&s1);
	sc_free(&s2);
	tracer_free(&a);
	tracer_free(&b);
}
