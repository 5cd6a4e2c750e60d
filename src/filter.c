// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agelist.h"
#include "filter.h"
#include "htab.h"
#include "names.h"
#include "newapi.h"
#include "ovl_options.h"
#include "paths.h"

/* One overlay path of the --overlay lens: a merged, upper or work dir. */
struct known_path {
	struct htab_node by_path;	/* key: htab_str(path) */
	struct mt_age_node age;
	char path[];
};

struct mt_filter {
	struct mt_options opt;
	struct htab paths;		/* struct known_path */
	struct mt_age_list paths_age;	/* least recently used first */
	size_t max_paths;
	struct mt_newapi *newapi;	/* overlay contexts of the new mount API */
	/* what learn() saw the new-API tracker do with the last record, for
	 * match() of the same record (a move_mount frees its context) */
	__u32 last_tid;
	__u64 last_ts;
	bool last_newapi_overlay;
	struct mt_filter_stats st;
};

struct mt_filter *mt_filter__new(const struct mt_options *opt)
{
	struct mt_filter *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->opt = *opt;
	f->max_paths = MT_FILTER_MAX_PATHS;
	if (opt->overlay) {
		f->newapi = mt_newapi__new(NULL);
		if (!f->newapi) {
			free(f);
			return NULL;
		}
	}
	return f;
}

static struct known_path *oldest_path(const struct mt_filter *f)
{
	struct mt_age_node *n = f->paths_age.oldest;

	return n ? container_of(n, struct known_path, age) : NULL;
}

static void path_drop(struct mt_filter *f, struct known_path *p, __u64 *counter)
{
	htab_del(&f->paths, &p->by_path);
	mt_age_del(&f->paths_age, &p->age);
	free(p);
	(*counter)++;
}

void mt_filter__free(struct mt_filter *f)
{
	struct known_path *p;
	__u64 freed = 0;

	if (!f)
		return;
	while ((p = oldest_path(f)))
		path_drop(f, p, &freed);
	htab_free(&f->paths);
	mt_newapi__free(f->newapi);
	free(f);
}

static struct known_path *path_find(const struct mt_filter *f, const char *path)
{
	__u64 key = htab_str(path);

	for (struct htab_node *n = htab_first(&f->paths, key); n; n = htab_next(n, key)) {
		struct known_path *p = container_of(n, struct known_path, by_path);

		if (strcmp(p->path, path) == 0)
			return p;
	}
	return NULL;
}

/* @path in canonical form in @buf; false when it is not an absolute path. */
static bool canonical(const char *path, char *buf, size_t len)
{
	return path && path[0] == '/' && mt_path_resolve(NULL, path, buf, len) > 0;
}

int mt_filter__add_overlay_path(struct mt_filter *f, const char *path)
{
	char buf[MT_FILTER_PATH_MAX];
	struct known_path *p;
	size_t len;

	if (!f->opt.overlay || !canonical(path, buf, sizeof(buf)))
		return 0;
	/*
	 * "/" is a container's rootfs as its own namespace sees it (a walk
	 * after pivot_root): as a path of the lens it would make every path
	 * of every namespace an overlay path. The host side of that overlay
	 * is learnt from its mount.
	 */
	if (strcmp(buf, "/") == 0)
		return 0;
	p = path_find(f, buf);
	if (p) {
		mt_age_touch(&f->paths_age, &p->age);
		return 0;
	}
	while (f->paths_age.n >= f->max_paths)
		path_drop(f, oldest_path(f), &f->st.paths_evicted);
	len = strlen(buf);
	p = malloc(sizeof(*p) + len + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p->path, buf, len + 1);
	if (htab_add(&f->paths, &p->by_path, htab_str(buf))) {
		free(p);
		return -ENOMEM;
	}
	mt_age_add(&f->paths_age, &p->age);
	return 0;
}

void mt_filter__forget_overlay_path(struct mt_filter *f, const char *path)
{
	char buf[MT_FILTER_PATH_MAX];
	struct known_path *p;

	if (!canonical(path, buf, sizeof(buf)))
		return;
	p = path_find(f, buf);
	if (p)
		path_drop(f, p, &f->st.paths_forgotten);
}

