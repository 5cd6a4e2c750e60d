// SPDX-License-Identifier: GPL-2.0
/*
 * The model: namespaces, their processes and overlay mounts, copy links,
 * and the rules that turn events into findings (docs/findings.md).
 *
 * Propagation facts it relies on (BACKGROUND.md, checked on 6.1 and 6.18):
 * a namespace copy of a shared mount is its peer (a slave after the
 * service's own MS_REC|MS_SLAVE), of a private mount a private copy; an
 * umount propagates to the peers and slaves of the unmounted mount's peer
 * group (propagate_umount), never to private copies.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "model.h"
#include "names.h"
#include "overlay_id.h"

#define OVL_MAGIC 0x794c7630	/* OVERLAYFS_SUPER_MAGIC */
#define AT_REMOVEDIR_FLAG 0x200
#define MAX_CHAIN 16		/* master chains and copy chains we follow */
#define MAX_PENDING 4096	/* records waiting for their syscall's exit */
#define PENDING_MAX_AGE_NS (5ULL * 1000000000ULL)
#define PROCS_PRUNE_AT 1024	/* processes per namespace before pruning */

struct mproc {
	__u32 pid;
	char comm[16];
	struct mt_cg_ident ident;
	signed char kthread;	/* 1 kernel thread, 0 not, -1 not looked yet */
};

struct mns {
	struct mns *next;
	__u32 ino;
	__u64 id;		/* ns_id/seq when known, 0 otherwise */
	bool dead;
	__u64 first_ts;
	bool has_creator;
	__u32 cr_pid;
	char cr_comm[16];
	const char *cr_call;
	__u64 cr_ts;
	struct mns *cr_from;	/* the namespace it was copied from */
	char cr_unit[MT_UNIT_LEN];
	struct mproc *procs;
	int nr_procs, cap_procs;
	/* the oldest process, looked up for an inferred creator */
	__u32 inf_pid;
	__u64 inf_ts;
	int inf_nr;		/* nr_procs when looked up */
	struct mmnt *mnts;
};

struct movl;

struct mmnt {
	struct mmnt *ns_next, *ovl_next;
	struct mmnt **ns_pprev, **ovl_pprev;	/* O(1) unlink */
	struct mns *ns;
	struct movl *ovl;
	struct mmnt *orig;	/* the mount this one was copied from */
	int nr_copies;		/* mounts whose orig is this one */
	__u32 id;		/* 0 = not known yet (seen only as a syscall) */
	__u64 uid;
	char *path;
	__u32 group, master, parent_group, parent_master;
	bool prop_known, parent_known;
	bool risk_done;
	__u32 walk_seq;		/* the last namespace walk that showed it */
};

struct movl {
	struct movl *next;
	__u32 dev;		/* superblock dev; 0 = not known yet */
	char *upper, *work, *lower, *merged;
	struct mt_ovl_ident ident;
	bool has_ident;
	struct mmnt *mnts;
	struct mmnt *home;	/* cached likeliest original, NULL = recompute */
	__u64 leak_id;
};

/* A record that waits for its syscall's exit (same tid). */
struct pending {
	struct pending *next;
	__u32 tid;
	__u32 op;		/* enum mt_mount_op */
	__u32 ns;		/* the mount's namespace, 0 for a fresh copy */
	__u64 ns_id;
	__u32 aux;
	struct mt_mount m;	/* fixed part */
	char *path, *upper, *work, *lower;
};

/* An overlay fs context of the new mount API (fsopen .. move_mount). */
struct fsctx {
	struct fsctx *next;
	__u32 pid;
	int fd, mfd;
	char *upper, *work, *lower;
};

struct mt_model {
	struct mt_model_opts o;
	const char *proc_root;
	struct mns *ns;
	struct movl *ovls;
	struct pending *pend;
	int nr_pend;
	struct fsctx *fsc;
	__u64 next_id;
	__u32 self_ns;
	struct fbuild *fb;
	struct mt_model_stats st;
};

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static void set_str(char **dst, const char *src)
{
	if (!src || !*src || streq(*dst, src))
		return;
	free(*dst);
	*dst = strdup(src);
}

static void prop_str(__u32 group, __u32 master, char *buf, size_t n)
{
	mt_propagation_str(group, master, false, buf, n);
}

/* ---- namespaces ---- */

static struct mns *ns_find(struct mt_model *m, __u32 ino)
{
	for (struct mns *n = m->ns; n; n = n->next)
		if (n->ino == ino && !n->dead)
			return n;
	return NULL;
}

static struct mns *ns_new(struct mt_model *m, __u32 ino, __u64 id, __u64 ts)
{
	struct mns *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->ino = ino;
	n->id = id;
	n->first_ts = ts;
	n->next = m->ns;
	m->ns = n;
	return n;
}

static void mnt_remove(struct mmnt *mm);

/* A namespace died: its mounts went with it. The entry stays (dead) so
 * that nothing later confuses it with a successor of the same inode. */
static void ns_kill(struct mns *n)
{
	while (n->mnts)
		mnt_remove(n->mnts);
	n->dead = true;
	free(n->procs);
	n->procs = NULL;
	n->nr_procs = n->cap_procs = 0;
}

/*
 * The live namespace @ino. A different never-reused id means the inode was
 * recycled: the old namespace is dead and this is a new one.
 */
static struct mns *ns_get(struct mt_model *m, __u32 ino, __u64 id, __u64 ts)
{
	struct mns *n;

	if (!ino)
		return NULL;
	n = ns_find(m, ino);
	if (n && id && n->id && n->id != id) {
		ns_kill(n);
		n = NULL;
	}
	if (n) {
		if (id && !n->id)
			n->id = id;
		return n;
	}
	return ns_new(m, ino, id, ts);
}

static struct mproc *ns_proc(struct mns *n, __u32 pid)
{
	for (int i = 0; i < n->nr_procs; i++)
		if (n->procs[i].pid == pid)
			return &n->procs[i];
	return NULL;
}

static void ns_drop_proc(struct mns *n, __u32 pid)
{
	struct mproc *p = ns_proc(n, pid);

	if (p)
		*p = n->procs[--n->nr_procs];
}

/*
 * Processes seen in events are never seen to exit: before a big list grows
 * again, drop the pids that are gone.
 */
static void ns_prune(struct mt_model *m, struct mns *n)
{
	char path[PATH_MAX];

	for (int i = 0; i < n->nr_procs;) {
		snprintf(path, sizeof(path), "%s/%u", m->proc_root, n->procs[i].pid);
		if (access(path, F_OK) == 0)
			i++;
		else
			n->procs[i] = n->procs[--n->nr_procs];
	}
}

/*
 * @pid lives in @n. @moved: an event saw it there, so drop it from any
 * other namespace (a snapshot lists each process once anyway).
 */
static int ns_add_proc(struct mt_model *m, struct mns *n, __u32 pid,
		       const char *comm, const struct mt_cg_ident *ident, bool moved)
{
	struct mproc *p = moved ? ns_proc(n, pid) : NULL;

	if (!p) {
		for (struct mns *o = m->ns; o && moved; o = o->next)
			if (o != n && !o->dead)
				ns_drop_proc(o, pid);
		if (moved && n->nr_procs >= PROCS_PRUNE_AT && n->nr_procs == n->cap_procs)
			ns_prune(m, n);
		if (mt_array_grow(&n->procs, n->nr_procs, &n->cap_procs, sizeof(*p), 4))
			return -ENOMEM;
		p = &n->procs[n->nr_procs++];
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		p->kthread = -1;
	}
	mt_strscpy(p->comm, comm, sizeof(p->comm));
	if (ident)
		p->ident = *ident;
	return 0;
}

/* cgroup identity of a live process, for creators and new pids */
static void proc_ident(struct mt_model *m, __u32 pid, struct mt_cg_ident *id)
{
	char cg[4096];

	memset(id, 0, sizeof(*id));
	if (mt_proc_cgroup(m->proc_root, pid, cg, sizeof(cg)) == 0)
		mt_cgroup_ident(cg, id);
}

/*
 * A namespace was made during a syscall that entered at @enter_ts. An
 * entry with the same inode first seen before that is a dead namespace
 * whose inode the kernel reused.
 */
static struct mns *ns_created(struct mt_model *m, __u32 ino, __u64 id,
			      __u64 enter_ts, __u64 ts)
{
	struct mns *n = ns_find(m, ino);

	if (n) {
		bool same = id && n->id ? n->id == id : n->first_ts >= enter_ts;

		if (!same) {
			ns_kill(n);
			n = NULL;
		}
	}
	if (!n)
		n = ns_new(m, ino, id, ts);
	else if (id && !n->id)
		n->id = id;
	return n;
}

static void ns_set_creator(struct mt_model *m, struct mns *n, const struct mt_hdr *h,
			   const char *call, struct mns *from)
{
	struct mt_cg_ident id;

	if (call)
		n->cr_call = call;
	if (from && from != n)
		n->cr_from = from;
	if (n->has_creator)
		return;
	n->has_creator = true;
	n->cr_pid = h->pid;
	mt_strscpy(n->cr_comm, h->comm, sizeof(n->cr_comm));
	n->cr_ts = h->ts_ns;
	proc_ident(m, h->pid, &id);
	mt_strscpy(n->cr_unit, id.container_id[0] ? id.container_id : id.unit,
		   sizeof(n->cr_unit));
}

