// SPDX-License-Identifier: GPL-2.0
/*
 * What the model learns from /proc: the start-up load, rescans of a few
 * namespaces, the full resync after lost records, and the work queue that
 * runs them off the ring-buffer callback. Records queue jobs (rules.c);
 * mt_model__work() reads every namespace the queued jobs need in one scan,
 * then finishes the jobs in order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model_int.h"
#include "nskeep.h"

#define MAX_SCAN_NS 4096	/* namespaces one work round re-reads */

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* ---- jobs ---- */

struct job *job_new(struct mt_model *m, enum job_kind kind, const struct mt_hdr *h)
{
	struct job *j = mt_pool_get(&m->job_pool);

	if (!j)
		return NULL;
	j->kind = kind;
	if (h)
		j->hdr = *h;
	*m->jobs_tail = j;
	m->jobs_tail = &j->next;
	m->nr_jobs++;
	return j;
}

static void job_free(struct mt_model *m, struct job *j)
{
	free(j->path);
	free(j->upper);
	free(j->work);
	free(j->lower);
	ovl_put(m, j->ovl);
	ns_put(m, j->caller);
	if (j->gone.ns)
		mount_ref_free(m, &j->gone);
	if (j->orig.ns)
		mount_ref_free(m, &j->orig);
	for (int i = 0; i < j->nr_mounts; i++)
		mount_ref_free(m, &j->mounts[i]);
	if (j->mounts != j->few)
		free(j->mounts);
	mt_pool_put(&m->job_pool, j);
}

void jobs_free(struct mt_model *m)
{
	while (m->jobs) {
		struct job *j = m->jobs;

		m->jobs = j->next;
		job_free(m, j);
	}
	m->jobs_tail = &m->jobs;
	m->nr_jobs = 0;
	mt_pool_free(&m->job_pool);
}

/* Namespaces other than @except that hold a mount of @o. */
int holder_namespaces(struct overlay_entry *o, struct ns_entry *except,
		      struct ns_entry **out, int max)
{
	int nr = 0;

	for (struct mount_entry *x = o ? o->mnts : NULL; x; x = x->ovl_next) {
		bool dup = false;

		if (x->ns == except)
			continue;
		for (int i = 0; i < nr; i++)
			dup |= out[i] == x->ns;
		if (!dup && nr < max)
			out[nr++] = x->ns;
	}
	return nr;
}

/* A mount the model has just learnt about: find its original. */
void link_new_mount(struct mt_model *m, struct mount_entry *mm)
{
	if (!mm->orig)
		set_orig(mm, guess_orig(m->self_ns, mm));
}

/* ---- syncing a namespace with a scan of it ---- */

static bool scan_has_mount(const struct mt_snap_ns *sn, const struct mount_entry *mm)
{
	for (int i = 0; i < sn->mounts.nr; i++) {
		const struct mt_mntent *e = &sn->mounts.ents[i];

		if (e->mnt_id == mm->id && (!mm->ovl->dev || mt_mntent_dev(e) == mm->ovl->dev))
			return true;
	}
	return false;
}

/*
 * Is scanned namespace @sn the one entry @n stands for? With both unique
 * ids, they say. Without (a kernel without NS_GET_MNTNS_ID, checked on
 * 6.1), the inode may have been recycled: it is the same namespace if one
 * of its mounts is still there (mount ids are unique among live mounts,
 * system-wide) or one of its processes is, with the same comm.
 */
static bool same_ns(const struct ns_entry *n, const struct mt_snap_ns *sn)
{
	if (n->id && sn->id)
		return n->id == sn->id;
	if (!n->mnts && !n->nr_procs)
		return true;	/* nothing known that could be wrong */
	for (const struct mount_entry *mm = n->mnts; mm && !sn->mounts_err; mm = mm->ns_next)
		if (mm->id && scan_has_mount(sn, mm))
			return true;
	for (int i = 0; i < n->nr_procs; i++)
		for (int k = 0; k < sn->nr_procs; k++)
			if (n->procs[i].pid == sn->procs[k].pid &&
			    strncmp(n->procs[i].comm, sn->procs[k].comm, sizeof(n->procs[i].comm)) == 0)
				return true;
	return false;
}

