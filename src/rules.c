// SPDX-License-Identifier: GPL-2.0
/*
 * The finding rules (docs/findings.md), one section a kind. Each rule has
 * two halves: rule_*() runs in record order, updates nothing it does not
 * own and queues a job with the facts of that moment; the job's prepare
 * names the namespaces to re-read, and its finish, run after the rescans
 * (model_rescan.c), decides and builds the finding. Findings carry a
 * reason code and its facts; the words are made in findings.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"
#include "names.h"


/* ---- risk: a copy its original's umount will not reach ---- */

enum verdict { NO_RISK, RISK, NEED_ORIGINAL };

static enum verdict judge_risk(struct mount_entry *c, bool can_read)
{
	struct mount_entry *r;

	if (!c->orig || c->risk_done || !c->prop_known || container_ns(c))
		return NO_RISK;
	r = root_orig(c);
	if (r->ns == c->ns)
		return NO_RISK;
	/* an original known only from its syscall: read it first */
	if (!r->prop_known && can_read)
		return NEED_ORIGINAL;
	/* with an original of unknown propagation, only a private copy is sure */
	if (!r->prop_known && (c->group || c->master))
		return NO_RISK;
	if (r->prop_known && reaches(r, c))
		return NO_RISK;
	/* once per (namespace, overlay); the overlay's mounts are far fewer
	 * than a namespace's on a busy host */
	for (struct mount_entry *x = c->ovl->mnts; x; x = x->ovl_next)
		if (x->ns == c->ns && x->risk_done)
			return NO_RISK;
	return RISK;
}

static void queue_risk(struct mt_model *m, struct mount_entry *c, const struct mt_hdr *h,
		       const char *op, bool decided)
{
	struct job *j = job_new(m, JOB_RISK, h);

	if (!j)
		return;
	j->op = op;
	j->known = decided;
	j->ovl = c->ovl;
	c->ovl->refs++;
	job_add_ref(j, c);
	if (decided) {
		/* the facts of this moment: the copy may be gone by the finish */
		c->risk_done = true;
		job_add_ref(j, root_orig(c));
	}
}

void rule_check_risk(struct mt_model *m, struct mount_entry *c, const struct mt_hdr *h,
		     const char *op)
{
	switch (judge_risk(c, !m->o.no_rescan)) {
	case RISK:
		queue_risk(m, c, h, op, true);
		break;
	case NEED_ORIGINAL:
		queue_risk(m, c, h, op, false);
		break;
	default:
		break;
	}
}

static void finish_risk(struct mt_model *m, struct job *j)
{
	const struct mount_ref *c, *r;
	struct mt_reason_args *a;
	struct fbuild *b;

	if (!j->known) {
		/* the original's namespace was re-read: judge again */
		struct mount_entry *live = mount_deref(m, &j->mounts[0]);

		if (!live || judge_risk(live, false) != RISK)
			return;
		live->risk_done = true;
		job_add_ref(j, live);	/* [1]: the copy as it is now */
		job_add_ref(j, root_orig(live));	/* [2] */
		c = &j->mounts[1];
		r = &j->mounts[2];
	} else {
		c = &j->mounts[0];
		r = &j->mounts[1];
	}
	b = fb_new(m, MT_FIND_RISK, j->hdr.ts_ns ? &j->hdr : NULL, j->op, 0, j->ovl);
	if (!j->hdr.ts_ns)
		fb_finding(b)->mnt_ns = r->ns->ino;
	fb_holder(b, c->ns, c, true);
	a = &fb_finding(b)->why;
	a->copy_ns = c->ns->ino;
	a->orig_ns = r->ns->ino;
	prop_str(c->group, c->master, a->copy_prop, sizeof(a->copy_prop));
	prop_str(r->group, r->master, a->orig_prop, sizeof(a->orig_prop));
	a->orig_private_parent = r->parent_known && !r->parent_group;
	fb_creator_args(a, c->ns);
	if (!c->group && !c->master && !r->group)
		fb_finding(b)->reason_code = MT_REASON_RISK_PRIVATE_ORIGINAL;
	else if (!c->group && !c->master)
		fb_finding(b)->reason_code = MT_REASON_RISK_MADE_PRIVATE;
	else
		fb_finding(b)->reason_code = MT_REASON_RISK_OTHER_GROUP;
	fb_emit(m, b);
}

/* ---- leak: unmounted here, copies stay elsewhere ---- */