/* ---- overlays and mounts ---- */

static bool ovl_live(const struct movl *o)
{
	return o->mnts != NULL;
}

static struct movl *ovl_get(struct mt_model *m, __u32 dev, const char *upper,
			    const char *work, bool create)
{
	struct movl *o;

	for (o = m->ovls; o && dev; o = o->next)
		if (o->dev == dev)
			return o;
	for (o = m->ovls; o && upper && *upper; o = o->next)
		if (streq(o->upper, upper) && streq(o->work, work) &&
		    (!o->dev || !dev))
			break;
	if (o) {
		if (dev)
			o->dev = dev;
		return o;
	}
	if (!create)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->dev = dev;
	o->next = m->ovls;
	m->ovls = o;
	return o;
}

static void ovl_set_layers(struct mt_model *m, struct movl *o, const char *path,
			   const char *upper, const char *work, const char *lower,
			   bool self)
{
	set_str(&o->upper, upper);
	set_str(&o->work, work);
	set_str(&o->lower, lower);
	/* the path as seen from mnttrace's namespace wins */
	if (path && (!o->merged || self))
		set_str(&o->merged, path);
	if (!o->has_ident)
		o->has_ident = mt_overlay_ident2(o->merged, o->upper, &o->ident);
}

static void ovl_free(struct movl *o)
{
	free(o->upper);
	free(o->work);
	free(o->lower);
	free(o->merged);
	free(o);
}

/* Forget overlays that are mounted nowhere and namespaces that are dead. */
static void gc(struct mt_model *m)
{
	for (struct movl **pp = &m->ovls; *pp;) {
		struct movl *o = *pp;

		if (ovl_live(o)) {
			pp = &o->next;
			continue;
		}
		*pp = o->next;
		ovl_free(o);
	}
	for (struct mns **pp = &m->ns; *pp;) {
		struct mns *n = *pp;
		bool used = false;

		if (!n->dead) {
			pp = &n->next;
			continue;
		}
		for (struct mns *o = m->ns; o && !used; o = o->next)
			used = o->cr_from == n;
		if (used) {
			pp = &n->next;
			continue;
		}
		*pp = n->next;
		free(n);
	}
}

/* Copies and originals share a superblock: an orig of another overlay
 * (a reused mount id) is no orig. */
static void set_orig(struct mmnt *mm, struct mmnt *orig)
{
	if (orig && orig->ovl != mm->ovl)
		orig = NULL;
	/* no cycles: @mm may not be where @orig came from */
	for (struct mmnt *up = orig; up; up = up->orig)
		if (up == mm) {
			orig = NULL;
			break;
		}
	if (mm->orig)
		mm->orig->nr_copies--;
	mm->orig = orig;
	if (orig)
		orig->nr_copies++;
}

#ifdef MT_MODEL_DEBUG
static struct mt_model *dbg_model;
static void check_invariants(struct mt_model *m);
#endif

static void mnt_remove(struct mmnt *mm)
{
#ifdef MT_MODEL_DEBUG
	int kids = 0;

	for (struct mmnt *x = mm->ovl->mnts; x; x = x->ovl_next)
		kids += x->orig == mm;
	if (kids != mm->nr_copies)
		abort();
#endif
	*mm->ns_pprev = mm->ns_next;
	if (mm->ns_next)
		mm->ns_next->ns_pprev = mm->ns_pprev;
	*mm->ovl_pprev = mm->ovl_next;
	if (mm->ovl_next)
		mm->ovl_next->ovl_pprev = mm->ovl_pprev;
	if (mm->ovl->home == mm)
		mm->ovl->home = NULL;
	/* copies of this mount now descend from its own original */
	for (struct mmnt *x = mm->ovl->mnts; x && mm->nr_copies; x = x->ovl_next)
		if (x->orig == mm)
			set_orig(x, mm->orig);
	set_orig(mm, NULL);
	free(mm->path);
	free(mm);
#ifdef MT_MODEL_DEBUG
	check_invariants(dbg_model);
#endif
}

static struct mmnt *ns_mnt(struct mns *n, __u32 id)
{
	for (struct mmnt *mm = n ? n->mnts : NULL; mm; mm = mm->ns_next)
		if (mm->id == id)
			return mm;
	return NULL;
}

/* The topmost overlay mount at @path in @n (newest first). */
static struct mmnt *ns_mnt_at(struct mns *n, const char *path)
{
	for (struct mmnt *mm = n ? n->mnts : NULL; mm; mm = mm->ns_next)
		if (streq(mm->path, path))
			return mm;
	return NULL;
}

static struct mmnt *root_orig(struct mmnt *mm)
{
	for (int i = 0; mm->orig && i < MAX_CHAIN; i++)
		mm = mm->orig;
	return mm;
}

/*
 * Does an umount of @r propagate to @c? Yes for peers of @r and for slaves
 * of its peer group, at any depth of the master chain; never when @r is
 * private. Master chains are followed through the overlay's own mounts:
 * every member of a propagation tree is a copy of the same superblock.
 */
static bool reaches(const struct mmnt *r, const struct mmnt *c)
{
	__u32 g;

	if (!r->group)
		return false;
	if (c->group == r->group)
		return true;
	g = c->master;
	for (int i = 0; g && i < MAX_CHAIN; i++) {
		const struct mmnt *x;

		if (g == r->group)
			return true;
		for (x = c->ovl->mnts; x; x = x->ovl_next)
			if (x->group == g && x->master != g)
				break;
		g = x ? x->master : 0;
	}
	return false;
}

/* Is @a a likelier original than @b: in mnttrace's namespace, else older? */
static bool better_home(const struct mt_model *m, const struct mmnt *a,
			const struct mmnt *b)
{
	bool as = a->ns->ino == m->self_ns, bs = b->ns->ino == m->self_ns;

	if (as != bs)
		return as;
	return a->id && (!b->id || a->id < b->id);
}

/* The mount a new copy @mm most likely came from. */
static struct mmnt *guess_orig(struct mt_model *m, struct mmnt *mm)
{
	struct movl *o = mm->ovl;
	struct mmnt *best = NULL;

	/* the namespace it was copied from, when an event said so */
	if (mm->ns->cr_from) {
		for (struct mmnt *x = mm->ns->cr_from->mnts; x; x = x->ns_next)
			if (x->ovl == o)
				return x;
	}
	/* the copy in our own namespace is no copy, if anything is */
	if (mm->ns->ino == m->self_ns)
		return NULL;
	if (!o->home) {
		for (struct mmnt *x = o->mnts; x; x = x->ovl_next)
			if (!o->home || better_home(m, x, o->home))
				o->home = x;
	}
	if (o->home && o->home->ns != mm->ns)
		return o->home;
	/* the home is this namespace's own: any other namespace's mount */
	for (struct mmnt *x = o->mnts; x; x = x->ovl_next)
		if (x->ns != mm->ns && (!best || better_home(m, x, best)))
			best = x;
	return best;
}

struct mnt_info {
	__u32 id;
	__u64 uid;
	__u32 dev;
	const char *path, *upper, *work, *lower;
	__u32 group, master, parent_group, parent_master;
	bool prop_known, parent_known;
};

static struct mmnt *mnt_upsert(struct mt_model *m, struct mns *n,
			       const struct mnt_info *in, bool *created)
{
	struct mmnt *mm = in->id ? ns_mnt(n, in->id) : NULL;
	struct movl *o;

	*created = false;
	/* a rescan may have found the namespace gone meanwhile */
	if (n->dead)
		return NULL;
	if (!mm && in->id) {
		/* a mount known only from its syscall gets its id now */
		for (mm = n->mnts; mm; mm = mm->ns_next)
			if (!mm->id && streq(mm->path, in->path))
				break;
		if (mm) {
			mm->id = in->id;
			mm->ovl->home = NULL;
		}
	}
	if (mm && in->dev && mm->ovl->dev && mm->ovl->dev != in->dev) {
		mnt_remove(mm);	/* the id was reused for another mount */
		mm = NULL;
	}
	if (!mm) {
		o = ovl_get(m, in->dev, in->upper, in->work, true);
		if (!o)
			return NULL;
		mm = calloc(1, sizeof(*mm));
		if (!mm)
			return NULL;
		mm->ns = n;
		mm->ovl = o;
		mm->id = in->id;
		mm->ns_next = n->mnts;
		if (n->mnts)
			n->mnts->ns_pprev = &mm->ns_next;
		n->mnts = mm;
		mm->ns_pprev = &n->mnts;
		mm->ovl_next = o->mnts;
		if (o->mnts)
			o->mnts->ovl_pprev = &mm->ovl_next;
		o->mnts = mm;
		mm->ovl_pprev = &o->mnts;
		if (o->home && better_home(m, mm, o->home))
			o->home = mm;
		*created = true;
	}
	if (in->uid)
		mm->uid = in->uid;
	set_str(&mm->path, in->path);
	if (in->prop_known) {
		mm->group = in->group;
		mm->master = in->master;
		mm->prop_known = true;
	}
	if (in->parent_known) {
		mm->parent_group = in->parent_group;
		mm->parent_master = in->parent_master;
		mm->parent_known = true;
	}
	if (in->dev && !mm->ovl->dev)
		mm->ovl->dev = in->dev;
	ovl_set_layers(m, mm->ovl, in->path, in->upper, in->work, in->lower,
		       n->ino == m->self_ns);
	return mm;
}

