// SPDX-License-Identifier: GPL-2.0
/*
 * The other mount-namespace calls mnttrace traces: setns, clone3,
 * open_tree(OPEN_TREE_CLONE), open_tree_attr and mount_setattr. Each one must appear as a
 * syscall record with its decoded arguments and, where the namespace
 * changes, the new namespace's inode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenarios.h"

/* struct clone_args as of 5.3 (CLONE_ARGS_SIZE_VER0): our own copy, since
 * <linux/sched.h> clashes with glibc's <sched.h>. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static void skip_if_enosys(struct sc_ctx *c, long ret, const char *call)
{
	if (ret < 0 && errno == ENOSYS) {
		sc_report(c, "skip", "%s: ENOSYS on this kernel", call);
		_exit(0);
	}
}

static void ns_calls_child(struct sc_ctx *c, void *arg)
{
	struct clone3_args ca = { .flags = CLONE_NEWNS, .exit_signal = SIGCHLD };
	char base[256], merged[512], path[64];
	pid_t svc;
	long pid;
	int fd, st;

	snprintf(base, sizeof(base), "%s/ovl", c->dir);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	sc_report(c, "merged", "%s", merged);

	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	skip_if_enosys(c, pid, "clone3");
	SC_CHECK(c, pid >= 0, "clone3(CLONE_NEWNS)");
	if (pid == 0) {
		sc_report(c, "clone3_ns", "%lu", ns_inode(0));
		_exit(0);
	}
	SC_CHECK(c, waitpid((pid_t)pid, &st, 0) == pid, "waitpid");
	sc_report(c, "clone3_pid", "%ld", pid);

	/* last, since it leaves our namespace for the service's */
	svc = spawn_service(c, true, MS_SLAVE, NULL);
	sc_report(c, "svc_ns", "%lu", ns_inode(svc));
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", svc);
	fd = open(path, O_RDONLY);
	SC_CHECK(c, fd >= 0, "open %s", path);
	SC_CHECK(c, setns(fd, CLONE_NEWNS) == 0, "setns");
	sc_report(c, "setns_fd", "%d", fd);
	close(fd);
}

TEST(clone3_and_setns_records)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, NULL, &s, ns_calls_child, NULL))
		goto out;
	r = ASSERT_REC(&t, "clone3", "type", "syscall", "call", "clone3", "pid", sc_get(&s, "pid"),
		       "ret", sc_get(&s, "clone3_pid"));
	if (r) {
		ASSERT_JFLAG(r, "flags", "CLONE_NEWNS");
		ASSERT_JINT(r, "new_mnt_ns", sc_num(&s, "clone3_ns"));
		ASSERT_REC(&t, "walk of the clone3 child's namespace", "type", "mount", "op", "walk",
			   "ns", sc_get(&s, "clone3_ns"), "path", sc_get(&s, "merged"));
	}
	r = ASSERT_REC(&t, "setns", "type", "syscall", "call", "setns", "pid", sc_get(&s, "pid"));
	if (r) {
		ASSERT_JINT(r, "ret", 0);
		ASSERT_JINT(r, "fd", sc_num(&s, "setns_fd"));
		ASSERT_JFLAG(r, "nstype", "CLONE_NEWNS");
		ASSERT_JINT(r, "mnt_ns", sc_num(&s, "ns"));
		ASSERT_JINT(r, "new_mnt_ns", sc_num(&s, "svc_ns"));
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

static void tree_calls_child(struct sc_ctx *c, void *arg)
{
	struct mount_attr attr = { .propagation = MS_SHARED };
	char base[256], merged[512], clone_dir[256];
	struct mi_entry e;
	int fd;

	snprintf(base, sizeof(base), "%s/ovl", c->dir);
	snprintf(clone_dir, sizeof(clone_dir), "%s/clone", c->dir);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	make_dir(c, clone_dir);
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, merged, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	skip_if_enosys(c, fd, "open_tree");
	SC_CHECK(c, fd >= 0, "open_tree %s", merged);
	SC_CHECK(c, syscall(SYS_move_mount, fd, "", AT_FDCWD, clone_dir,
			    MOVE_MOUNT_F_EMPTY_PATH) == 0, "move_mount the clone");
	SC_CHECK(c, mi_find(0, clone_dir, &e) && !strcmp(e.fstype, "overlay"),
		 "the clone is not at %s", clone_dir);
	sc_report(c, "tree_fd", "%d", fd);
	close(fd);
	if (syscall(SYS_mount_setattr, AT_FDCWD, merged, 0, &attr, sizeof(attr)) < 0) {
		skip_if_enosys(c, -1, "mount_setattr");
		SC_CHECK(c, false, "mount_setattr MS_SHARED on %s", merged);
	}
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "clone_dir", "%s", clone_dir);
}

