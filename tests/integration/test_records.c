// SPDX-License-Identifier: GPL-2.0
/*
 * Records that must be whole, or say they are not (issue 7, defect 7): long
 * paths and options up to the kernel's limits, a cwd deeper than PATH_MAX,
 * a path the kernel never read, mount_setattr's struct mount_attr against
 * strace, fsconfig's cmd, and an overlay upperdir with an escaped comma.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenarios.h"

#define KERNEL_PATH_MAX 4096	/* with its NUL: the longest path the kernel takes */
#define COMPONENT 99		/* chars per directory name in the deep trees */

/* @dir followed by "/c..." components of COMPONENT chars until @total chars
 * (the last one shorter); component i starts with 'a' + i % 26. */
static char *deep_path(const char *dir, size_t total)
{
	char *p = malloc(total + 1);
	size_t n = snprintf(p, total + 1, "%s", dir);

	for (int i = 0; n < total; i++) {
		size_t k = total - n - 1 < COMPONENT ? total - n - 1 : COMPONENT;

		p[n++] = '/';
		memset(p + n, 'L', k);
		if (k)
			p[n] = 'a' + i % 26;
		n += k;
	}
	p[total] = '\0';
	return p;
}

/* mkdir -p, one component at a time with relative names: the whole may be
 * longer than PATH_MAX. Leaves the cwd at the deepest directory. */
static void make_deep(struct sc_ctx *c, const char *path)
{
	char *copy = strdup(path), *save = NULL;

	SC_CHECK(c, chdir("/") == 0, "chdir /");
	for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		SC_CHECK(c, mkdir(comp, 0755) == 0 || errno == EEXIST, "mkdir %.40s...", comp);
		SC_CHECK(c, chdir(comp) == 0, "chdir %.40s...", comp);
	}
	free(copy);
}

/* ---- long strings ---- */

/* Lengths, without the NUL, of what the child passes. */
#define TARGET_618 618		/* the selftest's target that was cut to 511 */
#define OPTS_3458 3458		/* the overlay option string that was cut to 2047 */
#define TOO_LONG 5000		/* beyond PATH_MAX and a page */
#define CWD_DEEP 4500		/* a cwd deeper than PATH_MAX */
#define CWD_3900 3900		/* below PATH_MAX but 40 components deep */

static char *long_opts(size_t total)
{
	char *o = malloc(total + 1);

	memset(o, 'o', total);
	memcpy(o, "lowerdir=", 9);
	o[total] = '\0';
	return o;
}

static void long_strings_child(struct sc_ctx *c, void *arg)
{
	char *target = deep_path(c->dir, TARGET_618);
	char *opts = long_opts(OPTS_3458), *huge_opts = long_opts(TOO_LONG);
	char *huge_path = deep_path(c->dir, TOO_LONG);
	char *cwd_deep = deep_path(c->dir, CWD_DEEP), *cwd_3900 = deep_path(c->dir, CWD_3900);

	make_deep(c, target);
	SC_CHECK(c, mount("itest-long", target, "tmpfs", 0, NULL) == 0, "mount on a 618-byte path");
	SC_CHECK(c, umount(target) == 0, "umount the 618-byte path");
	/* tmpfs refuses "lowerdir=": the record still carries the options */
	SC_CHECK(c, mount("itest-long", c->dir, "tmpfs", 0, opts) < 0, "tmpfs took lowerdir=");
	SC_CHECK(c, mount("itest-long", c->dir, "tmpfs", 0, huge_opts) < 0, "tmpfs took lowerdir=");
	SC_CHECK(c, mount("itest-long", huge_path, "tmpfs", 0, NULL) < 0 &&
		    errno == ENAMETOOLONG, "a 5000-byte target was not ENAMETOOLONG");
	make_deep(c, cwd_3900);
	SC_CHECK(c, mkdir("y", 0755) == 0, "mkdir y");
	SC_CHECK(c, mount("itest-long", "y", "tmpfs", 0, NULL) == 0, "mount y below a deep cwd");
	SC_CHECK(c, umount("y") == 0, "umount y");
	make_deep(c, cwd_deep);
	SC_CHECK(c, mkdir("x", 0755) == 0, "mkdir x");
	SC_CHECK(c, mount("itest-long", "x", "tmpfs", 0, NULL) == 0, "mount x below a deeper cwd");
	SC_CHECK(c, umount("x") == 0, "umount x");
	SC_CHECK(c, chdir("/") == 0, "chdir /");
	free(target);
	free(opts);
	free(huge_opts);
	free(huge_path);
	free(cwd_deep);
	free(cwd_3900);
}