/* ---- findings ---- */

#define FB_HOLDERS 32
#define FB_PIDS 16

struct fbuild {
	struct mt_finding f;
	struct mt_finding_holder h[FB_HOLDERS];
	struct mt_finding_pid pids[FB_HOLDERS][FB_PIDS];
	char arena[16384];
	size_t used;
	const char *proc_root;
};

static const char *fb_str(struct fbuild *b, const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	if (b->used + n > sizeof(b->arena))
		return "";
	d = b->arena + b->used;
	memcpy(d, s, n);
	b->used += n;
	return d;
}

/* The model's one finding under construction (findings never nest). */
static struct fbuild *fb_new(struct mt_model *m, enum mt_finding_kind kind,
			     const struct mt_hdr *h, const char *op, int err,
			     const struct movl *o)
{
	struct fbuild *b = m->fb;

	memset(&b->f, 0, sizeof(b->f));
	b->used = 0;
	b->proc_root = m->proc_root;
	b->f.kind = kind;
	b->f.holders = b->h;
	if (h) {
		b->f.ts_ns = h->ts_ns;
		b->f.pid = h->pid;
		mt_strscpy(b->f.comm, h->comm, sizeof(b->f.comm));
		b->f.mnt_ns = h->mntns;
	}
	b->f.op = op;
	b->f.err = err;
	if (o) {
		b->f.path = fb_str(b, o->merged);
		b->f.upperdir = fb_str(b, o->upper);
		b->f.workdir = fb_str(b, o->work);
		b->f.lowerdir = fb_str(b, o->lower);
		if (o->has_ident) {
			b->f.container_id = fb_str(b, o->ident.id);
			b->f.runtime = o->ident.runtime;
		}
		b->f.leak_id = o->leak_id;
	}
	return b;
}

/*
 * A namespace that predates mnttrace has no known creator: name its oldest
 * process instead (for a restarted daemon's namespace, the shim that keeps
 * it alive), marked as inferred.
 */
static void infer_creator(const char *proc_root, struct mns *n,
			  struct mt_finding_holder *h)
{
	const struct mproc *best = n->inf_pid ? ns_proc(n, n->inf_pid) : NULL;
	__u64 best_ts = n->inf_ts;

	/* one look per namespace and process list */
	if (!best || n->inf_nr != n->nr_procs) {
		best = NULL;
		for (int i = 0; i < n->nr_procs && i < 256; i++) {
			__u64 ts;

			if (mt_proc_start_ns(proc_root, n->procs[i].pid, &ts))
				continue;
			if (!best || ts < best_ts) {
				best = &n->procs[i];
				best_ts = ts;
			}
		}
		n->inf_pid = best ? best->pid : 0;
		n->inf_ts = best_ts;
		n->inf_nr = n->nr_procs;
	}
	if (!best)
		return;
	h->has_creator = true;
	h->created_by.inferred = true;
	h->created_by.pid = best->pid;
	mt_strscpy(h->created_by.comm, best->comm, sizeof(h->created_by.comm));
	h->created_by.ts_ns = best_ts;
	mt_strscpy(h->created_by.unit, best->ident.container_id[0] ?
		   best->ident.container_id : best->ident.unit, sizeof(h->created_by.unit));
}

/* The holder entry for namespace @n, added on first use. */
static struct mt_finding_holder *fb_holder(struct fbuild *b, struct mns *n,
					   struct mmnt *mm, bool list_pids)
{
	struct mt_finding_holder *h;

	for (int i = 0; i < b->f.nr_holders; i++)
		if (b->h[i].mnt_ns == n->ino)
			return &b->h[i];
	if (b->f.nr_holders == FB_HOLDERS)
		return NULL;
	h = &b->h[b->f.nr_holders];
	memset(h, 0, sizeof(*h));
	h->pids = b->pids[b->f.nr_holders];
	b->f.nr_holders++;
	h->mnt_ns = n->ino;
	h->mnt_ns_id = n->id;
	if (mm) {
		h->mnt_id = mm->id;
		h->path = fb_str(b, mm->path);
		if (mm->prop_known)
			prop_str(mm->group, mm->master, h->propagation, sizeof(h->propagation));
		else
			snprintf(h->propagation, sizeof(h->propagation), "unknown");
		if (mm->parent_known)
			prop_str(mm->parent_group, mm->parent_master,
				 h->parent_propagation, sizeof(h->parent_propagation));
	}
	if (!n->has_creator)
		infer_creator(b->proc_root, n, h);
	if (n->has_creator) {
		h->has_creator = true;
		h->created_by.pid = n->cr_pid;
		mt_strscpy(h->created_by.comm, n->cr_comm, sizeof(h->created_by.comm));
		h->created_by.call = n->cr_call;
		h->created_by.ts_ns = n->cr_ts;
		mt_strscpy(h->created_by.unit, n->cr_unit, sizeof(h->created_by.unit));
	}
	/* the host's kernel threads live there too: not news */
	h->total_pids = n->nr_procs;
	for (int i = 0; list_pids && i < n->nr_procs; i++) {
		struct mproc *pr = &n->procs[i];

		if (pr->kthread < 0)
			pr->kthread = mt_proc_is_kthread(b->proc_root, pr->pid);
		h->total_pids -= pr->kthread;
	}
	for (int i = 0; list_pids && i < n->nr_procs && h->nr_pids < FB_PIDS; i++) {
		struct mt_finding_pid *p;

		if (n->procs[i].kthread > 0)
			continue;
		p = &h->pids[h->nr_pids++];

		memset(p, 0, sizeof(*p));
		p->pid = n->procs[i].pid;
		mt_strscpy(p->comm, n->procs[i].comm, sizeof(p->comm));
		mt_strscpy(p->unit, n->procs[i].ident.unit, sizeof(p->unit));
		mt_strscpy(p->container_id, n->procs[i].ident.container_id,
			   sizeof(p->container_id));
	}
	return h;
}

static __u64 fb_emit(struct mt_model *m, struct fbuild *b)
{
	__u64 id = ++m->next_id;

	b->f.id = id;
	m->st.findings++;
	if (m->o.on_finding)
		m->o.on_finding(m->o.ctx, &b->f);
	return id;
}

static const char *who(const struct mns *n, char *buf, size_t size)
{
	if (!n->has_creator)
		snprintf(buf, size, "a process that predates mnttrace");
	else if (n->cr_unit[0])
		snprintf(buf, size, "%s (pid %u, %s)", n->cr_comm, n->cr_pid, n->cr_unit);
	else
		snprintf(buf, size, "%s (pid %u)", n->cr_comm, n->cr_pid);
	return buf;
}

/* ---- rescans ---- */

static void mnt_link_new(struct mt_model *m, struct mmnt *mm);

/* Make @n what @sn says. @link: find the originals of new mounts now
 * (a start-up load links once every namespace is in). */
static void sync_ns(struct mt_model *m, struct mns *n, const struct mt_snap_ns *sn,
		    bool link)
{
	/* processes */
	n->nr_procs = 0;
	for (int i = 0; i < sn->nr_procs; i++)
		ns_add_proc(m, n, sn->procs[i].pid, sn->procs[i].comm,
			    &sn->procs[i].ident, false);
	if (sn->mounts_err)
		return;
	/* mounts: take in what is new (a placeholder gets its id), then
	 * drop what is gone */
	for (int i = 0; i < sn->mounts.nr; i++) {
		const struct mt_mntent *e = &sn->mounts.ents[i];
		struct mnt_info in = {
			.id = e->mnt_id, .dev = mt_mntent_dev(e), .path = e->mountpoint,
			.upper = e->upperdir, .work = e->workdir, .lower = e->lowerdir,
			.group = e->shared, .master = e->master, .prop_known = true,
			.parent_group = e->parent_shared, .parent_master = e->parent_master,
			.parent_known = e->has_parent,
		};
		struct mmnt *mm;
		bool created;

		if (!mt_mntent_is_overlay(e))
			continue;
		mm = mnt_upsert(m, n, &in, &created);
		if (mm && created && link)
			mnt_link_new(m, mm);
	}
	for (struct mmnt *mm = n->mnts, *next; mm; mm = next) {
		bool found = false;

		next = mm->ns_next;
		for (int i = 0; i < sn->mounts.nr && !found; i++) {
			const struct mt_mntent *e = &sn->mounts.ents[i];

			found = e->mnt_id == mm->id &&
				(!mm->ovl->dev || mt_mntent_dev(e) == mm->ovl->dev);
		}
		if (!found)
			mnt_remove(mm);
	}
}

/*
 * Re-read namespaces @ns[0..nr): who lives in them, and with @mounts their
 * overlay mounts too. A rescan sees the present, which may be ahead of the
 * record being handled (a later rmdir may have detached a copy already):
 * take mounts from it only to settle what the records cannot. A namespace
 * without a process is gone. Returns 0, or -ENOSYS when rescans are off.
 */