/* The entry scanned namespace @sn is: the live entry of its inode when it
 * is the same namespace, else a new one (the old one died). */
static struct ns_entry *ns_of_scan(struct mt_model *m, const struct mt_snap_ns *sn)
{
	struct ns_entry *n = ns_find(m, sn->ino);

	if (n && !same_ns(n, sn)) {
		ns_kill(m, n);
		m->st.recycled_inodes++;
		n = NULL;
	}
	if (!n)
		return ns_new(m, sn->ino, sn->id, 0);
	if (sn->id)
		n->id = sn->id;
	return n;
}

#define MAX_KEEPERS 16	/* keepers remembered per namespace */

/* What keeps @n alive besides its processes, as the scan found it. */
static void take_keepers(struct ns_entry *n, const struct mt_ns_keepers *ks)
{
	struct mt_keeper v[MAX_KEEPERS];
	int nr = 0;

	for (int i = 0; i < ks->nr && nr < MAX_KEEPERS; i++) {
		const struct mt_ns_keeper *k = &ks->v[i];
		struct mt_keeper *o = &v[nr++];

		memset(o, 0, sizeof(*o));
		o->is_fd = k->kind == MT_KEEPER_FD;
		o->pid = k->pid;
		o->fd = k->fd;
		mt_strscpy(o->comm, k->comm, sizeof(o->comm));
		o->mnt_ns = k->mount_ns;
		/* an fd keeper has no path */
		if (k->path)
			mt_strscpy(o->path, k->path, sizeof(o->path));
	}
	ns_set_keepers(n, v, nr);
}

/*
 * Make @n what @sn says: its processes, and with @mounts its overlay
 * mounts. @link: find the originals of new mounts now (a start-up load
 * links once every namespace is in).
 */
static void sync_ns(struct mt_model *m, struct ns_entry *n, const struct mt_snap_ns *sn,
		    bool mounts, bool link)
{
	n->nr_procs = 0;
	take_keepers(n, &sn->kept_by);
	for (int i = 0; i < sn->nr_procs; i++)
		ns_add_proc(m, n, sn->procs[i].pid, sn->procs[i].comm,
			    &sn->procs[i].ident, false);
	if (sn->mounts_err || !mounts)
		return;
	/* take in what is new (a placeholder gets its id), then drop what is gone */
	for (int i = 0; i < sn->mounts.nr; i++) {
		const struct mt_mntent *e = &sn->mounts.ents[i];
		struct mnt_info in = {
			.id = e->mnt_id, .uid = e->mnt_id_unique, .dev = mt_mntent_dev(e),
			.path = e->mountpoint,
			.upper = e->upperdir, .work = e->workdir, .lower = e->lowerdir,
			.group = e->shared, .master = e->master, .prop_known = true,
			.parent_group = e->parent_shared, .parent_master = e->parent_master,
			.parent_known = e->has_parent,
		};
		struct mount_entry *mm;
		bool created;

		if (!mt_mntent_is_overlay(e))
			continue;
		mm = mnt_upsert(m, n, &in, &created);
		if (mm && created && link)
			link_new_mount(m, mm);
	}
	for (struct mount_entry *mm = n->mnts, *next; mm; mm = next) {
		next = mm->ns_next;
		if (!scan_has_mount(sn, mm))
			mnt_remove(m, mm);
	}
}

static struct mt_snapshot *take_snapshot(struct mt_model *m, const __u32 *ino, int nr)
{
	struct mt_snap_opts so = { .only_ns = ino, .nr_only = nr,
				   .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY };
	__u64 t0 = mono_ns(), dt;
	struct mt_snapshot *snap;

	snap = m->o.rescan ? m->o.rescan(m->o.ctx, ino, nr) :
			     mt_snapshot__new(m->proc_root, &so);
	dt = mono_ns() - t0;
	m->st.rescans++;
	m->st.rescan_ns_total += dt;
	if (dt > m->st.rescan_ns_max)
		m->st.rescan_ns_max = dt;
	/* counted, never an error: processes come and go under any scan */
	if (snap)
		m->st.vanished += (__u64)snap->nr_errors + (__u64)snap->nr_moved;
	return snap;
}