/* Is "truncated" present and naming exactly @fields (NULL-terminated)? */
static bool truncated_is(const struct json *r, const char *const *fields)
{
	const struct json *l = json_get(r, "truncated");
	size_t n = 0;

	while (fields[n])
		n++;
	if (!n)
		return !l;
	if (!l || l->type != JSON_ARRAY || l->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (json_at(l, i)->type != JSON_STRING || strcmp(json_at(l, i)->s, fields[i]))
			return false;
	return true;
}

/* ASSERT_TRUNCATED(r, NULL) or ASSERT_TRUNCATED(r, "path", ..., NULL) */
#define ASSERT_TRUNCATED(r, ...)                                               \
	ASSERT_TRUE(truncated_is(r, (const char *const[]){ __VA_ARGS__ }),       \
		    "\"truncated\" is not [" #__VA_ARGS__ "]")

TEST(record_long_strings_whole_or_flagged)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;
	char *target = NULL, *opts = NULL, *huge_opts = NULL, *huge_path = NULL;
	char *cwd_deep = NULL, *cwd_3900 = NULL, *want = NULL;
	const char *dir, *full;

	if (!trace_scenario(&t, NULL, &s, long_strings_child, NULL))
		goto out;
	dir = sc_get(&s, "dir");
	target = deep_path(dir, TARGET_618);
	opts = long_opts(OPTS_3458);
	huge_opts = long_opts(TOO_LONG);
	huge_path = deep_path(dir, TOO_LONG);
	cwd_deep = deep_path(dir, CWD_DEEP);
	cwd_3900 = deep_path(dir, CWD_3900);

	/* whole: no longer cut at 511 / 2047 bytes */
	r = ASSERT_REC(&t, "mount on a 618-byte path", "type", "syscall", "call", "mount",
		       "pid", sc_get(&s, "pid"), "path", target);
	if (r) {
		ASSERT_JSTR(r, "full_path", target);
		ASSERT_TRUNCATED(r, NULL);
	}
	r = ASSERT_REC(&t, "mount with 3458 bytes of options", "type", "syscall", "call", "mount",
		       "pid", sc_get(&s, "pid"), "data", opts);
	if (r)
		ASSERT_TRUNCATED(r, NULL);
	/* beyond the kernel's limits: the start, flagged */
	opts[0] = '\0';
	huge_opts[KERNEL_PATH_MAX - 1] = '\0';
	r = ASSERT_REC(&t, "mount with 5000 bytes of options", "type", "syscall", "call", "mount",
		       "pid", sc_get(&s, "pid"), "data", huge_opts);
	if (r)
		ASSERT_TRUNCATED(r, "data", NULL);
	huge_path[KERNEL_PATH_MAX - 1] = '\0';
	r = ASSERT_REC(&t, "mount on a 5000-byte path", "type", "syscall", "call", "mount",
		       "pid", sc_get(&s, "pid"), "path", huge_path);
	if (r) {
		ASSERT_JSTR(r, "errno", "ENAMETOOLONG");
		ASSERT_TRUNCATED(r, "path", "full_path", NULL);
	}
	/* 40 components below PATH_MAX: whole (was cut at 32 components) */
	want = malloc(CWD_DEEP + 8);
	snprintf(want, CWD_DEEP + 8, "%s/y", cwd_3900);
	r = ASSERT_REC(&t, "mount y below a 3900-byte cwd", "type", "syscall", "call", "mount",
		       "pid", sc_get(&s, "pid"), "path", "y");
	if (r) {
		ASSERT_JSTR(r, "full_path", want);
		ASSERT_TRUNCATED(r, NULL);
	}
	/* deeper than PATH_MAX: the deepest part, flagged, never absolute */
	snprintf(want, CWD_DEEP + 8, "%s/x", cwd_deep);
	r = ASSERT_REC(&t, "mount x below a 4500-byte cwd", "type", "syscall", "call", "mount",
		       "pid", sc_get(&s, "pid"), "path", "x");
	if (r) {
		full = json_str(r, "full_path");
		ASSERT_TRUE(full && full[0] != '/', "a cut full_path looks absolute");
		ASSERT_TRUE(full && strlen(full) > 3000 &&
			    !strcmp(want + strlen(want) - strlen(full), full),
			    "full_path is not the tail of the real path");
		ASSERT_TRUNCATED(r, "full_path", NULL);
	}
out:
	free(target);
	free(opts);
	free(huge_opts);
	free(huge_path);
	free(cwd_deep);
	free(cwd_3900);
	free(want);
	sc_free(&s);
	tracer_free(&t);
}

/* ---- a path the kernel never read ---- */

static void unread_path_child(struct sc_ctx *c, void *arg)
{
	struct mount_attr nothing = { 0 };
	char *fresh;
	int fd;

	fd = (int)syscall(SYS_open_tree, AT_FDCWD, c->dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0 && errno == ENOSYS) {
		sc_report(c, "skip", "open_tree: ENOSYS on this kernel");
		_exit(0);
	}
	SC_CHECK(c, fd >= 0, "open_tree %s", c->dir);
	/* a page never touched: it reads as "", but is not there yet */
	fresh = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SC_CHECK(c, fresh != MAP_FAILED, "mmap");
	/* nothing to change: the kernel returns before it reads the path */
	SC_CHECK(c, syscall(SYS_mount_setattr, fd, fresh, AT_EMPTY_PATH, &nothing,
			    sizeof(nothing)) == 0, "mount_setattr with nothing to change");
	sc_report(c, "fd", "%d", fd);
}

TEST(record_unread_path_is_named)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r, *l;

	if (!trace_scenario(&t, NULL, &s, unread_path_child, NULL))
		goto out;
	r = ASSERT_REC(&t, "mount_setattr on an untouched page", "type", "syscall",
		       "call", "mount_setattr", "pid", sc_get(&s, "pid"), "dfd", sc_get(&s, "fd"));
	if (r) {
		ASSERT_JINT(r, "ret", 0);
		l = json_get(r, "unreadable");
		/* never "" and never silently absent */
		ASSERT_TRUE(!json_get(r, "path"), "\"path\" present");
		ASSERT_TRUE(l && l->type == JSON_ARRAY && l->n == 1 &&
			    json_at(l, 0)->type == JSON_STRING && !strcmp(json_at(l, 0)->s, "path"),
			    "\"unreadable\" is not [\"path\"]");
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

/* ---- mount_setattr against strace ---- */

#define STRACE "/usr/bin/strace"

struct setattr_call {
	unsigned int flags;
	struct mount_attr attr;
	size_t size;
};

/* Success, each field, invalid flags, a short struct, an idmap with a bad fd. */
static const struct setattr_call setattr_calls[] = {
	{ AT_EMPTY_PATH, { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID,
			   .attr_clr = MOUNT_ATTR_NODEV }, sizeof(struct mount_attr) },
	{ AT_EMPTY_PATH | AT_RECURSIVE, { .propagation = MS_PRIVATE }, sizeof(struct mount_attr) },
	{ AT_EMPTY_PATH, { .attr_set = MOUNT_ATTR_NOATIME, .attr_clr = MOUNT_ATTR__ATIME },
	  sizeof(struct mount_attr) },
	{ AT_EMPTY_PATH | 0x80000000u, { .attr_set = MOUNT_ATTR_RDONLY }, sizeof(struct mount_attr) },
	{ AT_EMPTY_PATH, { .attr_set = MOUNT_ATTR_RDONLY }, 8 },
	{ AT_EMPTY_PATH, { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = 9999 },
	  sizeof(struct mount_attr) },
};
#define NR_SETATTR (sizeof(setattr_calls) / sizeof(setattr_calls[0]))

/* Start strace on ourselves; output to memfd @out. */
static pid_t strace_self(struct sc_ctx *c, int out)
{
	char pid[16], fdpath[32], status[256];
	pid_t st;
	FILE *f;

	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", out);
	st = fork();
	SC_CHECK(c, st >= 0, "fork");
	if (st == 0) {
		execl(STRACE, "strace", "-qq", "-X", "raw", "-e", "trace=mount_setattr",
		      "-o", fdpath, "-p", pid, (char *)NULL);
		_exit(127);
	}
	/* attached once /proc/self/status names a tracer */
	for (int i = 0; i < 500; i++) {
		bool traced = false;

		f = fopen("/proc/self/status", "r");
		while (f && fgets(status, sizeof(status), f))
			if (!strncmp(status, "TracerPid:", 10) && atoi(status + 10) == st)
				traced = true;
		if (f)
			fclose(f);
		if (traced)
			return st;
		sleep_ms(10);
	}
	sc_die(c, __FILE__, __LINE__, "strace did not attach");
}

/* The calls of setattr_calls; with @arg (strace) they run under strace and
 * its lines are reported too. Each call's result is reported as retN. */
static void setattr_child(struct sc_ctx *c, void *arg)
{
	char line[512], *text = NULL;
	int fd, out = -1, n = 0;
	size_t len = 0;
	pid_t st = -1;
	FILE *f;

	if (arg && access(STRACE, X_OK)) {
		sc_report(c, "skip", "no %s", STRACE);
		_exit(0);
	}
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, c->dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0 && errno == ENOSYS) {
		sc_report(c, "skip", "open_tree: ENOSYS on this kernel");
		_exit(0);
	}
	SC_CHECK(c, fd >= 0, "open_tree %s", c->dir);
	if (arg) {
		out = memfd_create("strace", 0);
		SC_CHECK(c, out >= 0, "memfd_create");
		st = strace_self(c, out);
	}
	for (size_t i = 0; i < NR_SETATTR; i++) {
		long ret = syscall(SYS_mount_setattr, fd, "", setattr_calls[i].flags,
				   &setattr_calls[i].attr, setattr_calls[i].size);

		snprintf(line, sizeof(line), "ret%zu", i);
		sc_report(c, line, "%ld", ret < 0 ? -(long)errno : ret);
	}
	sc_report(c, "fd", "%d", fd);
	if (!arg)
		return;
	kill(st, SIGINT);
	/* strace detaches on SIGINT and dies by it */
	SC_CHECK(c, wait_pid_timeout(st, 10000) != -1, "strace did not end");
	/* one report per call, in order: what strace printed */
	lseek(out, 0, SEEK_SET);
	f = fdopen(out, "r");
	SC_CHECK(c, f != NULL, "fdopen");
	while (getline(&text, &len, f) > 0) {
		if (strncmp(text, "mount_setattr(", 14))
			continue;
		text[strcspn(text, "\n")] = '\0';
		snprintf(line, sizeof(line), "strace%d", n++);
		sc_report(c, line, "%s", text);
	}
	free(text);
	sc_report(c, "calls", "%d", n);
}

static int with_strace = 1;

/* Every attach mode: the records carry what the caller passed and got. */
TEST(record_mount_setattr_attr)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;
	size_t from = 0, idx;
	char key[32];

	if (!trace_scenario(&t, NULL, &s, setattr_child, NULL))
		goto out;
	for (size_t i = 0; i < NR_SETATTR; i++) {
		const struct setattr_call *call = &setattr_calls[i];

		r = rec_find(&t, from, &idx, "type", "syscall", "call", "mount_setattr",
			     "pid", sc_get(&s, "pid"), "dfd", sc_get(&s, "fd"), NULL);
		if (!ASSERT_TRUE(r != NULL, "a mount_setattr record per call"))
			break;
		from = idx + 1;
		snprintf(key, sizeof(key), "ret%zu", i);
		ASSERT_JINT(r, "ret", sc_num(&s, key));
		ASSERT_JINT(r, "flags_raw", call->flags);
		ASSERT_JINT(r, "size", call->size);
		if (call->size < sizeof(call->attr)) {
			/* the kernel refuses it unread: so do we */
			ASSERT_TRUE(!json_get(r, "attr_set"), "attr_set of a short struct");
			continue;
		}
		ASSERT_JINT(r, "attr_set_raw", call->attr.attr_set);
		ASSERT_JINT(r, "attr_clr_raw", call->attr.attr_clr);
		ASSERT_JINT(r, "propagation_raw", call->attr.propagation);
		ASSERT_JINT(r, "userns_fd", call->attr.userns_fd);
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

/* A field "name=0x.." or "name=N" in strace's raw struct, -1 if absent. */
static long long strace_field(const char *line, const char *name)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "%s=", name);
	p = strstr(line, key);
	return p ? strtoll(p + strlen(key), NULL, 0) : -1;
}

