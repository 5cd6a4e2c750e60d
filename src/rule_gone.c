// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot's own leak rule (model_view.h): copies whose original is
 * already gone from the runtime's namespace. Live, the leak rule sees the
 * umount; a snapshot sees only what it left: an overlay mounted in no
 * runtime namespace, on a directory that a runtime namespace still sees.
 * The directory is compared through /proc/PID/root of a process on each
 * side (device and inode), so a namespace's private tmpfs that merely
 * shares a path name with the host is not taken for the same place.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_int.h"
#include "model_view.h"

#define MAX_RUNTIME_NS 64

/* Container daemons: where they live, container overlays are at home. */
static bool daemon_comm(const char *comm)
{
	static const char *const daemons[] = { "dockerd", "containerd", "crio", "podman" };

	for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++)
		if (strcmp(comm, daemons[i]) == 0)
			return true;
	return false;
}

struct runtime_ns {
	struct ns_entry *ns;
	__u32 pid;		/* a process of it, to look through its root */
};

static int runtime_namespaces(struct mt_model *m, struct runtime_ns *out, int max)
{
	int nr = 0;

	for (struct ns_entry *n = m->ns; n && nr < max; n = n->next) {
		if (n->dead)
			continue;
		if (n->ino == m->self_ns) {
			out[nr++] = (struct runtime_ns){ n, (__u32)getpid() };
			continue;
		}
		for (int i = 0; i < n->nr_procs; i++)
			if (daemon_comm(n->procs[i].comm)) {
				out[nr++] = (struct runtime_ns){ n, n->procs[i].pid };
				break;
			}
	}
	return nr;
}

static bool in_runtime_ns(const struct overlay_entry *o, const struct runtime_ns *rt, int nr)
{
	for (const struct mount_entry *x = o->mnts; x; x = x->ovl_next)
		for (int i = 0; i < nr; i++)
			if (x->ns == rt[i].ns)
				return true;
	return false;
}

/* The directory @path sits in, as process @pid sees it. -errno. */
static int stat_parent(const char *proc_root, __u32 pid, const char *path, struct stat *st)
{
	char buf[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int len = slash && slash != path ? (int)(slash - path) : 1;

	if (snprintf(buf, sizeof(buf), "%s/%u/root%.*s", proc_root, pid, len, path) >=
	    (int)sizeof(buf))
		return -ENAMETOOLONG;
	return stat(buf, st) ? -errno : 0;
}

/*
 * Does a runtime namespace see the directory copy @x sits in? Returns the
 * runtime namespace, NULL when none does; *@unreadable when /proc refused.
 */
static const struct runtime_ns *gone_from(struct mt_model *m, const struct mount_entry *x,
					  const struct runtime_ns *rt, int nr, bool *unreadable)
{
	struct stat here, there;

	*unreadable = false;
	if (!x->ns->nr_procs || !x->path)
		return NULL;	/* kept by a pin or an fd only: no root to look through */
	if (stat_parent(m->proc_root, x->ns->procs[0].pid, x->path, &here)) {
		*unreadable = true;
		return NULL;
	}
	for (int i = 0; i < nr; i++) {
		int err = stat_parent(m->proc_root, rt[i].pid, x->path, &there);

		*unreadable |= err == -EACCES || err == -EPERM;
		if (!err && there.st_dev == here.st_dev && there.st_ino == here.st_ino)
			return &rt[i];
	}
	return NULL;
}

static void emit_gone(struct mt_model *m, struct overlay_entry *o, const struct runtime_ns *r,
		      struct mount_entry **held, int nr)
{
	struct fbuild *b = fb_new(m, MT_FIND_LEAK, NULL, "snapshot", 0, o);
	struct mt_finding *f = fb_finding(b);
	struct mt_finding_holder *h = NULL;
	struct mt_reason_args *a = &f->why;

	f->mnt_ns = r->ns->ino;
	f->why.caller_ns = r->ns->ino;
	for (int i = 0; i < nr; i++) {
		struct mount_ref ref = mount_ref_of(held[i]);
		struct mt_finding_holder *hi = fb_holder(b, held[i]->ns, &ref, true);

		h = h ? h : hi;
		mount_ref_free(m, &ref);
	}
	f->reason_code = MT_REASON_LEAK_ORIGINAL_GONE;
	a->copy_ns = held[0]->ns->ino;
	a->orig_ns = r->ns->ino;
	a->path = o->merged ? o->merged : held[0]->path;
	prop_str(held[0]->group, held[0]->master, a->copy_prop, sizeof(a->copy_prop));
	fb_creator_args(a, held[0]->ns);
	if (!a->creator_known && h && h->has_creator) {
		/* no event made it: name the oldest process, as the holder does */
		a->creator_known = true;
		a->creator_pid = h->created_by.pid;
		mt_strscpy(a->creator_comm, h->created_by.comm, sizeof(a->creator_comm));
		mt_strscpy(a->creator_unit, h->created_by.unit, sizeof(a->creator_unit));
	}
	o->leak_id = fb_emit(m, b);
}

int mt_model__snapshot_leaks(struct mt_model *m, struct mt_gone_stats *st)
{
	struct runtime_ns rt[MAX_RUNTIME_NS];
	struct mt_gone_stats none;
	int nr_rt = runtime_namespaces(m, rt, MAX_RUNTIME_NS);

	st = st ? st : &none;
	memset(st, 0, sizeof(*st));
	for (struct overlay_entry *o = m->ovls; o; o = o->next) {
		struct mount_entry *held[MAX_CANDIDATES];
		const struct runtime_ns *from = NULL;
		int nr = 0;

		if (!ovl_live(o) || in_runtime_ns(o, rt, nr_rt))
			continue;
		for (struct mount_entry *x = o->mnts; x && nr < MAX_CANDIDATES; x = x->ovl_next) {
			const struct runtime_ns *r;
			bool unreadable;

			if (container_ns(x))
				continue;
			st->checked++;
			r = gone_from(m, x, rt, nr_rt, &unreadable);
			st->unreadable += unreadable && !r;
			if (!r)
				continue;
			from = from ? from : r;
			held[nr++] = x;
		}
		if (!nr)
			continue;
		emit_gone(m, o, from, held, nr);
		st->leaks++;
	}
	return 0;
}
