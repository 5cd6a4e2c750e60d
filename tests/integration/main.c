// SPDX-License-Identifier: GPL-2.0
/*
 * mnttrace-itest --mnttrace PATH [--attach auto|fentry|kprobe|tracepoint]
 *                [--all-tests] [-v] [TEST-NAME-FILTER...]
 *
 * Runs the integration tests against a built mnttrace. Needs root (it makes
 * mounts, in private namespaces only). The end-to-end runner (mnttrace-e2e,
 * tests/e2e/) is the same program with other tests linked in.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

const char *it_mnttrace;
const char *it_attach = "auto";
bool it_verbose;
static bool all_tests;
char *volatile it_scenario_dir;

#define CHECK_TIMEOUT_MS 60000

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s --mnttrace PATH [--attach auto|fentry|kprobe|tracepoint]"
		" [--all-tests] [-v] [TEST-NAME-FILTER...]\n"
		"Runs mnttrace's %s tests (as root) and prints "
		"\"N passed, N failed, N skipped\".\n"
		"Under --attach fentry or kprobe, the tests that do not depend on the mode\n"
		"skip (they run in tracepoint mode); --all-tests runs them too.\n",
		program_invocation_short_name,
		strstr(program_invocation_short_name, "e2e") ? "end-to-end" : "integration");
}

static bool valid_mode(const char *m)
{
	return !strcmp(m, "auto") || !strcmp(m, "fentry") || !strcmp(m, "kprobe") ||
	       !strcmp(m, "tracepoint");
}

/* Does `mnttrace --attach MODE --check` accept this mode here? */
static bool mode_works(const char *mode)
{
	char *err = NULL;
	int st = run_mnttrace(&err, CHECK_TIMEOUT_MS, "--attach", mode, "--check", NULL);
	bool ok = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;

	free(err);
	return ok;
}

bool it_internals_available(const char **why)
{
	static int cached = -1;

	if (!strcmp(it_attach, "fentry") || !strcmp(it_attach, "kprobe"))
		return true;
	if (!strcmp(it_attach, "tracepoint")) {
		*why = "--attach tracepoint cannot hook kernel internals";
		return false;
	}
	/* auto picks fentry, else kprobe: internals iff either works */
	if (cached < 0)
		cached = mode_works("fentry") || mode_works("kprobe");
	if (!cached)
		*why = "neither fentry nor kprobe attach on this kernel (mnttrace --check)";
	return cached;
}

static struct it_times before_test;

/* " (mnttrace: 1 start 3.1s, ...)": what the test's time went to. */
static void time_note(char *buf, size_t len)
{
	const struct it_times *a = &before_test, *b = &it_times;
	double other = b->run_s - a->run_s;

	if (b->starts == a->starts && b->runs == a->runs && b->replays == a->replays)
		return;
	snprintf(buf, len, " (mnttrace: %d start %.1fs, stop %.1fs, replay %.1fs, "
		 "settle %.1fs, %d other %.1fs)", b->starts - a->starts, b->start_s - a->start_s,
		 b->stop_s - a->stop_s, b->replay_s - a->replay_s, b->settle_s - a->settle_s,
		 b->runs - a->runs, other);
}

/* The matrix runs a mode-independent test once a kernel, in tracepoint mode. */
static const char *mode_gate(const struct mt_test *t)
{
	before_test = it_times;
	if (!(t->flags & MT_TEST_MODE_INDEPENDENT) || all_tests)
		return NULL;
	if (strcmp(it_attach, "fentry") && strcmp(it_attach, "kprobe"))
		return NULL;
	return "mode-independent; runs in tracepoint mode (--all-tests runs it here)";
}

/*
 * Every test reaps what it starts; a child still here is a fixture bug that
 * would keep namespaces (and their mounts) alive. Kill it and say so.
 */
static int kill_leftovers(void)
{
	char path[64], buf[512];
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d))) {
		int pid = atoi(de->d_name), ppid = 0;
		char *rp;
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		/* the comm field may hold spaces: ppid follows the last ')' */
		if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')))
			sscanf(rp + 1, " %*c %d", &ppid);
		fclose(f);
		if (ppid != getpid())
			continue;
		fprintf(stderr, "%s: killing leftover child %d\n", program_invocation_short_name, pid);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * Say who interrupted us: a stray SIGINT/SIGTERM (another tool's pkill of
 * "mnttrace*", say) must not look like a test failure. Only
 * async-signal-safe calls here; children die by PR_SET_PDEATHSIG.
 */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	char msg[160], comm[32] = "?";
	int fd, n;

	snprintf(msg, sizeof(msg), "/proc/%d/comm", si->si_pid);
	fd = open(msg, O_RDONLY);
	if (fd >= 0) {
		n = (int)read(fd, comm, sizeof(comm) - 1);
		comm[n > 0 ? n - 1 : 0] = '\0';
		close(fd);
	}
	if (it_scenario_dir)
		rmdir(it_scenario_dir);	/* empty here: the tmpfs is in the child's ns */
	n = snprintf(msg, sizeof(msg), "\n%s: interrupted by signal %d from pid %d (%s)\n",
		     program_invocation_short_name, sig, si->si_pid, comm);
	if (write(2, msg, (size_t)n) < 0)
		_exit(130);
	_exit(128 + sig);
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mnttrace", required_argument, NULL, 'm' },
		{ "attach", required_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "all-tests", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char **targv;
	int c, rc, targc = 0;

	while ((c = getopt_long(argc, argv, "m:a:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			it_mnttrace = optarg;
			break;
		case 'a':
			it_attach = optarg;
			break;
		case 'v':
			it_verbose = true;
			break;
		case 'A':
			all_tests = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!it_mnttrace || !valid_mode(it_attach)) {
		fprintf(stderr, "%s: %s\n", program_invocation_short_name, !it_mnttrace ?
			"--mnttrace PATH is required" : "--attach takes auto|fentry|kprobe|tracepoint");
		usage(stderr);
		return 2;
	}
	if (access(it_mnttrace, X_OK) < 0)
		fprintf(stderr, "%s: warning: %s is not executable; "
			"tests that run it will fail\n", program_invocation_short_name, it_mnttrace);
	/* mt_test_main() takes argv[0], an optional "-v", then filters */
	targv = calloc((size_t)argc + 2, sizeof(*targv));
	if (!targv)
		return 2;
	targv[targc++] = argv[0];
	if (it_verbose)
		targv[targc++] = "-v";
	while (optind < argc)
		targv[targc++] = argv[optind++];
	setvbuf(stderr, NULL, _IONBF, 0);
	catch_signals();
	mt_test_set_gate(mode_gate);
	mt_test_set_note(time_note);
	rc = mt_test_main(targc, targv);
	printf("%s: time in mnttrace: %d starts %.0fs, %d stops %.0fs, %d replays %.0fs, "
	       "%d other runs %.0fs; settling %.0fs\n", program_invocation_short_name,
	       it_times.starts, it_times.start_s, it_times.stops, it_times.stop_s,
	       it_times.replays, it_times.replay_s, it_times.runs, it_times.run_s,
	       it_times.settle_s);
	if (kill_leftovers()) {
		printf("FAIL: the tests left child processes behind\n");
		rc = 1;
	}
	free(targv);
	return rc;
}
