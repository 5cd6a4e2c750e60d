// SPDX-License-Identifier: GPL-2.0
/*
 * The command line as a user meets it: bad input gives one error line and
 * a non-zero exit; a refused attach mode is an error, never a silent
 * fallback; SIGINT gives exit 0, a summary, and no BPF object left behind.
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

#define MAX_IDS 256
/* The kernel frees a program's maps from a workqueue after the program. */
#define BPF_GONE_TIMEOUT_MS 5000

struct bpf_held {
	enum bpf_obj_kind kind;
	const char *name;
	unsigned int ids[MAX_IDS];
	char names[MAX_IDS][20];
	int n;
};

/* The ids in h that still exist, as "name id" in buf; how many. */
static int bpf_survivors(const struct bpf_held *h, char *buf, size_t len)
{
	int left = 0;

	for (int i = 0; i < h->n; i++) {
		if (!bpf_obj_exists(h->kind, h->ids[i]))
			continue;
		if (left++ < 8 && strlen(buf) + 48 < len)
			snprintf(buf + strlen(buf), len - strlen(buf), " %s %u %s", h->name,
				 h->ids[i], h->names[i]);
	}
	return left;
}

/*
 * Every BPF link, program and map mnttrace held while tracing must be gone
 * once it exits: ids are not reused at once (the kernel allocates them
 * cyclically), so one that still exists was kept alive by something
 * mnttrace left behind (an inherited fd, a pin, an attachment without a
 * link). Other tools loading BPF meanwhile do not matter here.
 */
TEST(clean_exit_no_bpf_object_left)
{
	static struct bpf_held held[] = {
		{ .kind = BPF_OBJ_LINK, .name = "link" },
		{ .kind = BPF_OBJ_PROG, .name = "prog" },
		{ .kind = BPF_OBJ_MAP, .name = "map" },
	};
	struct tracer t = TRACER_INIT;
	const char *summary;
	char left[512] = "";
	int nleft = 0;

	if (!tracer_startv(&t, NULL))
		goto out;
	for (size_t k = 0; k < 3; k++) {
		held[k].n = proc_bpf_ids(t.pid, held[k].kind, held[k].ids, MAX_IDS);
		/* named now, while mnttrace holds them (see bpf_obj_name) */
		for (int i = 0; i < held[k].n; i++)
			bpf_obj_name(held[k].kind, held[k].ids[i], held[k].names[i],
				     sizeof(held[k].names[i]));
	}
	ASSERT_GT(held[0].n, 0, "BPF links mnttrace holds while tracing");
	ASSERT_GT(held[1].n, 0, "BPF programs mnttrace holds while tracing");
	ASSERT_GT(held[2].n, 0, "BPF maps mnttrace holds while tracing");
	mt_test_log("mnttrace held %d links, %d programs, %d maps", held[0].n, held[1].n,
		    held[2].n);
	if (!tracer_stop(&t))
		goto out;
	for (int waited = 0; waited <= BPF_GONE_TIMEOUT_MS; waited += 100) {
		left[0] = '\0';
		nleft = 0;
		for (size_t k = 0; k < 3; k++)
			nleft += bpf_survivors(&held[k], left, sizeof(left));
		if (!nleft)
			break;
		sleep_ms(100);
	}
	if (nleft)
		mt_test_fail(__FILE__, __LINE__, "%d BPF object(s) of mnttrace outlived it by %d ms:%s",
			     nleft, BPF_GONE_TIMEOUT_MS, left);
	/* the summary comes after the "tracing" line */
	summary = strstr(t.err_text, "mnttrace: tracing");
	summary = summary ? strchr(summary, '\n') : NULL;
	ASSERT_TRUE(summary && summary[1], "a summary on stderr after SIGINT");
out:
	tracer_free(&t);
}
