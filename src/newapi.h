/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one tracker of overlay mounts made with the new mount API:
 *
 *   fsopen("overlay") = fs_fd
 *   fsconfig(fs_fd, SET_STRING, "upperdir", ...)   ... layer options
 *   fsconfig(fs_fd, CMD_CREATE)                     the superblock
 *   fsmount(fs_fd) = mnt_fd                         a detached mount
 *   move_mount(mnt_fd, "", AT_FDCWD, "/merged")     attached: mounted
 *
 * Fed every syscall record in order (the filter's --overlay lens and the
 * model each feed their own tracker), it keeps one context per (pid, fd)
 * in a hash table, with the options parsed by ovl_options. A context is
 * freed when its overlay is mounted, when the kernel killed it (a failed
 * CMD_CREATE, see newapi.c), when the fd is known closed (EBADF, or the same
 * (pid, fd) handed out again by fsopen, fsmount or open_tree), when its
 * process is gone (mt_newapi__forget_pid) or exec'ed a close-on-exec fd
 * (mt_newapi__exec), or by age; the table is bounded and counts what it
 * evicted.
 *
 * Not seen: fds passed to another process or inherited over fork, close(),
 * and exec (no such records): age and the bound clean those up.
 */
#ifndef MT_NEWAPI_H
#define MT_NEWAPI_H

#include <stddef.h>
#include <stdint.h>

#include "ovl_options.h"
#include "record.h"

struct mt_newapi;

struct mt_newapi_limits {
	size_t max_contexts;	/* 0 = MT_NEWAPI_MAX_CONTEXTS */
	uint64_t max_idle_ns;	/* unused this long (record time): dropped;
				 * 0 = MT_NEWAPI_MAX_IDLE_NS */
};

#define MT_NEWAPI_MAX_CONTEXTS 1024
#define MT_NEWAPI_MAX_IDLE_NS (300ULL * 1000000000ULL)

/* @lim NULL = the defaults. NULL and errno = ENOMEM on failure. */
struct mt_newapi *mt_newapi__new(const struct mt_newapi_limits *lim);
void mt_newapi__free(struct mt_newapi *t);

enum mt_newapi_event {
	MT_NEWAPI_NONE = 0,	/* the record did not act on an overlay context */
	MT_NEWAPI_OPENED,	/* fsopen("overlay") succeeded */
	MT_NEWAPI_CONFIGURED,	/* fsconfig on an overlay context, any result
				 * but the next */
	MT_NEWAPI_CREATE_FAILED, /* fsconfig CMD_CREATE failed in the filesystem
				 * and the context is dead: err (EBUSY: overlay's
				 * upper/work dir in use), opts. A CMD_CREATE
				 * refused before that (wrong phase, EPERM) is
				 * CONFIGURED with err. */
	MT_NEWAPI_FSMOUNT,	/* fsmount of an overlay context (any result) */
	MT_NEWAPI_MOUNTED,	/* move_mount attached an overlay: path, opts */
	MT_NEWAPI_MOVE_FAILED,	/* move_mount of an overlay mount fd failed */
};

struct mt_newapi_result {
	enum mt_newapi_event event;
	int err;			/* the call's errno, 0 on success */
	/* The context's options; valid until the next feed. NULL with NONE. */
	const struct mt_ovl_opts *opts;
	/* MOUNTED: the target made absolute (mt_record_full_path), or NULL
	 * when the record has none, or it or its base was cut (MT_F_TRUNC).
	 * A cut fsconfig value is not stored either. */
	const char *path;
};

/*
 * Account one decoded record (any type; only syscalls matter) and say what
 * it did to an overlay context in @res. Returns 0, or -ENOMEM (a context
 * could not be tracked; @res is still filled as far as known).
 */
int mt_newapi__feed(struct mt_newapi *t, const struct mt_record *rec,
		    struct mt_newapi_result *res);

/* The options of @pid's overlay context or overlay mount fd @fd, or NULL
 * when (pid, fd) is not one. Valid until the next feed. */
const struct mt_ovl_opts *mt_newapi__find(const struct mt_newapi *t, uint32_t pid, int fd);

/* @pid has exited (its fds are closed): drop its contexts. */
void mt_newapi__forget_pid(struct mt_newapi *t, uint32_t pid);

/* @pid called execve: drop its contexts opened with FSOPEN_CLOEXEC or
 * FSMOUNT_CLOEXEC (for a caller that learns of execs; records do not). */
void mt_newapi__exec(struct mt_newapi *t, uint32_t pid);

struct mt_newapi_stats {
	size_t tracked;		/* contexts held now */
	uint64_t mounted;	/* completed by move_mount */
	uint64_t failed;	/* killed by a failed CMD_CREATE */
	uint64_t closed;	/* fd seen closed: EBADF or reused */
	uint64_t exited;	/* dropped by mt_newapi__forget_pid */
	uint64_t exec_closed;	/* close-on-exec, dropped by mt_newapi__exec */
	uint64_t expired;	/* idle longer than max_idle_ns */
	uint64_t evicted;	/* the oldest, dropped to stay within max_contexts */
};

void mt_newapi__stats(const struct mt_newapi *t, struct mt_newapi_stats *st);

#endif /* MT_NEWAPI_H */
