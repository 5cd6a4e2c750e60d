// SPDX-License-Identifier: GPL-2.0
/*
 * The model's entity store: namespaces with their processes, overlay
 * superblocks, and the overlay mounts that tie the two. Hash tables index
 * live namespaces by inode, mounts by (namespace, id) and overlays by
 * superblock dev and by upper and work dir. Nothing here reads /proc.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "model_int.h"
#include "names.h"

void set_str(char **dst, const char *src)
{
	if (!src || !*src || streq(*dst, src))
		return;
	free(*dst);
	*dst = strdup(src);
}

void prop_str(__u32 group, __u32 master, char *buf, size_t n)
{
	mt_propagation_str(group, master, false, buf, n);
}

/* ---- namespaces ---- */

struct ns_entry *ns_find(struct mt_model *m, __u32 ino)
{
	for (struct htab_node *h = htab_first(&m->ns_by_ino, ino); h; h = htab_next(h, ino)) {
		struct ns_entry *n = container_of(h, struct ns_entry, by_ino);

		if (n->ino == ino && !n->dead)
			return n;
	}
	return NULL;
}

struct ns_entry *ns_new(struct mt_model *m, __u32 ino, __u64 id, __u64 ts)
{
	struct ns_entry *n;

	if (m->st.namespaces_total >= MAX_NAMESPACES)
		gc(m);
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	if (htab_add(&m->ns_by_ino, &n->by_ino, ino)) {
		free(n);
		return NULL;
	}
	n->ino = ino;
	n->id = id;
	n->first_ts = ts;
	n->next = m->ns;
	m->ns = n;
	m->st.namespaces_total++;
	return n;
}

/* A namespace died: its mounts went with it. The entry stays (dead) while
 * something points at it, so that nothing later confuses it with a
 * successor of the same inode. */
void ns_kill(struct mt_model *m, struct ns_entry *n)
{
	if (n->dead)
		return;
	while (n->mnts)
		mnt_remove(m, n->mnts);
	n->dead = true;
	htab_del(&m->ns_by_ino, &n->by_ino);
	free(n->procs);
	n->procs = NULL;
	n->nr_procs = n->cap_procs = 0;
	free(n->keepers);
	n->keepers = NULL;
	n->nr_keepers = 0;
}

/*
 * The live namespace (@ino, @id). A different never-reused id means the
 * inode was recycled: the old namespace is dead and this is a new one. An
 * entry without an id (from a scan on a kernel that gives none) takes @id
 * for now, and a job confirms that it is the same namespace
 * (model_rescan.c, same_ns).
 */
struct ns_entry *ns_get(struct mt_model *m, __u32 ino, __u64 id, __u64 ts)
{
	struct ns_entry *n;

	if (!ino)
		return NULL;
	n = ns_find(m, ino);
	if (n && id && n->id && n->id != id) {
		ns_kill(m, n);
		n = NULL;
	}
	if (n) {
		if (id && !n->id) {
			struct job *j = job_new(m, JOB_CONFIRM_NS, NULL);

			n->id = id;
			if (j) {
				j->caller = n;
				n->refs++;
			}
		}
		return n;
	}
	return ns_new(m, ino, id, ts);
}

/*
 * A namespace was made during a syscall that entered at @enter_ts. An
 * entry with the same inode first seen before that is a dead namespace
 * whose inode the kernel reused.
 */
struct ns_entry *ns_created(struct mt_model *m, __u32 ino, __u64 id,
			    __u64 enter_ts, __u64 ts)
{
	struct ns_entry *n = ns_find(m, ino);

	if (n) {
		bool same = id && n->id ? n->id == id : n->first_ts >= enter_ts;

		if (!same) {
			ns_kill(m, n);
			n = NULL;
		}
	}
	if (!n)
		n = ns_new(m, ino, id, ts);
	else if (id && !n->id)
		n->id = id;
	return n;
}

struct proc_entry *ns_proc(struct ns_entry *n, __u32 pid)
{
	for (int i = 0; i < n->nr_procs; i++)
		if (n->procs[i].pid == pid)
			return &n->procs[i];
	return NULL;
}

