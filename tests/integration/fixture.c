// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario fixtures. Every scenario runs in a forked child that owns a
 * private copy of the mount namespace with a tmpfs on a fresh temp dir, so a
 * test never changes the host's mount table. Whatever the child mounts dies
 * with its namespace; the helpers it forks (services, holders, shims) carry
 * PR_SET_PDEATHSIG so they die with it and release the namespaces they hold.
 *
 * The child talks to the runner through two pipes: "key=value" report lines
 * up, one byte down to release an sc_sync() barrier (used when mnttrace must
 * be started with a pid or namespace that only exists once the child does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

/* A scenario does a handful of syscalls, but TCG guests are slow. */
#define SC_TIMEOUT_MS 60000

void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int wait_pid_timeout(pid_t pid, int timeout_ms)
{
	int status = -1;

	/* never let a bad pid turn kill() into a process-group or global kill */
	if (pid <= 0)
		return -1;
	for (int ms = 0; ms < timeout_ms; ms += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	return waitpid(pid, &status, 0) == pid ? status : -1;
}

void kill_wait(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

unsigned long ns_inode(pid_t pid)
{
	char path[64];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/mnt");
	return stat(path, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* ---- in the child ---- */

/* What the kernel (and so mnttrace) calls us: the binary's name, cut to
 * 15 characters ("mnttrace-itest-" for the static build). */
static const char *self_comm(void)
{
	static char comm[32];
	FILE *f = fopen("/proc/self/comm", "re");

	if (!f || !fgets(comm, sizeof(comm), f))
		snprintf(comm, sizeof(comm), "?");
	comm[strcspn(comm, "\n")] = '\0';
	if (f)
		fclose(f);
	return comm;
}

void sc_report(struct sc_ctx *c, const char *key, const char *fmt, ...)
{
	char val[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	/* one line per report: newlines would split it */
	for (char *p = val; *p; p++)
		if (*p == '\n')
			*p = ' ';
	dprintf(c->rep_fd, "%s=%s\n", key, val);
}

void sc_sync(struct sc_ctx *c)
{
	char b;

	dprintf(c->rep_fd, "sync\n");
	if (read(c->go_fd, &b, 1) != 1)
		_exit(3);	/* the runner gave up on us */
}

void sc_die(struct sc_ctx *c, const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sc_report(c, "fail", "%s:%d: %s (errno %s)", file, line, msg, strerror(errno));
	_exit(2);
}

static void enter_private_ns(struct sc_ctx *c)
{
	SC_CHECK(c, unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS)");
	/* without this, mounts below would propagate back to the host */
	SC_CHECK(c, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0,
		 "make / rprivate");
	SC_CHECK(c, mount("mnttrace-itest", c->dir, "tmpfs", 0, "mode=0755") == 0,
		 "mount tmpfs on %s", c->dir);
}

void make_dir(struct sc_ctx *c, const char *path)
{
	SC_CHECK(c, mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
}

void overlay_opts(const char *base, const char *extra, char *buf, size_t len)
{
	snprintf(buf, len, "lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work%s%s",
		 base, base, base, extra ? "," : "", extra ? extra : "");
}

/* base/{lower,upper,work,merged}, with a file in the lower layer so the
 * overlay looks like a rootfs. */
static void make_layers(struct sc_ctx *c, const char *base, char *merged, size_t len)
{
	static const char *const subdirs[] = { "lower", "upper", "work", "merged" };
	char path[512];
	int fd;

	make_dir(c, base);
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", base, subdirs[i]);
		make_dir(c, path);
	}
	snprintf(path, sizeof(path), "%s/lower/etc-hostname", base);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	SC_CHECK(c, fd >= 0, "create %s", path);
	close(fd);
	snprintf(merged, len, "%s/merged", base);
}

void make_overlay(struct sc_ctx *c, const char *base, const char *extra,
		  char *merged, size_t len)
{
	char opts[1024];

	make_layers(c, base, merged, len);
	overlay_opts(base, extra, opts, sizeof(opts));
	SC_CHECK(c, mount("overlay", merged, "overlay", 0, opts) == 0,
		 "mount overlay on %s (%s)", merged, opts);
}

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif

int make_overlay_newapi(struct sc_ctx *c, const char *base, char *merged, size_t len)
{
	static const char *const keys[] = { "lowerdir", "upperdir", "workdir" };
	static const char *const dirs[] = { "lower", "upper", "work" };
	char path[512];
	int fd, mfd;

	make_layers(c, base, merged, len);
	fd = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (fd < 0 && errno == ENOSYS)
		return -ENOSYS;
	SC_CHECK(c, fd >= 0, "fsopen overlay");
	sc_report(c, "fd", "%d", fd);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", base, dirs[i]);
		SC_CHECK(c, syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, keys[i], path, 0) == 0,
			 "fsconfig %s", keys[i]);
		sc_report(c, keys[i], "%s", path);
	}
	SC_CHECK(c, syscall(SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0,
		 "fsconfig create");
	mfd = (int)syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, 0);
	SC_CHECK(c, mfd >= 0, "fsmount");
	sc_report(c, "mfd", "%d", mfd);
	SC_CHECK(c, syscall(SYS_move_mount, mfd, "", AT_FDCWD, merged,
			    MOVE_MOUNT_F_EMPTY_PATH) == 0, "move_mount to %s", merged);
	close(mfd);
	close(fd);
	return 0;
}

void make_graph_root(struct sc_ctx *c, const char *path, unsigned long prop)
{
	make_dir(c, path);
	SC_CHECK(c, mount(path, path, NULL, MS_BIND, NULL) == 0, "bind %s onto itself", path);
	SC_CHECK(c, mount(NULL, path, NULL, prop, NULL) == 0, "set propagation of %s", path);
}

/* Fork a helper that dies with the scenario child and doesn't hold the
 * report pipe open (or sc_finish would wait for it). */
static pid_t fork_helper(struct sc_ctx *c, int *ready_rd, int *ready_wr)
{
	int p[2];
	pid_t ppid = getpid(), pid;

	SC_CHECK(c, pipe(p) == 0, "pipe");
	pid = fork();
	SC_CHECK(c, pid >= 0, "fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != ppid)
			_exit(1);
		close(c->rep_fd);
		close(c->go_fd);
		close(p[0]);
		*ready_wr = p[1];
		return 0;
	}
	close(p[1]);
	*ready_rd = p[0];
	return pid;
}

/* In the helper: say we are ready (or why not), then sleep until killed. */
static void __attribute__((noreturn)) helper_park(int wr, const char *fail)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s%s%s", fail ? "E" : "R", fail ? fail : "",
		 fail ? strerror(errno) : "");
	if (write(wr, msg, strlen(msg)) < 0)
		_exit(1);
	close(wr);
	if (fail)
		_exit(1);
	for (;;)
		pause();
}

static void helper_wait_ready(struct sc_ctx *c, pid_t pid, int rd)
{
	char msg[256] = "";
	ssize_t n = read(rd, msg, sizeof(msg) - 1);

	close(rd);
	if (n > 0 && msg[0] == 'R')
		return;
	kill_wait(pid);
	msg[n > 0 ? n : 0] = '\0';
	sc_die(c, __FILE__, __LINE__, "helper %d failed: %s", pid, n > 0 ? msg + 1 : "died");
}

/* What a parked helper does before it sleeps, in this order. */
struct helper_spec {
	const char *comm;	/* its name, or NULL to keep ours */
	pid_t join;		/* setns into this pid's mount namespace, or 0 */
	bool newns;		/* then unshare a mount namespace of its own */
	unsigned long prop;	/* then MS_REC|prop on "/", or 0 */
	const char *cwd;	/* then sit there, or NULL */
};

static pid_t spawn_helper(struct sc_ctx *c, const struct helper_spec *h)
{
	int rd = -1, wr = -1;
	char path[64];
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", h->join);
	pid = fork_helper(c, &rd, &wr);
	if (pid == 0) {
		int fd = h->join ? open(path, O_RDONLY) : -1;

		if (h->comm)
			prctl(PR_SET_NAME, h->comm);
		if (h->join && (fd < 0 || setns(fd, CLONE_NEWNS) < 0))
			helper_park(wr, "setns: ");
		if (fd >= 0)
			close(fd);
		if (h->newns && unshare(CLONE_NEWNS) < 0)
			helper_park(wr, "unshare: ");
		if (h->newns && h->prop && mount(NULL, "/", NULL, MS_REC | h->prop, NULL) < 0)
			helper_park(wr, "set propagation of /: ");
		if (h->cwd && chdir(h->cwd) < 0)
			helper_park(wr, "chdir: ");
		helper_park(wr, NULL);
	}
	helper_wait_ready(c, pid, rd);
	return pid;
}

pid_t spawn_service(struct sc_ctx *c, bool newns, unsigned long prop, const char *cwd)
{
	struct helper_spec h = { .newns = newns, .prop = prop, .cwd = cwd };

	return spawn_helper(c, &h);
}

pid_t spawn_named_ns(struct sc_ctx *c, const char *comm, pid_t from, unsigned long prop)
{
	struct helper_spec h = { .comm = comm, .join = from, .newns = true, .prop = prop };

	return spawn_helper(c, &h);
}

pid_t spawn_in_ns(struct sc_ctx *c, pid_t target)
{
	struct helper_spec h = { .join = target };

	return spawn_helper(c, &h);
}

/* ---- mountinfo ---- */

/* "36 35 98:0 /root /mnt rw master:1 - ext3 /dev/root rw" (proc(5)) */
static bool parse_mountinfo_line(char *line, struct mi_entry *e)
{
	char *f[64], *save = NULL;
	int n = 0, dash = -1;

	for (char *tok = strtok_r(line, " \n", &save); tok && n < 64;
	     tok = strtok_r(NULL, " \n", &save)) {
		if (dash < 0 && n >= 6 && strcmp(tok, "-") == 0)
			dash = n;
		f[n++] = tok;
	}
	if (dash < 0 || n < dash + 3)
		return false;
	memset(e, 0, sizeof(*e));
	e->mnt_id = atoi(f[0]);
	e->parent_id = atoi(f[1]);
	snprintf(e->path, sizeof(e->path), "%s", f[4]);
	snprintf(e->fstype, sizeof(e->fstype), "%s", f[dash + 1]);
	snprintf(e->source, sizeof(e->source), "%s", f[dash + 2]);
	snprintf(e->super_opts, sizeof(e->super_opts), "%s", n > dash + 3 ? f[dash + 3] : "");
	for (int i = 6; i < dash; i++) {
		size_t len = strlen(e->propagation);

		if (strncmp(f[i], "shared:", 7) && strncmp(f[i], "master:", 7))
			continue;
		snprintf(e->propagation + len, sizeof(e->propagation) - len, "%s%s",
			 len ? " " : "", f[i]);
	}
	if (!e->propagation[0])
		snprintf(e->propagation, sizeof(e->propagation), "private");
	return true;
}

bool mi_find(pid_t pid, const char *path, struct mi_entry *e)
{
	char file[64], line[4096];
	struct mi_entry cur;
	bool found = false;
	FILE *f;

	if (pid)
		snprintf(file, sizeof(file), "/proc/%d/mountinfo", pid);
	else
		snprintf(file, sizeof(file), "/proc/self/mountinfo");
	f = fopen(file, "re");
	if (!f)
		return false;
	/* later lines are mounted on top of earlier ones: keep the last */
	while (fgets(line, sizeof(line), f)) {
		if (parse_mountinfo_line(line, &cur) && strcmp(cur.path, path) == 0) {
			*e = cur;
			found = true;
		}
	}
	fclose(f);
	return found;
}

void mi_collect_option(const char *opts, const char *key, const char *sep,
		       char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = opts;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t vlen = end ? (size_t)(end - p) : strlen(p);

		if (vlen > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			size_t used = strlen(out);

			snprintf(out + used, len - used, "%s%.*s", used ? sep : "",
				 (int)(vlen - klen - 1), p + klen + 1);
		}
		p = end ? end + 1 : NULL;
	}
}

/* ---- in the runner ---- */

static const char *tmp_base(void)
{
	const char *t = getenv("TMPDIR");

	if (!t || !*t)
		t = "/tmp";
	mkdir(t, 01777);	/* a bare busybox guest may have none */
	return t;
}

bool sc_start(struct scenario *s, sc_fn fn, void *arg)
{
	int rep[2], go[2];
	pid_t ppid = getpid();

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->rep_fd = s->go_fd = -1;
	snprintf(s->dir, sizeof(s->dir), "%s/mnttrace-it.XXXXXX", tmp_base());
	if (!mkdtemp(s->dir)) {
		mt_test_fail(__FILE__, __LINE__, "mkdtemp %s: %s", s->dir, strerror(errno));
		s->dir[0] = '\0';
		return false;
	}
	it_scenario_dir = s->dir;
	if (pipe2(rep, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		mt_test_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
		return false;
	}
	s->pid = fork();
	if (s->pid == 0) {
		struct sc_ctx c = { .rep_fd = rep[1], .go_fd = go[0], .dir = s->dir };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != ppid)
			_exit(1);
		close(rep[0]);
		close(go[1]);
		enter_private_ns(&c);
		sc_report(&c, "pid", "%d", getpid());
		sc_report(&c, "comm", "%s", self_comm());
		sc_report(&c, "dir", "%s", c.dir);
		sc_report(&c, "ns", "%lu", ns_inode(0));
		fn(&c, arg);
		_exit(0);
	}
	close(rep[1]);
	close(go[0]);
	s->rep_fd = rep[0];
	s->go_fd = go[1];
	if (s->pid < 0) {
		mt_test_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
		return false;
	}
	return true;
}

static void store_report(struct scenario *s, char *line)
{
	char *eq = strchr(line, '=');

	if (!eq || s->nkv >= SC_MAX_KV)
		return;
	*eq = '\0';
	if (strcmp(line, "fail") == 0)
		mt_test_fail("scenario", 0, "%s", eq + 1);
	s->keys[s->nkv] = strdup(line);
	s->vals[s->nkv] = strdup(eq + 1);
	s->nkv++;
}

/* Read one report line with a timeout. 1 = line, 0 = EOF, -1 = timeout. */
static int read_line(struct scenario *s, char *buf, size_t len)
{
	struct pollfd pfd = { .fd = s->rep_fd, .events = POLLIN };
	size_t n = 0;

	while (n + 1 < len) {
		char ch;

		if (poll(&pfd, 1, SC_TIMEOUT_MS) <= 0)
			return -1;
		ssize_t r = read(s->rep_fd, &ch, 1);

		if (r <= 0)
			return 0;
		if (ch == '\n')
			break;
		buf[n++] = ch;
	}
	buf[n] = '\0';
	return 1;
}

/* Read reports up to "sync" (true) or up to EOF (false). */
static bool read_reports(struct scenario *s, bool want_sync)
{
	char line[1200];
	int r;

	if (s->rep_fd < 0)
		return false;
	while ((r = read_line(s, line, sizeof(line))) > 0) {
		if (strcmp(line, "sync") == 0) {
			if (want_sync)
				return true;
			sc_go(s);	/* nobody will release it: let it run on */
			continue;
		}
		store_report(s, line);
	}
	if (r < 0)
		mt_test_fail(__FILE__, __LINE__, "scenario child silent for %d ms", SC_TIMEOUT_MS);
	return false;
}

bool sc_wait_sync(struct scenario *s)
{
	if (read_reports(s, true))
		return true;
	mt_test_fail(__FILE__, __LINE__, "scenario child ended before its sync point");
	return false;
}

bool sc_next_sync(struct scenario *s)
{
	return read_reports(s, true);
}

void sc_go(struct scenario *s)
{
	if (s->go_fd >= 0 && write(s->go_fd, "g", 1) != 1)
		mt_test_fail(__FILE__, __LINE__, "release scenario child: %s", strerror(errno));
}

bool sc_finish(struct scenario *s)
{
	if (s->pid <= 0)
		return false;
	read_reports(s, false);
	s->status = wait_pid_timeout(s->pid, SC_TIMEOUT_MS);
	s->done = true;
	for (int i = 0; it_verbose && i < s->nkv; i++)
		mt_test_log("scenario: %s=%s", s->keys[i], s->vals[i]);
	if (WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0)
		return true;
	mt_test_fail(__FILE__, __LINE__, "scenario child: status 0x%x", s->status);
	return false;
}

void sc_free(struct scenario *s)
{
	if (s->pid > 0 && !s->done) {
		kill_wait(s->pid);
		s->done = true;
	}
	if (s->rep_fd >= 0)
		close(s->rep_fd);
	if (s->go_fd >= 0)
		close(s->go_fd);
	s->rep_fd = s->go_fd = -1;
	for (int i = 0; i < s->nkv; i++) {
		free(s->keys[i]);
		free(s->vals[i]);
	}
	s->nkv = 0;
	/* the tmpfs was only mounted in the child's namespace, now gone */
	if (it_scenario_dir == s->dir)
		it_scenario_dir = NULL;
	if (s->dir[0] && rmdir(s->dir) < 0 && errno != ENOENT)
		mt_test_fail(__FILE__, __LINE__, "rmdir %s: %s", s->dir, strerror(errno));
	s->dir[0] = '\0';
}

const char *sc_get(const struct scenario *s, const char *key)
{
	/* the last report of a key wins */
	for (int i = s->nkv - 1; i >= 0; i--)
		if (strcmp(s->keys[i], key) == 0)
			return s->vals[i];
	return NULL;
}

long long sc_num(const struct scenario *s, const char *key)
{
	const char *v = sc_get(s, key);

	return v ? strtoll(v, NULL, 10) : -1;
}
