// SPDX-License-Identifier: GPL-2.0
/*
 * One syscall record per operation: mount (tmpfs, bind, overlay), umount2
 * (success, EBUSY, MNT_DETACH), rmdir and unlinkat(AT_REMOVEDIR) of a busy
 * and a free directory, and the new mount API. Each field is checked
 * against what the scenario child did and saw.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scenarios.h"

/* Find a syscall record of the scenario's pid: call, then key/values. */
#define SYSCALL_REC(t, s, what, call, ...)                                   \
	ASSERT_REC(t, what, "type", "syscall", "call", call,                 \
		   "pid", sc_get(s, "pid"), __VA_ARGS__)

/* The fields every syscall record of the scenario child shares. */
static void assert_caller(const struct json *r, const struct scenario *s)
{
	ASSERT_JINT(r, "tid", sc_num(s, "pid"));
	ASSERT_JINT(r, "mnt_ns", sc_num(s, "ns"));
	ASSERT_JSTR(r, "comm", sc_get(s, "comm"));
}

static void assert_ok(const struct json *r)
{
	ASSERT_JINT(r, "ret", 0);
	if (json_get(r, "errno"))
		ASSERT_TRUE(false, "\"errno\" present on success");
}

static void assert_errno(const struct json *r, const char *name, int err)
{
	ASSERT_JSTR(r, "errno", name);
	ASSERT_JINT(r, "ret", -err);
}

/* ---- mount: tmpfs and bind ---- */

static void mount_child(struct sc_ctx *c, void *arg)
{
	char a[256], b[256];

	snprintf(a, sizeof(a), "%s/a", c->dir);
	snprintf(b, sizeof(b), "%s/b", c->dir);
	make_dir(c, a);
	make_dir(c, b);
	SC_CHECK(c, mount("itest-src", a, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700") == 0,
		 "mount tmpfs");
	SC_CHECK(c, mount(a, b, NULL, MS_BIND, NULL) == 0, "bind mount");
	sc_report(c, "a", "%s", a);
	sc_report(c, "b", "%s", b);
}

TEST(mount_tmpfs_and_bind)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, NULL, &s, mount_child, NULL))
		goto out;
	r = SYSCALL_REC(&t, &s, "mount tmpfs", "mount", "path", sc_get(&s, "a"));
	if (r) {
		assert_caller(r, &s);
		assert_ok(r);
		ASSERT_JSTR(r, "source", "itest-src");
		ASSERT_JSTR(r, "full_path", sc_get(&s, "a"));
		ASSERT_JSTR(r, "fstype", "tmpfs");
		ASSERT_JSTR(r, "data", "size=1m,mode=0700");
		ASSERT_JFLAG(r, "flags", "MS_NOSUID");
		ASSERT_JFLAG(r, "flags", "MS_NODEV");
		ASSERT_JINT(r, "flags_raw", MS_NOSUID | MS_NODEV);
	}
	r = SYSCALL_REC(&t, &s, "bind mount", "mount", "path", sc_get(&s, "b"));
	if (r) {
		assert_caller(r, &s);
		assert_ok(r);
		ASSERT_JSTR(r, "source", sc_get(&s, "a"));
		ASSERT_JSTR(r, "full_path", sc_get(&s, "b"));
		ASSERT_JSTR(r, "flags", "MS_BIND");
		ASSERT_JINT(r, "flags_raw", MS_BIND);
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

/* ---- mount: overlay via mount(2) ---- */

static void overlay_child(struct sc_ctx *c, void *arg)
{
	char base[256], merged[512], opts[1024];

	snprintf(base, sizeof(base), "%s/ovl", c->dir);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	overlay_opts(base, NULL, opts, sizeof(opts));
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "opts", "%s", opts);
	sc_report(c, "upper", "%s/upper", base);
	sc_report(c, "work", "%s/work", base);
}