static int rescan(struct mt_model *m, const __u32 *ns, int nr, bool mounts)
{
	struct mt_snap_opts so = { .only_ns = ns, .nr_only = nr, .no_mounts = !mounts,
				   .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY };
	struct mt_snapshot *snap;

	if (m->o.no_rescan || !nr)
		return -ENOSYS;
	snap = m->o.rescan ? m->o.rescan(m->o.ctx, ns, nr) :
			     mt_snapshot__new(m->proc_root, &so);
	if (snap && !mounts) {
		/* a hook may have read the mounts anyway: ignore them */
		for (int i = 0; i < snap->nr_ns; i++)
			snap->ns[i].mounts_err = snap->ns[i].mounts_err ?: -ENODATA;
	}
	if (!snap)
		return -errno;
	m->st.rescans++;
	for (int i = 0; i < nr; i++) {
		struct mns *n = ns_find(m, ns[i]);
		struct mt_snap_ns *sn = mt_snapshot__find(snap, ns[i]);

		if (!n)
			continue;
		if (!sn)
			ns_kill(n);	/* no process left in it: gone */
		else
			sync_ns(m, n, sn, true);
	}
	mt_snapshot__free(snap);
	return 0;
}

/* Namespaces other than @except that hold a mount of @o. */
static int holder_namespaces(struct movl *o, struct mns *except, __u32 *out, int max)
{
	int nr = 0;

	for (struct mmnt *x = o ? o->mnts : NULL; x; x = x->ovl_next) {
		bool dup = false;

		if (x->ns == except)
			continue;
		for (int i = 0; i < nr; i++)
			dup |= out[i] == x->ns->ino;
		if (!dup && nr < max)
			out[nr++] = x->ns->ino;
	}
	return nr;
}

/* ---- risk ---- */

static void risk_reason(struct mt_model *m, struct fbuild *b, struct mmnt *c,
			struct mmnt *r)
{
	char whom[160], rp[64], cp[64];
	const char *svc = c->ns->cr_unit[0] ? c->ns->cr_unit :
			  c->ns->has_creator ? c->ns->cr_comm : "the service";

	who(c->ns, whom, sizeof(whom));
	prop_str(r->group, r->master, rp, sizeof(rp));
	prop_str(c->group, c->master, cp, sizeof(cp));
	if (!c->group && !c->master && !r->group)
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "%s made mnt:[%u] with a copy of this overlay that is private, "
			 "because the original in mnt:[%u] is private%s, so the runtime's "
			 "umount will not reach the copy and it will leak; prevent it by "
			 "keeping the graph root shared (mount --make-rshared; Docker >= 17.12.1 "
			 "no longer makes it private, moby#36047) or by keeping %s from "
			 "creating its own mount namespace (PrivateTmp=, ProtectSystem=, "
			 "MountFlags=).", whom, c->ns->ino, r->ns->ino,
			 r->parent_known && !r->parent_group ? " under a private parent "
			 "(a private graph root)" : "", svc);
	else if (!c->group && !c->master)
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "%s holds a private copy of this overlay in mnt:[%u] although the "
			 "original in mnt:[%u] is %s (the copy was made private, MS_PRIVATE), "
			 "so the runtime's umount will not reach it; prevent it by making "
			 "%s's mounts slaves (MS_SLAVE) rather than private.",
			 whom, c->ns->ino, r->ns->ino, rp, svc);
	else
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "%s holds a copy of this overlay in mnt:[%u] that is %s, a peer "
			 "group the original (%s in mnt:[%u]) does not propagate to, so the "
			 "runtime's umount will not reach it; prevent it by making the copy "
			 "a slave of the original's group (MS_SLAVE after the copy) or by "
			 "keeping %s from creating its own mount namespace.",
			 whom, c->ns->ino, cp, rp, r->ns->ino, svc);
}

/*
 * A container's own namespace: the runtime's init copies the whole tree,
 * then pivot_root()s into the container's overlay and detaches the rest.
 * What stays is the container's root ("/" there), and it dies with the
 * container, before the runtime unmounts the overlay.
 */
static bool container_ns(const struct mmnt *c)
{
	static const char *const inits[] = { "runc", "crun", "youki", "runsc" };
	const char *comm = c->ns->has_creator ? c->ns->cr_comm : "";

	if (streq(c->path, "/"))
		return true;
	for (size_t i = 0; i < sizeof(inits) / sizeof(inits[0]); i++)
		if (strncmp(comm, inits[i], strlen(inits[i])) == 0)
			return true;
	return false;
}