/*
 * No process of @n was found: "no process" is not "dead". A namespace is
 * also kept by an nsfs bind mount of it or an open fd on it; only when
 * nothing keeps it is it gone, with its mounts.
 */
static void confirm_gone(struct mt_model *m, struct ns_entry *n)
{
	struct mt_ns_keepers ks = {};

	switch (m->px->ns_alive(m->px_ctx, n->ino, n->id, &ks)) {
	case MT_NS_DEAD:
		ns_kill(m, n);
		break;
	case MT_NS_ALIVE_KEPT:
		n->nr_procs = 0;
		take_keepers(n, &ks);
		break;
	default:
		break;	/* a process joined since, or /proc failed: keep it */
	}
	mt_keepers_free(&ks);
}

/*
 * Re-read namespaces @ns[0..nr) in one scan, and take in their processes
 * now. Their mounts are taken in later, per job, by sync_mounts(): a
 * rescan sees the present, which may be ahead of the record a job stands
 * for (a later rmdir may have detached a copy already), so a job takes
 * mounts from it only when it asked to, right before it finishes. A
 * namespace the scan does not find is gone; one whose inode went to a new
 * namespace is taken in whole. Returns the scan, or NULL.
 */
static struct mt_snapshot *rescan_set(struct mt_model *m, struct ns_entry **ns, int nr)
{
	__u32 *ino = nr > 0 ? calloc((unsigned int)nr, sizeof(*ino)) : NULL;
	struct mt_snapshot *snap;

	if (!ino)
		return NULL;
	for (int i = 0; i < nr; i++)
		ino[i] = ns[i]->ino;
	snap = take_snapshot(m, ino, nr);
	free(ino);
	if (!snap)
		return NULL;
	for (int i = 0; i < nr; i++) {
		struct ns_entry *n = ns[i];
		struct mt_snap_ns *sn;

		if (n->dead)
			continue;
		sn = n->id ? mt_snapshot__find_id(snap, n->ino, n->id) : NULL;
		if (!sn)
			sn = mt_snapshot__find(snap, n->ino);
		if (!sn) {
			confirm_gone(m, n);
			continue;
		}
		if (!same_ns(n, sn)) {
			n = ns_of_scan(m, sn);
			if (n)
				sync_ns(m, n, sn, true, true);
			continue;
		}
		if (sn->id)
			n->id = sn->id;
		sync_ns(m, n, sn, false, true);
	}
	return snap;
}

/* Take in the mounts @snap read for @n, once per work round. */
static void sync_mounts(struct mt_model *m, const struct mt_snapshot *snap,
			struct ns_entry *n, __u64 round)
{
	const struct mt_snap_ns *sn;

	if (!snap || n->dead || n->mounts_round == round)
		return;
	sn = mt_snapshot__find(snap, n->ino);
	if (sn && same_ns(n, sn))
		sync_ns(m, n, sn, true, true);
	n->mounts_round = round;
}

/* ---- the work queue ---- */

static void finish_ident(struct mt_model *m, struct job *j)
{
	struct ns_entry *n = j->caller;
	struct mt_cg_ident id = {};
	char cg[4096];

	if (m->px->cgroup(m->px_ctx, n->cr_pid, cg, sizeof(cg)) == 0)
		mt_cgroup_ident(cg, &id);
	snprintf(n->cr_unit, sizeof(n->cr_unit), "%s",
		 id.container_id[0] ? id.container_id : id.unit);
}

/* Processes seen in events are never seen to exit: drop the pids that
 * are gone from namespaces whose lists grew long. */
static void prune_procs(struct mt_model *m)
{
	for (struct ns_entry *n = m->ns; n; n = n->next) {
		if (n->dead || n->nr_procs < PROCS_PRUNE_AT)
			continue;
		for (int i = 0; i < n->nr_procs;) {
			if (m->px->pid_exists(m->px_ctx, n->procs[i].pid))
				i++;
			else
				n->procs[i] = n->procs[--n->nr_procs];
		}
	}
}

static void work_jobs(struct mt_model *m);

/*
 * After lost records, the jobs of this round came from records read around
 * the loss: their findings are marked incomplete (fb_emit), and so are
 * those the re-read itself raises. The loss is closed once both are done;
 * without a re-read (no_rescan) it never is.
 */