TEST(mount_overlay)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;
	char want[600];

	if (!trace_scenario(&t, NULL, &s, overlay_child, NULL))
		goto out;
	r = SYSCALL_REC(&t, &s, "overlay mount", "mount", "path", sc_get(&s, "merged"));
	if (!r)
		goto out;
	assert_caller(r, &s);
	assert_ok(r);
	ASSERT_JSTR(r, "fstype", "overlay");
	ASSERT_JSTR(r, "source", "overlay");
	ASSERT_JSTR(r, "full_path", sc_get(&s, "merged"));
	snprintf(want, sizeof(want), "upperdir=%s", sc_get(&s, "upper"));
	ASSERT_JHAS(r, "data", want);
	snprintf(want, sizeof(want), "workdir=%s", sc_get(&s, "work"));
	ASSERT_JHAS(r, "data", want);
	ASSERT_JSTR(r, "data", sc_get(&s, "opts"));
out:
	sc_free(&s);
	tracer_free(&t);
}

/* ---- umount2 ---- */

static void umount_child(struct sc_ctx *c, void *arg)
{
	char u1[256], u2[256];
	pid_t holder;

	snprintf(u1, sizeof(u1), "%s/u1", c->dir);
	snprintf(u2, sizeof(u2), "%s/u2", c->dir);
	make_dir(c, u1);
	make_dir(c, u2);
	SC_CHECK(c, mount("itest", u1, "tmpfs", 0, NULL) == 0, "mount u1");
	SC_CHECK(c, umount2(u1, 0) == 0, "umount u1");
	SC_CHECK(c, mount("itest", u2, "tmpfs", 0, NULL) == 0, "mount u2");
	/* a process of our own namespace with its cwd inside: EBUSY */
	holder = spawn_service(c, false, 0, u2);
	SC_CHECK(c, umount2(u2, 0) < 0 && errno == EBUSY, "umount of a busy mount must fail");
	SC_CHECK(c, umount2(u2, MNT_DETACH) == 0, "lazy umount");
	kill_wait(holder);
	sc_report(c, "u1", "%s", u1);
	sc_report(c, "u2", "%s", u2);
}

