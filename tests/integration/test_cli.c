// SPDX-License-Identifier: GPL-2.0
/*
 * The command line as a user meets it: bad input gives one error line and
 * a non-zero exit; a refused attach mode is an error, never a silent
 * fallback; SIGINT gives exit 0, a summary, and no BPF object left behind.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

#define CLI_TIMEOUT_MS 60000

#define EXIT_USAGE 2	/* called wrong (README "Exit status") */
#define EXIT_FAILURE_ 1	/* the host or kernel refused */

/* stderr must be exactly one line, "mnttrace: error: ...", and the exit @want. */
static void assert_one_error_line(const char *what, int status, const char *err, int want)
{
	const char *nl = err ? strchr(err, '\n') : NULL;

	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != want)
		mt_test_fail(__FILE__, __LINE__, "%s: status 0x%x, want exit %d", what, status,
			     want);
	if (!err || strncmp(err, "mnttrace: error: ", 17) != 0 || !nl || nl[1] != '\0')
		mt_test_fail(__FILE__, __LINE__, "%s: want one stderr line \"mnttrace: error: "
			     "...\", got:\n%s", what, err ? err : "(nothing)");
}

/*
 * Every option with bad values, and the combinations that conflict: one
 * line naming the problem and the fix, exit 2, and under -j the same error
 * as one JSON object on stdout.
 */
/* stdout is exactly one {"type":"error","error":...,"exit_code":N} line. */
static void assert_json_error(const char *what, const char *out, int code)
{
	const char *perr = NULL;
	struct json *r = out ? json_parse(out, &perr) : NULL;
	long long c = -1;

	if (!r || r->type != JSON_OBJECT || strchr(out, '\n') != out + strlen(out) - 1) {
		mt_test_fail(__FILE__, __LINE__, "%s: want one JSON error line on stdout, got: %s",
			     what, out ? out : "(nothing)");
	} else if (!json_str(r, "type") || strcmp(json_str(r, "type"), "error") ||
		   !json_str(r, "error") || !*json_str(r, "error") ||
		   !json_int(r, "exit_code", &c) || c != code) {
		mt_test_fail(__FILE__, __LINE__, "%s: not an error object with exit_code %d: %s",
			     what, code, out);
	}
	json_free(r);
}

TEST(cli_usage_errors_exit_2)
{
	static const char *const cases[][6] = {
		{ "--no-such-flag" },
		{ "-j", "--pid", "abc" },
		{ "-j", "--pid", "12x" },
		{ "-j", "--pid", "12abc" },
		{ "-j", "--pid", " 12" },
		{ "-j", "--pid", "+12" },
		{ "-j", "--pid", "-5" },
		{ "-j", "--pid", "0" },
		{ "-j", "--pid", "99999999999" },
		{ "-j", "--pid", "" },
		{ "-j", "-p", "1", "-p", "2" },
		{ "-j", "--comm", "" },
		{ "-j", "--comm", "a-name-over-15-chars" },
		{ "-j", "--comm", "a", "--comm", "b" },
		{ "-j", "--mntns", "notanumber" },
		{ "-j", "--mntns", "4294967296" },
		{ "-j", "--mntns", "1", "--mntns", "2" },
		{ "-j", "--path", "relative/dir" },
		{ "-j", "--path", "/a", "--path", "/b" },
		{ "-j", "--attach", "bogus" },
		{ "-j", "--attach", "warp" },
		{ "-j", "--attach", "kprobe", "--attach", "fentry" },
		{ "-j", "--duration", "0" },
		{ "-j", "--duration", "-1" },
		{ "-j", "--duration", "1.5x" },
		{ "-j", "--duration", "1e3" },
		{ "-j", "--duration", "inf" },
		{ "-j", "--duration", " 5" },
		{ "-j", "--duration", "400d" },
		{ "-j", "--duration", "1", "--duration", "2" },
		{ "-j", "--pid" },
		/* --check traces nothing: tracing options conflict with it */
		{ "--check", "-j", "--overlay" },
		{ "--check", "--duration", "5" },
		{ "--check", "-p", "1" },
		{ "-j", "--no-findings", "--findings-only" },
		{ "-j", "unexpected-argument" },
		{ "--no-such-flag", "--json" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[160] = "mnttrace";
		char *err = NULL, *out = NULL;
		const char *args[7] = { NULL };
		bool json = false;
		int st, n = 0;

		for (; n < 6 && cases[i][n]; n++) {
			args[n] = cases[i][n];
			json |= !strcmp(args[n], "-j") || !strcmp(args[n], "--json");
			snprintf(what + strlen(what), sizeof(what) - strlen(what), " '%s'", args[n]);
		}
		st = run_mnttrace_out(&out, &err, CLI_TIMEOUT_MS, args);
		assert_one_error_line(what, st, err, EXIT_USAGE);
		if (json)
			assert_json_error(what, out, EXIT_USAGE);
		else if (out && *out)
			mt_test_fail(__FILE__, __LINE__, "%s: stdout without -j: %s", what, out);
		free(err);
		free(out);
	}
}

/* Values that look odd but are right: accepted (checked with --help's exit). */
TEST(cli_durations_accepted)
{
	static const char *const ok[] = { "1", "1.5", "0.2", "90s", "2m", "1h", "1d", "0.5m" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *args[] = { "--duration", ok[i], "--help", NULL };
		char *err = NULL, *out = NULL;
		int st = run_mnttrace_out(&out, &err, CLI_TIMEOUT_MS, args);

		if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			mt_test_fail(__FILE__, __LINE__, "--duration %s refused: %s", ok[i],
				     err ? err : "");
		free(err);
		free(out);
	}
}

/* A runtime failure (not enough privileges) is exit 1, not 2, in one line. */
TEST(cli_runtime_failure_exit_1)
{
	const char *args[] = { "-j", NULL };
	char *err = NULL, *out = NULL;
	pid_t pid;
	int st, p[2];

	/* run as nobody: mnttrace itself must refuse, before loading anything */
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(126);
		st = run_mnttrace_out(&out, &err, CLI_TIMEOUT_MS, args);
		dprintf(p[1], "%d\n%s%c%s", st, err ? err : "", 0, out ? out : "");
		_exit(0);
	}
	close(p[1]);
	{
		static char buf[8192];
		ssize_t n, len = 0;
		char *nl, *e, *o;

		while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
			len += n;
		buf[len > 0 ? len : 0] = '\0';
		close(p[0]);
		waitpid(pid, NULL, 0);
		nl = strchr(buf, '\n');
		if (!ASSERT_TRUE(nl != NULL, "the unprivileged run reported"))
			return;
		st = atoi(buf);
		e = nl + 1;
		o = e + strlen(e) + 1;
		if (o > buf + len)
			o = "";
		assert_one_error_line("mnttrace -j as nobody", st, e, EXIT_FAILURE_);
		ASSERT_TRUE(strstr(e, "CAP_BPF") != NULL, "the error names the capabilities");
		assert_json_error("mnttrace -j as nobody", o, EXIT_FAILURE_);
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
		assert_one_error_line(what, st, err, EXIT_FAILURE_);
		free(err);
		/* mnttrace would trace forever if it fell back: the timeout
		 * turns that into a SIGKILL and a failure */
		st = run_mnttrace(&err, CLI_TIMEOUT_MS, "-j", "--attach", modes[i], NULL);
		snprintf(what, sizeof(what), "mnttrace -j --attach %s", modes[i]);
		assert_one_error_line(what, st, err, EXIT_FAILURE_);
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
