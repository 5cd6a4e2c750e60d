// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "agelist.h"
#include "htab.h"
#include "newapi.h"

#ifndef FSCONFIG_CMD_CREATE_EXCL
#define FSCONFIG_CMD_CREATE_EXCL 8	/* 6.6+, newer than some libc headers */
#endif

/* What the fd is: the fs context fsopen made, or the mount fsmount made. */
enum ctx_kind { CTX_FS, CTX_MOUNT };

struct ctx {
	struct htab_node by_fd;		/* key: fd_key(pid, fd) */
	struct mt_age_node age;		/* least recently used first */
	uint32_t pid;
	int fd;
	enum ctx_kind kind;
	bool created;		/* CTX_FS: CMD_CREATE succeeded */
	bool cloexec;		/* FSOPEN_CLOEXEC / FSMOUNT_CLOEXEC: gone at exec */
	uint64_t last_ts;	/* record time of the last use */
	struct mt_ovl_opts opts;
};

struct mt_newapi {
	struct htab tab;
	struct mt_age_list ages;
	struct mt_newapi_limits lim;
	struct mt_newapi_stats st;
	struct ctx *done;	/* handed out by the last feed, freed by the next */
	char path[2 * MT_STR_MAX + 2];
};

/* (pid, fd) in one word: unique, so equal keys are the same context */
static __u64 fd_key(uint32_t pid, int fd)
{
	return (__u64)pid << 32 | (uint32_t)fd;
}

static struct ctx *ctx_find(const struct mt_newapi *t, uint32_t pid, int fd)
{
	struct htab_node *n = htab_first(&t->tab, fd_key(pid, fd));

	return n ? container_of(n, struct ctx, by_fd) : NULL;
}

static struct ctx *oldest_ctx(const struct mt_newapi *t)
{
	return t->ages.oldest ? container_of(t->ages.oldest, struct ctx, age) : NULL;
}

static void ctx_unlink(struct mt_newapi *t, struct ctx *c)
{
	htab_del(&t->tab, &c->by_fd);
	mt_age_del(&t->ages, &c->age);
}

static void ctx_free(struct ctx *c)
{
	if (!c)
		return;
	mt_ovl_opts__release(&c->opts);
	free(c);
}

static void ctx_drop(struct mt_newapi *t, struct ctx *c, uint64_t *counter)
{
	ctx_unlink(t, c);
	ctx_free(c);
	(*counter)++;
}

/* Keep the unlinked @c until the next feed: the result points into it. */
static void park(struct mt_newapi *t, struct ctx *c)
{
	ctx_free(t->done);
	t->done = c;
}

static void ctx_retire(struct mt_newapi *t, struct ctx *c, uint64_t *counter)
{
	ctx_unlink(t, c);
	park(t, c);
	(*counter)++;
}

struct mt_newapi *mt_newapi__new(const struct mt_newapi_limits *lim)
{
	struct mt_newapi *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (lim)
		t->lim = *lim;
	if (!t->lim.max_contexts)
		t->lim.max_contexts = MT_NEWAPI_MAX_CONTEXTS;
	if (!t->lim.max_idle_ns)
		t->lim.max_idle_ns = MT_NEWAPI_MAX_IDLE_NS;
	return t;
}

void mt_newapi__free(struct mt_newapi *t)
{
	struct ctx *c;

	if (!t)
		return;
	while ((c = oldest_ctx(t))) {
		ctx_unlink(t, c);
		ctx_free(c);
	}
	htab_free(&t->tab);
	ctx_free(t->done);
	free(t);
}

/* Contexts unused for max_idle_ns of record time are almost surely closed
 * fds we did not see close (no close records). */
static void expire(struct mt_newapi *t, uint64_t now)
{
	struct ctx *c;

	while ((c = oldest_ctx(t))) {
		if (now < c->last_ts || now - c->last_ts <= t->lim.max_idle_ns)
			break;
		ctx_drop(t, c, &t->st.expired);
	}
}

/* A syscall returned fd @fd to @pid: whatever we held under (pid, fd) was
 * closed before, since the kernel hands out only free fds. */
static void fd_handed_out(struct mt_newapi *t, uint32_t pid, int fd)
{
	struct ctx *c = ctx_find(t, pid, fd);

	if (c)
		ctx_drop(t, c, &t->st.closed);
}