/*
 * Raise a leak for overlay @o: the copies @held (taken when the record
 * came, or now for EINVAL) stay mounted although the mount @gone went.
 */
static void emit_leak(struct mt_model *m, struct job *j, struct overlay_entry *o,
		      const struct mount_ref *gone, int err, struct mount_ref *held, int nr)
{
	const struct mount_ref *first = nr ? &held[0] : NULL;
	struct mt_reason_args *a;
	struct mt_finding *f;
	struct fbuild *b;

	if (!first)
		return;
	b = fb_new(m, MT_FIND_LEAK, &j->hdr, j->op, err, o);
	f = fb_finding(b);
	f->leak_id = 0;
	for (int i = 0; i < nr; i++)
		fb_holder(b, held[i].ns, &held[i], true);
	a = &f->why;
	a->copy_ns = first->ns->ino;
	a->path = o->merged ? o->merged : j->path;
	fb_creator_args(a, first->ns);
	prop_str(first->group, first->master, a->copy_prop, sizeof(a->copy_prop));
	if (err == EINVAL) {
		f->reason_code = MT_REASON_LEAK_NOT_MOUNTED_HERE;
	} else if (!first->prop_known) {
		f->reason_code = MT_REASON_LEAK_UNREACHED;
	} else if (!first->group && !first->master) {
		f->reason_code = MT_REASON_LEAK_PRIVATE_COPY;
		a->orig_private = gone->prop_known && !gone->group;
	} else if (gone->prop_known && !gone->group) {
		f->reason_code = MT_REASON_LEAK_PRIVATE_ORIGINAL;
		a->orig_private = true;
	} else {
		f->reason_code = MT_REASON_LEAK_OTHER_GROUP;
		prop_str(gone->group, gone->master, a->orig_prop, sizeof(a->orig_prop));
	}
	o->leak_id = fb_emit(m, b);
}

/* Take refs to the mounts of @o outside @except, as they are now. */
static void ref_copies(struct job *j, struct overlay_entry *o, struct ns_entry *except)
{
	for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
		if (x->ns != except)
			job_add_ref(j, x);
}

/*
 * umount2(MNT_DETACH) reached copies @lazy in other namespaces: the kernel
 * detaches a busy copy too (umount_tree, no propagate_mount_busy check for a
 * lazy umount; 6.1, 6.12, 6.18), and whoever had its cwd, root or an open
 * file there is left in a detached tree. Which processes did is read in the
 * finish: /proc is not for the record path.
 */
static void queue_lazy_detached(struct mt_model *m, const struct mt_record *rec,
				struct ns_entry *caller, const char *path,
				struct overlay_entry *o, struct mount_entry **lazy, int nr)
{
	struct job *j;

	if (!nr)
		return;
	j = rule_queue(m, JOB_LAZY_DETACHED, rec, o, caller, path);
	for (int i = 0; j && i < nr; i++)
		job_add_ref(j, lazy[i]);
	if (j)
		j->dev = o->dev;
}

/* The MNT_DETACH bit of umount2's flags (include/linux/fs.h, 2 since 2.4.11). */
static bool lazy_umount(const struct mt_record *rec)
{
	return rec && rec->hdr->type == MT_EV_SYSCALL && (rec->sc->args[1] & 2);
}

/* Keep copy @x, about to go, as a candidate; false when it is not one
 * (the caller's own, a container's own root that dies with it, already
 * kept, or past the bound). */
static bool add_lazy(struct mount_entry **lazy, int *nr, struct mount_entry *x,
		     const struct ns_entry *caller)
{
	for (int i = 0; i < *nr; i++)
		if (lazy[i] == x)
			return true;
	if (x->ns == caller || !x->path || container_ns(x) || *nr == MAX_CANDIDATES)
		return false;
	lazy[(*nr)++] = x;
	return true;
}

/* umount2 succeeded. */
void rule_umount_ok(struct mt_model *m, const struct mt_record *rec,
		    struct ns_entry *caller, const char *path, struct pending *pend)
{
	struct mount_entry *mm = NULL, *root, *lazy[MAX_CANDIDATES];
	bool known = false, uncertain, detach = lazy_umount(rec);
	struct ns_entry *hold[1];
	int nr_lazy = 0;
	struct overlay_entry *o;
	struct job *j;