/*
 * Whether canonical @path is a known overlay path or below one: look up
 * @path and each of its ancestors, O(depth) hash lookups whatever the
 * number of known overlays. Each ancestor is cut out of @path in place
 * for its lookup, and @path is given back as it was.
 */
static bool is_overlay_path(struct mt_filter *f, char *path)
{
	size_t len = strlen(path);

	if (!len || path[0] != '/' || !f->paths_age.n)
		return false;
	for (;;) {
		char cut = path[len];
		struct known_path *p;

		path[len] = '\0';
		p = path_find(f, path);
		path[len] = cut;
		if (p) {
			mt_age_touch(&f->paths_age, &p->age);
			return true;
		}
		if (len == 1)
			return false;
		while (len > 1 && path[len - 1] != '/')
			len--;
		if (len > 1)
			len--;	/* "/a/b" -> "/a"; "/a" -> "/" */
	}
}

static void add_layers(struct mt_filter *f, const struct mt_ovl_opts *o)
{
	if (!o)
		return;
	mt_filter__add_overlay_path(f, o->upper);
	mt_filter__add_overlay_path(f, o->work);
}

/* upperdir= and workdir= of a mount(2) options string, unescaped */
static void learn_options(struct mt_filter *f, const char *data)
{
	struct mt_ovl_opts o = MT_OVL_OPTS_INIT;

	if (mt_ovl_opts__parse_data(&o, data) == 0)
		add_layers(f, &o);
	mt_ovl_opts__release(&o);
}

static void learn_syscall(struct mt_filter *f, const struct mt_record *rec)
{
	const struct mt_syscall *sc = rec->sc;
	const char *fstype = rec->str[MT_SC_FSTYPE];
	char full[MT_FILTER_PATH_MAX];
	struct mt_newapi_result res;

	mt_newapi__feed(f->newapi, rec, &res);
	f->last_tid = rec->hdr->tid;
	f->last_ts = rec->hdr->ts_ns;
	f->last_newapi_overlay = res.event != MT_NEWAPI_NONE;
	if (res.event == MT_NEWAPI_MOUNTED)
		mt_filter__add_overlay_path(f, res.path);
	if (!res.err)
		add_layers(f, res.opts);
	if (sc->call == MT_CALL_MOUNT && sc->ret >= 0 && fstype &&
	    strcmp(fstype, "overlay") == 0) {
		if (mt_record_full_path_whole(rec) && mt_record_full_path(rec, full, sizeof(full)) > 0)
			mt_filter__add_overlay_path(f, full);
		/* a cut option string may end in a cut upperdir= or workdir= */
		learn_options(f, mt_record_whole_str(rec, MT_SC_DATA));
	}
}

/* The kernel keeps upper and work dirs as they were given, escapes and
 * all (ovl_config: params.c keeps the name and unescapes a copy, 6.5+;
 * super.c's match_strdup before), and the mount record reads them from
 * there: they go through the same parser as mount(2) data. */
static void learn_mount(struct mt_filter *f, const struct mt_record *rec)
{
	struct mt_ovl_opts o = MT_OVL_OPTS_INIT;

	/* a cut dentry walk keeps the deepest components: a wrong path */
	mt_filter__add_overlay_path(f, mt_record_whole_str(rec, MT_MS_PATH));
	if (mt_ovl_opts__set(&o, "upperdir", mt_record_whole_str(rec, MT_MS_UPPER)) >= 0 &&
	    mt_ovl_opts__set(&o, "workdir", mt_record_whole_str(rec, MT_MS_WORK)) >= 0)
		add_layers(f, &o);
	mt_ovl_opts__release(&o);
}

void mt_filter__learn(struct mt_filter *f, const struct mt_record *rec)
{
	if (!f->opt.overlay)
		return;		/* only the --overlay lens needs to learn */
	if (rec->hdr->type == MT_EV_SYSCALL)
		learn_syscall(f, rec);
	else if (rec->hdr->type == MT_EV_MOUNT && rec->mnt->sb_magic == MT_OVERLAYFS_MAGIC)
		learn_mount(f, rec);
}