static void ns_drop_proc(struct ns_entry *n, __u32 pid)
{
	struct proc_entry *p = ns_proc(n, pid);

	if (p)
		*p = n->procs[--n->nr_procs];
}

/*
 * @pid lives in @n. @moved: an event saw it there, so drop it from any
 * other namespace (a snapshot lists each process once anyway). Processes
 * seen in events are never seen to exit: past PROCS_PRUNE_AT the work
 * queue drops those that are gone.
 */
int ns_add_proc(struct mt_model *m, struct ns_entry *n, __u32 pid, const char *comm,
		const struct mt_cg_ident *ident, bool moved)
{
	struct proc_entry *p = moved ? ns_proc(n, pid) : NULL;

	if (!p) {
		for (struct ns_entry *o = m->ns; o && moved; o = o->next)
			if (o != n && !o->dead && o->nr_procs)
				ns_drop_proc(o, pid);
		if (mt_array_grow(&n->procs, n->nr_procs, &n->cap_procs, sizeof(*p), 4))
			return -ENOMEM;
		p = &n->procs[n->nr_procs++];
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		p->kthread = -1;
	}
	mt_strscpy(p->comm, comm, sizeof(p->comm));
	if (ident) {
		p->ident = *ident;
		p->ident_known = true;
	}
	return 0;
}

void ns_set_creator(struct mt_model *m, struct ns_entry *n, const struct mt_hdr *h,
		    const char *call, struct ns_entry *from)
{
	struct job *j;

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
	/* the creator's unit or container: its cgroup, read off the hot path */
	j = job_new(m, JOB_CREATOR_IDENT, h);
	if (j) {
		j->caller = n;
		n->refs++;
	}
}

void ns_set_keepers(struct ns_entry *n, const struct mt_keeper *k, int nr)
{
	free(n->keepers);
	n->keepers = NULL;
	n->nr_keepers = 0;
	if (nr <= 0)
		return;
	n->keepers = malloc((size_t)nr * sizeof(*k));
	if (!n->keepers)
		return;
	memcpy(n->keepers, k, (size_t)nr * sizeof(*k));
	n->nr_keepers = nr;
}

void ns_put(struct mt_model *m, struct ns_entry *n)
{
	if (n)
		n->refs--;
}

/* ---- overlays ---- */

static void ovl_index(struct mt_model *m, struct overlay_entry *o, bool add)
{
	if (!add) {
		if (o->dev)
			htab_del(&m->ovl_by_dev, &o->by_dev);
		if (ovl_has_dir(o, OVL_UPPER))
			htab_del(&m->ovl_by_upper, &o->by_upper);
		if (ovl_has_dir(o, OVL_WORK))
			htab_del(&m->ovl_by_work, &o->by_work);
		return;
	}
	/* a failed add leaves the overlay reachable through the list only */
	if (o->dev)
		htab_add(&m->ovl_by_dev, &o->by_dev, o->dev);
	if (ovl_has_dir(o, OVL_UPPER))
		htab_add(&m->ovl_by_upper, &o->by_upper, htab_str(ovl_dir(m, o, OVL_UPPER)));
	if (ovl_has_dir(o, OVL_WORK))
		htab_add(&m->ovl_by_work, &o->by_work, htab_str(ovl_dir(m, o, OVL_WORK)));
}

/* The first (or the next after @after) overlay in @t's chain of @key, the
 * hash of a dir (hashed once by the caller: paths are long, chains too). */
static struct overlay_entry *ovl_by_dir(struct htab *t, size_t member, __u64 key,
					struct overlay_entry *after)
{
	struct htab_node *h = after ? htab_next((struct htab_node *)((char *)after + member), key)
				    : htab_first(t, key);

	return h ? (struct overlay_entry *)((char *)h - member) : NULL;
}

#define OVL_BY(t, field, key, after) \
	ovl_by_dir(t, offsetof(struct overlay_entry, field), key, after)