int mt_model__work(struct mt_model *m)
{
	bool reread = false;

	if (m->want_resync) {
		m->want_resync = false;
		m->rereading = true;
		reread = !mt_model__resync(m) && !m->o.no_rescan;
		m->rereading = false;
		m->reread_failed = m->loss_open && !reread;
	}
	if (m->jobs)
		work_jobs(m);
	if (reread)
		m->loss_open = false;
	return 0;
}

static void work_jobs(struct mt_model *m)
{
	struct ns_entry *want[MAX_SCAN_NS], **set = NULL;
	struct mt_snapshot *snap = NULL;
	struct job *jobs;
	__u64 round;
	int nr = 0;

	prune_procs(m);
	/* jobs that finishing queues (none today) wait for the next round */
	jobs = m->jobs;
	m->jobs = NULL;
	m->jobs_tail = &m->jobs;
	m->nr_jobs = 0;
	round = ++m->work_round;
	if (!m->o.no_rescan)
		set = calloc(MAX_SCAN_NS, sizeof(*set));
	/* one scan for every namespace any job reads */
	for (struct job *j = jobs; j && set; j = j->next) {
		bool mounts = false;
		int k = rule_prepare(m, j, want, MAX_SCAN_NS, &mounts);

		for (int i = 0; i < k; i++) {
			int at = 0;

			while (at < nr && set[at] != want[i])
				at++;
			if (at == nr && nr < MAX_SCAN_NS)
				set[nr++] = want[i];
		}
	}
	for (int i = 0; i < nr; i++)
		set[i]->refs++;	/* the scan may kill them: keep the entries */
	if (nr)
		snap = rescan_set(m, set, nr);
	while (jobs) {
		struct job *j = jobs;
		bool mounts = false;
		int k;

		jobs = j->next;
		/* the mounts a job asked for, taken in just before it decides */
		k = snap ? rule_prepare(m, j, want, MAX_SCAN_NS, &mounts) : 0;
		for (int i = 0; mounts && i < k; i++)
			sync_mounts(m, snap, want[i], round);
		if (j->kind == JOB_CREATOR_IDENT && !j->caller->dead)
			finish_ident(m, j);
		else
			rule_finish(m, j);
		m->st.jobs++;
		job_free(m, j);
	}
	mt_snapshot__free(snap);
	for (int i = 0; i < nr; i++)
		ns_put(m, set[i]);
	free(set);
	gc(m);
}

/* ---- the snapshot ---- */

int mt_model__load(struct mt_model *m, const struct mt_snapshot *snap)
{
	if (!snap)
		return -EINVAL;
	for (int i = 0; i < snap->nr_ns; i++) {
		const struct mt_snap_ns *sn = &snap->ns[i];
		struct ns_entry *n = ns_of_scan(m, sn);

		if (!n)
			return -ENOMEM;
		sync_ns(m, n, sn, true, false);
	}
	/* with every namespace in, link copies and judge them */
	for (struct ns_entry *n = m->ns; n; n = n->next)
		for (struct mount_entry *mm = n->mnts; mm; mm = mm->ns_next) {
			link_new_mount(m, mm);
			rule_check_risk(m, mm, NULL, "snapshot");
		}
	return m->o.defer_work ? 0 : mt_model__work(m);
}

/*
 * Records were lost: whatever they said is missing from the model. Read
 * every namespace again, forget those the scan does not find, and judge
 * what is new as at start-up.
 */
int mt_model__resync(struct mt_model *m)
{
	struct mt_snapshot *snap;
	int err;

	if (m->o.no_rescan)
		return 0;
	snap = take_snapshot(m, NULL, 0);
	if (!snap)
		return -errno;
	for (struct ns_entry *n = m->ns; n; n = n->next) {
		const struct mt_snap_ns *sn = n->dead ? NULL : mt_snapshot__find(snap, n->ino);

		if (!n->dead && (!sn || !same_ns(n, sn)))
			ns_kill(m, n);
	}
	err = mt_model__load(m, snap);
	mt_snapshot__free(snap);
	gc(m);
	return err;
}
