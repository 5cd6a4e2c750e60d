// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "names.h"

#define OVL_FDS 256	/* overlay fs/mount fds remembered, oldest replaced */

struct ovl_fd {
	unsigned int pid;
	int fd;
};

struct mt_filter {
	struct mt_options opt;
	char **paths;		/* overlay merged, upper and work dirs */
	size_t npaths, cap;
	struct ovl_fd fds[OVL_FDS];
	size_t nfds;
};

struct mt_filter *mt_filter__new(const struct mt_options *opt)
{
	struct mt_filter *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->opt = *opt;
	return f;
}

void mt_filter__free(struct mt_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->npaths; i++)
		free(f->paths[i]);
	free(f->paths);
	free(f);
}

/* "/a/b" is under "/a" and "/a/b", not under "/a/bc" */
bool mt_path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (strncmp(path, prefix, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && prefix[0] == '/');
}

int mt_filter__add_overlay_path(struct mt_filter *f, const char *path)
{
	char **grown;

	if (!path || path[0] != '/')
		return 0;
	for (size_t i = 0; i < f->npaths; i++)
		if (strcmp(f->paths[i], path) == 0)
			return 0;
	if (f->npaths == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;

		grown = realloc(f->paths, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		f->paths = grown;
		f->cap = cap;
	}
	f->paths[f->npaths] = strdup(path);
	if (!f->paths[f->npaths])
		return -ENOMEM;
	f->npaths++;
	return 0;
}

static bool is_overlay_path(const struct mt_filter *f, const char *path)
{
	if (!path || !*path)
		return false;
	for (size_t i = 0; i < f->npaths; i++)
		if (mt_path_under(path, f->paths[i]))
			return true;
	return false;
}

static void add_fd(struct mt_filter *f, unsigned int pid, int fd)
{
	f->fds[f->nfds++ % OVL_FDS] = (struct ovl_fd){ pid, fd };
}

static bool is_overlay_fd(const struct mt_filter *f, unsigned int pid, int fd)
{
	size_t n = f->nfds < OVL_FDS ? f->nfds : OVL_FDS;

	for (size_t i = 0; i < n; i++)
		if (f->fds[i].pid == pid && f->fds[i].fd == fd)
			return true;
	return false;
}

/* upperdir= and workdir= out of a mount(2) options string */
static void learn_options(struct mt_filter *f, const char *data)
{
	static const char *const keys[] = { "upperdir=", "workdir=" };
	char buf[MT_STR_MAX];

	for (size_t k = 0; data && k < 2; k++) {
		const char *v = strstr(data, keys[k]);
		size_t n;

		if (!v)
			continue;
		v += strlen(keys[k]);
		n = strcspn(v, ",");
		if (n >= sizeof(buf))
			continue;
		memcpy(buf, v, n);
		buf[n] = '\0';
		mt_filter__add_overlay_path(f, buf);
	}
}

static void learn_syscall(struct mt_filter *f, const struct mt_record *rec)
{
	const struct mt_syscall *sc = rec->sc;
	const char *fstype = rec->str[MT_SC_FSTYPE], *key = rec->str[MT_SC_SRC];
	char full[MT_STR_MAX * 2 + 2];
	bool overlay_fstype = fstype && strcmp(fstype, "overlay") == 0;

	if (sc->ret < 0)
		return;
	mt_record_full_path(rec, full, sizeof(full));
	switch (sc->call) {
	case MT_CALL_MOUNT:
		if (!overlay_fstype)
			break;
		mt_filter__add_overlay_path(f, full);
		learn_options(f, rec->str[MT_SC_DATA]);
		break;
	case MT_CALL_FSOPEN:
		if (overlay_fstype)
			add_fd(f, sc->hdr.pid, sc->ret);
		break;
	case MT_CALL_FSCONFIG:
		if (is_overlay_fd(f, sc->hdr.pid, sc->args[0]) && key &&
		    (strcmp(key, "upperdir") == 0 || strcmp(key, "workdir") == 0))
			mt_filter__add_overlay_path(f, rec->str[MT_SC_DATA]);
		break;
	case MT_CALL_FSMOUNT:
		if (is_overlay_fd(f, sc->hdr.pid, sc->args[0]))
			add_fd(f, sc->hdr.pid, sc->ret);
		break;
	case MT_CALL_MOVE_MOUNT:
		if (is_overlay_fd(f, sc->hdr.pid, sc->args[0]))
			mt_filter__add_overlay_path(f, full);
		break;
	}
}

void mt_filter__learn(struct mt_filter *f, const struct mt_record *rec)
{
	if (rec->hdr->type == MT_EV_SYSCALL) {
		learn_syscall(f, rec);
	} else if (rec->hdr->type == MT_EV_MOUNT &&
		   rec->mnt->sb_magic == MT_OVERLAYFS_MAGIC) {
		mt_filter__add_overlay_path(f, rec->str[MT_MS_PATH]);
		mt_filter__add_overlay_path(f, rec->str[MT_MS_UPPER]);
		mt_filter__add_overlay_path(f, rec->str[MT_MS_WORK]);
	}
}

static bool overlay_syscall(const struct mt_filter *f, const struct mt_record *rec)
{
	const struct mt_syscall *sc = rec->sc;
	const char *fstype = rec->str[MT_SC_FSTYPE];
	char full[MT_STR_MAX * 2 + 2];

	switch (sc->call) {
	case MT_CALL_UNSHARE:
	case MT_CALL_CLONE:
	case MT_CALL_CLONE3:
	case MT_CALL_SETNS:
		return true;	/* namespace copies are what the lens is about */
	case MT_CALL_FSCONFIG:
	case MT_CALL_FSMOUNT:
		return is_overlay_fd(f, sc->hdr.pid, sc->args[0]);
	case MT_CALL_MOVE_MOUNT:
		if (is_overlay_fd(f, sc->hdr.pid, sc->args[0]))
			return true;
		break;
	}
	if (fstype && strcmp(fstype, "overlay") == 0)
		return true;
	mt_record_full_path(rec, full, sizeof(full));
	return is_overlay_path(f, full);
}

static bool overlay_record(const struct mt_filter *f, const struct mt_record *rec)
{
	switch (rec->hdr->type) {
	case MT_EV_SYSCALL:
		return overlay_syscall(f, rec);
	case MT_EV_MOUNT:
		if (rec->mnt->op == MT_MNT_DETACH || rec->mnt->op == MT_MNT_LOCAL_MP ||
		    rec->mnt->op == MT_MNT_OVL_INUSE)
			return true;
		return rec->mnt->sb_magic == MT_OVERLAYFS_MAGIC;
	case MT_EV_NS:
		return rec->ns->op == MT_NS_COPY || rec->ns->nr_emitted > 0;
	}
	return true;
}

static bool failed_record(const struct mt_record *rec)
{
	switch (rec->hdr->type) {
	case MT_EV_SYSCALL:
		return rec->sc->ret < 0;
	case MT_EV_MOUNT:
		/* the kernel's reasons for a failure */
		return rec->mnt->op == MT_MNT_BUSY || rec->mnt->op == MT_MNT_LOCAL_MP ||
		       rec->mnt->op == MT_MNT_OVL_INUSE;
	}
	return false;
}

static bool path_match(const struct mt_record *rec, const char *prefix)
{
	char full[MT_STR_MAX * 2 + 2];
	const char *src;

	switch (rec->hdr->type) {
	case MT_EV_SYSCALL:
		mt_record_full_path(rec, full, sizeof(full));
		src = rec->str[MT_SC_SRC];
		return mt_path_under(full, prefix) ||
		       (src && src[0] == '/' && mt_path_under(src, prefix));
	case MT_EV_MOUNT:
		return rec->str[MT_MS_PATH] && mt_path_under(rec->str[MT_MS_PATH], prefix);
	}
	return false;
}

bool mt_filter__match(struct mt_filter *f, const struct mt_record *rec)
{
	const struct mt_hdr *h = rec->hdr;
	const struct mt_options *o = &f->opt;

	if (o->pid && h->ns_pid != o->pid)
		return false;
	if (o->mntns && h->mntns != o->mntns &&
	    !(h->type == MT_EV_MOUNT && rec->mnt->mnt_ns == o->mntns))
		return false;
	if (o->comm && strncmp(h->comm, o->comm, MT_COMM_LEN) != 0)
		return false;
	if (o->failed_only && !failed_record(rec))
		return false;
	if (o->path_prefix && !path_match(rec, o->path_prefix))
		return false;
	if (o->overlay && !overlay_record(f, rec))
		return false;
	return true;
}