TEST(record_mount_setattr_matches_strace)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;
	size_t from = 0, idx;
	char key[32];

	/* before mnttrace starts: a start costs seconds in a TCG guest, which has no strace */
	if (access(STRACE, X_OK)) {
		mt_test_skip("no %s", STRACE);
		return;
	}
	if (!trace_scenario(&t, NULL, &s, setattr_child, &with_strace))
		goto out;
	if (!ASSERT_EQ(sc_num(&s, "calls"), (long long)NR_SETATTR, "mount_setattr calls strace saw"))
		goto out;
	for (size_t i = 0; i < NR_SETATTR; i++) {
		const char *line, *ret;
		/* strace and mnttrace saw the same call */
		long long flags, size;
		char err[32] = "";

		snprintf(key, sizeof(key), "strace%zu", i);
		line = sc_get(&s, key);
		/* mount_setattr(FD, "", FLAGS, {..}|ADDR, SIZE) = RET */
		r = rec_find(&t, from, &idx, "type", "syscall", "call", "mount_setattr",
			     "pid", sc_get(&s, "pid"), "dfd", sc_get(&s, "fd"), NULL);
		if (!ASSERT_TRUE(r != NULL, line))
			break;
		from = idx + 1;
		flags = strtoll(strchr(line, ',') + strlen(", \"\", "), NULL, 0);
		size = strtoll(strrchr(line, ',') + 1, NULL, 0);
		ret = strstr(line, ") = ");
		if (!ASSERT_TRUE(ret != NULL, line))
			break;
		/* "= 0", or "= -1 EINVAL (...)": the errno name, strace's and ours */
		sscanf(ret + 4, "-1 %31[A-Z0-9]", err);
		ASSERT_JINT(r, "flags_raw", flags);
		ASSERT_JINT(r, "size", size);
		if (err[0])
			ASSERT_JSTR(r, "errno", err);
		else
			ASSERT_JINT(r, "ret", strtoll(ret + 4, NULL, 0));
		ASSERT_JSTR(r, "path", "");
		if (strchr(line, '{')) {
			ASSERT_JINT(r, "attr_set_raw", strace_field(line, "attr_set"));
			ASSERT_JINT(r, "attr_clr_raw", strace_field(line, "attr_clr"));
			ASSERT_JINT(r, "propagation_raw", strace_field(line, "propagation"));
			ASSERT_JINT(r, "userns_fd", strace_field(line, "userns_fd"));
		} else {
			/* strace printed an address: the struct was not read */
			ASSERT_TRUE(!json_get(r, "attr_set"), line);
		}
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

/* ---- fsconfig's cmd ---- */

static void fsconfig_child(struct sc_ctx *c, void *arg)
{
	int fs = (int)syscall(SYS_fsopen, "tmpfs", 0);

	if (fs < 0 && errno == ENOSYS) {
		sc_report(c, "skip", "fsopen: ENOSYS on this kernel");
		_exit(0);
	}
	SC_CHECK(c, fs >= 0, "fsopen tmpfs");
	SC_CHECK(c, syscall(SYS_fsconfig, fs, 42, NULL, NULL, 0) < 0, "fsconfig cmd 42");
	SC_CHECK(c, syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "1m", 0) == 0,
		 "fsconfig size=1m");
	sc_report(c, "fs", "%d", fs);
}