	/* fentry/kprobe: the kernel said what it removed. propagate_umount's
	 * list may hold umount_tree's own root too. */
	for (struct pending *p = pend; p && !mm; p = p->next)
		if (p->op == MT_MNT_UMOUNT && !(p->aux & MT_UMOUNT_CONNECTED))
			mm = pending_mount(m, p);
	for (struct pending *p = pend; p; p = p->next) {
		struct mount_entry *x = pending_mount(m, p);

		if (p->op == MT_MNT_UMOUNT || p->op == MT_MNT_UMOUNT_PROP)
			known = true;
		/* the copies go now, after the lazy-detach job took them */
		if (x && x != mm && p->op == MT_MNT_UMOUNT_PROP &&
		    !add_lazy(lazy, &nr_lazy, x, caller))
			mnt_remove(m, x);
	}
	if (!mm)
		mm = ns_mnt_at(caller, path);
	if (!mm) {
		for (int i = 0; i < nr_lazy; i++)
			mnt_remove(m, lazy[i]);
		return;
	}
	o = mm->ovl;
	root = root_orig(mm);
	uncertain = false;
	for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
		uncertain |= !x->prop_known;
	j = rule_queue(m, JOB_LEAK, rec, o, caller, path);
	if (j) {
		j->gone = mount_ref_of(mm);
		j->known = known;
		/*
		 * The mounts too only when the prediction was a guess: with
		 * every propagation known it is the kernel's own rule, and a
		 * rescan may already miss a copy that a later rmdir detached.
		 */
		j->reread_mounts = uncertain && !known;
		/* unmounting a copy while its original stays is housekeeping */
		if (root != mm && root->ns != caller)
			j->orig = mount_ref_of(root);
	}
	if (!known) {
		/* predict: peers and slaves of the unmounted mount's group go */
		for (struct mount_entry *x = o->mnts, *next; x; x = next) {
			next = x->ovl_next;
			if (x != mm && x->ns != caller && reaches(mm, x) &&
			    !add_lazy(lazy, &nr_lazy, x, caller))
				mnt_remove(m, x);
		}
	}
	if (detach)
		queue_lazy_detached(m, rec, caller, path, o, lazy, nr_lazy);
	for (int i = 0; i < nr_lazy; i++)
		mnt_remove(m, lazy[i]);
	mnt_remove(m, mm);
	if (j && (o->leak_id || !holder_namespaces(o, caller, hold, 1)))
		j->kind = JOB_NONE;	/* nothing left, or that leak is told */
	else if (j)
		ref_copies(j, o, caller);	/* what stayed, at this moment */
}

static void finish_leak(struct mt_model *m, struct job *j)
{
	struct overlay_entry *o = j->ovl;
	int nr = 0;

	if (o->leak_id)
		return;
	if (j->orig.ns) {
		for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
			if (x->ns == j->orig.ns)
				return;
	}
	if (j->reread_mounts) {
		/* the umount's reach was a guess: what the rescan still shows */
		for (int i = 0; i < j->nr_mounts; i++)
			mount_ref_free(m, &j->mounts[i]);
		j->nr_mounts = 0;
		ref_copies(j, o, j->caller);
	}
	/*
	 * Otherwise what stayed when the umount returned: a later rmdir may
	 * have detached a copy since, and the leak happened all the same. A
	 * namespace the rescan found gone held nothing.
	 */
	for (int i = 0; i < j->nr_mounts; i++)
		if (!j->mounts[i].ns->dead) {
			struct mount_ref tmp = j->mounts[nr];

			j->mounts[nr++] = j->mounts[i];
			j->mounts[i] = tmp;
		}
	emit_leak(m, j, o, &j->gone, 0, j->mounts, nr);
}

/* umount2 failed with EINVAL: mounted elsewhere only? */
void rule_umount_einval(struct mt_model *m, const struct mt_record *rec,
			struct ns_entry *caller, const char *path)
{
	if (ns_mnt_at(caller, path))
		return;
	for (struct overlay_entry *o = m->ovls; o; o = o->next) {
		bool at = false;

		if (o->leak_id)
			continue;
		for (struct mount_entry *x = o->mnts; x && !at; x = x->ovl_next)
			at = streq(x->path, path);
		if (!at)
			continue;
		rule_queue(m, JOB_NOT_MOUNTED_HERE, rec, o, caller, path);
		return;
	}
}