TEST(umount2_ok_ebusy_detach)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, NULL, &s, umount_child, NULL))
		goto out;
	r = SYSCALL_REC(&t, &s, "umount2 u1", "umount2", "path", sc_get(&s, "u1"));
	if (r) {
		assert_caller(r, &s);
		assert_ok(r);
		ASSERT_JSTR(r, "full_path", sc_get(&s, "u1"));
	}
	r = SYSCALL_REC(&t, &s, "umount2 u2 EBUSY", "umount2", "path", sc_get(&s, "u2"),
			"errno", "EBUSY");
	if (r) {
		assert_caller(r, &s);
		assert_errno(r, "EBUSY", EBUSY);
	}
	r = SYSCALL_REC(&t, &s, "umount2 u2 MNT_DETACH", "umount2", "path", sc_get(&s, "u2"),
			"ret", "0");
	if (r) {
		ASSERT_JFLAG(r, "flags", "MNT_DETACH");
		ASSERT_JINT(r, "flags_raw", MNT_DETACH);
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

/* ---- rmdir and unlinkat(AT_REMOVEDIR) ---- */

static void busy_and_free(struct sc_ctx *c, const char *busy, const char *free_dir)
{
	make_dir(c, busy);
	make_dir(c, free_dir);
	SC_CHECK(c, mount("itest", busy, "tmpfs", 0, NULL) == 0, "mount on %s", busy);
}

static void rmdir_child(struct sc_ctx *c, void *arg)
{
	char busy[256], free_dir[256], rel[256];

	snprintf(busy, sizeof(busy), "%s/busy", c->dir);
	snprintf(free_dir, sizeof(free_dir), "%s/free", c->dir);
	snprintf(rel, sizeof(rel), "%s/rel", c->dir);
	busy_and_free(c, busy, free_dir);
	make_dir(c, rel);
	/* a mountpoint in our own namespace: EBUSY (is_local_mountpoint) */
	SC_CHECK(c, rmdir(busy) < 0 && errno == EBUSY, "rmdir of a mountpoint must fail");
	SC_CHECK(c, rmdir(free_dir) == 0, "rmdir %s", free_dir);
	/* relative to the cwd: full_path must still be absolute */
	SC_CHECK(c, chdir(c->dir) == 0, "chdir");
	SC_CHECK(c, rmdir("rel") == 0, "rmdir rel");
	SC_CHECK(c, rmdir("missing") < 0 && errno == ENOENT, "rmdir of a missing dir");
	sc_report(c, "missing", "missing");
	sc_report(c, "busy", "%s", busy);
	sc_report(c, "free", "%s", free_dir);
	sc_report(c, "rel", "%s", rel);
}

/* A successful removal's record, absent by default (bpf/removal.h). */
static void assert_no_removal(const struct tracer *t, const struct scenario *s,
			      const char *call, const char *path)
{
	if (rec_find(t, 0, NULL, "type", "syscall", "call", call, "pid", sc_get(s, "pid"),
		     "path", path, NULL))
		mt_test_fail(__FILE__, __LINE__, "%s of %s (no mountpoint) was sent without "
			     "--all-removals", call, path);
}

/* @all: traced with --all-removals, every removal has its record. */
static void check_rmdir(bool all)
{
	const char *const args[] = { "--all-removals", NULL };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, all ? args : NULL, &s, rmdir_child, NULL))
		goto out;
	/* EBUSY always */
	r = SYSCALL_REC(&t, &s, "rmdir busy", "rmdir", "path", sc_get(&s, "busy"));
	if (r) {
		assert_caller(r, &s);
		assert_errno(r, "EBUSY", EBUSY);
		ASSERT_JSTR(r, "full_path", sc_get(&s, "busy"));
	}
	if (!all) {
		assert_no_removal(&t, &s, "rmdir", sc_get(&s, "free"));
		assert_no_removal(&t, &s, "rmdir", "rel");
		goto out;
	}
	r = SYSCALL_REC(&t, &s, "rmdir free", "rmdir", "path", sc_get(&s, "free"));
	if (r) {
		assert_ok(r);
		ASSERT_JSTR(r, "full_path", sc_get(&s, "free"));
	}
	r = SYSCALL_REC(&t, &s, "rmdir rel", "rmdir", "path", "rel");
	if (r) {
		assert_ok(r);
		ASSERT_JSTR(r, "full_path", sc_get(&s, "rel"));
	}
	r = SYSCALL_REC(&t, &s, "rmdir of a missing dir", "rmdir", "path", sc_get(&s, "missing"));
	if (r)
		assert_errno(r, "ENOENT", ENOENT);
out:
	sc_free(&s);
	tracer_free(&t);
}

/* By default: the EBUSY one only; removals of plain directories are not sent. */
TEST(rmdir_busy_and_free)
{
	check_rmdir(false);
}

TEST(rmdir_all_removals)
{
	check_rmdir(true);
}

static void unlinkat_child(struct sc_ctx *c, void *arg)
{
	char busy[256], free_dir[256];
	int dfd;

	snprintf(busy, sizeof(busy), "%s/ubusy", c->dir);
	snprintf(free_dir, sizeof(free_dir), "%s/ufree", c->dir);
	busy_and_free(c, busy, free_dir);
	dfd = open(c->dir, O_RDONLY | O_DIRECTORY);
	SC_CHECK(c, dfd >= 0, "open %s", c->dir);
	SC_CHECK(c, unlinkat(dfd, "ubusy", AT_REMOVEDIR) < 0 && errno == EBUSY,
		 "unlinkat of a mountpoint must fail");
	SC_CHECK(c, unlinkat(dfd, "ufree", AT_REMOVEDIR) == 0, "unlinkat ufree");
	sc_report(c, "dfd", "%d", dfd);
	sc_report(c, "busy", "%s", busy);
	sc_report(c, "free", "%s", free_dir);
	close(dfd);
}