/* Whether the new-API call acted on an overlay context or mount fd. */
static bool overlay_newapi_call(const struct mt_filter *f, const struct mt_record *rec)
{
	if (rec->hdr->tid == f->last_tid && rec->hdr->ts_ns == f->last_ts)
		return f->last_newapi_overlay;
	return mt_newapi__find(f->newapi, rec->hdr->pid, (int)rec->sc->args[0]) != NULL;
}

/*
 * Whether a namespace call is about mount namespaces: it moved the caller
 * to another one (new_mntns), or, failing, asked for one. A setns into a
 * network namespace or a fork is not (setns's nstype 0 takes any kind:
 * only new_mntns tells).
 */
static bool mount_ns_call(const struct mt_syscall *sc)
{
	__u64 flags;

	if (sc->new_mntns)
		return true;
	if (sc->ret >= 0)
		return false;
	switch (sc->call) {
	case MT_CALL_SETNS:
		flags = sc->args[1];
		break;
	case MT_CALL_CLONE3:
		flags = sc->extra;
		break;
	default:
		flags = sc->args[0];
		break;
	}
	return flags & MT_CLONE_NEWNS;
}

/*
 * A mount(2) of something else than overlay belongs to the lens when it
 * acts on an overlay mount itself (a remount, a propagation change or a
 * mount over it: its exact path), or binds or moves one elsewhere (its
 * source). A proc, sysfs or tmpfs mounted below a container's rootfs is
 * not about the overlay.
 */
static bool mount_on_overlay(struct mt_filter *f, const struct mt_record *rec,
			     const char *full)
{
	const char *src = rec->str[MT_SC_SRC];
	char buf[MT_FILTER_PATH_MAX];
	struct known_path *p;

	if (canonical(full, buf, sizeof(buf)) && (p = path_find(f, buf))) {
		mt_age_touch(&f->paths_age, &p->age);
		return true;
	}
	return (rec->sc->args[3] & (MT_MS_BIND | MT_MS_MOVE)) &&
	       canonical(src, buf, sizeof(buf)) && is_overlay_path(f, buf);
}

static bool overlay_syscall(struct mt_filter *f, const struct mt_record *rec)
{
	const struct mt_syscall *sc = rec->sc;
	const char *fstype = rec->str[MT_SC_FSTYPE];
	char full[MT_FILTER_PATH_MAX];

	switch (sc->call) {
	case MT_CALL_UNSHARE:
	case MT_CALL_CLONE:
	case MT_CALL_CLONE3:
	case MT_CALL_SETNS:
		/* mount namespace copies are what the lens is about */
		return mount_ns_call(sc);
	case MT_CALL_FSCONFIG:
	case MT_CALL_FSMOUNT:
		return overlay_newapi_call(f, rec);
	case MT_CALL_MOVE_MOUNT:
		if (overlay_newapi_call(f, rec))
			return true;
		break;
	}
	if (fstype && strcmp(fstype, "overlay") == 0)
		return true;
	if (mt_record_full_path(rec, full, sizeof(full)) <= 0)
		return false;
	if (sc->call == MT_CALL_MOUNT)
		return mount_on_overlay(f, rec, full);
	return is_overlay_path(f, full);
}

static bool overlay_record(struct mt_filter *f, const struct mt_record *rec)
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
	char full[MT_FILTER_PATH_MAX];
	const char *src;

	switch (rec->hdr->type) {
	case MT_EV_SYSCALL:
		src = rec->str[MT_SC_SRC];
		return (mt_record_full_path(rec, full, sizeof(full)) > 0 &&
			mt_path_under(full, prefix)) ||
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

void mt_filter__stats(const struct mt_filter *f, struct mt_filter_stats *st)
{
	*st = f->st;
	st->paths = f->paths_age.n;
	if (f->newapi)
		mt_newapi__stats(f->newapi, &st->newapi);
	else
		memset(&st->newapi, 0, sizeof(st->newapi));
}
