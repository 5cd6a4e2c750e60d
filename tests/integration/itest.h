/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The integration runner: it drives a real mnttrace binary from outside and
 * checks the JSON Lines it prints (docs/json.md) against what the test did.
 *
 *   json.c      a small JSON parser, enough to look fields up
 *   tracer.c    start/stop mnttrace, collect and query its records
 *   fixture.c   scenario children in private mount namespaces, overlays,
 *               services, holders, mountinfo
 *   test_*.c    the tests
 *
 * Nothing here links libbpf: the runner must build statically and run in a
 * busybox-only VM, so it uses syscalls, never external commands.
 */
#ifndef MT_ITEST_H
#define MT_ITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "testlib.h"

struct scenario;
struct sc_ctx;

/* ---- runner configuration (main.c) ---- */
extern const char *it_mnttrace;	/* --mnttrace PATH */
extern const char *it_attach;	/* --attach MODE, "auto" by default */
extern bool it_verbose;
/* The running scenario's temp dir, for the signal handler to remove. */
extern char *volatile it_scenario_dir;

/*
 * A test whose outcome does not depend on the attach mode: it runs no BPF
 * (option errors, --snapshot, --explain, --replay, the fixtures) or checks
 * only what userspace does with the records (the recording file). Under
 * --attach fentry or kprobe it SKIPs unless --all-tests: the matrix runs it
 * in each kernel's tracepoint cell (and on the host), once a kernel.
 */
#define TEST_ANY_MODE(tname) TEST_FLAGS(tname, MT_TEST_MODE_INDEPENDENT)

/* Can this kernel hook internals (fentry or kprobe)? Asks mnttrace --check
 * once when the mode is auto. Sets *why when it cannot. */
bool it_internals_available(const char **why);

/* ---- json.c ---- */
enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool b;
	bool is_int;		/* the number had no fraction or exponent */
	long long i;
	double d;
	char *s;		/* JSON_STRING: unescaped, NUL-terminated */
	size_t n;		/* array/object members */
	struct json **items;
	char **keys;		/* JSON_OBJECT only */
};

/* Parse one JSON text (trailing whitespace allowed). NULL on error, with a
 * static message in *err. */
struct json *json_parse(const char *text, const char **err);
void json_free(struct json *v);

const struct json *json_get(const struct json *obj, const char *key);
const struct json *json_at(const struct json *arr, size_t i);
/* NULL unless the field exists and is a string. */
const char *json_str(const struct json *obj, const char *key);
/* False unless the field exists and is an integer. */
bool json_int(const struct json *obj, const char *key, long long *out);
/* Does the "A|B|C" flag string in obj[key] contain the name? */
bool json_has_flag(const struct json *obj, const char *key, const char *name);
/* Compact, single-line form of v for failure messages (truncated). */
void json_format(const struct json *v, char *buf, size_t len);

/* ---- tracer.c ---- */
/* Where the suite's time went (main.c prints it at the end): mnttrace's
 * start-ups until "tracing", its stops, the replays, other runs to
 * completion (--check, option errors), and tracer_settle()'s waits. */
struct it_times {
	int starts, stops, replays, runs;
	double start_s, stop_s, replay_s, run_s, settle_s;
};
extern struct it_times it_times;

#define TR_MAX_ARGS 16

struct tracer {
	pid_t pid;
	int out_fd, err_fd;	/* memfds holding stdout / stderr */
	int status;		/* wait status after tracer_stop() */
	bool exited;
	struct json **recs;	/* parsed stdout lines, in order */
	size_t nrecs;
	char *err_text;		/* all of stderr */
	bool text;		/* started without -j (it_tracer_text) */
	char *out_text;		/* then all of its stdout */
	char rec_path[96];	/* its --record file, "" when none */
};

#define TRACER_INIT { .pid = -1, .out_fd = -1, .err_fd = -1 }

/* Start `mnttrace -j --attach MODE args...` and wait for "mnttrace:
 * tracing". NULL-terminated args. Returns false (test failed) if it exits
 * or is not ready in time. */
bool tracer_start(struct tracer *t, const char *arg, ...) __attribute__((sentinel));
bool tracer_startv(struct tracer *t, const char *const *args);
/* SIGINT, wait, parse stdout, check the common fields of every record. */
bool tracer_stop(struct tracer *t);
/* The same with another signal (SIGTERM, SIGHUP). */
bool tracer_stop_sig(struct tracer *t, int sig);
/* Fork/exec `mnttrace --attach MODE args...` on these fds; its pid. */
pid_t tracer_spawn_fds(const char *const *args, int out_fd, int err_fd);
/* All of a memfd's content (caller frees). */
char *it_read_memfd(int fd);
/* The next tracer_start*() runs mnttrace as pid 1 of a new pid namespace
 * with its own /proc, like `unshare -p -f --mount-proc` (a container).
 * t->pid is then the shim that waits for it in our namespace, and
 * /proc/t->pid/ns/pid_for_children is mnttrace's pid namespace. */
extern bool it_tracer_in_new_pidns;
/* The next tracer_start*() runs mnttrace without -j: tracer_stop() keeps
 * its stdout as text in t->out_text and parses no records. */