static int track(struct mt_newapi *t, struct ctx *c, uint32_t pid, int fd, uint64_t now)
{
	c->pid = pid;
	c->fd = fd;
	c->last_ts = now;
	while (t->ages.n >= t->lim.max_contexts)
		ctx_drop(t, oldest_ctx(t), &t->st.evicted);
	if (htab_add(&t->tab, &c->by_fd, fd_key(pid, fd)))
		return -ENOMEM;
	mt_age_add(&t->ages, &c->age);
	return 0;
}

static int on_fsopen(struct mt_newapi *t, const struct mt_record *rec,
		     struct mt_newapi_result *res)
{
	const char *fstype = rec->str[MT_SC_FSTYPE];
	struct ctx *c;
	int err;

	if (rec->sc->ret < 0)
		return 0;
	fd_handed_out(t, rec->hdr->pid, (int)rec->sc->ret);
	if (!fstype || strcmp(fstype, "overlay") != 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->kind = CTX_FS;
	c->cloexec = rec->sc->args[1] & FSOPEN_CLOEXEC;
	err = track(t, c, rec->hdr->pid, (int)rec->sc->ret, rec->hdr->ts_ns);
	if (err) {
		free(c);
		return err;
	}
	res->event = MT_NEWAPI_OPENED;
	res->opts = &c->opts;
	return 0;
}

/*
 * Whether a failed FSCONFIG_CMD_CREATE left the context dead. fs/fsopen.c
 * (vfs_fsconfig_locked up to 6.5, vfs_cmd_create from 6.6; read on 6.1 and
 * 6.6 sources, unchanged in 6.12/6.18) sets FS_CONTEXT_FAILED when
 * vfs_get_tree or the LSM hook fails, and every later fsconfig or fsmount on
 * it returns EBUSY. It leaves the context alone when the call never got
 * there: the phase was wrong (EBUSY once created), mount_capable failed
 * (EPERM, ambiguous with an LSM's EPERM: kept, age will tell), the mutex
 * wait was interrupted (EINTR), the arguments were bad (EINVAL with a key,
 * value or aux), or the command is unknown to this kernel (EOPNOTSUPP).
 */
static bool create_killed_context(const struct ctx *c, const struct mt_syscall *sc, int err)
{
	if (c->created)
		return false;
	switch (err) {
	case EPERM:
	case EINTR:
	case EOPNOTSUPP:
		return false;
	case EINVAL:
		return !sc->args[2] && !sc->args[3] && !sc->args[4];
	}
	return true;
}

static void on_fsconfig(struct mt_newapi *t, struct ctx *c, const struct mt_record *rec,
			struct mt_newapi_result *res)
{
	const struct mt_syscall *sc = rec->sc;
	bool create = sc->args[1] == FSCONFIG_CMD_CREATE ||
		      sc->args[1] == FSCONFIG_CMD_CREATE_EXCL;

	res->event = MT_NEWAPI_CONFIGURED;
	res->opts = &c->opts;
	if (c->kind != CTX_FS)
		return;		/* a mount fd is not an fs context: EINVAL */
	if (create && !res->err) {
		c->created = true;
	} else if (create && create_killed_context(c, sc, res->err)) {
		res->event = MT_NEWAPI_CREATE_FAILED;
		ctx_retire(t, c, &t->st.failed);
	} else if (!res->err &&
		 (sc->args[1] == FSCONFIG_SET_STRING || sc->args[1] == FSCONFIG_SET_PATH ||
		  sc->args[1] == FSCONFIG_SET_PATH_EMPTY))
		/* a cut value is not the directory: leave the option unknown */
		mt_ovl_opts__set(&c->opts, mt_record_whole_str(rec, MT_SC_SRC),
				 mt_record_whole_str(rec, MT_SC_DATA));
}

/* fsmount: the overlay context's options move to the new mount fd. The fs
 * fd is left for reconfiguration only (vfs_clean_context), which mnttrace
 * does not follow. */
static int on_fsmount(struct mt_newapi *t, struct ctx *c, const struct mt_record *rec,
		      struct mt_newapi_result *res)
{
	int mfd = (int)rec->sc->ret;

