// SPDX-License-Identifier: GPL-2.0
/*
 * Records in ring-buffer order: kernel records that wait for their
 * syscall's exit, namespaces and mounts kept current from walks and
 * copies, the new mount API's overlay contexts, and the calls that hand
 * over to the finding rules (rules.c). Nothing here reads /proc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"
#include "mountinfo.h"
#include "names.h"
#include "newapi.h"
#include "ovl_options.h"

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
			m->st.evicted++;
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

void pend_list_free(struct pending *p)
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

/* An overlay mount a namespace walk showed; the walk is judged whole, at
 * MT_NS_WALK_DONE. */
static int on_walked_mount(struct mt_model *m, const struct mt_mount *mt,
			   const struct mnt_info *in)
{
	struct mount_entry *mm;
	struct ns_entry *n;
	bool created;

	n = ns_get(m, mt->mnt_ns, mt->mnt_ns_id, mt->hdr.ts_ns);
	if (!n)
		return -ENOMEM;
	mm = mnt_upsert(m, n, in, &created);
	if (!mm)
		return n->dead ? 0 : -ENOMEM;
	mm->walk_seq = mt->walk_seq;
	if (created)
		link_new_mount(m, mm);
	return 0;
}

/*
 * @s with overlay's backslash escapes undone: @s itself when it has none
 * (most dirs), else a copy in *@copy for the caller to free.
 */
static const char *unescaped(const char *s, char **copy)
{
	*copy = NULL;
	if (!s || !strchr(s, '\\'))
		return s;
	*copy = strdup(s);
	return *copy ? mt_unescape_backslash(*copy) : NULL;
}

/*
 * propagate_mnt gave a peer or slave namespace a copy of a mount being
 * attached: it lives there now. The original is the caller's new mount
 * when the model knows it already (its walk comes at the syscall's exit;
 * until then the copy's original is found like any other's). A copy that
 * receives its original's umount is never a risk, so it is not judged.
 */
static int on_propagated_copy(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_mount *mt = rec->mnt;
	char *upper, *work;
	struct mnt_info in = info_of(mt, rec->str[MT_MS_PATH],
				     unescaped(rec->str[MT_MS_UPPER], &upper),
				     unescaped(rec->str[MT_MS_WORK], &work), rec->str[MT_MS_LOWER]);
	struct ns_entry *n = ns_get(m, mt->mnt_ns, mt->mnt_ns_id, mt->hdr.ts_ns);
	struct mount_entry *mm = NULL;
	bool created;
	int err = 0;

	if (n)
		mm = mnt_upsert(m, n, &in, &created);
	if (mm && !mm->orig)
		set_orig(mm, ns_mnt(m, ns_find(m, mt->aux), mt->src_mnt_id));
	if (!mm && !(n && n->dead))
		err = -ENOMEM;
	free(upper);
	free(work);
	return err;
}