extern bool it_tracer_text;
/* Parse mnttrace's JSON Lines @out (modified) into t->recs, checking each
 * record against docs/json.md (a failure fails the test). */
void tracer_parse_output(struct tracer *t, char *out);
/* ---- replay_check.c ---- */
/* A fresh --record path in the runner's temp dir, or NULL. */
const char *replay_check_path(char *buf, size_t size);
/* `mnttrace -j --replay PATH`: its wait status (-1 on error), stdout and
 * stderr (never NULL; the caller frees them). */
int replay_run(const char *rec_path, char **out, char **err);
/* The same with one more option (NULL: none), e.g. "--no-findings". */
int replay_run_opt(const char *rec_path, const char *opt, char **out, char **err);
/* Replay @rec_path and check that it prints what @t printed live. */
bool replay_check(const struct tracer *t, const char *rec_path);

/* Kill and free whatever is left (safe to call twice). */
void tracer_free(struct tracer *t);

/* Wait until mnttrace's output stops growing (at most 20 s). */
void tracer_settle(const struct tracer *t);
/* tracer_startv(args), run the scenario to its end, tracer_stop(). At each
 * sc_sync() of the child, let mnttrace settle first. A "skip" report from
 * the child makes the test SKIP (and this return false). */
bool trace_scenario(struct tracer *t, const char *const *args, struct scenario *s,
		    void (*fn)(struct sc_ctx *, void *), void *arg);

/* The same, but mnttrace starts at the scenario's first sc_sync(): what
 * the scenario did before is only in mnttrace's start-up snapshot. */
bool trace_scenario_late(struct tracer *t, const char *const *args, struct scenario *s,
			 void (*fn)(struct sc_ctx *, void *), void *arg);

/* Run mnttrace to completion with these args (NULL-terminated), killing it
 * after timeout_ms. Returns the wait status or -1; *err gets stderr. */
int run_mnttrace(char **err, int timeout_ms, const char *arg, ...) __attribute__((sentinel));
/* The same with stdout too, args NULL-terminated. */
int run_mnttrace_out(char **out, char **err, int timeout_ms, const char *const *args);

/*
 * Record queries. The key/value pairs are NULL-terminated; a value matches
 * a string field exactly, or an integer field by its decimal form. A value
 * "*" only asks that the field exists, "!" that it does not, "^PREFIX" that
 * a string field starts with PREFIX.
 */
const struct json *rec_find(const struct tracer *t, size_t from, size_t *idx, ...)
	__attribute__((sentinel));
size_t rec_count(const struct tracer *t, ...) __attribute__((sentinel));
bool rec_matches_v(const struct json *r, const char **kv);
/* Log the records that match (or all with NULL) to the test log, to help
 * reading a failure. */
void rec_dump(const struct tracer *t, const char *why, ...) __attribute__((sentinel));

enum bpf_obj_kind { BPF_OBJ_LINK, BPF_OBJ_PROG, BPF_OBJ_MAP };
/* Does a BPF object of this kind with this id exist? Takes no reference. */
bool bpf_obj_exists(enum bpf_obj_kind kind, unsigned int id);
/* A program's or map's name ("" for a link, or when gone). Opens it by id:
 * only while its owner still holds it (see tracer.c). */
void bpf_obj_name(enum bpf_obj_kind kind, unsigned int id, char *name, size_t len);
/* Ids of the BPF objects of one kind a process holds, from /proc/PID/fdinfo. */
int proc_bpf_ids(pid_t pid, enum bpf_obj_kind kind, unsigned int *ids, int max);

/* ts_ns - latency_ns: when a syscall record's call entered the kernel. */
long long rec_enter_ns(const struct json *r);

/* Field assertions on one record; they log the record on failure. */
bool rec_assert_str(const struct json *r, const char *key, const char *want,
		    const char *file, int line);
bool rec_assert_int(const struct json *r, const char *key, long long want,
		    const char *file, int line);
bool rec_assert_flag(const struct json *r, const char *key, const char *flag,
		     const char *file, int line);
bool rec_assert_contains(const struct json *r, const char *key, const char *sub,
			 const char *file, int line);
#define ASSERT_JSTR(r, k, v) rec_assert_str(r, k, v, __FILE__, __LINE__)
#define ASSERT_JINT(r, k, v) rec_assert_int(r, k, v, __FILE__, __LINE__)
#define ASSERT_JFLAG(r, k, v) rec_assert_flag(r, k, v, __FILE__, __LINE__)
#define ASSERT_JHAS(r, k, v) rec_assert_contains(r, k, v, __FILE__, __LINE__)
/* Find one record or fail the test, dumping what was seen for that pid. */
#define ASSERT_REC(t, what, ...)                                             \
	({ const struct json *r_ = rec_find(t, 0, NULL, __VA_ARGS__, NULL);  \
	   if (!r_) { mt_test_fail(__FILE__, __LINE__, "no record: %s", what); \
		      rec_dump(t, "records seen", NULL); }                   \
	   r_; })

/* ---- fixture.c: scenario children ---- */