/* Raise a risk for copy @c unless its original's umount will reach it. */
static void check_risk(struct mt_model *m, struct mmnt *c, const struct mt_hdr *h,
		       const char *op)
{
	struct mmnt *r;
	struct fbuild *b;

	if (!c->orig || c->risk_done || !c->prop_known || container_ns(c))
		return;
	r = root_orig(c);
	if (!r->prop_known && r->ns != c->ns) {
		/* an original known only from its syscall: read it now */
		rescan(m, &r->ns->ino, 1, true);
		if (!c->orig)
			return;
		r = root_orig(c);
	}
	if (r->ns == c->ns)
		return;
	/* with an original of unknown propagation, only a private copy is sure */
	if (!r->prop_known && (c->group || c->master))
		return;
	if (r->prop_known && reaches(r, c))
		return;
	/* once per (namespace, overlay) */
	for (struct mmnt *x = c->ns->mnts; x; x = x->ns_next)
		if (x->ovl == c->ovl && x->risk_done)
			return;
	c->risk_done = true;
	b = fb_new(m, MT_FIND_RISK, h, op, 0, c->ovl);
	if (!b)
		return;
	if (!h) {
		/* seen at start-up: no event, the copy's namespace and original */
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		b->f.ts_ns = (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec;
		b->f.mnt_ns = r->ns->ino;
	}
	fb_holder(b, c->ns, c, true);
	risk_reason(m, b, c, r);
	fb_emit(m, b);
}

/* A mount the model has just learnt about: find its original, judge it. */
static void mnt_link_new(struct mt_model *m, struct mmnt *mm)
{
	if (!mm->orig)
		set_orig(mm, guess_orig(m, mm));
}

/* ---- the snapshot ---- */

int mt_model__load(struct mt_model *m, const struct mt_snapshot *snap)
{
	if (!snap)
		return -EINVAL;
	for (int i = 0; i < snap->nr_ns; i++) {
		const struct mt_snap_ns *sn = &snap->ns[i];
		struct mns *n = ns_get(m, sn->ino, 0, 0);

		if (!n)
			return -ENOMEM;
		sync_ns(m, n, sn, false);
	}
	/* with every namespace in, link copies and judge them */
	for (struct mns *n = m->ns; n; n = n->next)
		for (struct mmnt *mm = n->mnts; mm; mm = mm->ns_next) {
			mnt_link_new(m, mm);
			check_risk(m, mm, NULL, "snapshot");
		}
	return 0;
}

/*
 * Records were lost: whatever they said is missing from the model. Read
 * every namespace again, forget those without a process, and judge what is
 * new as at start-up.
 */
int mt_model__resync(struct mt_model *m)
{
	struct mt_snap_opts so = { .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY };
	struct mt_snapshot *snap;
	int err;

	if (m->o.no_rescan)
		return 0;
	snap = m->o.rescan ? m->o.rescan(m->o.ctx, NULL, 0) :
			     mt_snapshot__new(m->proc_root, &so);
	if (!snap)
		return -errno;
	m->st.rescans++;
	for (struct mns *n = m->ns; n; n = n->next)
		if (!n->dead && !mt_snapshot__find(snap, n->ino))
			ns_kill(n);
	err = mt_model__load(m, snap);
	mt_snapshot__free(snap);
	gc(m);
	return err;
}

/* ---- records inside a syscall ---- */

static void pend_free(struct pending *p)
{
	free(p->path);
	free(p->upper);
	free(p->work);
	free(p->lower);
	free(p);
}

static int pend_add(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_mount *mt = rec->mnt;
	struct pending *p;

	if (m->nr_pend >= MAX_PENDING / 16) {
		/*
		 * Kernel work that no syscall of ours ends (an open_tree clone
		 * closed, autofs expiry) leaves records behind: forget those
		 * older than a few seconds, and the oldest beyond the limit.
		 */
		int kept = 0;

		for (struct pending **pp = &m->pend; *pp;) {
			struct pending *o = *pp;

			if (kept < MAX_PENDING - 1 &&
			    o->m.hdr.ts_ns + PENDING_MAX_AGE_NS > mt->hdr.ts_ns) {
				kept++;
				pp = &o->next;
				continue;
			}
			*pp = o->next;
			pend_free(o);
			m->nr_pend--;
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->tid = rec->hdr->tid;
	p->op = mt->op;
	p->ns = mt->mnt_ns;
	p->ns_id = mt->mnt_ns_id;
	p->aux = mt->aux;
	p->m = *mt;
	p->path = xstrdup(rec->str[MT_MS_PATH]);
	p->upper = xstrdup(rec->str[MT_MS_UPPER]);
	p->work = xstrdup(rec->str[MT_MS_WORK]);
	p->lower = xstrdup(rec->str[MT_MS_LOWER]);
	p->next = m->pend;
	m->pend = p;
	m->nr_pend++;
	return 0;
}

/* Take the pending records of @tid (oldest first) off the list. */
static struct pending *pend_take(struct mt_model *m, __u32 tid, __u32 op)
{
	struct pending *out = NULL;

	for (struct pending **pp = &m->pend; *pp;) {
		struct pending *p = *pp;

		if (p->tid != tid || (op && p->op != op)) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		m->nr_pend--;
		p->next = out;
		out = p;
	}
	return out;
}

static void pend_list_free(struct pending *p)
{
	while (p) {
		struct pending *n = p->next;

		pend_free(p);
		p = n;
	}
}

static struct mnt_info info_of(const struct mt_mount *mt, const char *path,
			       const char *upper, const char *work, const char *lower)
{
	return (struct mnt_info){
		.id = mt->mnt_id, .uid = mt->mnt_id_unique, .dev = mt->sb_dev,
		.path = path, .upper = upper, .work = work, .lower = lower,
		.group = mt->group_id, .master = mt->master_id, .prop_known = true,
		.parent_group = mt->parent_group_id,
		.parent_master = mt->parent_master_id, .parent_known = mt->parent_id != 0,
	};
}

/* ---- mount records ---- */

static int on_mount(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_mount *mt = rec->mnt;
	struct mns *n;
	struct mmnt *mm;
	bool created;

	switch (mt->op) {
	case MT_MNT_COPY:
		m->o.internals = true;
		if (mt->sb_magic != OVL_MAGIC)
			return 0;
		if (!mt->mnt_ns)	/* joins its namespace at MT_NS_COPY */
			return pend_add(m, rec);
		/* fall through */
	case MT_MNT_WALK: {
		struct mnt_info in = info_of(mt, rec->str[MT_MS_PATH], rec->str[MT_MS_UPPER],
					     rec->str[MT_MS_WORK], rec->str[MT_MS_LOWER]);

		if (mt->sb_magic != OVL_MAGIC)
			return 0;
		n = ns_get(m, mt->mnt_ns, mt->mnt_ns_id, mt->hdr.ts_ns);
		if (!n)
			return -ENOMEM;
		mm = mnt_upsert(m, n, &in, &created);
		if (!mm)
			return n->dead ? 0 : -ENOMEM;
		if (mt->op == MT_MNT_COPY && !mm->orig) {
			struct mns *on = ns_find(m, mt->aux);

			set_orig(mm, ns_mnt(on, mt->src_mnt_id));
		}
		if (mt->op == MT_MNT_WALK)
			mm->walk_seq = mt->walk_seq;
		if (created)
			mnt_link_new(m, mm);
		/* a walk is judged whole, at MT_NS_WALK_DONE */
		if (mt->op != MT_MNT_WALK)
			check_risk(m, mm, rec->hdr, n->cr_call ?: mt_mount_op_name(mt->op));
		return 0;
	}
	case MT_MNT_UMOUNT:
		m->o.internals = true;
		if (mt->aux & MT_UMOUNT_NS_ROOT) {
			/* namespace teardown: everything in it goes */
			n = ns_find(m, mt->mnt_ns);
			if (n)
				ns_kill(n);
			return 0;
		}
		return pend_add(m, rec);
	case MT_MNT_PROPAGATION:
		/*
		 * change_mnt_propagation may report the state before the
		 * change; the walk that follows every propagation-changing
		 * call brings the state after it.
		 */
		return 0;
	case MT_MNT_UMOUNT_PROP:
	case MT_MNT_BUSY:
		m->o.internals = true;
		return pend_add(m, rec);
	case MT_MNT_LOCAL_MP:
	case MT_MNT_OVL_INUSE:
		return pend_add(m, rec);
	default:
		return 0;
	}
}

/* ---- namespace records ---- */

/*
 * A namespace walk (tracepoint mode's view of clone_mnt) is complete: its
 * overlay mounts were all emitted, so one not shown is gone. Judge the
 * copies now that the namespace is whole.
 */
static int on_walk_done(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_ns *e = rec->ns;
	struct mns *n = ns_get(m, e->ns, e->ns_id, e->hdr.ts_ns);

	if (!n)
		return -ENOMEM;
	if (!n->has_creator && (e->trigger == MT_CALL_UNSHARE ||
				e->trigger == MT_CALL_CLONE || e->trigger == MT_CALL_CLONE3))
		ns_set_creator(m, n, rec->hdr, mt_call_name(e->trigger),
			       e->old_ns ? ns_find(m, e->old_ns) : NULL);
	if (!e->truncated) {
		for (struct mmnt *mm = n->mnts, *next; mm; mm = next) {
			next = mm->ns_next;
			if (mm->walk_seq != e->walk_seq)
				mnt_remove(mm);
		}
	}
	for (struct mmnt *mm = n->mnts; mm; mm = mm->ns_next) {
		if (!mm->orig)
			mnt_link_new(m, mm);
		check_risk(m, mm, rec->hdr, n->cr_call ?: "walk");
	}
	gc(m);
	return 0;
}

static int on_ns(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_ns *e = rec->ns;
	struct pending *copies;
	struct mns *n, *from;

	if (e->op == MT_NS_WALK_DONE)
		return on_walk_done(m, rec);
	if (e->op != MT_NS_COPY)
		return 0;
	m->o.internals = true;
	from = ns_get(m, e->old_ns, e->old_ns_id, e->hdr.ts_ns);
	/* copy_mnt_ns returns before the syscall does: it is new now */
	n = ns_created(m, e->ns, e->ns_id, e->hdr.ts_ns, e->hdr.ts_ns);
	if (!n)
		return -ENOMEM;
	ns_set_creator(m, n, rec->hdr, NULL, from);
	copies = pend_take(m, e->hdr.tid, MT_MNT_COPY);
	for (struct pending *p = copies; p; p = p->next) {
		struct mnt_info in = info_of(&p->m, p->path, p->upper, p->work, p->lower);
		struct mmnt *mm;
		bool created;

		mm = mnt_upsert(m, n, &in, &created);
		if (!mm)
			continue;
		set_orig(mm, ns_mnt(ns_find(m, p->aux), p->m.src_mnt_id));
		if (!mm->orig)
			mnt_link_new(m, mm);
	}
	/* judge once the whole tree is in (the call is known at syscall exit) */
	for (struct mmnt *mm = n->mnts; mm; mm = mm->ns_next)
		check_risk(m, mm, rec->hdr, "unshare/clone");
	pend_list_free(copies);
	return 0;
}

/* ---- syscalls ---- */

static const char *full_path(const struct mt_record *rec, char *buf, size_t size)
{
	const char *p = rec->str[MT_SC_PATH], *base = rec->str[MT_SC_BASE];
	size_t n;

	if (!p || !*p)
		return NULL;
	if (p[0] == '/' || !base || !*base)
		snprintf(buf, size, "%s", p);
	else
		snprintf(buf, size, "%s%s%s", base,
			 base[strlen(base) - 1] == '/' ? "" : "/",
			 strncmp(p, "./", 2) == 0 ? p + 2 : p);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return buf;
}

/* The next ',' that no backslash escapes, or the end of @p. */
static char *opt_end(char *p)
{
	for (; *p && *p != ','; p++)
		if (*p == '\\' && p[1])
			p++;
	return p;
}

/*
 * upperdir=, workdir=, lowerdir= out of mount(2) data. Upper and work dirs
 * lose overlay's backslash escapes, as they do in mountinfo; the lowerdir
 * list keeps them (its ':' separators).
 */
static void parse_ovl_data(const char *data, char **upper, char **work, char **lower)
{
	char *copy = xstrdup(data), *opt, *next;

	*upper = *work = *lower = NULL;
	for (opt = copy; opt && *opt; opt = next) {
		char *end = opt_end(opt), *val, **dst = NULL;

		next = *end ? end + 1 : end;
		*end = '\0';
		val = strchr(opt, '=');
		if (!val)
			continue;
		*val++ = '\0';
		if (strcmp(opt, "upperdir") == 0)
			dst = upper;
		else if (strcmp(opt, "workdir") == 0)
			dst = work;
		else if (strcmp(opt, "lowerdir") == 0)
			dst = lower;
		if (!dst)
			continue;
		if (dst != lower)
			mt_unescape_backslash(val);
		free(*dst);
		*dst = strdup(val);
	}
	free(copy);
}

/* Overlays other than @not whose upper or work dir is @upper/@work and
 * that are mounted somewhere. */
static struct movl *ovl_pinning(struct mt_model *m, const char *upper,
				const char *work, const struct movl *not)
{
	for (struct movl *o = m->ovls; o; o = o->next) {
		if (o == not || !ovl_live(o))
			continue;
		if ((upper && (streq(o->upper, upper) || streq(o->work, upper))) ||
		    (work && (streq(o->work, work) || streq(o->upper, work))))
			return o;
	}
	return NULL;
}

static void add_all_holders(struct fbuild *b, struct movl *o, struct mns *except)
{
	for (struct mmnt *x = o->mnts; x; x = x->ovl_next)
		if (x->ns != except)
			fb_holder(b, x->ns, x, true);
}

static void leak_reason(struct fbuild *b, const struct mmnt *gone, __u32 from_ns,
			struct mmnt *c)
{
	char gp[64], cp[64], whom[160];

	prop_str(gone->group, gone->master, gp, sizeof(gp));
	prop_str(c->group, c->master, cp, sizeof(cp));
	who(c->ns, whom, sizeof(whom));
	if (!c->prop_known)
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "the umount in mnt:[%u] did not reach the copy in mnt:[%u] "
			 "(made by %s), which is still mounted.", from_ns, c->ns->ino, whom);
	else if (!c->group && !c->master)
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "the copy in mnt:[%u] (made by %s) is private, so the umount in "
			 "mnt:[%u] could not propagate to it%s.", c->ns->ino, whom, from_ns,
			 gone->prop_known && !gone->group ?
			 " (the unmounted original was private too)" : "");
	else if (gone->prop_known && !gone->group)
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "the unmounted mount in mnt:[%u] was private, so its umount "
			 "propagated nowhere and the copy in mnt:[%u] (%s, made by %s) stays.",
			 from_ns, c->ns->ino, cp, whom);
	else
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "the copy in mnt:[%u] (made by %s) is %s, outside the peer group "
			 "(%s) that the umount in mnt:[%u] propagated to.", c->ns->ino,
			 whom, cp, gp, from_ns);
}

