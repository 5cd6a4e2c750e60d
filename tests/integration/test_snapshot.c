// SPDX-License-Identifier: GPL-2.0
/*
 * The start-up snapshot (src/nsscan.c) against real namespaces: the ids
 * it reads match the records' mnt_ns_id, a reused inode does not merge two
 * namespaces, and namespaces kept alive with no process (an nsfs bind
 * mount, an open fd) are listed with what keeps them. The snapshot has no
 * output of its own yet, so these tests call it directly: the runner links
 * nsscan and its helpers (no BPF). The kept-namespace test runs no
 * mnttrace (TEST_ANY_MODE); the id test compares with records, every mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenarios.h"
#include "../../src/nsid.h"
#include "../../src/nsscan.h"

/* A child in a new mount namespace that mounts a tmpfs on @inside (when
 * not NULL), tells the parent it is ready and waits to be killed. */
/* A child in a new mount namespace; made on CPU @cpu when @cpu >= 0. */
static pid_t spawn_ns_child_on(struct sc_ctx *c, const char *inside, int cpu)
{
	int ready[2];
	pid_t pid;
	char b;

	SC_CHECK(c, pipe2(ready, O_CLOEXEC) == 0, "pipe");
	pid = fork();
	SC_CHECK(c, pid >= 0, "fork");
	if (pid == 0) {
		close(ready[0]);
		if (cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
		}
		if (unshare(CLONE_NEWNS) || (inside && mount("kept", inside, "tmpfs", 0, NULL)))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	SC_CHECK(c, read(ready[0], &b, 1) == 1, "namespace child %d ready", pid);
	close(ready[0]);
	return pid;
}

static pid_t spawn_ns_child(struct sc_ctx *c, const char *inside)
{
	return spawn_ns_child_on(c, inside, -1);
}

static void end_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Inode and id of an nsfs file, reported under @name_ino / @name_id. */
static void report_ns(struct sc_ctx *c, const char *name, int dirfd, const char *path)
{
	char key[64];
	__u32 ino = 0;
	__u64 id = 0;

	SC_CHECK(c, mt_nsfile_id(dirfd, path, &ino, &id) == 0, "open %s", path);
	snprintf(key, sizeof(key), "%s_ino", name);
	sc_report(c, key, "%u", ino);
	snprintf(key, sizeof(key), "%s_id", name);
	sc_report(c, key, "%llu", (unsigned long long)id);
}

static void kept_child(struct sc_ctx *c, void *arg)
{
	char pin[256], inside[256], path[64];
	pid_t pinned, held, gone, next;
	int fd;

	(void)arg;
	report_ns(c, "self", AT_FDCWD, "/proc/self/ns/mnt");

	/* kept by an nsfs bind mount, as `unshare --mount=PIN` leaves it */
	snprintf(pin, sizeof(pin), "%s/ns", c->dir);
	snprintf(inside, sizeof(inside), "%s/inside", c->dir);
	make_dir(c, inside);
	fd = open(pin, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	SC_CHECK(c, fd >= 0, "create %s", pin);
	close(fd);
	/*
	 * The kernel binds a mount namespace's nsfs file only into an older
	 * namespace (mnt_ns_loop: the binder's id must be lower). 6.18 hands
	 * out namespace ids in per-CPU batches of 4096 (879, 5167, 880 in a
	 * row here), so a namespace made on another CPU than ours can look
	 * older and the bind says EINVAL, every time on that CPU. Made on the
	 * CPU that made ours, the id is higher: try each CPU in turn.
	 */
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	if (ncpu < 1)
		ncpu = 1;
	for (int tries = 0;; tries++) {
		int err;

		pinned = spawn_ns_child_on(c, inside, (int)(tries % ncpu));
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pinned);
		err = mount(path, pin, NULL, MS_BIND, NULL) ? errno : 0;
		if (!err || err != EINVAL || tries >= 3 * ncpu) {
			SC_CHECK(c, err == 0, "bind %s on %s (%d tries over %ld CPUs)",
				 path, pin, tries + 1, ncpu);
			break;
		}
		end_child(pinned);
	}
	report_ns(c, "pinned", AT_FDCWD, pin);
	sc_report(c, "pin", "%s", pin);
	sc_report(c, "inside", "%s", inside);
	end_child(pinned);

	/* kept by an open fd of ours */
	held = spawn_ns_child(c, NULL);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", held);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	SC_CHECK(c, fd >= 0, "open %s", path);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	report_ns(c, "held", AT_FDCWD, path);
	sc_report(c, "held_fd", "%d", fd);
	end_child(held);

	/* gone: nothing keeps it; the next namespace may get its inode */
	gone = spawn_ns_child(c, NULL);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", gone);
	report_ns(c, "gone", AT_FDCWD, path);
	end_child(gone);
	next = spawn_ns_child(c, NULL);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", next);
	report_ns(c, "next", AT_FDCWD, path);
	sc_report(c, "next_pid", "%d", next);

	sc_sync(c);
	close(fd);
	end_child(next);
	SC_CHECK(c, umount2(pin, MNT_DETACH) == 0, "umount %s", pin);
}

/* uname's release is at least @major.@minor */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * Is "/" the initramfs itself (a busybox test guest)? listmount() in
 * another namespace lists below "the first mount after the namespace's
 * root" on 6.11/6.12 (grab_requested_root()), which is "/" only when "/"
 * is mounted over rootfs, as on every normal host.
 */
static bool root_is_rootfs(void)
{
	struct mt_mnttab tab;
	bool rootfs = false;

	if (mt_mnttab_read(&tab, "/proc/self/mountinfo", 0))
		return false;
	for (int i = 0; i < tab.nr; i++)
		if (!strcmp(tab.ents[i].mountpoint, "/"))
			rootfs = !strcmp(tab.ents[i].fstype, "rootfs");
	mt_mnttab_free(&tab);
	return rootfs;
}

static const struct mt_ns_keeper *find_keeper(const struct mt_snap_ns *ns,
					      enum mt_keeper_kind kind)
{
	for (int i = 0; ns && i < ns->kept_by.nr; i++)
		if (ns->kept_by.v[i].kind == kind)
			return &ns->kept_by.v[i];
	return NULL;
}

static struct mt_snap_ns *find_reported(const struct mt_snapshot *snap,
					const struct scenario *s, const char *name)
{
	char key[64];
	__u32 ino;
	__u64 id;

	snprintf(key, sizeof(key), "%s_ino", name);
	ino = (__u32)sc_num(s, key);
	snprintf(key, sizeof(key), "%s_id", name);
	id = (__u64)sc_num(s, key);
	return mt_snapshot__find_id(snap, ino, id);
}

static const struct mt_mntent *find_mount(const struct mt_snap_ns *ns, const char *mountpoint,
					  const char *fstype)
{
	for (int i = 0; i < ns->mounts.nr; i++)
		if (!strcmp(ns->mounts.ents[i].mountpoint, mountpoint) &&
		    !strcmp(ns->mounts.ents[i].fstype, fstype))
			return &ns->mounts.ents[i];
	return NULL;
}

TEST_ANY_MODE(snapshot_namespaces_kept_without_a_process)
{
	struct scenario s = SC_INIT;
	struct mt_snapshot *snap = NULL;
	const struct mt_ns_keeper *k;
	struct mt_snap_ns *pinned, *held;
	struct mt_ns_keepers ks = {};

	if (!sc_start(&s, kept_child, NULL) || !sc_wait_sync(&s))
		goto out;
	snap = mt_snapshot__new(NULL, &(struct mt_snap_opts){ .no_cgroup = true });
	if (!ASSERT_TRUE(snap != NULL, "snapshot"))
		goto out;
	mt_test_log("%d namespaces, keepers found in %.1f ms, snapshot %.1f ms", snap->nr_ns,
		    snap->keepers_ns / 1e6, snap->elapsed_ns / 1e6);

	pinned = find_reported(snap, &s, "pinned");
	if (ASSERT_TRUE(pinned != NULL, "the pinned namespace is listed")) {
		ASSERT_EQ(pinned->nr_procs, 0, "no process in it");
		k = find_keeper(pinned, MT_KEEPER_NSFS_MOUNT);
		if (ASSERT_TRUE(k != NULL, "kept_by an nsfs mount")) {
			ASSERT_STREQ(k->path, sc_get(&s, "pin"), "the pin's path");
			ASSERT_EQ(k->mount_ns, (__u32)sc_num(&s, "self_ino"),
				  "in the scenario's namespace");
		}
		/* read by entering it */
		ASSERT_OK(pinned->mounts_err, "its mounts were read");
		const struct mt_mntent *e = find_mount(pinned, sc_get(&s, "inside"), "tmpfs");

		/* listmount/statmount in another namespace: 6.11+, where "/" is
		 * mounted over rootfs (see root_is_rootfs()) */
		if (ASSERT_TRUE(e != NULL, "the tmpfs mounted in it") && kernel_at_least(6, 11) &&
		    !root_is_rootfs())
			ASSERT_NEQ(e->mnt_id_unique, 0, "with its unique mount id");
	}
	held = find_reported(snap, &s, "held");
	if (ASSERT_TRUE(held != NULL, "the fd-held namespace is listed")) {
		ASSERT_EQ(held->nr_procs, 0, "no process in it");
		k = find_keeper(held, MT_KEEPER_FD);
		if (ASSERT_TRUE(k != NULL, "kept_by an fd")) {
			ASSERT_EQ(k->pid, (__u32)s.pid, "held by the scenario");
			ASSERT_EQ(k->fd, (int)sc_num(&s, "held_fd"), "the fd number");
		}
	}
	if (sc_num(&s, "gone_id"))
		ASSERT_TRUE(find_reported(snap, &s, "gone") == NULL,
			    "a dead namespace is not listed, even when its inode is reused");
	if (sc_num(&s, "gone_ino") == sc_num(&s, "next_ino") && sc_num(&s, "gone_id")) {
		struct mt_snap_ns *next = find_reported(snap, &s, "next");

		mt_test_log("inode %lld reused: ids %lld then %lld", sc_num(&s, "next_ino"),
			    sc_num(&s, "gone_id"), sc_num(&s, "next_id"));
		ASSERT_NEQ(sc_num(&s, "gone_id"), sc_num(&s, "next_id"), "a new id for a reused inode");
		if (ASSERT_TRUE(next != NULL, "the live one is listed"))
			ASSERT_EQ(next->procs[0].pid, (__u32)sc_num(&s, "next_pid"), "with its process");
	}

	/* the kernel's own list (6.12+) has them, though no process is in them */
	{
		struct mt_ns_ident *all;
		int nr = mt_mntns_list(&all), seen = 0;

		if (nr == -ENOTTY) {
			ASSERT_FALSE(kernel_at_least(6, 12), "NS_MNT_GET_NEXT answers on 6.12+");
			mt_test_log("no NS_MNT_GET_NEXT on this kernel (added in 6.12)");
		} else if (ASSERT_GT(nr, 0, "the kernel lists mount namespaces")) {
			for (int i = 0; i < nr; i++)
				seen += (all[i].ino == (__u32)sc_num(&s, "pinned_ino") &&
					 all[i].id == (__u64)sc_num(&s, "pinned_id")) ||
					(all[i].ino == (__u32)sc_num(&s, "held_ino") &&
					 all[i].id == (__u64)sc_num(&s, "held_id"));
			ASSERT_EQ(seen, 2, "the pinned and the held namespace among them");
			free(all);
		}
	}

	/* tracepoint mode's death check */
	ASSERT_EQ(mt_ns_alive(NULL, (__u32)sc_num(&s, "pinned_ino"), (__u64)sc_num(&s, "pinned_id"),
			      &ks), MT_NS_ALIVE_KEPT, "pinned: alive, kept");
	ASSERT_EQ(ks.nr, 1, "by one keeper");
	mt_keepers_free(&ks);
	ASSERT_EQ(mt_ns_alive(NULL, (__u32)sc_num(&s, "held_ino"), (__u64)sc_num(&s, "held_id"),
			      NULL), MT_NS_ALIVE_KEPT, "held: alive, kept");
	ASSERT_EQ(mt_ns_alive(NULL, (__u32)sc_num(&s, "self_ino"), (__u64)sc_num(&s, "self_id"),
			      NULL), MT_NS_ALIVE_PROCS, "the scenario's: processes");
	/* without an id (6.1) a reused inode would look alive: only with one */
	if (sc_num(&s, "gone_id"))
		ASSERT_EQ(mt_ns_alive(NULL, (__u32)sc_num(&s, "gone_ino"),
				      (__u64)sc_num(&s, "gone_id"), NULL),
			  MT_NS_DEAD, "gone: dead, whoever has its inode now");
	sc_go(&s);
	sc_finish(&s);
	/* once the scenario is over, nothing keeps them */
	if (sc_num(&s, "pinned_id"))
		ASSERT_EQ(mt_ns_alive(NULL, (__u32)sc_num(&s, "pinned_ino"),
				      (__u64)sc_num(&s, "pinned_id"), NULL),
			  MT_NS_DEAD, "pinned: dead with the pin's namespace");
out:
	mt_snapshot__free(snap);
	sc_free(&s);
}

static void id_child(struct sc_ctx *c, void *arg)
{
	char dir[256];

	(void)arg;
	report_ns(c, "self", AT_FDCWD, "/proc/self/ns/mnt");
	snprintf(dir, sizeof(dir), "%s/m", c->dir);
	make_dir(c, dir);
	SC_CHECK(c, mount("idtest", dir, "tmpfs", 0, NULL) == 0, "mount %s", dir);
	SC_CHECK(c, umount2(dir, 0) == 0, "umount %s", dir);
}

TEST(snapshot_ns_id_matches_records)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const struct json *r;
	char pid[16];
	long long id;

	if (!trace_scenario(&t, NULL, &s, id_child, NULL))
		goto out;
	if (!sc_num(&s, "self_id")) {
		ASSERT_FALSE(kernel_at_least(6, 11), "NS_GET_MNTNS_ID answers on 6.11+");
		mt_test_skip("no NS_GET_MNTNS_ID on this kernel (added in 6.11)");
		goto out;
	}
	snprintf(pid, sizeof(pid), "%d", s.pid);
	r = ASSERT_REC(&t, "the scenario's mount", "type", "syscall", "call", "mount", "pid", pid);
	if (r && ASSERT_TRUE(json_int(r, "mnt_ns_id", &id), "mnt_ns_id in the record"))
		ASSERT_EQ(id, sc_num(&s, "self_id"),
			  "the record's mnt_ns_id is the ioctl's (seq on 6.12, ns_id on 6.18)");
out:
	tracer_free(&t);
	sc_free(&s);
}