/* What the scenario child sees: its report pipe, the go pipe, its dir. */
struct sc_ctx {
	int rep_fd;
	int go_fd;
	const char *dir;	/* tmpfs mounted here, inside the private ns */
};

typedef void (*sc_fn)(struct sc_ctx *c, void *arg);

#define SC_MAX_KV 64

struct scenario {
	pid_t pid;
	int rep_fd, go_fd;
	char dir[128];		/* made by the parent, removed by sc_finish */
	int nkv;
	char *keys[SC_MAX_KV];
	char *vals[SC_MAX_KV];
	bool done;
	int status;
};

#define SC_INIT { .pid = -1, .rep_fd = -1, .go_fd = -1 }

/*
 * Create a temp dir and fork a child that enters a private copy of the
 * mount namespace (unshare + MS_REC|MS_PRIVATE on "/"), mounts a tmpfs on
 * the dir, reports "pid", "comm", "dir" and "ns", and runs fn. Helpers the child spawns
 * die with it (PR_SET_PDEATHSIG), and its namespace with them, so every
 * mount it made goes away even when the test fails.
 */
bool sc_start(struct scenario *s, sc_fn fn, void *arg);
/* Read reports until the child calls sc_sync() (true) or exits (false). */
bool sc_wait_sync(struct scenario *s);
/* Like sc_wait_sync(), but the child's exit is not a failure. */
bool sc_next_sync(struct scenario *s);
/* Let the child continue past sc_sync(). */
void sc_go(struct scenario *s);
/* Read the rest of the reports and reap the child. True if it exited 0;
 * a child's "fail" report becomes a test failure. Removes the dir. */
bool sc_finish(struct scenario *s);
/* Kill the child if it still runs, free the reports, remove the dir. */
void sc_free(struct scenario *s);
const char *sc_get(const struct scenario *s, const char *key);
long long sc_num(const struct scenario *s, const char *key);

/* In the child. */
void sc_report(struct sc_ctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sc_sync(struct sc_ctx *c);
/* Report a failure and leave: the namespace and its mounts die with us. */
void sc_die(struct sc_ctx *c, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));
#define SC_CHECK(c, cond, ...)                                               \
	do { if (!(cond)) sc_die(c, __FILE__, __LINE__, __VA_ARGS__); } while (0)

/* Make c->dir/<name>/{lower,upper,work,merged} and mount an overlay on
 * merged. extra is appended to the options (e.g. "index=on") or NULL.
 * The merged path is written to merged. */
void make_overlay(struct sc_ctx *c, const char *base, const char *extra,
		  char *merged, size_t len);
/* The same overlay through fsopen/fsconfig/fsmount/move_mount. Reports
 * fd, mfd, lowerdir, upperdir, workdir. -ENOSYS if the kernel lacks fsopen
 * (before 5.2). */
int make_overlay_newapi(struct sc_ctx *c, const char *base, char *merged, size_t len);
/* The option string make_overlay() passes, for asserting "data". */
void overlay_opts(const char *base, const char *extra, char *buf, size_t len);
void make_dir(struct sc_ctx *c, const char *path);
/* Bind path onto itself and set its propagation (MS_PRIVATE/MS_SHARED). */
void make_graph_root(struct sc_ctx *c, const char *path, unsigned long prop);

/* Fork a helper: with newns it unshares its own mount namespace and sets
 * MS_REC|prop on "/" (the systemd MountFlags=/PrivateTmp= way); with cwd it
 * sits there. It then sleeps until killed. Returns its pid once ready. */
pid_t spawn_service(struct sc_ctx *c, bool newns, unsigned long prop, const char *cwd);
/* Fork a service named comm that unshares a new mount namespace, copied
 * from pid from's (setns first) or from ours (from 0), with MS_REC|prop on
 * "/" if prop. It sleeps until killed. Returns its pid once ready. */
pid_t spawn_named_ns(struct sc_ctx *c, const char *comm, pid_t from, unsigned long prop);
/* Fork a process that joins the mount namespace of pid (setns) and sleeps
 * there, like a container shim keeping a daemon's namespace alive. */
pid_t spawn_in_ns(struct sc_ctx *c, pid_t pid);
void kill_wait(pid_t pid);

/* Mount namespace inode of pid (0 = self). */
unsigned long ns_inode(pid_t pid);

struct mi_entry {
	int mnt_id, parent_id;
	char path[256];
	char fstype[32];
	char source[128];
	char propagation[64];	/* "private" or "shared:N master:M" */
	char super_opts[1024];
};
/* Find the mount at path in /proc/PID/mountinfo (0 = self), the last
 * (top) one if stacked. */
bool mi_find(pid_t pid, const char *path, struct mi_entry *e);
/* Append the value of every "key=" option of a mountinfo super-option
 * list (mi_entry.super_opts) to out, each after sep (none before the
 * first): "lowerdir" gives the kernel's own lowerdir= list. */
void mi_collect_option(const char *opts, const char *key, const char *sep,
		       char *out, size_t len);

/* Wait for pid with a timeout, SIGKILL after it. Returns wait status. */
int wait_pid_timeout(pid_t pid, int timeout_ms);
void sleep_ms(int ms);

#endif /* MT_ITEST_H */