struct overlay_entry *ovl_get(struct mt_model *m, __u32 dev, const char *upper,
			      const char *work, bool create)
{
	struct overlay_entry *o;
	__u64 key;

	if (dev) {
		for (struct htab_node *h = htab_first(&m->ovl_by_dev, dev); h;
		     h = htab_next(h, dev)) {
			o = container_of(h, struct overlay_entry, by_dev);
			if (o->dev == dev)
				return o;
		}
	}
	/* hashed only now: most look-ups know the dev, and paths are long */
	key = upper && *upper ? htab_str(upper) : 0;
	for (o = upper && *upper ? OVL_BY(&m->ovl_by_upper, by_upper, key, NULL) : NULL; o;
	     o = OVL_BY(&m->ovl_by_upper, by_upper, key, o))
		if (ovl_dir_is(o, OVL_UPPER, upper) && ovl_dir_is(o, OVL_WORK, work) &&
		    (!o->dev || !dev))
			break;
	if (o) {
		if (dev && !o->dev) {
			o->dev = dev;
			htab_add(&m->ovl_by_dev, &o->by_dev, dev);
		}
		return o;
	}
	if (!create)
		return NULL;
	if (m->st.overlays_total >= MAX_OVERLAYS)
		gc(m);
	o = mt_slab_alloc(&m->ovl_slab);
	if (!o)
		return NULL;
	o->dev = dev;
	o->next = m->ovls;
	m->ovls = o;
	m->st.overlays_total++;
	ovl_index(m, o, true);
	return o;
}

void ovl_set_layers(struct mt_model *m, struct overlay_entry *o, const char *path,
		    const char *upper, const char *work, const char *lower, bool self)
{
	bool reindex = (upper && *upper && !ovl_dir_is(o, OVL_UPPER, upper)) ||
		       (work && *work && !ovl_dir_is(o, OVL_WORK, work));
	const char *dirs[OVL_NR_DIRS] = { [OVL_UPPER] = upper, [OVL_WORK] = work,
					  [OVL_LOWER] = lower };

	if (reindex)
		ovl_index(m, o, false);
	/* the path as seen from mnttrace's namespace wins */
	ovl_set_dirs(m, o, path && (!o->merged || self) ? path : NULL, dirs);
	if (reindex)
		ovl_index(m, o, true);
}

/*
 * A mounted overlay whose upper or work dir is @upper or @work, first seen
 * before @newer_than (an overlay the call itself made, or its propagated
 * copies, pin nothing).
 */
struct overlay_entry *ovl_pinning(struct mt_model *m, const char *upper,
				  const char *work, __u64 newer_than)
{
	const char *dirs[2] = { upper, work };
	struct overlay_entry *found = NULL;

	for (int d = 0; d < 2; d++) {
		__u64 key;

		if (!dirs[d] || !*dirs[d])
			continue;
		key = htab_str(dirs[d]);
		for (int t = 0; t < 2; t++) {
			struct htab *tab = t ? &m->ovl_by_work : &m->ovl_by_upper;
			size_t off = t ? offsetof(struct overlay_entry, by_work) :
					 offsetof(struct overlay_entry, by_upper);

			for (struct overlay_entry *o = ovl_by_dir(tab, off, key, NULL); o;
			     o = ovl_by_dir(tab, off, key, o)) {
				if (!ovl_live(o) || (newer_than && o->first_ts >= newer_than) ||
				    !ovl_dir_is(o, t ? OVL_WORK : OVL_UPPER, dirs[d]))
					continue;
				/* several pin it: the leaked one is the news */
				if (o->leak_id)
					return o;
				if (!found)
					found = o;
			}
		}
	}
	return found;
}

void ovl_put(struct mt_model *m, struct overlay_entry *o)
{
	if (o)
		o->refs--;
}

static void ovl_free(struct mt_model *m, struct overlay_entry *o)
{
	ovl_index(m, o, false);
	ovl_free_strs(m, o);
	mt_slab_free(&m->ovl_slab, o);
	m->st.overlays_total--;
}

/* Forget overlays that are mounted nowhere and dead namespaces that
 * nothing points at. */