static void finish_not_mounted_here(struct mt_model *m, struct job *j)
{
	if (!ovl_live(j->ovl) || j->ovl->leak_id)
		return;
	ref_copies(j, j->ovl, j->caller);
	emit_leak(m, j, j->ovl, NULL, EINVAL, j->mounts, j->nr_mounts);
}

/* ---- ebusy: umount2, rmdir, or an overlay mount said EBUSY ---- */

/* umount2 failed with EBUSY: find the busy copy and who holds it. */
void rule_umount_ebusy(struct mt_model *m, const struct mt_record *rec,
		       struct ns_entry *caller, const char *path, struct pending *pend)
{
	struct mount_entry *mm = ns_mnt_at(caller, path);
	struct job *j;

	/* fentry/kprobe: propagate_mount_busy named the busy mounts */
	for (struct pending *p = pend; p; p = p->next) {
		struct mount_entry *x = pending_mount(m, p);

		if (p->op == MT_MNT_BUSY && x && !mm)
			mm = x;
	}
	if (!mm)
		return;
	j = rule_queue(m, JOB_UMOUNT_BUSY, rec, mm->ovl, caller, path);
	for (struct pending *p = pend; j && p && j->nr_mounts < MAX_CANDIDATES; p = p->next) {
		struct mount_entry *x = pending_mount(m, p);

		if (p->op == MT_MNT_BUSY && x)
			job_add_ref(j, x);
	}
}

/* find_users() for a live mount of the umount's reach. */
static int find_busy_users(struct mt_model *m, struct fbuild *b, struct job *j,
			   struct mount_entry *x, int found)
{
	struct mount_ref r = mount_ref_of(x);

	found = find_users(m, b, &r, x->ovl->dev,
			   x->ns == j->caller ? MT_REASON_BUSY_HERE : MT_REASON_BUSY_COPY, found);
	mount_ref_free(m, &r);
	return found;
}

static void finish_umount_busy(struct mt_model *m, struct job *j)
{
	struct mount_entry *busy[MAX_CANDIDATES], *mm;
	int nr_busy = 0, found = 0;
	bool capped = false;
	struct fbuild *b;

	for (int i = 0; i < j->nr_mounts; i++) {
		struct mount_entry *x = mount_deref(m, &j->mounts[i]);

		if (x)
			busy[nr_busy++] = x;
	}
	mm = ns_mnt_at(j->caller, j->path);
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
	for (struct mount_entry *x = mm->ovl->mnts; x; x = x->ovl_next) {
		bool listed = false;

		for (int i = 0; i < nr_busy; i++)
			listed |= busy[i] == x;
		if (listed || x == mm || !reaches(mm, x))
			continue;
		if (nr_busy == MAX_CANDIDATES) {
			capped = true;
			break;
		}
		busy[nr_busy++] = x;
	}
	b = fb_new(m, MT_FIND_EBUSY, &j->hdr, "umount2", EBUSY, mm->ovl);
	fb_finding(b)->holders_truncated = capped;
	fb_finding(b)->why.path = fb_str(b, j->path);
	/* copies in other namespaces first: they are the surprise */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nr_busy; i++)
			if ((busy[i]->ns == j->caller) == (pass == 1) && busy[i]->path)
				found = find_busy_users(m, b, j, busy[i], found);
	if (!found) {
		for (int i = 0; i < nr_busy; i++) {
			struct mount_ref r = mount_ref_of(busy[i]);

			fb_holder(b, busy[i]->ns, &r, true);
			mount_ref_free(m, &r);
		}
		fb_finding(b)->reason_code = MT_REASON_BUSY_UNKNOWN;
		fb_finding(b)->why.count = nr_busy - 1;
	}
	fb_emit(m, b);
}

/* rmdir/unlinkat(AT_REMOVEDIR) of @path failed with EBUSY. */
void rule_rmdir_ebusy(struct mt_model *m, const struct mt_record *rec,
		      struct ns_entry *caller, const char *path)
{
	struct mount_entry *own = ns_mnt_at(caller, path), *other = NULL;

	for (struct overlay_entry *o = m->ovls; o && !other && !own; o = o->next)
		for (struct mount_entry *x = o->mnts; x && !other; x = x->ovl_next)
			if (x->ns != caller && streq(x->path, path))
				other = x;
	if (own || other)
		rule_queue(m, JOB_RMDIR_BUSY, rec, own ? own->ovl : other->ovl, caller, path);
}