/* Emit a leak for overlay @o, given the unmounted mount's propagation. */
static void emit_leak(struct mt_model *m, const struct mt_record *rec,
		      struct movl *o, const struct mmnt *gone, int err)
{
	struct mns *caller = ns_find(m, rec->hdr->mntns);
	struct fbuild *b;
	struct mmnt *first = NULL;

	for (struct mmnt *x = o->mnts; x && !first; x = x->ovl_next)
		if (x->ns != caller)
			first = x;
	if (!first)
		return;
	b = fb_new(m, MT_FIND_LEAK, rec->hdr, mt_call_name(rec->sc->call), err, o);
	if (!b)
		return;
	b->f.leak_id = 0;
	add_all_holders(b, o, caller);
	if (err == EINVAL) {
		char whom[160];

		snprintf(b->f.reason, sizeof(b->f.reason),
			 "%s is not mounted in the caller's namespace mnt:[%u], but the "
			 "overlay is still mounted in mnt:[%u] (made by %s), which an umount "
			 "from here cannot reach (e.g. a daemon restarted into a new mount "
			 "namespace lost sight of it).", o->merged ? o->merged : "the path",
			 rec->hdr->mntns, first->ns->ino, who(first->ns, whom, sizeof(whom)));
	} else {
		leak_reason(b, gone, rec->hdr->mntns, first);
	}
	o->leak_id = fb_emit(m, b);
}

/* umount2 succeeded. */
static void umount_ok(struct mt_model *m, const struct mt_record *rec,
		      struct mns *caller, const char *path, struct pending *pend)
{
	struct mmnt gone = {}, *mm = NULL, *root;
	bool known = false, local_copy, uncertain;
	struct movl *o = NULL;
	__u32 hold[64];
	int nr;

	/* fentry/kprobe: the kernel said what it removed. propagate_umount's
	 * list may hold umount_tree's own root too. */
	for (struct pending *p = pend; p && !mm; p = p->next)
		if (p->op == MT_MNT_UMOUNT && !(p->aux & MT_UMOUNT_CONNECTED))
			mm = ns_mnt(ns_find(m, p->ns), p->m.mnt_id);
	for (struct pending *p = pend; p; p = p->next) {
		struct mmnt *x = ns_mnt(ns_find(m, p->ns), p->m.mnt_id);

		if (p->op == MT_MNT_UMOUNT || p->op == MT_MNT_UMOUNT_PROP)
			known = true;
		if (x && x != mm && p->op == MT_MNT_UMOUNT_PROP)
			mnt_remove(x);
	}
	if (!mm)
		mm = ns_mnt_at(caller, path);
	if (!mm)
		return;
	o = mm->ovl;
	gone = *mm;
	gone.path = NULL;	/* freed with mm below */
	root = root_orig(mm);
	local_copy = root != mm && root->ns != caller ? true : false;
	struct mns *root_ns = root->ns;

	if (!known) {
		/* predict: peers and slaves of the unmounted mount's group go */
		for (struct mmnt *x = o->mnts, *next; x; x = next) {
			next = x->ovl_next;
			if (x != mm && x->ns != caller && reaches(mm, x))
				mnt_remove(x);
		}
	}
	mnt_remove(mm);
	nr = holder_namespaces(o, caller, hold, 64);
	if (!nr || o->leak_id)
		return;		/* nothing left, or that leak is told already */
	/*
	 * Who lives in the holders now (every mode). The mounts too only when
	 * the prediction above was a guess: with every propagation known it
	 * is the kernel's own rule, and a rescan may already miss a copy that
	 * a later rmdir detached.
	 */
	uncertain = !gone.prop_known;
	for (struct mmnt *x = o->mnts; x; x = x->ovl_next)
		uncertain |= !x->prop_known;
	rescan(m, hold, nr, uncertain && !known);
	if (!holder_namespaces(o, caller, hold, 64))
		return;
	/* unmounting a copy while its original stays is housekeeping */
	if (local_copy) {
		for (struct mmnt *x = o->mnts; x; x = x->ovl_next)
			if (x->ns == root_ns)
				return;
	}
	emit_leak(m, rec, o, &gone, 0);
}

/* umount2 failed with EINVAL: mounted elsewhere only? */
static void umount_einval(struct mt_model *m, const struct mt_record *rec,
			  struct mns *caller, const char *path)
{
	for (struct movl *o = m->ovls; o; o = o->next) {
		__u32 hold[64];
		int nr;
		bool at = false;

		if (o->leak_id || ns_mnt_at(caller, path))
			continue;
		for (struct mmnt *x = o->mnts; x && !at; x = x->ovl_next)
			at = streq(x->path, path);
		if (!at)
			continue;
		nr = holder_namespaces(o, caller, hold, 64);
		rescan(m, hold, nr, false);
		if (ovl_live(o))
			emit_leak(m, rec, o, NULL, EINVAL);
		return;
	}
}

/* umount2 failed with EBUSY: find the busy copy and who holds it. */
static void umount_ebusy(struct mt_model *m, const struct mt_record *rec,
			 struct mns *caller, const char *path, struct pending *pend)
{
	struct mmnt *mm = ns_mnt_at(caller, path), *busy[64];
	int nr_busy = 0, nr_ids = 0, found = 0;
	struct { __u32 ns, id; } ids[64];
	struct fbuild *b;
	__u32 hold[64];
	int nr;

	/* fentry/kprobe: propagate_mount_busy named the busy mounts */
	for (struct pending *p = pend; p && nr_ids < 64; p = p->next) {
		struct mmnt *x = ns_mnt(ns_find(m, p->ns), p->m.mnt_id);

		if (p->op != MT_MNT_BUSY || !x)
			continue;
		ids[nr_ids].ns = p->ns;
		ids[nr_ids++].id = p->m.mnt_id;
		if (!mm)
			mm = x;
	}
	if (!mm)
		return;
	/* refresh the processes of every namespace the umount had to visit
	 * (a namespace found empty goes, with its mounts: look them up after) */
	nr = holder_namespaces(mm->ovl, NULL, hold, 64);
	rescan(m, hold, nr, false);
	for (int i = 0; i < nr_ids; i++) {
		struct mmnt *x = ns_mnt(ns_find(m, ids[i].ns), ids[i].id);

		if (x)
			busy[nr_busy++] = x;
	}
	mm = ns_mnt_at(caller, path);
	if (!mm && nr_busy)
		mm = busy[0];
	if (!mm)
		return;
	/*
	 * propagate_mount_busy(mnt) names the mount being unmounted, and says
	 * busy when it or any copy the umount propagates to is (6.1, 6.12):
	 * the copies it reaches are candidates in every mode.
	 */
	if (!nr_busy)
		busy[nr_busy++] = mm;
	for (struct mmnt *x = mm->ovl->mnts; x && nr_busy < 64; x = x->ovl_next) {
		bool listed = false;

		for (int i = 0; i < nr_busy; i++)
			listed |= busy[i] == x;
		if (!listed && x != mm && reaches(mm, x))
			busy[nr_busy++] = x;
	}
	b = fb_new(m, MT_FIND_EBUSY, rec->hdr, "umount2", EBUSY, mm->ovl);
	if (!b)
		return;
	/* copies in other namespaces first: they are the surprise */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < nr_busy; i++) {
			struct mmnt *x = busy[i];
			struct mt_finding_holder *h;

			if ((x->ns == caller) != (pass == 1) || !x->path)
				continue;
			for (int j = 0; j < x->ns->nr_procs; j++) {
				struct mt_use use;
				int u = mt_proc_uses(m->proc_root, x->ns->procs[j].pid,
						     x->path, &use, 1);
				struct mt_finding_pid *p;

				if (u <= 0)
					continue;
				h = fb_holder(b, x->ns, x, false);
				if (!h || h->nr_pids == FB_PIDS)
					continue;
				p = &h->pids[h->nr_pids++];
				memset(p, 0, sizeof(*p));
				p->pid = use.pid;
				mt_strscpy(p->comm, x->ns->procs[j].comm, sizeof(p->comm));
				mt_strscpy(p->holds, use.what, sizeof(p->holds));
				mt_strscpy(p->holds_path, use.path, sizeof(p->holds_path));
				if (!found++) {
					char cp[64];

					prop_str(x->group, x->master, cp, sizeof(cp));
					if (x->ns == caller)
						snprintf(b->f.reason, sizeof(b->f.reason),
							 "%s is busy in the caller's own namespace "
							 "mnt:[%u]: pid %u (%s) has its %s at %s.",
							 path, caller->ino, use.pid, p->comm,
							 use.what, use.path);
					else
						snprintf(b->f.reason, sizeof(b->f.reason),
							 "the umount of %s in mnt:[%u] must also remove "
							 "its propagated copy in mnt:[%u] (%s), and that "
							 "copy is busy: pid %u (%s) has its %s at %s.",
							 path, caller->ino, x->ns->ino, cp, use.pid,
							 p->comm, use.what, use.path);
				}
			}
		}
	}
	if (!found) {
		for (int i = 0; i < nr_busy; i++)
			fb_holder(b, busy[i]->ns, busy[i], true);
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "%s or one of its %d propagated copies is busy, but no process "
			 "has its cwd, root or an open file below it (a submount, or a "
			 "process that has gone since).", path, nr_busy - 1);
	}
	fb_emit(m, b);
}

