// SPDX-License-Identifier: GPL-2.0
/*
 * What the finding rules (rules.c) share: queueing a job with the facts of
 * a record, references to mounts that may be gone by the job's finish, the
 * processes that use a copy, and the work queue's view of each job kind
 * (the namespaces it re-reads before its finish).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"
#include "names.h"

/* Queue a job of @kind for record @rec, holding @o and @caller. */
struct job *rule_queue(struct mt_model *m, enum job_kind kind, const struct mt_record *rec,
		       struct overlay_entry *o, struct ns_entry *caller, const char *path)
{
	struct job *j = job_new(m, kind, rec ? rec->hdr : NULL);

	if (!j)
		return NULL;
	if (rec && rec->hdr->type == MT_EV_SYSCALL) {
		j->call = rec->sc->call;
		j->err = rec->sc->ret < 0 ? (int)-rec->sc->ret : 0;
		j->op = mt_call_name(rec->sc->call);
		j->enter_ns = rec->sc->enter_ns;
	}
	j->path = xstrdup(path);
	j->ovl = o;
	if (o)
		o->refs++;
	j->caller = caller;
	if (caller)
		caller->refs++;
	return j;
}

/* Remember @mm as it is now in @j's mount refs. */
int job_add_ref(struct job *j, const struct mount_entry *mm)
{
	if (!j->cap_mounts) {
		j->mounts = j->few;
		j->cap_mounts = (int)(sizeof(j->few) / sizeof(j->few[0]));
	}
	if (j->nr_mounts == j->cap_mounts) {
		int cap = j->cap_mounts * 2;
		struct mount_ref *r = malloc((size_t)cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		memcpy(r, j->mounts, (size_t)j->nr_mounts * sizeof(*r));
		if (j->mounts != j->few)
			free(j->mounts);
		j->mounts = r;
		j->cap_mounts = cap;
	}
	j->mounts[j->nr_mounts++] = mount_ref_of(mm);
	return 0;
}

/* The live mount a ref names, if it is still there. */
struct mount_entry *mount_deref(struct mt_model *m, const struct mount_ref *r)
{
	if (r->ns->dead)
		return NULL;
	return r->id ? ns_mnt(m, r->ns, r->id) : ns_mnt_at(r->ns, r->path);
}

/* The mount a kernel record named, in the namespace it named: by inode
 * and, when both sides know it, the never-reused id. */
struct mount_entry *pending_mount(struct mt_model *m, const struct pending *p)
{
	struct ns_entry *n = ns_find(m, p->ns);

	if (n && p->ns_id && n->id && n->id != p->ns_id)
		return NULL;
	return ns_mnt(m, n, p->m.mnt_id);
}

void add_all_holders(struct fbuild *b, struct overlay_entry *o,
			    struct ns_entry *except)
{
	for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
		if (x->ns != except) {
			struct mount_ref r = mount_ref_peek(x);

			fb_holder(b, x->ns, &r, true);
		}
}

/*
 * Which processes of copy @r's namespace have their cwd, root or an open
 * file below its path or on the overlay's superblock @dev (a detached
 * copy's paths read as "/"): holders of finding @b, listed with what they
 * hold. The first one found sets @code and the reason's user facts.
 */
int find_users(struct mt_model *m, struct fbuild *b, const struct mount_ref *r,
		      __u32 dev, enum mt_reason code, int found)
{
	struct ns_entry *n = r->ns;

	for (int k = 0; k < n->nr_procs; k++) {
		struct mt_finding_holder *h;
		struct mt_finding_pid *p;
		struct mt_use use;

		if (m->px->uses(m->px_ctx, n->procs[k].pid, r->path, dev, &use, 1) <= 0)
			continue;
		h = fb_holder(b, n, r, false);
		p = fb_add_pid(b, h);
		if (!p)
			continue;
		p->pid = use.pid;
		mt_strscpy(p->comm, n->procs[k].comm, sizeof(p->comm));
		mt_strscpy(p->unit, n->procs[k].ident.unit, sizeof(p->unit));
		mt_strscpy(p->holds, use.what, sizeof(p->holds));
		mt_strscpy(p->holds_path, use.path, sizeof(p->holds_path));
		if (!found++) {
			struct mt_finding *f = fb_finding(b);
			struct mt_reason_args *a = &f->why;

			f->reason_code = code;
			a->copy_ns = n->ino;
			prop_str(r->group, r->master, a->copy_prop, sizeof(a->copy_prop));
			a->user_pid = use.pid;
			mt_strscpy(a->user_comm, p->comm, sizeof(a->user_comm));
			mt_strscpy(a->user_what, use.what, sizeof(a->user_what));
			a->user_path = fb_str(b, use.path);
		}
	}
	return found;
}

/* Append to @out[@nr..) the live namespaces of @j's mount refs not there yet. */
static int ref_namespaces(struct job *j, struct ns_entry **out, int nr, int max)
{
	for (int i = 0; i < j->nr_mounts && nr < max; i++) {
		bool dup = false;

		for (int k = 0; k < nr; k++)
			dup |= out[k] == j->mounts[i].ns;
		if (!dup && !j->mounts[i].ns->dead)
			out[nr++] = j->mounts[i].ns;
	}
	return nr;
}

/* The namespaces job @j reads before its finish, and whether their mounts. */
int rule_prepare(struct mt_model *m, struct job *j, struct ns_entry **out, int max,
		 bool *mounts)
{
	*mounts = j->reread_mounts;
	switch (j->kind) {
	case JOB_RISK:
		if (j->known || !mount_deref(m, &j->mounts[0]) || max < 1)
			return 0;
		*mounts = true;
		out[0] = root_orig(mount_deref(m, &j->mounts[0]))->ns;
		return 1;
	case JOB_LEAK:
		/* the copies that stayed at the umount, and any seen since */
		return ref_namespaces(j, out, holder_namespaces(j->ovl, j->caller, out, max), max);
	case JOB_NOT_MOUNTED_HERE:
		return holder_namespaces(j->ovl, j->caller, out, max);
	case JOB_UMOUNT_BUSY:
	case JOB_RMDIR_BUSY:
	case JOB_UPPER_IN_USE:
		return holder_namespaces(j->ovl, NULL, out, max);
	case JOB_DETACHED:
	case JOB_LAZY_DETACHED:
		/* a lazy umount's copies are gone: the processes are what counts */
		*mounts = j->kind == JOB_DETACHED && !j->known;
		return ref_namespaces(j, out, 0, max);
	case JOB_CONFIRM_NS:
		/*
		 * Identity only (same_ns; a recycled inode is taken in whole
		 * by the rescan). Its mounts stay as the records made them:
		 * /proc is read when the work runs, maybe after calls whose
		 * records are still in the ring buffer (a reader behind, seen
		 * on the 6.1 TCG guest with two mnttrace at once): taking
		 * mounts from it dropped an overlay its umount record named.
		 */
		if (j->caller->dead || max < 1)
			return 0;
		out[0] = j->caller;
		return 1;
	default:
		return 0;
	}
}