TEST(open_tree_and_mount_setattr_records)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, NULL, &s, tree_calls_child, NULL))
		goto out;
	r = ASSERT_REC(&t, "open_tree", "type", "syscall", "call", "open_tree",
		       "pid", sc_get(&s, "pid"), "path", sc_get(&s, "merged"));
	if (r) {
		ASSERT_JINT(r, "ret", sc_num(&s, "tree_fd"));
		ASSERT_JFLAG(r, "flags", "OPEN_TREE_CLONE");
	}
	r = ASSERT_REC(&t, "move_mount of the clone", "type", "syscall", "call", "move_mount",
		       "pid", sc_get(&s, "pid"), "path", sc_get(&s, "clone_dir"));
	if (r)
		ASSERT_JINT(r, "from_dfd", sc_num(&s, "tree_fd"));
	r = ASSERT_REC(&t, "mount_setattr", "type", "syscall", "call", "mount_setattr",
		       "pid", sc_get(&s, "pid"), "path", sc_get(&s, "merged"));
	if (r) {
		ASSERT_JINT(r, "ret", 0);
		ASSERT_JSTR(r, "propagation", "MS_SHARED");
	}
out:
	sc_free(&s);
	tracer_free(&t);
}

/* open_tree_attr (6.15+) is not in glibc 2.36's headers; x86-64's number */
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

static void tree_attr_child(struct sc_ctx *c, void *arg)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	char base[256], merged[512], clone_dir[256];
	struct mi_entry e;
	int fd;

	snprintf(base, sizeof(base), "%s/ovl", c->dir);
	snprintf(clone_dir, sizeof(clone_dir), "%s/clone", c->dir);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	make_dir(c, clone_dir);
	fd = (int)syscall(SYS_open_tree_attr, AT_FDCWD, merged,
			  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC, &attr, sizeof(attr));
	skip_if_enosys(c, fd, "open_tree_attr");
	SC_CHECK(c, fd >= 0, "open_tree_attr %s", merged);
	SC_CHECK(c, syscall(SYS_move_mount, fd, "", AT_FDCWD, clone_dir,
			    MOVE_MOUNT_F_EMPTY_PATH) == 0, "move_mount the clone");
	SC_CHECK(c, mi_find(0, clone_dir, &e) && !strcmp(e.fstype, "overlay"),
		 "the clone is not at %s", clone_dir);
	sc_report(c, "tree_fd", "%d", fd);
	sc_report(c, "merged", "%s", merged);
	sc_report(c, "clone_dir", "%s", clone_dir);
	close(fd);
}

/* open_tree_attr clones a tree and sets its attributes in one call (6.15+,
 * checked on 6.18 and 7.2): traced like open_tree, with its mount_attr. */
TEST(open_tree_attr_records)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;

	if (!trace_scenario(&t, NULL, &s, tree_attr_child, NULL))
		goto out;
	r = ASSERT_REC(&t, "open_tree_attr", "type", "syscall", "call", "open_tree_attr",
		       "pid", sc_get(&s, "pid"), "path", sc_get(&s, "merged"));
	if (r) {
		ASSERT_JINT(r, "ret", sc_num(&s, "tree_fd"));
		ASSERT_JFLAG(r, "flags", "OPEN_TREE_CLONE");
		ASSERT_JFLAG(r, "attr_set", "MOUNT_ATTR_RDONLY");
		ASSERT_JINT(r, "size", sizeof(struct mount_attr));
	}
	ASSERT_REC(&t, "walk after the clone was attached", "type", "mount", "op", "walk",
		   "path", sc_get(&s, "clone_dir"), "fstype", "overlay");
out:
	sc_free(&s);
	tracer_free(&t);
}