void gc(struct mt_model *m)
{
	for (struct overlay_entry **pp = &m->ovls; *pp;) {
		struct overlay_entry *o = *pp;

		if (ovl_live(o) || o->refs) {
			pp = &o->next;
			continue;
		}
		*pp = o->next;
		ovl_free(m, o);
	}
	for (struct ns_entry *n = m->ns; n; n = n->next)
		if (n->cr_from && n->cr_from->dead)
			n->cr_from = NULL;	/* a dead parent says nothing more */
	for (struct ns_entry **pp = &m->ns; *pp;) {
		struct ns_entry *n = *pp;

		if (!n->dead || n->refs) {
			pp = &n->next;
			continue;
		}
		*pp = n->next;
		free(n);
		m->st.namespaces_total--;
	}
}

/* ---- mounts ---- */

/* Copies and originals share a superblock: an orig of another overlay
 * (a reused mount id) is no orig. */
void set_orig(struct mount_entry *mm, struct mount_entry *orig)
{
	if (orig && orig->ovl != mm->ovl)
		orig = NULL;
	/* no cycles: @mm may not be where @orig came from */
	for (struct mount_entry *up = orig; up; up = up->orig)
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

static __u64 mnt_key(const struct ns_entry *n, __u32 id)
{
	return (__u64)(uintptr_t)n * 31 + id;
}

void mnt_remove(struct mt_model *m, struct mount_entry *mm)
{
	mm->ns->nr_mnts--;
	mm->ns->nr_noid -= !mm->id;
	mm->ovl->nr_mnts--;
	*mm->ns_pprev = mm->ns_next;
	if (mm->ns_next)
		mm->ns_next->ns_pprev = mm->ns_pprev;
	*mm->ovl_pprev = mm->ovl_next;
	if (mm->ovl_next)
		mm->ovl_next->ovl_pprev = mm->ovl_pprev;
	if (mm->id)
		htab_del(&m->mnt_by_id, &mm->by_id);
	if (mm->ovl->home == mm)
		mm->ovl->home = NULL;
	/* copies of this mount now descend from its own original */
	for (struct mount_entry *x = mm->ovl->mnts; x && mm->nr_copies; x = x->ovl_next)
		if (x->orig == mm)
			set_orig(x, mm->orig);
	set_orig(mm, NULL);
	mt_strpool_put(&m->paths, mm->path);
	mt_slab_free(&m->mnt_slab, mm);
	m->st.mounts_total--;
}

struct mount_entry *ns_mnt(struct mt_model *m, struct ns_entry *n, __u32 id)
{
	__u64 key = mnt_key(n, id);

	if (!n || !id)
		return NULL;
	for (struct htab_node *h = htab_first(&m->mnt_by_id, key); h; h = htab_next(h, key)) {
		struct mount_entry *mm = container_of(h, struct mount_entry, by_id);

		if (mm->ns == n && mm->id == id)
			return mm;
	}
	return NULL;
}

/* The topmost overlay mount at @path in @n (newest first). */
struct mount_entry *ns_mnt_at(struct ns_entry *n, const char *path)
{
	for (struct mount_entry *mm = n ? n->mnts : NULL; mm; mm = mm->ns_next)
		if (streq(mm->path, path))
			return mm;
	return NULL;
}

/*
 * The first mount of @o in @n, in @n's list order, that @want (NULL: any).
 * A storm's namespace holds thousands of overlays and an overlay a few
 * copies, or the other way round: walk the shorter list, and @n's own
 * only when more than one mount of @o is there (its order decides).
 */
struct mount_entry *ns_ovl_first(struct ns_entry *n, const struct overlay_entry *o,
				 bool (*want)(const struct mount_entry *))
{
	struct mount_entry *hit = NULL;
	int hits = 0;

	if (o->nr_mnts < n->nr_mnts) {
		for (struct mount_entry *x = o->mnts; x && hits < 2; x = x->ovl_next)
			if (x->ns == n && (!want || want(x))) {
				hit = x;
				hits++;
			}
		if (hits < 2)
			return hit;
	}
	for (struct mount_entry *x = n->mnts; x; x = x->ns_next)
		if (x->ovl == o && (!want || want(x)))
			return x;
	return NULL;
}

static void mnt_set_id(struct mt_model *m, struct mount_entry *mm, __u32 id)
{
	mm->ns->nr_noid += !id - !mm->id;
	if (mm->id)
		htab_del(&m->mnt_by_id, &mm->by_id);
	mm->id = id;
	if (id)
		htab_add(&m->mnt_by_id, &mm->by_id, mnt_key(mm->ns, id));
}

struct mount_entry *mnt_upsert(struct mt_model *m, struct ns_entry *n,
			       const struct mnt_info *in, bool *created)
{
	struct mount_entry *mm = in->id ? ns_mnt(m, n, in->id) : NULL;
	struct overlay_entry *o;

	*created = false;
	/* a rescan may have found the namespace gone meanwhile */
	if (n->dead)
		return NULL;
	if (!mm && in->id && n->nr_noid) {
		/* a mount known only from its syscall gets its id now */
		for (mm = n->mnts; mm; mm = mm->ns_next)
			if (!mm->id && streq(mm->path, in->path))
				break;
		if (mm) {
			mnt_set_id(m, mm, in->id);
			mm->ovl->home = NULL;
		}
	}
	/* the id was reused for another mount: another superblock, or another
	 * never-reused id */
	if (mm && ((in->dev && mm->ovl->dev && mm->ovl->dev != in->dev) ||
		   (in->uid && mm->uid && mm->uid != in->uid))) {
		mnt_remove(m, mm);
		mm = NULL;
	}
	if (!mm) {
		o = ovl_get(m, in->dev, in->new_sb ? NULL : in->upper, in->work, true);
		if (!o)
			return NULL;
		mm = mt_slab_alloc(&m->mnt_slab);
		if (!mm)
			return NULL;
		if (!o->mnts && !o->first_ts)
			o->first_ts = m->now_ts;
		mm->ns = n;
		mm->ovl = o;
		n->nr_mnts++;
		n->nr_noid++;	/* until mnt_set_id() */
		o->nr_mnts++;
		mnt_set_id(m, mm, in->id);
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
		if (o->home && better_home(m->self_ns, mm, o->home))
			o->home = mm;
		m->st.mounts_total++;
		*created = true;
	}
	if (in->uid)
		mm->uid = in->uid;
	mnt_set_path(m, mm, in->path);
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
	if (in->dev && !mm->ovl->dev) {
		mm->ovl->dev = in->dev;
		htab_add(&m->ovl_by_dev, &mm->ovl->by_dev, in->dev);
	}
	ovl_set_layers(m, mm->ovl, in->path, in->upper, in->work, in->lower,
		       n->ino == m->self_ns);
	return mm;
}

/*
 * The invariants that the random-stream test checks after every record
 * (built with -DMT_MODEL_DEBUG, make asan): each mount is in its overlay's
 * list and the id index, in a live namespace, its original is a mount of
 * the same overlay, and the copy counts add up.
 */
void check_invariants(struct mt_model *m)
{
#ifdef MT_MODEL_DEBUG
	for (struct overlay_entry *o = m ? m->ovls : NULL; o; o = o->next)
		for (struct mount_entry *x = o->mnts; x; x = x->ovl_next) {
			int copies = 0;
			bool found = !x->orig;

			if (x->ovl != o || x->ns->dead)
				abort();
			if (x->id && ns_mnt(m, x->ns, x->id) != x)
				abort();
			for (struct mount_entry *y = o->mnts; y; y = y->ovl_next) {
				copies += y->orig == x;
				found |= y == x->orig;
			}
			if (!found || copies != x->nr_copies)
				abort();
		}
	for (struct ns_entry *n = m ? m->ns : NULL; n; n = n->next) {
		int nr = 0, noid = 0;

		if (!n->dead && ns_find(m, n->ino) != n)
			abort();
		for (struct mount_entry *x = n->mnts; x; x = x->ns_next, nr++)
			noid += !x->id;
		if (nr != n->nr_mnts || noid != n->nr_noid)
			abort();
	}
	for (struct overlay_entry *o = m ? m->ovls : NULL; o; o = o->next) {
		int nr = 0;

		for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
			nr++;
		if (nr != o->nr_mnts)
			abort();
	}
#else
	(void)m;
#endif
}
