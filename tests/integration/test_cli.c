// SPDX-License-Identifier: GPL-2.0
/*
 * The command line as a user meets it: bad input gives one error line and
 * a non-zero exit; a refused attach mode is an error, never a silent
 * fallback; SIGINT gives exit 0, a summary, and no BPF object left behind.
 * Option errors, the privilege check and the refused-mode test (it tries
 * every mode itself) are TEST_ANY_MODE; the signal tests count the BPF
 * objects of the mode under test, so they run in every mode.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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

TEST_ANY_MODE(cli_usage_errors_exit_2)
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
TEST_ANY_MODE(cli_durations_accepted)
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

struct child_run {
	int status;
	char err[4096], out[4096];
};

/* Run mnttrace @args in a child after @setup (drops privileges, hides tracefs) ran there. */
static bool run_after(bool (*setup)(void), const char *const *args, struct child_run *res)
{
	char *err = NULL, *out = NULL;
	pid_t pid;
	int p[2];

	if (pipe(p))
		return false;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (!setup())
			_exit(126);
		res->status = run_mnttrace_out(&out, &err, CLI_TIMEOUT_MS, args);
		snprintf(res->err, sizeof(res->err), "%s", err ? err : "");
		snprintf(res->out, sizeof(res->out), "%s", out ? out : "");
		(void)!write(p[1], res, sizeof(*res));
		_exit(0);
	}
	close(p[1]);
	memset(res, 0, sizeof(*res));
	{
		ssize_t n, len = 0;

		while ((n = read(p[0], (char *)res + len, sizeof(*res) - len)) > 0)
			len += n;
		close(p[0]);
		waitpid(pid, NULL, 0);
		return len == sizeof(*res);
	}
}

static bool become_nobody(void)
{
	return !setgroups(0, NULL) && !setresgid(65534, 65534, 65534) &&
	       !setresuid(65534, 65534, 65534);
}

/* root without CAP_SYS_ADMIN and CAP_PERFMON: what exec gives is capped by the bounding set */
static bool drop_admin_perfmon(void)
{
	return !prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) &&
	       !prctl(PR_CAPBSET_DROP, 38 /* CAP_PERFMON, 5.8+ */, 0, 0, 0);
}

/*
 * A runtime failure (not enough privileges) is exit 1, not 2, in one line
 * that names the capabilities missing, and under -j a JSON error object.
 */
TEST_ANY_MODE(cli_runtime_failure_exit_1)
{
	static const struct {
		const char *what;
		bool (*setup)(void);
		const char *names;
	} cases[] = {
		{ "mnttrace -j as nobody", become_nobody, "missing CAP_BPF and CAP_PERFMON" },
		{ "mnttrace -j as root without CAP_SYS_ADMIN and CAP_PERFMON", drop_admin_perfmon,
		  "missing CAP_PERFMON," },
	};
	static const char *const args[] = { "-j", NULL };
	static struct child_run res;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!run_after(cases[i].setup, args, &res)) {
			mt_test_fail(__FILE__, __LINE__, "%s: the child could not drop privileges",
				     cases[i].what);
			continue;
		}
		/* a guest whose mnttrace binary only root may run: nothing to check */
		if (WIFEXITED(res.status) && WEXITSTATUS(res.status) == 127 &&
		    strstr(res.err, "itest: exec")) {
			mt_test_skip("%s: cannot execute %s there", cases[i].what, it_mnttrace);
			return;
		}
		assert_one_error_line(cases[i].what, res.status, res.err, EXIT_FAILURE_);
		if (!strstr(res.err, cases[i].names))
			mt_test_fail(__FILE__, __LINE__, "%s: the error does not say \"%s\": %s",
				     cases[i].what, cases[i].names, res.err);
		assert_json_error(cases[i].what, res.out, EXIT_FAILURE_);
	}
}

/* Detach every tracefs mount of a private mount namespace (debugfs too: its
 * tracing directory automounts tracefs). */