static void finish_rmdir_busy(struct mt_model *m, struct job *j)
{
	struct mount_entry *own = ns_mnt_at(j->caller, j->path), *other = NULL;
	struct mt_finding *f;
	struct fbuild *b;

	for (struct overlay_entry *o = m->ovls; o && !other && !own; o = o->next)
		for (struct mount_entry *x = o->mnts; x && !other; x = x->ovl_next)
			if (x->ns != j->caller && streq(x->path, j->path))
				other = x;
	if (!own && !other)
		return;
	b = fb_new(m, MT_FIND_EBUSY, &j->hdr, j->op, EBUSY, own ? own->ovl : other->ovl);
	f = fb_finding(b);
	f->why.path = fb_str(b, j->path);
	if (own) {
		struct mount_ref r = mount_ref_of(own);

		fb_holder(b, j->caller, &r, true);
		mount_ref_free(m, &r);
		f->reason_code = MT_REASON_RMDIR_MOUNTED_HERE;
		f->why.mnt_id = own->id;
	} else {
		add_all_holders(b, other->ovl, j->caller);
		f->reason_code = MT_REASON_RMDIR_MOUNTED_ELSEWHERE;
		f->why.copy_ns = other->ns->ino;
	}
	fb_emit(m, b);
}

/* ---- detached: rmdir lazily unmounted copies elsewhere ---- */

/* rmdir/unlinkat(AT_REMOVEDIR) of @path succeeded. */
void rule_rmdir_ok(struct mt_model *m, const struct mt_record *rec,
		   struct ns_entry *caller, const char *path, struct pending *pend)
{
	struct mount_entry *cand[MAX_CANDIDATES];
	bool capped = false;
	int nr = 0;
	struct job *j;

	if (m->o.internals) {
		/* __detach_mounts: umount_tree(UMOUNT_CONNECTED) per copy */
		for (struct pending *p = pend; p && nr < MAX_CANDIDATES; p = p->next) {
			struct mount_entry *x = pending_mount(m, p);
			bool dup = false;

			for (int i = 0; i < nr; i++)
				dup |= cand[i] == x;
			if (x && !dup && p->op == MT_MNT_UMOUNT && (p->aux & MT_UMOUNT_CONNECTED))
				cand[nr++] = x;
		}
	} else {
		/* tracepoint mode: the copies mounted at that path elsewhere */
		for (struct overlay_entry *ov = m->ovls; ov; ov = ov->next)
			for (struct mount_entry *x = ov->mnts; x; x = x->ovl_next)
				if (x->ns != caller && streq(x->path, path)) {
					if (nr == MAX_CANDIDATES) {
						capped = true;
						break;
					}
					cand[nr++] = x;
				}
	}
	if (!nr)
		return;
	j = rule_queue(m, JOB_DETACHED, rec, cand[0]->ovl, caller, path);
	for (int i = 0; j && i < nr; i++)
		job_add_ref(j, cand[i]);
	if (j) {
		j->known = m->o.internals;
		j->capped = capped || (m->o.internals && nr == MAX_CANDIDATES);
	}
	/* fentry/kprobe: the kernel said which went */
	for (int i = 0; m->o.internals && i < nr; i++)
		mnt_remove(m, cand[i]);
}

static void finish_detached(struct mt_model *m, struct job *j)
{
	struct fbuild *b = fb_new(m, MT_FIND_DETACHED, &j->hdr, j->op, 0, j->ovl);
	struct mt_finding *f = fb_finding(b);
	int users = 0;

	for (int i = 0; i < j->nr_mounts; i++) {
		struct mount_ref *r = &j->mounts[i];
		struct mount_entry *x = mount_deref(m, r);
		struct mt_finding_holder *h;

		if (x && !j->known) {
			/* the rescan says it is still there: not detached */
			if (!m->o.no_rescan)
				continue;
			mnt_remove(m, x);	/* no rescan: trust the kernel's rule */
		}
		/* what was really lost: the processes that used the copy first */
		if (!r->ns->dead)
			users = find_users(m, b, r, j->ovl->dev, MT_REASON_DETACHED_BY_RMDIR,
					   users);
		h = fb_holder(b, r->ns, r, true);
		if (h)
			h->gone = true;
	}
	if (!f->nr_holders)
		return;
	f->holders_truncated |= j->capped;
	f->reason_code = MT_REASON_DETACHED_BY_RMDIR;
	f->why.path = fb_str(b, j->path);
	f->why.count = f->nr_holders;
	fb_emit(m, b);
}

