// SPDX-License-Identifier: GPL-2.0
/*
 * The command line as a user meets it: bad input gives one error line and
 * a non-zero exit; a refused attach mode is an error, never a silent
 * fallback; SIGINT gives exit 0, a summary, and no BPF link left behind.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "itest.h"

#define CLI_TIMEOUT_MS 60000

/* stderr must be exactly one line, "mnttrace: error: ...". */
static void assert_one_error_line(const char *what, int status, const char *err)
{
	const char *nl = err ? strchr(err, '\n') : NULL;

	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 0)
		mt_test_fail(__FILE__, __LINE__, "%s: status 0x%x, want a non-zero exit", what,
			     status);
	if (!err || strncmp(err, "mnttrace: error: ", 17) != 0 || !nl || nl[1] != '\0')
		mt_test_fail(__FILE__, __LINE__, "%s: want one stderr line \"mnttrace: error: "
			     "...\", got:\n%s", what, err ? err : "(nothing)");
}

TEST(cli_errors_one_line)
{
	static const char *const cases[][4] = {
		{ "--no-such-flag" },
		{ "-j", "--pid", "abc" },
		{ "-j", "--pid", "12x" },
		{ "-j", "--pid", "-5" },
		{ "-j", "--mntns", "notanumber" },
		{ "-j", "--path", "relative/dir" },
		{ "-j", "--attach", "bogus" },
		/* --check traces nothing: tracing options conflict with it */
		{ "--check", "-j", "--overlay" },
		{ "-j", "--no-findings", "--findings-only" },
		{ "-j", "unexpected-argument" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[128];
		char *err = NULL;
		int st = run_mnttrace(&err, CLI_TIMEOUT_MS, cases[i][0], cases[i][1], cases[i][2],
				      cases[i][3], NULL);

		snprintf(what, sizeof(what), "mnttrace %s %s %s", cases[i][0],
			 cases[i][1] ? cases[i][1] : "", cases[i][2] ? cases[i][2] : "");
		assert_one_error_line(what, st, err);
		free(err);
	}
}

/* A mode --check refuses must make a tracing run fail the same way. */
TEST(cli_refused_mode_is_an_error)
{
	static const char *const modes[] = { "fentry", "kprobe", "tracepoint" };
	int refused = 0;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char *err = NULL;
		int st = run_mnttrace(&err, CLI_TIMEOUT_MS, "--attach", modes[i], "--check", NULL);
		char what[64];

		if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			mt_test_log("--attach %s --check: available", modes[i]);
			free(err);
			continue;
		}
		refused++;
		snprintf(what, sizeof(what), "--attach %s --check", modes[i]);
		assert_one_error_line(what, st, err);
		free(err);
		/* mnttrace would trace forever if it fell back: the timeout
		 * turns that into a SIGKILL and a failure */
		st = run_mnttrace(&err, CLI_TIMEOUT_MS, "-j", "--attach", modes[i], NULL);
		snprintf(what, sizeof(what), "mnttrace -j --attach %s", modes[i]);
		assert_one_error_line(what, st, err);
		if (err && !strstr(err, modes[i]))
			mt_test_fail(__FILE__, __LINE__, "%s: the error does not name the mode: %s",
				     what, err);
		free(err);
	}
	if (!refused)
		mt_test_skip("every attach mode works on this kernel: nothing is refused");
}

static bool has_id(const unsigned int *ids, int n, unsigned int id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

#define MAX_LINKS 4096

/*
 * Count the links system-wide before and after. Other tools may load BPF on
 * a shared machine meanwhile, so a link that appeared is only blamed on
 * mnttrace if it held it (fdinfo "link_id:") while tracing.
 */
TEST(clean_exit_no_bpf_link_left)
{
	static unsigned int before_ids[MAX_LINKS], after_ids[MAX_LINKS], ours[256];
	struct tracer t = TRACER_INIT;
	int before = bpf_link_ids(before_ids, MAX_LINKS), after, nours = 0, others = 0;
	const char *summary;

	if (!ASSERT_OK(before, "count BPF links (BPF_LINK_GET_NEXT_ID)"))
		return;
	if (!tracer_startv(&t, NULL))
		goto out;
	nours = proc_link_ids(t.pid, ours, 256);
	ASSERT_GT(nours, 0, "BPF links mnttrace holds while tracing");
	if (!tracer_stop(&t))
		goto out;
	after = bpf_link_ids(after_ids, MAX_LINKS);
	mt_test_log("BPF links: %d before, %d held by mnttrace, %d after", before, nours, after);
	for (int i = 0; i < nours; i++)
		if (bpf_link_exists(ours[i]))
			mt_test_fail(__FILE__, __LINE__, "BPF link %u of mnttrace survived it", ours[i]);
	for (int i = 0; i < after && i < MAX_LINKS; i++)
		others += !has_id(before_ids, before, after_ids[i]);
	if (others)
		mt_test_log("%d BPF link(s) of other processes appeared meanwhile", others);
	/* on a quiet machine the count must come back exactly */
	if (!others)
		ASSERT_TRUE(after <= before, "no more BPF links system-wide than before");
	/* the summary comes after the "tracing" line */
	summary = strstr(t.err_text, "mnttrace: tracing");
	summary = summary ? strchr(summary, '\n') : NULL;
	ASSERT_TRUE(summary && summary[1], "a summary on stderr after SIGINT");
out:
	tracer_free(&t);
}