static bool hide_tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing",
					    "/sys/kernel/debug" };

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return false;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		for (int n = 0; n < 8 && !umount2(dirs[i], MNT_DETACH); n++)
			;
	return true;
}

/* ... and leave no directory to mount it on: a read-only tmpfs over
 * /sys/kernel that has only btf/ (bound back from the real one). */
static bool no_tracefs_dir(void)
{
	/* btf/ waits on /tmp meanwhile (this namespace's own /tmp mount) */
	return hide_tracefs() && !mount("/sys/kernel/btf", "/tmp", NULL, MS_BIND, NULL) &&
	       !mount("itest", "/sys/kernel", "tmpfs", 0, "mode=0755") &&
	       !mkdir("/sys/kernel/btf", 0755) &&
	       !mount("/tmp", "/sys/kernel/btf", NULL, MS_BIND, NULL) &&
	       !umount2("/tmp", MNT_DETACH) &&
	       !mount(NULL, "/sys/kernel", NULL, MS_REMOUNT | MS_RDONLY, NULL);
}

/*
 * tracefs missing: mnttrace mounts it itself and says so (-v), or, when it
 * cannot, names what is missing and the command that fixes it, exit 1.
 */
TEST(cli_tracefs_missing)
{
	static const char *const check[] = { "-v", "--check", NULL };
	static const char *const trace[] = { "-j", "--duration", "5", NULL };
	static struct child_run res;

	if (!run_after(hide_tracefs, check, &res)) {
		mt_test_fail(__FILE__, __LINE__, "a private namespace without tracefs: setup failed");
		return;
	}
	if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0)
		mt_test_fail(__FILE__, __LINE__, "without tracefs, --check: status 0x%x, stderr:\n%s",
			     res.status, res.err);
	if (!strstr(res.err, "mounted tracefs on /sys/kernel/tracing"))
		mt_test_fail(__FILE__, __LINE__, "without tracefs, -v does not say it mounted "
			     "tracefs:\n%s", res.err);
	if (!run_after(no_tracefs_dir, trace, &res)) {
		mt_test_skip("cannot hide /sys/kernel/tracing here (tmpfs over /sys/kernel failed)");
		return;
	}
	assert_one_error_line("no tracefs and nowhere to mount it", res.status, res.err,
			      EXIT_FAILURE_);
	if (!strstr(res.err, "tracefs is not mounted") ||
	    !strstr(res.err, "mount -t tracefs nodev /sys/kernel/tracing"))
		mt_test_fail(__FILE__, __LINE__, "the error does not name tracefs and its fix: %s",
			     res.err);
	assert_json_error("no tracefs and nowhere to mount it", res.out, EXIT_FAILURE_);
}

/* A mode --check refuses must make a tracing run fail the same way. */
TEST_ANY_MODE(cli_refused_mode_is_an_error)
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

/*
 * auto takes the first mode that works, in the order fentry, kprobe,
 * tracepoint: on the 6.18 host fentry is refused at once (lockdown), and
 * in the matrix guests the cheap lockdown probe must not refuse fentry.
 */
TEST_ANY_MODE(cli_auto_picks_the_first_mode_that_works)
{
	static const char *const modes[] = { "fentry", "kprobe", "tracepoint" };
	const char *want = NULL;
	char *out = NULL, *err = NULL;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]) && !want; i++) {
		const char *args[] = { "--attach", modes[i], "--check", NULL };
		int st = run_mnttrace_out(&out, &err, CLI_TIMEOUT_MS, args);

		if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			want = modes[i];
		free(out);
		free(err);
		out = err = NULL;
	}
	if (!want)
		mt_test_fail(__FILE__, __LINE__, "--check refused every attach mode");
	const char *args[] = { "--attach", "auto", "--check", NULL };
	int st = run_mnttrace_out(&out, &err, CLI_TIMEOUT_MS, args);

	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		mt_test_fail(__FILE__, __LINE__, "--attach auto --check failed: %s", err ? err : "");
	else if (!out || strncmp(out, want, strlen(want)) != 0 || out[strlen(want)] != '\n')
		mt_test_fail(__FILE__, __LINE__, "--attach auto --check chose '%s', want %s (first that works)",
			     out ? out : "", want);
	free(out);
	free(err);
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