int model_on_mount(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_mount *mt = rec->mnt;
	struct ns_entry *n;

	switch (mt->op) {
	case MT_MNT_COPY:
		m->o.internals = true;
		if (mt->sb_magic != MT_OVERLAYFS_MAGIC)
			return 0;
		if (!mt->mnt_ns)	/* joins its namespace at MT_NS_COPY */
			return pend_add(m, rec);
		/*
		 * clone_mnt outside copy_mnt_ns: propagate_mnt's copies for
		 * the peers and slaves of a new mount's parent, which arrive
		 * before they are attached (path "/", parent itself, the
		 * caller's namespace; seen on 6.1 and 6.12), and bind or
		 * open_tree clones. Walks and rescans see them where they land.
		 */
		return 0;
	case MT_MNT_WALK_COPY:
		/* not joined (mt_model__join): the model lacks the original */
		m->want_resync = true;
		return 0;
	case MT_MNT_WALK: {
		/* the kernel keeps upper/work dirs as given, overlay's "\,"
		 * escapes in (checked in fs/overlayfs/params.c, 6.18): the
		 * directories they name are what mountinfo and the mount data
		 * give once unescaped */
		char *upper, *work;
		struct mnt_info in = info_of(mt, rec->str[MT_MS_PATH],
					     unescaped(rec->str[MT_MS_UPPER], &upper),
					     unescaped(rec->str[MT_MS_WORK], &work),
					     rec->str[MT_MS_LOWER]);
		int err = 0;

		if (mt->sb_magic == MT_OVERLAYFS_MAGIC)
			err = on_walked_mount(m, mt, &in);
		free(upper);
		free(work);
		return err;
	}
	case MT_MNT_UMOUNT:
		m->o.internals = true;
		if (mt->aux & MT_UMOUNT_NS_ROOT) {
			/* namespace teardown: everything in it goes */
			n = ns_find(m, mt->mnt_ns);
			if (n && (!mt->mnt_ns_id || !n->id || n->id == mt->mnt_ns_id))
				ns_kill(m, n);
			return 0;
		}
		return pend_add(m, rec);
	case MT_MNT_PROP_COPY:
		m->o.internals = true;
		return mt->sb_magic == MT_OVERLAYFS_MAGIC ? on_propagated_copy(m, rec) : 0;
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
 * Do the mounts of @n that walk @e did not send match the ones it counted
 * as sent before (MT_NS_WALK_DONE's nr_unchanged and digest)?
 */
static bool same_unchanged(const struct ns_entry *n, const struct mt_ns *e)
{
	__u64 digest = 0;
	__u32 nr = 0;

	for (const struct mount_entry *mm = n->mnts; mm; mm = mm->ns_next) {
		if (mm->walk_seq == e->walk_seq)
			continue;
		nr++;
		digest += mt_mnt_digest(mm->id);
	}
	return nr == e->nr_unchanged && digest == e->digest;
}

/*
 * A namespace walk (tracepoint mode's view of clone_mnt) is complete: its
 * overlay mounts were all emitted, so one not shown is gone. Judge the
 * copies now that the namespace is whole.
 */
static int on_walk_done(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_ns *e = rec->ns;
	struct ns_entry *n = ns_get(m, e->ns, e->ns_id, e->hdr.ts_ns);

	if (!n)
		return -ENOMEM;
	if (!n->has_creator && (e->trigger == MT_CALL_UNSHARE ||
				e->trigger == MT_CALL_CLONE || e->trigger == MT_CALL_CLONE3))
		ns_set_creator(m, n, rec->hdr, mt_call_name(e->trigger),
			       e->old_ns ? ns_find(m, e->old_ns) : NULL);
	if (!e->truncated && !(e->hdr.flags & MT_F_WALK_TRUNC)) {
		if (!e->nr_unchanged) {
			for (struct mount_entry *mm = n->mnts, *next; mm; mm = next) {
				next = mm->ns_next;
				if (mm->walk_seq != e->walk_seq)
					mnt_remove(m, mm);
			}
		} else if (!same_unchanged(n, e)) {
			/* the kernel left out mounts it sent before: unless they
			 * are exactly the ones held, /proc says what is there */
			m->want_resync = true;
		}
	}
	for (struct mount_entry *mm = n->mnts; mm; mm = mm->ns_next) {
		if (!mm->orig)
			link_new_mount(m, mm);
		rule_check_risk(m, mm, rec->hdr, n->cr_call ?: "walk");
	}
	return 0;
}

int model_on_ns(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_ns *e = rec->ns;
	struct pending *copies;
	struct ns_entry *n, *from;

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
		struct mount_entry *mm;
		bool created;

		mm = mnt_upsert(m, n, &in, &created);
		if (!mm)
			continue;
		set_orig(mm, ns_mnt(m, ns_find(m, p->aux), p->m.src_mnt_id));
		if (!mm->orig)
			link_new_mount(m, mm);
	}
	/* judged at the syscall's exit, which names the call (unshare,
	 * clone, clone3) and the process, once the whole tree is in */
	pend_list_free(copies);
	return 0;
}

/* ---- syscalls ---- */

/* The call's path, absolute and canonical (paths.h); NULL when none, or
 * when it or its base was cut: never a wrong path. */
static const char *full_path(const struct mt_record *rec, char *buf, size_t size)
{
	if (!mt_record_full_path_whole(rec))
		return NULL;
	return mt_record_full_path(rec, buf, size) > 0 && buf[0] == '/' ? buf : NULL;
}

/* An overlay mounted (err 0) or refused (EBUSY) with layers @o. */
static void overlay_layers_mounted(struct mt_model *m, const struct mt_record *rec,
				   struct ns_entry *caller, const char *path,
				   const struct mt_ovl_opts *o, int err)
{
	char *lower = o->nr_lower ? mt_ovl_opts__lower_str(o) : NULL;

	rule_overlay_mounted(m, rec, caller, path, o->upper, o->work, lower, err);
	free(lower);
}

/* The new mount API: fsopen("overlay") .. fsconfig .. fsmount .. move_mount */
static void on_new_api(struct mt_model *m, const struct mt_record *rec,
		       struct ns_entry *caller)
{
	struct mt_newapi_result res;

	mt_newapi__feed(m->newapi, rec, &res);
	if (res.event == MT_NEWAPI_CREATE_FAILED && res.err == EBUSY)
		overlay_layers_mounted(m, rec, caller, NULL, res.opts, EBUSY);
	else if (res.event == MT_NEWAPI_MOUNTED && res.path)
		overlay_layers_mounted(m, rec, caller, res.path, res.opts, 0);
}

int model_on_syscall(struct mt_model *m, const struct mt_record *rec)
{
	const struct mt_syscall *sc = rec->sc;
	const struct mt_hdr *h = rec->hdr;
	struct pending *pend = pend_take(m, h->tid, 0);
	struct ns_entry *caller = ns_get(m, h->mntns, h->mntns_id, sc->enter_ns);
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
		struct ns_entry *n;

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
		for (struct mount_entry *mm = n->mnts; mm; mm = mm->ns_next) {
			if (!mm->orig)
				link_new_mount(m, mm);
			rule_check_risk(m, mm, h, n->cr_call);
		}
		break;
	}
	case MT_CALL_UMOUNT2:
		if (!path || !caller)
			break;
		if (!err)
			rule_umount_ok(m, rec, caller, path, pend);
		else if (err == EBUSY)
			rule_umount_ebusy(m, rec, caller, path, pend);
		else if (err == EINVAL)
			rule_umount_einval(m, rec, caller, path);
		break;
	case MT_CALL_UNLINKAT:
		if (!(sc->args[2] & MT_AT_REMOVEDIR))
			break;
		/* fall through */
	case MT_CALL_RMDIR:
		if (!path || !caller)
			break;
		if (!err)
			rule_rmdir_ok(m, rec, caller, path, pend);
		else if (err == EBUSY)
			rule_rmdir_ebusy(m, rec, caller, path);
		break;
	case MT_CALL_MOUNT:
		if (streq(rec->str[MT_SC_FSTYPE], "overlay") && (!err || err == EBUSY)) {
			struct mt_ovl_opts o = MT_OVL_OPTS_INIT;

			/* a cut option string may end inside a layer: leave them unknown */
			mt_ovl_opts__parse_data(&o, mt_record_whole_str(rec, MT_SC_DATA));
			overlay_layers_mounted(m, rec, caller, path, &o, err);
			mt_ovl_opts__release(&o);
		}
		break;
	default:
		break;
	}
	on_new_api(m, rec, caller);	/* every syscall: fds handed out, EBADF */
	pend_list_free(pend);
	return 0;
}