static void check_unlinkat(bool all)
{
	const char *const args[] = { "--all-removals", NULL };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, all ? args : NULL, &s, unlinkat_child, NULL))
		goto out;
	r = SYSCALL_REC(&t, &s, "unlinkat busy", "unlinkat", "path", "ubusy");
	if (r) {
		assert_caller(r, &s);
		assert_errno(r, "EBUSY", EBUSY);
		ASSERT_JSTR(r, "full_path", sc_get(&s, "busy"));
		ASSERT_JINT(r, "dfd", sc_num(&s, "dfd"));
		ASSERT_JFLAG(r, "flags", "AT_REMOVEDIR");
	}
	if (!all) {
		assert_no_removal(&t, &s, "unlinkat", "ufree");
		goto out;
	}
	r = SYSCALL_REC(&t, &s, "unlinkat free", "unlinkat", "path", "ufree");
	if (r) {
		assert_ok(r);
		ASSERT_JSTR(r, "full_path", sc_get(&s, "free"));
		ASSERT_JINT(r, "dfd", sc_num(&s, "dfd"));
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(unlinkat_removedir_busy_and_free)
{
	check_unlinkat(false);
}

TEST(unlinkat_removedir_all_removals)
{
	check_unlinkat(true);
}

/* ---- the new mount API ---- */

static void newapi_child(struct sc_ctx *c, void *arg)
{
	char base[256], merged[512];
	struct mi_entry e;

	snprintf(base, sizeof(base), "%s/newapi", c->dir);
	if (make_overlay_newapi(c, base, merged, sizeof(merged)) == -ENOSYS) {
		sc_report(c, "skip", "fsopen: ENOSYS (kernel before 5.2)");
		return;
	}
	SC_CHECK(c, mi_find(0, merged, &e) && !strcmp(e.fstype, "overlay"),
		 "overlay not at %s after move_mount", merged);
	sc_report(c, "merged", "%s", merged);
}

static void assert_fsconfig(const struct tracer *t, const struct scenario *s, const char *key)
{
	const struct json *r = SYSCALL_REC(t, s, key, "fsconfig", "key", key);

	if (!r)
		return;
	assert_caller(r, s);
	assert_ok(r);
	ASSERT_JSTR(r, "cmd", "FSCONFIG_SET_STRING");
	ASSERT_JSTR(r, "data", sc_get(s, key));
	ASSERT_JINT(r, "fd", sc_num(s, "fd"));
}

TEST(new_mount_api_overlay)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, NULL, &s, newapi_child, NULL))
		goto out;
	r = SYSCALL_REC(&t, &s, "fsopen", "fsopen", "fstype", "overlay");
	if (r) {
		assert_caller(r, &s);
		ASSERT_JINT(r, "ret", sc_num(&s, "fd"));
		ASSERT_JFLAG(r, "flags", "FSOPEN_CLOEXEC");
	}
	assert_fsconfig(&t, &s, "lowerdir");
	assert_fsconfig(&t, &s, "upperdir");
	assert_fsconfig(&t, &s, "workdir");
	r = SYSCALL_REC(&t, &s, "fsconfig create", "fsconfig", "cmd", "FSCONFIG_CMD_CREATE");
	if (r) {
		assert_ok(r);
		ASSERT_JINT(r, "fd", sc_num(&s, "fd"));
	}
	r = SYSCALL_REC(&t, &s, "fsmount", "fsmount", "fd", sc_get(&s, "fd"));
	if (r) {
		ASSERT_JINT(r, "ret", sc_num(&s, "mfd"));
		ASSERT_JFLAG(r, "flags", "FSMOUNT_CLOEXEC");
	}
	r = SYSCALL_REC(&t, &s, "move_mount", "move_mount", "path", sc_get(&s, "merged"));
	if (r) {
		assert_caller(r, &s);
		assert_ok(r);
		ASSERT_JSTR(r, "full_path", sc_get(&s, "merged"));
		ASSERT_JINT(r, "from_dfd", sc_num(&s, "mfd"));
		ASSERT_JINT(r, "to_dfd", AT_FDCWD);
		ASSERT_JFLAG(r, "flags", "MOVE_MOUNT_F_EMPTY_PATH");
	}
out:
	sc_free(&s);
	tracer_free(&t);
}
