// SPDX-License-Identifier: GPL-2.0
/*
 * Running mnttrace as a user would: fork/exec it with stdout and stderr in
 * memfds (a pipe could fill up and stall it while a test is busy), wait for
 * its "mnttrace: tracing" line, stop it with SIGINT, then parse and query
 * the JSON Lines it printed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "itest.h"

/* TCG guests are slow: loading and attaching can take tens of seconds. */
#define READY_TIMEOUT_MS 60000
#define STOP_TIMEOUT_MS 30000

#define READY_LINE "mnttrace: tracing"

static int make_memfd(const char *name)
{
	int fd = (int)syscall(SYS_memfd_create, name, 0);

	if (fd < 0)
		mt_test_fail(__FILE__, __LINE__, "memfd_create: %s", strerror(errno));
	return fd;
}

/* The whole content of a memfd as a string (caller frees). */
static char *read_all(int fd)
{
	struct stat st;
	char *buf;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return strdup("");
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return NULL;
	n = pread(fd, buf, (size_t)st.st_size, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Exec mnttrace with argv; stdout/stderr to the given fds. */
bool it_tracer_in_new_pidns;
bool it_tracer_text;

static volatile pid_t shim_child;

static void shim_forward(int sig)
{
	if (shim_child > 0)
		kill(shim_child, sig);
}

/*
 * In the forked child: move the exec'd program into a new pid namespace,
 * as its pid 1 with a /proc of that namespace. This process stays behind
 * as a shim that forwards SIGINT/SIGTERM and exits with its status.
 */
static void enter_new_pidns(void)
{
	int status;

	if (unshare(CLONE_NEWPID | CLONE_NEWNS)) {
		dprintf(2, "itest: unshare(CLONE_NEWPID|CLONE_NEWNS): %s\n", strerror(errno));
		_exit(127);
	}
	shim_child = fork();
	if (shim_child < 0)
		_exit(127);
	if (shim_child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
			dprintf(2, "itest: mounting /proc of the new pid namespace: %s\n",
				strerror(errno));
			_exit(127);
		}
		return;
	}
	signal(SIGINT, shim_forward);
	signal(SIGTERM, shim_forward);
	while (waitpid(shim_child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static pid_t spawn(char **argv, int out_fd, int err_fd)
{
	pid_t ppid = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* never outlive the runner, whatever happens to it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != ppid)
		_exit(127);
	int null = open("/dev/null", O_RDONLY);

	if (null >= 0)
		dup2(null, 0);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	if (it_tracer_in_new_pidns)
		enter_new_pidns();
	execv(argv[0], argv);
	dprintf(2, "itest: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int collect_args(char **argv, int n, const char *arg, va_list ap)
{
	for (; arg && n < TR_MAX_ARGS + 4; arg = va_arg(ap, const char *))
		argv[n++] = (char *)arg;
	argv[n] = NULL;
	return n;
}

static bool wait_ready_loop(struct tracer *t)
{
	for (int ms = 0; ms < READY_TIMEOUT_MS; ms += 20) {
		char *err = read_all(t->err_fd);
		bool ready = err && (strncmp(err, READY_LINE, strlen(READY_LINE)) == 0 ||
				     strstr(err, "\n" READY_LINE));

		if (ready) {
			free(err);
			if (it_verbose)
				mt_test_log("mnttrace ready after %d ms", ms);
			return true;
		}
		if (waitpid(t->pid, &t->status, WNOHANG) == t->pid) {
			t->exited = true;
			mt_test_fail(__FILE__, __LINE__,
				     "mnttrace exited (status 0x%x) before tracing; stderr:\n%s",
				     t->status, err ? err : "");
			free(err);
			return false;
		}
		free(err);
		sleep_ms(20);
	}
	mt_test_fail(__FILE__, __LINE__, "mnttrace not ready after %d ms", READY_TIMEOUT_MS);
	return false;
}

struct it_times it_times;

static bool wait_ready(struct tracer *t)
{
	double t0 = mt_now_s();
	bool ok = wait_ready_loop(t);

	it_times.starts++;
	it_times.start_s += mt_now_s() - t0;
	return ok;
}

bool tracer_startv(struct tracer *t, const char *const *args)
{
	char *argv[TR_MAX_ARGS + 8];
	bool own_record = false;
	int n = 0;

	memset(t, 0, sizeof(*t));
	t->pid = -1;
	t->out_fd = make_memfd("mnttrace-stdout");
	t->err_fd = make_memfd("mnttrace-stderr");
	if (t->out_fd < 0 || t->err_fd < 0)
		return false;
	t->text = it_tracer_text;
	it_tracer_text = false;
	argv[n++] = (char *)it_mnttrace;
	if (!t->text)
		argv[n++] = "-j";
	argv[n++] = "--attach";
	argv[n++] = (char *)it_attach;
	/* every run is recorded, and tracer_stop() replays it (replay_check.c),
	 * unless the test records itself */
	for (const char *const *a = args; a && *a; a++)
		own_record |= strcmp(*a, "--record") == 0;
	if (!own_record && replay_check_path(t->rec_path, sizeof(t->rec_path))) {
		argv[n++] = "--record";
		argv[n++] = t->rec_path;
	}
	for (; args && *args && n < TR_MAX_ARGS + 6; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	t->pid = spawn(argv, t->out_fd, t->err_fd);
	if (t->pid < 0) {
		mt_test_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
		return false;
	}
	return wait_ready(t);
}

bool tracer_start(struct tracer *t, const char *arg, ...)
{
	const char *args[TR_MAX_ARGS + 1];
	va_list ap;
	int n = 0;

	va_start(ap, arg);
	for (; arg && n < TR_MAX_ARGS; arg = va_arg(ap, const char *))
		args[n++] = arg;
	va_end(ap);
	args[n] = NULL;
	return tracer_startv(t, args);
}

static void log_record(const struct json *r);

/* Fields each record type must carry (docs/json.md), by JSON type. */
static const struct {
	const char *type, *key;
	enum json_type want;
} required[] = {
	{ "syscall", "call", JSON_STRING },	{ "syscall", "ret", JSON_NUMBER },
	{ "syscall", "latency_ns", JSON_NUMBER }, { "mount", "op", JSON_STRING },
	{ "mount", "mnt_id", JSON_NUMBER },	{ "ns", "op", JSON_STRING },
	{ "ns", "ns", JSON_NUMBER },		{ "lost", "bpf_drops", JSON_NUMBER },
	{ "lost", "user_drops", JSON_NUMBER },	{ "finding", "kind", JSON_STRING },
	{ "finding", "path", JSON_STRING },	{ "finding", "overlay", JSON_OBJECT },
	{ "finding", "holders", JSON_ARRAY },	{ "finding", "reason", JSON_STRING },
	{ "dir", "op", JSON_STRING },		{ "dir", "path", JSON_STRING },
	{ "overlay", "path", JSON_STRING },	{ "overlay", "copies", JSON_ARRAY },
	{ "snapshot", "namespaces", JSON_NUMBER }, { "snapshot", "mount_ids", JSON_STRING },
};

static bool check_required(const struct json *r, const char *type, size_t line)
{
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const struct json *v;

		if (strcmp(type, required[i].type))
			continue;
		v = json_get(r, required[i].key);
		if (v && v->type == required[i].want)
			continue;
		mt_test_fail(__FILE__, __LINE__, "stdout line %zu (%s): \"%s\" %s", line, type,
			     required[i].key, v ? "has the wrong JSON type" : "is missing");
		log_record(r);
		return false;
	}
	return true;
}

/* Fields every kernel-event record carries (docs/json.md "Common fields"). */
/* No duplicate keys (json_get() would see only the last) and no nulls. */
static bool check_keys(const struct json *r, size_t line)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < i; k++) {
			if (strcmp(r->keys[k], r->keys[i]))
				continue;
			mt_test_fail(__FILE__, __LINE__, "stdout line %zu: key \"%s\" appears twice",
				     line, r->keys[i]);
			log_record(r);
			return false;
		}
		if (r->items[i]->type == JSON_NULL) {
			mt_test_fail(__FILE__, __LINE__, "stdout line %zu: \"%s\" is null "
				     "(docs: absent, never null)", line, r->keys[i]);
			return false;
		}
	}
	return true;
}

static bool known_type(const char *type)
{
	static const char *const types[] = { "syscall", "mount", "dir", "ns", "lost", "finding",
					     "overlay", "snapshot", "error" };

	for (size_t i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

/* "HH:MM:SS.uuuuuu" */
static bool valid_time(const char *t)
{
	static const char shape[] = "99:99:99.999999";

	if (!t || strlen(t) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '9' ? !(t[i] >= '0' && t[i] <= '9') : t[i] != shape[i])
			return false;
	return true;
}

/*
 * "truncated" and "unreadable" (docs/json.md "Incomplete values"): lists of
 * field names; a truncated field is present, an unreadable one is not.
 * (An ns walk_done's "truncated" is a boolean.) fsconfig's cmd is a string.
 */
static bool check_field_lists(const struct json *r, const char *type, size_t line)
{
	static const char *const lists[] = { "truncated", "unreadable" };

	if (!strcmp(type, "ns"))
		return true;
	for (size_t k = 0; k < 2; k++) {
		const struct json *l = json_get(r, lists[k]);
		bool ok = !l || (l->type == JSON_ARRAY && l->n > 0);

		for (size_t i = 0; l && ok && i < l->n; i++) {
			const struct json *f = json_at(l, i);

			ok = f->type == JSON_STRING && !json_get(r, f->s) == (k == 1);
		}
		if (ok)
			continue;
		mt_test_fail(__FILE__, __LINE__, "stdout line %zu (%s): \"%s\" is not a list of "
			     "%s fields", line, type, lists[k], k ? "absent" : "present");
		log_record(r);
		return false;
	}
	if (json_get(r, "cmd") && !json_str(r, "cmd")) {
		mt_test_fail(__FILE__, __LINE__, "stdout line %zu: \"cmd\" is not a string", line);
		return false;
	}
	return true;
}

/* One record against docs/json.md: keys, type, required and common fields. */
static bool check_common(const struct json *r, size_t line)
{
	static const char *const ints[] = { "ts_ns", "pid", "tid", "mnt_ns", "mnt_ns_id" };
	const char *type = json_str(r, "type");
	long long v;

	if (!check_keys(r, line))
		return false;
	if (!known_type(type)) {
		mt_test_fail(__FILE__, __LINE__, "stdout line %zu: \"type\" %s is not in docs/json.md",
			     line, type ? type : "(absent)");
		return false;
	}
	if (!check_required(r, type, line))
		return false;
	/* no kernel event: no common fields */
	if (!strcmp(type, "lost") || !strcmp(type, "finding") || !strcmp(type, "overlay") ||
	    !strcmp(type, "snapshot"))
		return true;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (!json_int(r, ints[i], &v)) {
			mt_test_fail(__FILE__, __LINE__, "stdout line %zu (%s): no integer \"%s\"",
				     line, type, ints[i]);
			return false;
		}
	}
	if (!json_str(r, "comm") || !valid_time(json_str(r, "time"))) {
		mt_test_fail(__FILE__, __LINE__, "stdout line %zu (%s): no \"comm\", or \"time\" "
			     "not HH:MM:SS.uuuuuu", line, type);
		log_record(r);
		return false;
	}
	if (!check_field_lists(r, type, line))
		return false;
	if (json_int(r, "latency_ns", &v) && v < 0) {
		mt_test_fail(__FILE__, __LINE__, "stdout line %zu: negative latency_ns", line);
		return false;
	}
	return true;
}

static bool add_record(struct tracer *t, struct json *r)
{
	struct json **recs = realloc(t->recs, (t->nrecs + 1) * sizeof(*recs));

	if (!recs) {
		json_free(r);
		return false;
	}
	t->recs = recs;
	t->recs[t->nrecs++] = r;
	return true;
}

/* One JSON object per line; report only the first bad line of each kind.
 * Records that break the schema are still kept: the test's own checks tell
 * more than one contract failure alone would. */
void tracer_parse_output(struct tracer *t, char *out)
{
	bool ok = true, common_ok = true;
	size_t lineno = 0;
	char *save = NULL;

	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *err;
		struct json *r;

		lineno++;
		r = json_parse(line, &err);
		if (!r || r->type != JSON_OBJECT) {
			if (ok)
				mt_test_fail(__FILE__, __LINE__, "stdout line %zu is not a JSON "
					     "object (%s): %.300s", lineno, r ? "not an object" : err,
					     line);
			json_free(r);
			ok = false;
			continue;
		}
		if (common_ok && !check_common(r, lineno))
			common_ok = false;
		add_record(t, r);
	}
}

/*
 * Contract failures (bad lines, a non-zero exit) fail the test here, but
 * the records are still returned for the test's own checks: only output
 * that cannot be read at all makes this return false.
 */
bool tracer_stop(struct tracer *t)
{
	return tracer_stop_sig(t, SIGINT);
}

bool tracer_stop_sig(struct tracer *t, int sig)
{
	double t0;
	char *out;

	if (t->pid <= 0 || t->exited)
		return false;
	tracer_settle(t);
	t0 = mt_now_s();
	kill(t->pid, sig);
	t->status = wait_pid_timeout(t->pid, STOP_TIMEOUT_MS);
	it_times.stops++;
	it_times.stop_s += mt_now_s() - t0;
	t->exited = true;
	free(t->err_text);
	t->err_text = read_all(t->err_fd);
	out = read_all(t->out_fd);
	if (!out || !t->err_text) {
		free(out);
		mt_test_fail(__FILE__, __LINE__, "cannot read mnttrace's output");
		return false;
	}
	if (t->text)
		t->out_text = out;
	else
		tracer_parse_output(t, out);
	if (!t->text)
		free(out);
	if (it_verbose)
		mt_test_log("mnttrace: %zu records; stderr:\n%.2000s", t->nrecs, t->err_text);
	if (!WIFEXITED(t->status) || WEXITSTATUS(t->status) != 0)
		mt_test_fail(__FILE__, __LINE__, "mnttrace after %s: status 0x%x, want exit 0; "
			     "stderr:\n%.2000s", strsignal(sig), t->status, t->err_text);
	else if (t->rec_path[0] && !t->text)
		replay_check(t, t->rec_path);	/* compares JSON Lines */
	else if (t->rec_path[0])
		unlink(t->rec_path);
	return true;
}

void tracer_free(struct tracer *t)
{
	if (t->pid > 0 && !t->exited) {
		kill(t->pid, SIGKILL);
		wait_pid_timeout(t->pid, STOP_TIMEOUT_MS);
		t->exited = true;
		if (t->rec_path[0])
			unlink(t->rec_path);	/* never replayed */
	}
	for (size_t i = 0; i < t->nrecs; i++)
		json_free(t->recs[i]);
	free(t->recs);
	t->recs = NULL;
	t->nrecs = 0;
	free(t->err_text);
	t->err_text = NULL;
	free(t->out_text);
	t->out_text = NULL;
	if (t->out_fd > 0)
		close(t->out_fd);
	if (t->err_fd > 0)
		close(t->err_fd);
	t->out_fd = t->err_fd = -1;
}

/*
 * Wait until mnttrace's stdout stops growing: the ring buffer drained and
 * the model said what it had to. Slow guests need longer than fast hosts,
 * so watch the output instead of sleeping a fixed time.
 */
#define QUIET_MS 500
#define SETTLE_MAX_MS 20000

void tracer_settle(const struct tracer *t)
{
	struct stat st;
	off_t last = -1;
	int quiet = 0;
	double t0 = mt_now_s();

	for (int ms = 0; ms < SETTLE_MAX_MS && quiet < QUIET_MS; ms += 50) {
		if (fstat(t->out_fd, &st) < 0)
			break;
		quiet = st.st_size == last ? quiet + 50 : 0;
		last = st.st_size;
		sleep_ms(50);
	}
	it_times.settle_s += mt_now_s() - t0;
}

/* Run the started scenario to its end, then stop mnttrace. */
static bool scenario_to_end(struct tracer *t, struct scenario *s)
{
	/* a child's sc_sync() here means "look now, while I still live" */
	while (sc_next_sync(s)) {
		tracer_settle(t);
		sc_go(s);
	}
	if (!sc_finish(s) || !tracer_stop(t))
		return false;
	/* the kernel lacks what the scenario needs: say so, check nothing */
	if (sc_get(s, "skip")) {
		mt_test_skip("%s", sc_get(s, "skip"));
		return false;
	}
	return true;
}

bool trace_scenario(struct tracer *t, const char *const *args, struct scenario *s,
		    void (*fn)(struct sc_ctx *, void *), void *arg)
{
	return tracer_startv(t, args) && sc_start(s, fn, arg) && scenario_to_end(t, s);
}

bool trace_scenario_late(struct tracer *t, const char *const *args, struct scenario *s,
			 void (*fn)(struct sc_ctx *, void *), void *arg)
{
	if (!sc_start(s, fn, arg) || !sc_wait_sync(s) || !tracer_startv(t, args))
		return false;
	sc_go(s);
	return scenario_to_end(t, s);
}

long long rec_enter_ns(const struct json *r)
{
	long long ts = 0, lat = 0;

	json_int(r, "ts_ns", &ts);
	json_int(r, "latency_ns", &lat);
	return ts - lat;
}

static int run_argv(char **out, char **err, int timeout_ms, char **argv)
{
	int out_fd, err_fd, status;
	double t0;
	pid_t pid;

	*err = NULL;
	if (out)
		*out = NULL;
	out_fd = make_memfd("mnttrace-stdout");
	err_fd = make_memfd("mnttrace-stderr");
	if (out_fd < 0 || err_fd < 0)
		return -1;
	t0 = mt_now_s();
	pid = spawn(argv, out_fd, err_fd);
	status = pid < 0 ? -1 : wait_pid_timeout(pid, timeout_ms);
	it_times.runs++;
	it_times.run_s += mt_now_s() - t0;
	*err = read_all(err_fd);
	if (out)
		*out = read_all(out_fd);
	close(out_fd);
	close(err_fd);
	return status;
}

int run_mnttrace(char **err, int timeout_ms, const char *arg, ...)
{
	char *argv[TR_MAX_ARGS + 8];
	va_list ap;

	argv[0] = (char *)it_mnttrace;
	va_start(ap, arg);
	collect_args(argv, 1, arg, ap);
	va_end(ap);
	return run_argv(NULL, err, timeout_ms, argv);
}

int run_mnttrace_out(char **out, char **err, int timeout_ms, const char *const *args)
{
	char *argv[TR_MAX_ARGS + 8];
	int n = 0;

	argv[n++] = (char *)it_mnttrace;
	for (; args && *args && n < TR_MAX_ARGS + 4; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	return run_argv(out, err, timeout_ms, argv);
}

pid_t tracer_spawn_fds(const char *const *args, int out_fd, int err_fd)
{
	char *argv[TR_MAX_ARGS + 8];
	int n = 0;

	argv[n++] = (char *)it_mnttrace;
	argv[n++] = "--attach";
	argv[n++] = (char *)it_attach;
	for (; args && *args && n < TR_MAX_ARGS + 4; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	return spawn(argv, out_fd, err_fd);
}

char *it_read_memfd(int fd)
{
	return read_all(fd);
}

/* ---- queries ---- */

static bool value_matches(const struct json *v, const char *want)
{
	char num[32];

	if (strcmp(want, "!") == 0)
		return !v;
	if (!v)
		return false;
	if (strcmp(want, "*") == 0)
		return true;
	if (v->type == JSON_STRING && want[0] == '^')
		return strncmp(v->s, want + 1, strlen(want + 1)) == 0;
	if (v->type == JSON_STRING)
		return strcmp(v->s, want) == 0;
	if (v->type == JSON_NUMBER && v->is_int) {
		snprintf(num, sizeof(num), "%lld", v->i);
		return strcmp(num, want) == 0;
	}
	return false;
}

bool rec_matches_v(const struct json *r, const char **kv)
{
	for (; kv[0] && kv[1]; kv += 2)
		if (!value_matches(json_get(r, kv[0]), kv[1]))
			return false;
	return true;
}

#define MAX_KV 32

static void collect_kv(const char **kv, va_list ap)
{
	int n = 0;
	const char *s;

	while ((s = va_arg(ap, const char *)) && n < MAX_KV - 1)
		kv[n++] = s;
	kv[n] = NULL;
	/* an odd count would pair the last key with NULL: drop it */
	if (n % 2)
		kv[n - 1] = NULL;
}

const struct json *rec_find(const struct tracer *t, size_t from, size_t *idx, ...)
{
	const char *kv[MAX_KV + 1];
	va_list ap;

	va_start(ap, idx);
	collect_kv(kv, ap);
	va_end(ap);
	for (size_t i = from; i < t->nrecs; i++) {
		if (rec_matches_v(t->recs[i], kv)) {
			if (idx)
				*idx = i;
			return t->recs[i];
		}
	}
	return NULL;
}

size_t rec_count(const struct tracer *t, ...)
{
	const char *kv[MAX_KV + 1];
	size_t n = 0;
	va_list ap;

	va_start(ap, t);
	collect_kv(kv, ap);
	va_end(ap);
	for (size_t i = 0; i < t->nrecs; i++)
		n += rec_matches_v(t->recs[i], kv);
	return n;
}

/* The test log holds 16 KiB: show the last records, which are the test's. */
#define DUMP_MAX 24

void rec_dump(const struct tracer *t, const char *why, ...)
{
	const char *kv[MAX_KV + 1];
	size_t match[DUMP_MAX], n = 0, total = 0;
	char buf[600];
	va_list ap;

	va_start(ap, why);
	collect_kv(kv, ap);
	va_end(ap);
	for (size_t i = 0; i < t->nrecs; i++) {
		if (!rec_matches_v(t->recs[i], kv))
			continue;
		match[n++ % DUMP_MAX] = i;
		total++;
	}
	mt_test_log("%s: %zu record(s)%s", why, total, total > DUMP_MAX ? ", the last ones:" : "");
	for (size_t k = total > DUMP_MAX ? total - DUMP_MAX : 0; k < total; k++) {
		json_format(t->recs[match[k % DUMP_MAX]], buf, sizeof(buf));
		mt_test_log("  %s", buf);
	}
}

static void log_record(const struct json *r)
{
	char buf[1000];

	json_format(r, buf, sizeof(buf));
	mt_test_log("  in %s", buf);
}

bool rec_assert_str(const struct json *r, const char *key, const char *want,
		    const char *file, int line)
{
	const char *got = json_str(r, key);

	if (got && strcmp(got, want) == 0)
		return true;
	mt_test_fail(file, line, "\"%s\": actual %s%s%s != expected \"%s\"", key,
		     got ? "\"" : "", got ? got : "(absent or not a string)", got ? "\"" : "",
		     want);
	log_record(r);
	return false;
}

bool rec_assert_int(const struct json *r, const char *key, long long want,
		    const char *file, int line)
{
	long long got;

	if (json_int(r, key, &got) && got == want)
		return true;
	if (json_int(r, key, &got))
		mt_test_fail(file, line, "\"%s\": actual %lld != expected %lld", key, got, want);
	else
		mt_test_fail(file, line, "\"%s\": absent or not an integer, expected %lld",
			     key, want);
	log_record(r);
	return false;
}

bool rec_assert_flag(const struct json *r, const char *key, const char *flag,
		     const char *file, int line)
{
	if (json_has_flag(r, key, flag))
		return true;
	mt_test_fail(file, line, "\"%s\": actual \"%s\" does not contain %s", key,
		     json_str(r, key) ? json_str(r, key) : "(absent)", flag);
	log_record(r);
	return false;
}

bool rec_assert_contains(const struct json *r, const char *key, const char *sub,
			 const char *file, int line)
{
	const char *got = json_str(r, key);

	if (got && strstr(got, sub))
		return true;
	mt_test_fail(file, line, "\"%s\": actual \"%s\" does not contain \"%s\"", key,
		     got ? got : "(absent)", sub);
	log_record(r);
	return false;
}

static const int get_fd_cmd[] = { BPF_LINK_GET_FD_BY_ID, BPF_PROG_GET_FD_BY_ID,
				  BPF_MAP_GET_FD_BY_ID };
static const int next_id_cmd[] = { BPF_LINK_GET_NEXT_ID, BPF_PROG_GET_NEXT_ID,
				   BPF_MAP_GET_NEXT_ID };

/*
 * Walk the ids with BPF_*_GET_NEXT_ID (links 5.8+), which takes no
 * reference. Opening a dying object by id is not harmless: on 6.18, opening
 * and closing a prog array whose owner just exited left it alive for good
 * (seen in this test: the closing fd queues a second clear of the array
 * while the first is pending).
 */
bool bpf_obj_exists(enum bpf_obj_kind kind, __u32 id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = id - 1;
	if (syscall(SYS_bpf, next_id_cmd[kind], &attr, sizeof(attr)) < 0)
		return errno != ENOENT;
	return attr.next_id == id;
}

void bpf_obj_name(enum bpf_obj_kind kind, __u32 id, char *name, size_t len)
{
	struct bpf_prog_info prog = {};
	struct bpf_map_info map = {};
	union bpf_attr attr;
	int fd;

	name[0] = '\0';
	if (kind == BPF_OBJ_LINK)
		return;
	memset(&attr, 0, sizeof(attr));
	/* prog_id and map_id share one slot of the union */
	attr.prog_id = id;
	fd = (int)syscall(SYS_bpf, get_fd_cmd[kind], &attr, sizeof(attr));
	if (fd < 0)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info = kind == BPF_OBJ_PROG ? (__u64)(unsigned long)&prog :
						(__u64)(unsigned long)&map;
	attr.info.info_len = kind == BPF_OBJ_PROG ? sizeof(prog) : sizeof(map);
	if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) == 0)
		snprintf(name, len, "%.16s", kind == BPF_OBJ_PROG ? prog.name : map.name);
	close(fd);
}

static bool has_id(const __u32 *ids, int n, __u32 id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * The ids of the BPF objects of one kind that pid holds through its fds
 * ("link_id:", "prog_id:", "map_id:" in fdinfo, 5.8+), each once: a link's
 * fdinfo names its program too.
 */
int proc_bpf_ids(pid_t pid, enum bpf_obj_kind kind, __u32 *ids, int max)
{
	static const char *const keys[] = { "link_id: %u", "prog_id: %u", "map_id: %u" };
	char path[64], line[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		unsigned int id;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.20s", pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (n < max && fgets(line, sizeof(line), f))
			if (sscanf(line, keys[kind], &id) == 1 && !has_id(ids, n, id))
				ids[n++] = id;
		fclose(f);
	}
	closedir(d);
	return n;
}