/* What one mnttrace process holds, by kind. */
struct bpf_set {
	struct bpf_held held[3];
};

static void bpf_set_collect(struct bpf_set *b, pid_t pid)
{
	static const enum bpf_obj_kind kinds[] = { BPF_OBJ_LINK, BPF_OBJ_PROG, BPF_OBJ_MAP };
	static const char *const names[] = { "link", "prog", "map" };

	memset(b, 0, sizeof(*b));
	for (size_t k = 0; k < 3; k++) {
		struct bpf_held *h = &b->held[k];

		h->kind = kinds[k];
		h->name = names[k];
		h->n = proc_bpf_ids(pid, h->kind, h->ids, MAX_IDS);
		/* named now, while mnttrace holds them (see bpf_obj_name) */
		for (int i = 0; i < h->n; i++)
			bpf_obj_name(h->kind, h->ids[i], h->names[i], sizeof(h->names[i]));
	}
	ASSERT_GT(b->held[0].n, 0, "BPF links mnttrace holds while tracing");
	ASSERT_GT(b->held[1].n, 0, "BPF programs mnttrace holds while tracing");
	ASSERT_GT(b->held[2].n, 0, "BPF maps mnttrace holds while tracing");
	mt_test_log("mnttrace held %d links, %d programs, %d maps", b->held[0].n,
		    b->held[1].n, b->held[2].n);
}

/* Fail unless every id of @b is gone (within BPF_GONE_TIMEOUT_MS). */
static void bpf_set_assert_gone(const struct bpf_set *b, const char *after)
{
	char left[512] = "";
	int nleft = 0;

	for (int waited = 0; waited <= BPF_GONE_TIMEOUT_MS; waited += 100) {
		left[0] = '\0';
		nleft = 0;
		for (size_t k = 0; k < 3; k++)
			nleft += bpf_survivors(&b->held[k], left, sizeof(left));
		if (!nleft)
			break;
		sleep_ms(100);
	}
	if (nleft)
		mt_test_fail(__FILE__, __LINE__, "after %s, %d BPF object(s) of mnttrace outlived "
			     "it by %d ms:%s", after, nleft, BPF_GONE_TIMEOUT_MS, left);
}

/* The summary comes after the "tracing" line. */
static void assert_summary(const struct tracer *t, const char *after)
{
	const char *summary = t->err_text ? strstr(t->err_text, "mnttrace: tracing") : NULL;

	summary = summary ? strchr(summary, '\n') : NULL;
	if (!summary || !strstr(summary, " records, "))
		mt_test_fail(__FILE__, __LINE__, "no summary on stderr after %s:\n%s", after,
			     t->err_text ? t->err_text : "");
}

/*
 * Every BPF link, program and map mnttrace held while tracing must be gone
 * once it exits, whatever signal ended it: ids are not reused at once (the
 * kernel allocates them cyclically), so one that still exists was kept
 * alive by something mnttrace left behind (an inherited fd, a pin, an
 * attachment without a link). Other tools loading BPF meanwhile do not
 * matter here: only mnttrace's own ids are compared.
 */
TEST(clean_exit_no_bpf_object_left)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct tracer t = TRACER_INIT;
		struct bpf_set b;

		if (tracer_startv(&t, NULL)) {
			bpf_set_collect(&b, t.pid);
			/* exit 0 is checked by tracer_stop_sig() */
			if (tracer_stop_sig(&t, sigs[i])) {
				char left[512] = "";

				/* links go before the summary, not after (the perf
				 * events under them are released later: loader.c) */
				if (bpf_survivors(&b.held[0], left, sizeof(left)))
					mt_test_fail(__FILE__, __LINE__, "BPF links still attached "
						     "when mnttrace exited after %s:%s",
						     strsignal(sigs[i]), left);
				bpf_set_assert_gone(&b, strsignal(sigs[i]));
				assert_summary(&t, strsignal(sigs[i]));
			}
		}
		tracer_free(&t);
	}
}