TEST(record_fsconfig_cmd_is_always_a_string)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, NULL, &s, fsconfig_child, NULL))
		goto out;
	r = ASSERT_REC(&t, "fsconfig cmd 42", "type", "syscall", "call", "fsconfig",
		       "pid", sc_get(&s, "pid"), "cmd_raw", "42");
	if (r) {
		ASSERT_JSTR(r, "cmd", "42");
		ASSERT_JINT(r, "fd", sc_num(&s, "fs"));
	}
	r = ASSERT_REC(&t, "fsconfig size", "type", "syscall", "call", "fsconfig",
		       "pid", sc_get(&s, "pid"), "key", "size");
	if (r) {
		ASSERT_JSTR(r, "cmd", "FSCONFIG_SET_STRING");
		ASSERT_JSTR(r, "data", "1m");
		ASSERT_JINT(r, "aux", 0);
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

/* ---- an overlay upperdir with an escaped comma ---- */

static void escaped_upper_child(struct sc_ctx *c, void *arg)
{
	char l[256], u[256], w[256], m[256], opts[1024];

	snprintf(l, sizeof(l), "%s/l", c->dir);
	snprintf(u, sizeof(u), "%s/u,p", c->dir);
	snprintf(w, sizeof(w), "%s/w", c->dir);
	snprintf(m, sizeof(m), "%s/m", c->dir);
	make_dir(c, l);
	make_dir(c, u);
	make_dir(c, w);
	make_dir(c, m);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/u\\,p,workdir=%s", l, c->dir, w);
	SC_CHECK(c, mount("overlay", m, "overlay", 0, opts) == 0, "mount overlay %s", opts);
	sc_report(c, "opts", "%s", opts);
	sc_report(c, "merged", "%s", m);
	sc_report(c, "upper", "%s", u);
}

TEST(record_overlay_escaped_upperdir)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, NULL, &s, escaped_upper_child, NULL))
		goto out;
	/* the syscall keeps the raw option string */
	ASSERT_REC(&t, "mount overlay", "type", "syscall", "call", "mount",
		   "pid", sc_get(&s, "pid"), "data", sc_get(&s, "opts"));
	/* the mount names the directory the kernel resolved */
	r = ASSERT_REC(&t, "walk of the overlay", "type", "mount", "op", "walk",
		       "path", sc_get(&s, "merged"), "fstype", "overlay");
	if (r)
		ASSERT_JSTR(r, "upperdir", sc_get(&s, "upper"));
out:
	sc_free(&s);
	tracer_free(&t);
}