/* ---- detached, by a lazy umount: busy copies elsewhere went too ---- */

static void finish_lazy_detached(struct mt_model *m, struct job *j)
{
	struct fbuild *b = fb_new(m, MT_FIND_DETACHED, &j->hdr, j->op, 0, j->ovl);
	struct mt_finding *f = fb_finding(b);
	int found = 0;

	for (int i = 0; i < j->nr_mounts; i++)
		if (!j->mounts[i].ns->dead)
			found = find_users(m, b, &j->mounts[i], j->dev,
					   MT_REASON_DETACHED_BUSY_BY_LAZY_UMOUNT, found);
	/* a copy nobody used going with the original is what a slave is for */
	if (!found)
		return;
	for (int i = 0; i < f->nr_holders; i++)
		f->holders[i].gone = true;
	f->why.path = fb_str(b, j->path);
	f->why.count = found;
	fb_emit(m, b);
}

/* ---- inuse: a new overlay on an upper/workdir a leaked copy pins ---- */

/* An overlay mount (mount(2) or the new API) with these layers ended. */
void rule_overlay_mounted(struct mt_model *m, const struct mt_record *rec,
			  struct ns_entry *caller, const char *path, const char *upper,
			  const char *work, const char *lower, int err)
{
	__u64 since = rec->hdr->type == MT_EV_SYSCALL ? rec->sc->enter_ns : 0;
	struct overlay_entry *pin = ovl_pinning(m, upper, work, since);
	struct job *j;

	if (pin && (!err || err == EBUSY)) {
		j = rule_queue(m, JOB_UPPER_IN_USE, rec, pin, caller, path);
		if (j) {
			j->upper = xstrdup(upper);
			j->work = xstrdup(work);
			j->lower = xstrdup(lower);
			j->reread_mounts = !err;	/* EBUSY says it is mounted */
		}
	}
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
				       .lower = lower, .new_sb = true };
		bool created;

		mnt_upsert(m, caller, &in, &created);
	}
}

static void finish_upper_in_use(struct mt_model *m, struct job *j)
{
	struct overlay_entry *pin = ovl_pinning(m, j->upper, j->work, j->enter_ns);
	bool pinned_here = false;
	struct mt_finding *f;
	struct mount_entry *x;
	struct fbuild *b;

	if (!pin)
		return;
	x = pin->mnts;
	for (struct mount_entry *y = pin->mnts; y; y = y->ovl_next)
		pinned_here |= y->ns == j->caller;
	b = fb_new(m, j->err ? MT_FIND_EBUSY : MT_FIND_INUSE, &j->hdr, j->op, j->err, pin);
	f = fb_finding(b);
	/* the new mount's own layers, the pinning overlay's mounts */
	if (j->path)
		f->path = fb_str(b, j->path);
	f->upperdir = fb_str(b, j->upper);
	f->workdir = fb_str(b, j->work);
	f->lowerdir = fb_str(b, j->lower);
	add_all_holders(b, pin, NULL);
	f->reason_code = MT_REASON_UPPER_IN_USE;
	f->why.dir = fb_str(b, j->upper ? j->upper : j->work);
	f->why.path = fb_str(b, x->path ? x->path : "?");
	f->why.copy_ns = x->ns->ino;
	f->why.copy_leaked = pin->leak_id || !pinned_here;
	fb_emit(m, b);
}

/* ---- the work queue's view ---- */

/* Each job kind's finish, once its rescans are in. */
static void (*const finishers[])(struct mt_model *m, struct job *j) = {
	[JOB_RISK] = finish_risk,
	[JOB_LEAK] = finish_leak,
	[JOB_NOT_MOUNTED_HERE] = finish_not_mounted_here,
	[JOB_UMOUNT_BUSY] = finish_umount_busy,
	[JOB_RMDIR_BUSY] = finish_rmdir_busy,
	[JOB_DETACHED] = finish_detached,
	[JOB_LAZY_DETACHED] = finish_lazy_detached,
	[JOB_UPPER_IN_USE] = finish_upper_in_use,
};

void rule_finish(struct mt_model *m, struct job *j)
{
	if ((size_t)j->kind < sizeof(finishers) / sizeof(finishers[0]) && finishers[j->kind])
		finishers[j->kind](m, j);
}
