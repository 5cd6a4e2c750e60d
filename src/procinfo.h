/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc tells about one process: its mount namespace, comm, cgroup and
 * the systemd unit or container the cgroup path names, and which of its
 * cwd/root/open files sit below a path. Every function takes the proc root
 * ("/proc" live, a fixture directory in tests).
 */
#ifndef MT_PROCINFO_H
#define MT_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

/* Copy with truncation, always NUL-terminated (when @size > 0). */
static inline void mt_strscpy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size ? size - 1 : 0);

	if (!size)
		return;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

#define MT_UNIT_LEN 128
#define MT_CTR_ID_LEN 72	/* 64 hex digits, with room to spare */

/* Identity derived from a cgroup path. Empty strings when unknown. */
struct mt_cg_ident {
	char unit[MT_UNIT_LEN];		/* innermost *.service / *.scope */
	char container_id[MT_CTR_ID_LEN];
	const char *runtime;		/* "docker", "containerd", "crio", "podman" or NULL */
};

/*
 * Derive the unit and container from a cgroup path, e.g.
 *   /system.slice/httpd.service                  -> unit httpd.service
 *   /system.slice/docker-<id>.scope              -> container <id> (docker)
 *   .../cri-containerd-<id>.scope                -> container <id> (containerd)
 *   .../crio-<id>.scope                          -> container <id> (crio)
 *   /machine.slice/libpod-<id>.scope/container   -> container <id> (podman)
 *   /docker/<id>, /kubepods/.../pod<uid>/<id>    -> container <id> (cgroupfs driver)
 * The conmon scopes (crio-conmon-<id>, libpod-conmon-<id>) are the
 * monitors, not the container. Returns true when anything was found.
 */
bool mt_cgroup_ident(const char *cgroup, struct mt_cg_ident *out);

/* The mount namespace inode of @pid (readlink "mnt:[N]", else stat). */
int mt_proc_mntns(const char *proc_root, __u32 pid, __u32 *ino);
/* The same for the ns/mnt link at @path, relative to @dirfd (O_PATH is
 * enough): "ns/mnt" below a /proc/PID fd, "PID/ns/mnt" below /proc's. */
int mt_proc_mntns_at(int dirfd, const char *path, __u32 *ino);
/*
 * nsfs names a mount namespace "mnt:[INODE]": in /proc/PID/ns/mnt and
 * /proc/PID/fd/N links, and as the root of an nsfs bind mount in
 * mountinfo. true and the inode when @name is one.
 */
bool mt_mntns_name_ino(const char *name, __u32 *ino);
/* comm without the newline; 0 or -errno. */
int mt_proc_comm(const char *proc_root, __u32 pid, char *buf, size_t size);
/* The unified (0::) cgroup path, else the name=systemd one, else the first. */
int mt_proc_cgroup(const char *proc_root, __u32 pid, char *buf, size_t size);

/*
 * When @pid started, in CLOCK_MONOTONIC nanoseconds (from /proc/PID/stat's
 * starttime, which counts from boot: equal unless the host was suspended).
 */
int mt_proc_start_ns(const char *proc_root, __u32 pid, __u64 *ns);

/* The parent's pid (field 4 of /proc/PID/stat); 0 or -errno. */
int mt_proc_ppid(const char *proc_root, __u32 pid, __u32 *ppid);

/* true for a kernel thread (PF_KTHREAD in /proc/PID/stat's flags). */
bool mt_proc_is_kthread(const char *proc_root, __u32 pid);

/* One way a process holds a path. */
struct mt_use {
	__u32 pid;
	int fd;			/* -1 for cwd/root */
	char what[16];		/* "cwd", "root", "fd 3" */
	char path[256];		/* what the link points at */
};

/*
 * Find where @pid's cwd, root or open files are @dir or below it, or (with
 * @dev, a kernel dev_t: major << 20 | minor; 0 = by path only) on that
 * superblock. The links read as paths in @pid's own mount namespace. Fills up to @max entries of
 * @uses; returns how many were found (may exceed @max), or -errno when the
 * process is gone.
 */
int mt_proc_uses(const char *proc_root, __u32 pid, const char *dir, __u32 dev,
		 struct mt_use *uses, int max);

/*
 * The same in two steps, for a caller that asks about one process many
 * times (proc_cache.h): its links read once, in mt_proc_uses' order (cwd,
 * root, then the fds as /proc lists them), then matched against a @dir
 * and @dev each time; a link's stat is taken on its first @dev question.
 */
struct mt_proc_link {
	int fd;			/* -1 for cwd/root */
	char what[16];		/* as mt_use's */
	char *target;		/* what the link reads as */
	bool stat_done, stat_ok;
	unsigned long dev;	/* st_dev of what it leads to, when stat_ok */
};

/* How many links were put in *@out (malloc'ed), or -errno when the
 * process is gone (-ENOMEM). */
int mt_proc_links(const char *proc_root, __u32 pid, struct mt_proc_link **out);
int mt_proc_links_match(const char *proc_root, __u32 pid, struct mt_proc_link *links, int nr,
			const char *dir, __u32 dev, struct mt_use *uses, int max);
void mt_proc_links_free(struct mt_proc_link *links, int nr);

/* argv joined with spaces, cut to @size; "" for a kernel thread or when
 * unreadable. */
void mt_proc_cmdline(const char *proc_root, __u32 pid, char *buf, size_t size);

#endif /* MT_PROCINFO_H */