/* SIGKILL runs no code of ours: the kernel must drop everything with the fds. */
TEST(sigkill_leaves_no_bpf_object)
{
	struct tracer t = TRACER_INIT;
	struct bpf_set b;

	if (!tracer_startv(&t, NULL))
		goto out;
	bpf_set_collect(&b, t.pid);
	kill(t.pid, SIGKILL);
	t.status = wait_pid_timeout(t.pid, CLI_TIMEOUT_MS);
	t.exited = true;
	ASSERT_TRUE(WIFSIGNALED(t.status) && WTERMSIG(t.status) == SIGKILL, "killed");
	bpf_set_assert_gone(&b, "SIGKILL");
out:
	tracer_free(&t);
}

static void mount_storm(struct sc_ctx *c, void *arg)
{
	char m[256];

	snprintf(m, sizeof(m), "%s/m", c->dir);
	make_dir(c, m);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 5; i++) {
			SC_CHECK(c, mount("x", m, "tmpfs", 0, NULL) == 0, "mount");
			SC_CHECK(c, umount(m) == 0, "umount");
		}
		if (!round)
			sc_sync(c);
	}
}

/*
 * `mnttrace -j | head -n 1`: once the reader is gone, mnttrace stops at
 * once (idle or not), detaches, exits 0 and names the closed pipe.
 */
TEST(closed_stdout_ends_the_trace)
{
	const char *args[] = { "-j", NULL };
	struct scenario s = SC_INIT;
	struct tracer t = TRACER_INIT;	/* for its err memfd and cleanup */
	struct bpf_set b;
	char line[512];
	int p[2] = { -1, -1 };
	ssize_t n = 0;

	/* O_CLOEXEC: mnttrace must not hold the read end of its own stdout */
	if (!ASSERT_OK(pipe2(p, O_CLOEXEC), "pipe"))
		return;
	t.err_fd = (int)syscall(SYS_memfd_create, "mnttrace-stderr", 0);
	t.pid = tracer_spawn_fds(args, p[1], t.err_fd);
	close(p[1]);
	for (int ms = 0; ms < CLI_TIMEOUT_MS; ms += 20) {
		free(t.err_text);
		t.err_text = it_read_memfd(t.err_fd);
		if (t.err_text && strstr(t.err_text, "mnttrace: tracing"))
			break;
		sleep_ms(20);
	}
	if (!ASSERT_TRUE(t.err_text && strstr(t.err_text, "mnttrace: tracing"), "ready"))
		goto out;
	bpf_set_collect(&b, t.pid);
	if (!sc_start(&s, mount_storm, NULL) || !sc_wait_sync(&s))
		goto out;
	/* head -n 1: one line, then the reader exits */
	n = read(p[0], line, sizeof(line));
	ASSERT_GT(n, 0, "a first line");
	close(p[0]);
	p[0] = -1;
	sc_go(&s);
	sc_finish(&s);
	/* a hang is the failure here: the timeout kills it */
	t.status = wait_pid_timeout(t.pid, CLI_TIMEOUT_MS);
	t.exited = true;
	free(t.err_text);
	t.err_text = it_read_memfd(t.err_fd);
	if (!WIFEXITED(t.status) || WEXITSTATUS(t.status) != 0)
		mt_test_fail(__FILE__, __LINE__, "status 0x%x after the reader left, want exit 0; "
			     "stderr:\n%s", t.status, t.err_text);
	ASSERT_TRUE(strstr(t.err_text, "stdout was closed") != NULL, "the summary names the "
		    "closed pipe");
	ASSERT_TRUE(!strstr(t.err_text, "error"), "no error line");
	assert_summary(&t, "the reader left");
	bpf_set_assert_gone(&b, "a closed stdout");
out:
	if (p[0] >= 0)
		close(p[0]);
	sc_free(&s);
	tracer_free(&t);
}