/* rmdir/unlinkat(AT_REMOVEDIR) of @path succeeded. */
static void rmdir_ok(struct mt_model *m, const struct mt_record *rec,
		     struct mns *caller, const char *path, struct pending *pend)
{
	struct mmnt *cand[64];
	__u32 hold[64];
	int nr = 0, nr_gone = 0;
	struct fbuild *b;

	if (m->o.internals) {
		/* __detach_mounts: umount_tree(UMOUNT_CONNECTED) per copy */
		for (struct pending *p = pend; p && nr < 64; p = p->next) {
			struct mmnt *x = ns_mnt(ns_find(m, p->ns), p->m.mnt_id);
			bool dup = false;

			for (int i = 0; i < nr; i++)
				dup |= cand[i] == x;
			if (x && !dup && p->op == MT_MNT_UMOUNT &&
			    (p->aux & MT_UMOUNT_CONNECTED))
				cand[nr++] = x;
		}
	} else {
		/* tracepoint mode: the copies mounted at that path elsewhere */
		for (struct movl *ov = m->ovls; ov; ov = ov->next)
			for (struct mmnt *x = ov->mnts; x && nr < 64; x = x->ovl_next)
				if (x->ns != caller && streq(x->path, path))
					cand[nr++] = x;
	}
	if (!nr)
		return;
	b = fb_new(m, MT_FIND_DETACHED, rec->hdr, mt_call_name(rec->sc->call), 0,
		   cand[0]->ovl);
	if (!b)
		return;
	for (int i = 0; i < nr; i++) {
		struct mt_finding_holder *h = fb_holder(b, cand[i]->ns, cand[i], true);

		if (h)
			h->gone = true;
		hold[i] = cand[i]->ns->ino;
	}
	/* fentry/kprobe: the kernel said which went; a rescan still refreshes
	 * who lives there */
	if (m->o.internals) {
		for (int i = 0; i < nr; i++)
			mnt_remove(cand[i]);
		rescan(m, hold, nr, false);
		nr_gone = b->f.nr_holders;
	} else if (rescan(m, hold, nr, true) == -ENOSYS) {
		for (int i = 0; i < nr; i++)
			mnt_remove(cand[i]);
		nr_gone = b->f.nr_holders;
	} else {
		/* the rescan tells which copies really went: keep those */
		for (int i = 0; i < b->f.nr_holders; i++) {
			struct mns *n = ns_find(m, b->h[i].mnt_ns);

			if (n && ns_mnt_at(n, path))
				continue;
			if (i != nr_gone) {
				/* keep the holder's own pid slots with it */
				b->h[nr_gone] = b->h[i];
			}
			nr_gone++;
		}
		b->f.nr_holders = nr_gone;
	}
	if (!nr_gone)
		return;
	snprintf(b->f.reason, sizeof(b->f.reason),
		 "%s of %s in mnt:[%u] succeeded and the kernel lazily unmounted the "
		 "overlay still mounted there in %d other namespace%s (Linux >= 3.18 "
		 "detaches mounts on a removed directory): the processes there lost "
		 "that container rootfs, a copy that had leaked.",
		 mt_call_name(rec->sc->call), path, caller ? caller->ino : 0, nr_gone,
		 nr_gone == 1 ? "" : "s");
	fb_emit(m, b);
}

/* rmdir/unlinkat(AT_REMOVEDIR) of @path failed with EBUSY. */
static void rmdir_ebusy(struct mt_model *m, const struct mt_record *rec,
			struct mns *caller, const char *path, struct pending *pend)
{
	const char *op = mt_call_name(rec->sc->call);
	struct mmnt *own, *other = NULL;
	struct fbuild *b;

	for (int pass = 0; pass < 2; pass++) {
		struct movl *ov = NULL;
		__u32 hold[64];

		own = ns_mnt_at(caller, path);
		other = NULL;
		for (struct movl *o = m->ovls; o && !other; o = o->next)
			for (struct mmnt *x = o->mnts; x && !other; x = x->ovl_next)
				if (x->ns != caller && streq(x->path, path))
					other = x;
		if (!own && !other)
			return;
		if (pass)
			break;
		/* who holds it now */
		ov = own ? own->ovl : other->ovl;
		if (rescan(m, hold, holder_namespaces(ov, NULL, hold, 64), false) == -ENOSYS)
			break;
	}
	b = fb_new(m, MT_FIND_EBUSY, rec->hdr, op, EBUSY, own ? own->ovl : other->ovl);
	if (!b)
		return;
	if (own) {
		fb_holder(b, caller, own, true);
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "%s is still mounted in the caller's own namespace mnt:[%u] "
			 "(mount id %u): unmount it before removing the directory.",
			 path, caller->ino, own->id);
	} else {
		add_all_holders(b, other->ovl, caller);
		snprintf(b->f.reason, sizeof(b->f.reason),
			 "%s is still mounted in mnt:[%u] (a copy that leaked there), and "
			 "this kernel refuses to remove a mountpoint of any namespace "
			 "(Linux < 3.18, or RHEL 7 with fs.may_detach_mounts=0).",
			 path, other->ns->ino);
	}
	fb_emit(m, b);
}

/* An overlay mount (mount(2) or the new API) with these layers ended. */
static void overlay_mounted(struct mt_model *m, const struct mt_record *rec,
			    struct mns *caller, const char *path, const char *upper,
			    const char *work, const char *lower, int err,
			    struct pending *pend)
{
	struct movl *pin = ovl_pinning(m, upper, work, NULL);
	bool pinned_here = false;
	struct fbuild *b;
	struct mmnt *x;
	__u32 hold[64];

	if (pin) {
		/* EBUSY says it was still mounted; a success needs a look */
		rescan(m, hold, holder_namespaces(pin, NULL, hold, 64), !err);
		pin = ovl_pinning(m, upper, work, NULL);
	}
	if (!pin || (err && err != EBUSY))
		goto learn;
	x = pin->mnts;
	for (struct mmnt *y = pin->mnts; y; y = y->ovl_next)
		pinned_here |= y->ns == caller;
	b = fb_new(m, err ? MT_FIND_EBUSY : MT_FIND_INUSE, rec->hdr,
		   mt_call_name(rec->sc->call), err, pin);
	if (!b)
		goto learn;
	/* the new mount's own layers, the pinning overlay's mounts */
	if (path)
		b->f.path = fb_str(b, path);
	b->f.upperdir = fb_str(b, upper);
	b->f.workdir = fb_str(b, work);
	b->f.lowerdir = fb_str(b, lower);
	add_all_holders(b, pin, NULL);
	snprintf(b->f.reason, sizeof(b->f.reason),
		 "upperdir/workdir %s is still in use by the overlay mounted at %s in "
		 "mnt:[%u]%s; %s", upper ? upper : work, x->path ? x->path : "?",
		 x->ns->ino, pin->leak_id || !pinned_here ? " (a leaked copy)" : "",
		 err ? "with index=on overlayfs refuses a second mount on it." :
		 "with index=off overlayfs only warns, and two overlays sharing an "
		 "upper/workdir is undefined behaviour.");
	fb_emit(m, b);
learn:
	if (err || !caller || !path)
		return;
	/*
	 * Learn the new mount: a placeholder now. The walk of the caller's
	 * namespace that follows an overlay mount (every attach mode) gives
	 * it its id, dev and propagation; a rescan does when a decision needs
	 * them first.
	 */
	{
		struct mnt_info in = { .path = path, .upper = upper, .work = work,
				       .lower = lower };
		bool created;

		mnt_upsert(m, caller, &in, &created);
	}
}

static struct fsctx *fsctx_find(struct mt_model *m, __u32 pid, int fd, bool mfd)
{
	for (struct fsctx *c = m->fsc; c; c = c->next)
		if (c->pid == pid && (mfd ? c->mfd : c->fd) == fd)
			return c;
	return NULL;
}