	res->event = MT_NEWAPI_FSMOUNT;
	res->opts = &c->opts;
	if (res->err || c->kind != CTX_FS)
		return 0;
	ctx_unlink(t, c);
	fd_handed_out(t, c->pid, mfd);
	c->kind = CTX_MOUNT;
	c->created = false;
	c->cloexec = rec->sc->args[1] & FSMOUNT_CLOEXEC;
	if (track(t, c, c->pid, mfd, rec->hdr->ts_ns)) {
		park(t, c);
		return -ENOMEM;
	}
	return 0;
}

static void on_move_mount(struct mt_newapi *t, struct ctx *c, const struct mt_record *rec,
			  struct mt_newapi_result *res)
{
	res->opts = &c->opts;
	if (res->err || c->kind != CTX_MOUNT) {
		res->event = MT_NEWAPI_MOVE_FAILED;
		return;
	}
	res->event = MT_NEWAPI_MOUNTED;
	if (mt_record_full_path_whole(rec) &&
	    mt_record_full_path(rec, t->path, sizeof(t->path)) > 0)
		res->path = t->path;
	ctx_retire(t, c, &t->st.mounted);
}

int mt_newapi__feed(struct mt_newapi *t, const struct mt_record *rec,
		    struct mt_newapi_result *res)
{
	const struct mt_syscall *sc = rec->sc;
	struct ctx *c;

	*res = (struct mt_newapi_result){ 0 };
	ctx_free(t->done);
	t->done = NULL;
	if (rec->hdr->type != MT_EV_SYSCALL)
		return 0;
	expire(t, rec->hdr->ts_ns);
	res->err = sc->ret < 0 ? (int)-sc->ret : 0;
	switch (sc->call) {
	case MT_CALL_FSOPEN:
		return on_fsopen(t, rec, res);
	case MT_CALL_OPEN_TREE:
	case MT_CALL_OPEN_TREE_ATTR:
		if (sc->ret >= 0)
			fd_handed_out(t, rec->hdr->pid, (int)sc->ret);
		return 0;
	case MT_CALL_FSCONFIG:
	case MT_CALL_FSMOUNT:
	case MT_CALL_MOVE_MOUNT:
		break;
	default:
		return 0;
	}
	/* all three take the context or mount fd as their first argument */
	c = ctx_find(t, rec->hdr->pid, (int)sc->args[0]);
	if (!c) {
		if (sc->call == MT_CALL_FSMOUNT && sc->ret >= 0)
			fd_handed_out(t, rec->hdr->pid, (int)sc->ret);
		return 0;
	}
	c->last_ts = rec->hdr->ts_ns;
	mt_age_touch(&t->ages, &c->age);
	if (res->err == EBADF) {
		/* the fd was closed under us: report the call, then forget it */
		res->event = sc->call == MT_CALL_MOVE_MOUNT ? MT_NEWAPI_MOVE_FAILED :
			     sc->call == MT_CALL_FSMOUNT ? MT_NEWAPI_FSMOUNT : MT_NEWAPI_CONFIGURED;
		res->opts = &c->opts;
		ctx_retire(t, c, &t->st.closed);
		return 0;
	}
	switch (sc->call) {
	case MT_CALL_FSCONFIG:
		on_fsconfig(t, c, rec, res);
		return 0;
	case MT_CALL_FSMOUNT:
		return on_fsmount(t, c, rec, res);
	default:
		on_move_mount(t, c, rec, res);
		return 0;
	}
}

const struct mt_ovl_opts *mt_newapi__find(const struct mt_newapi *t, uint32_t pid, int fd)
{
	struct ctx *c = ctx_find(t, pid, fd);

	return c ? &c->opts : NULL;
}

/* Drop @pid's contexts, or only its close-on-exec ones. */
static void forget(struct mt_newapi *t, uint32_t pid, bool cloexec_only, uint64_t *counter)
{
	struct mt_age_node *n = t->ages.oldest, *next;

	for (; n; n = next) {
		struct ctx *c = container_of(n, struct ctx, age);

		next = n->newer;
		if (c->pid == pid && (c->cloexec || !cloexec_only))
			ctx_drop(t, c, counter);
	}
}

void mt_newapi__forget_pid(struct mt_newapi *t, uint32_t pid)
{
	forget(t, pid, false, &t->st.exited);
}

void mt_newapi__exec(struct mt_newapi *t, uint32_t pid)
{
	forget(t, pid, true, &t->st.exec_closed);
}

void mt_newapi__stats(const struct mt_newapi *t, struct mt_newapi_stats *st)
{
	*st = t->st;
	st->tracked = t->ages.n;
}