static void fsctx_drop(struct mt_model *m, struct fsctx *c)
{
	for (struct fsctx **pp = &m->fsc; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	free(c->upper);
	free(c->work);
	free(c->lower);
	free(c);
}

#define FSCONFIG_CMD_CREATE_ 6

/* The new mount API: fsopen("overlay") .. fsconfig .. fsmount .. move_mount */
static void on_new_api(struct mt_model *m, const struct mt_record *rec,
		       struct mns *caller, const char *path)
{
	const struct mt_syscall *sc = rec->sc;
	__u32 pid = rec->hdr->pid;
	struct fsctx *c;

	switch (sc->call) {
	case MT_CALL_FSOPEN:
		if (sc->ret < 0 || !streq(rec->str[MT_SC_FSTYPE], "overlay"))
			return;
		c = calloc(1, sizeof(*c));
		if (!c)
			return;
		c->pid = pid;
		c->fd = (int)sc->ret;
		c->mfd = -1;
		c->next = m->fsc;
		m->fsc = c;
		return;
	case MT_CALL_FSCONFIG: {
		const char *key = rec->str[MT_SC_SRC], *val = rec->str[MT_SC_DATA];

		c = fsctx_find(m, pid, (int)sc->args[0], false);
		if (!c)
			return;
		if (sc->args[1] == FSCONFIG_CMD_CREATE_ && sc->ret == -EBUSY)
			overlay_mounted(m, rec, caller, NULL, c->upper, c->work, c->lower,
					EBUSY, NULL);
		if (sc->ret < 0 || !key || !val)
			return;
		if (strcmp(key, "upperdir") == 0)
			set_str(&c->upper, val);
		else if (strcmp(key, "workdir") == 0)
			set_str(&c->work, val);
		else if (strcmp(key, "lowerdir") == 0 || strcmp(key, "lowerdir+") == 0)
			set_str(&c->lower, val);
		return;
	}
	case MT_CALL_FSMOUNT:
		c = fsctx_find(m, pid, (int)sc->args[0], false);
		if (c && sc->ret >= 0)
			c->mfd = (int)sc->ret;
		return;
	case MT_CALL_MOVE_MOUNT:
		c = fsctx_find(m, pid, (int)sc->args[0], true);
		if (!c || sc->ret < 0)
			return;
		overlay_mounted(m, rec, caller, path, c->upper, c->work, c->lower, 0, NULL);
		fsctx_drop(m, c);
		return;
	default:
		return;
	}
}

static int on_syscall(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_syscall *sc = rec->sc;
	const struct mt_hdr *h = rec->hdr;
	struct pending *pend = pend_take(m, h->tid, 0);
	struct mns *caller = ns_get(m, h->mntns, h->mntns_id, sc->enter_ns);
	int err = sc->ret < 0 ? (int)-sc->ret : 0;
	char pbuf[4096];
	const char *path = full_path(rec, pbuf, sizeof(pbuf));

	if (caller)
		ns_add_proc(m, caller, h->pid, h->comm, NULL, true);

	switch (sc->call) {
	case MT_CALL_UNSHARE:
	case MT_CALL_CLONE:
	case MT_CALL_CLONE3:
	case MT_CALL_SETNS: {
		struct mns *n;

		if (err || !sc->new_mntns)
			break;
		if (sc->call == MT_CALL_SETNS) {
			n = ns_get(m, sc->new_mntns, sc->new_mntns_id, h->ts_ns);
			if (n)
				ns_add_proc(m, n, h->pid, h->comm, NULL, true);
			break;
		}
		n = ns_created(m, sc->new_mntns, sc->new_mntns_id, sc->enter_ns, h->ts_ns);
		if (!n)
			break;
		ns_set_creator(m, n, h, mt_call_name(sc->call), caller);
		/* unshare moves the caller; clone puts the child there */
		ns_add_proc(m, n, sc->call == MT_CALL_UNSHARE ? h->pid : (__u32)sc->ret,
			    h->comm, NULL, true);
		for (struct mmnt *mm = n->mnts; mm; mm = mm->ns_next) {
			if (!mm->orig)
				mnt_link_new(m, mm);
			check_risk(m, mm, h, n->cr_call);
		}
		break;
	}
	case MT_CALL_UMOUNT2:
		if (!path || !caller)
			break;
		if (!err)
			umount_ok(m, rec, caller, path, pend);
		else if (err == EBUSY)
			umount_ebusy(m, rec, caller, path, pend);
		else if (err == EINVAL)
			umount_einval(m, rec, caller, path);
		break;
	case MT_CALL_UNLINKAT:
		if (!(sc->args[2] & AT_REMOVEDIR_FLAG))
			break;
		/* fall through */
	case MT_CALL_RMDIR:
		if (!path || !caller)
			break;
		if (!err)
			rmdir_ok(m, rec, caller, path, pend);
		else if (err == EBUSY)
			rmdir_ebusy(m, rec, caller, path, pend);
		break;
	case MT_CALL_MOUNT:
		if (streq(rec->str[MT_SC_FSTYPE], "overlay") && (!err || err == EBUSY)) {
			char *u, *w, *l;

			parse_ovl_data(rec->str[MT_SC_DATA], &u, &w, &l);
			overlay_mounted(m, rec, caller, path, u, w, l, err, pend);
			free(u);
			free(w);
			free(l);
		}
		break;
	case MT_CALL_FSOPEN:
	case MT_CALL_FSCONFIG:
	case MT_CALL_FSMOUNT:
	case MT_CALL_MOVE_MOUNT:
		on_new_api(m, rec, caller, path);
		break;
	default:
		break;
	}
	pend_list_free(pend);
	gc(m);
	return 0;
}

/* ---- the public verbs ---- */

struct mt_model *mt_model__new(const struct mt_model_opts *opts)
{
	struct mt_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (opts)
		m->o = *opts;
	m->proc_root = m->o.proc_root ? m->o.proc_root : "/proc";
	m->fb = malloc(sizeof(*m->fb));
	if (!m->fb) {
		free(m);
		return NULL;
	}
	m->self_ns = m->o.self_ns;
	if (!m->self_ns)
		mt_proc_mntns(m->proc_root, (__u32)getpid(), &m->self_ns);
	return m;
}

void mt_model__free(struct mt_model *m)
{
	if (!m)
		return;
#ifdef MT_MODEL_DEBUG
	dbg_model = NULL;
#endif
	for (struct mns *n = m->ns; n; n = n->next)
		ns_kill(n);
	gc(m);
	while (m->ns) {
		struct mns *n = m->ns;

		m->ns = n->next;
		free(n);
	}
	pend_list_free(m->pend);
	while (m->fsc)
		fsctx_drop(m, m->fsc);
	free(m->fb);
	free(m);
}

#ifdef MT_MODEL_DEBUG
/*
 * cc -DMT_MODEL_DEBUG: after every record and every removal, check that
 * each mount is in its overlay's list, in a live namespace, that its
 * original is a mount of the same overlay, and that the copy counts add up.
 */
static int feed(struct mt_model *m, const struct mt_record *rec);

static void check_invariants(struct mt_model *m)
{
	for (struct movl *o = m ? m->ovls : NULL; o; o = o->next)
		for (struct mmnt *x = o->mnts; x; x = x->ovl_next) {
			int copies = 0;
			bool found = !x->orig;

			if (x->ovl != o || x->ns->dead)
				abort();
			for (struct mmnt *y = o->mnts; y; y = y->ovl_next) {
				copies += y->orig == x;
				found |= y == x->orig;
			}
			if (!found || copies != x->nr_copies)
				abort();
		}
}
#endif

int mt_model__feed(struct mt_model *m, const struct mt_record *rec)
{
#ifdef MT_MODEL_DEBUG
	int r;

	dbg_model = m;
	check_invariants(m);
	r = feed(m, rec);
	check_invariants(m);
	return r;
}

static int feed(struct mt_model *m, const struct mt_record *rec)
{
#endif
	m->st.records++;
	switch (rec->hdr->type) {
	case MT_EV_SYSCALL:
		return on_syscall(m, rec);
	case MT_EV_MOUNT:
		return on_mount(m, rec);
	case MT_EV_NS:
		return on_ns(m, rec);
	case MT_EV_LOST:
		return mt_model__resync(m);
	default:
		return 0;
	}
}

void mt_model__stats(const struct mt_model *m, struct mt_model_stats *st)
{
	*st = m->st;
	st->namespaces = st->overlays = st->mounts = 0;
	for (struct mns *n = m->ns; n; n = n->next)
		st->namespaces += !n->dead;
	for (struct movl *o = m->ovls; o; o = o->next) {
		st->overlays += ovl_live(o);
		for (struct mmnt *x = o->mnts; x; x = x->ovl_next)
			st->mounts++;
	}
}

int mt_model__where(struct mt_model *m, const char *path,
		    void (*fn)(void *ctx, __u32 mnt_ns, __u32 mnt_id,
			       const char *mountpoint),
		    void *ctx)
{
	int nr = 0;

	for (struct movl *o = m->ovls; o; o = o->next) {
		bool match = streq(o->upper, path) || streq(o->work, path);

		for (struct mmnt *x = o->mnts; x; x = x->ovl_next) {
			if (!match && !streq(x->path, path))
				continue;
			if (fn)
				fn(ctx, x->ns->ino, x->id, x->path);
			nr++;
		}
	}
	return nr;
}
