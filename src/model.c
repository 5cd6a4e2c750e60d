// SPDX-License-Identifier: GPL-2.0
/*
 * The model's public verbs (model.h). How it is built: model_int.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_int.h"
#include "newapi.h"

struct mt_model *mt_model__new(const struct mt_model_opts *opts)
{
	struct mt_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (opts)
		m->o = *opts;
	m->proc_root = m->o.proc_root ? m->o.proc_root : "/proc";
	m->jobs_tail = &m->jobs;
	m->mnt_slab = (struct mt_slab)MT_SLAB_INIT(struct mount_entry);
	m->ovl_slab = (struct mt_slab)MT_SLAB_INIT(struct overlay_entry);
	m->job_pool = (struct mt_pool)MT_POOL_INIT(sizeof(struct job));
	m->fb = fb_alloc();
	m->newapi = mt_newapi__new(NULL);
	if (!m->fb || !m->newapi) {
		fb_free(m->fb);
		mt_newapi__free(m->newapi);
		free(m);
		return NULL;
	}
	m->px = m->o.proc_ops ? m->o.proc_ops : &mt_proc_live;
	m->px_ctx = m->o.proc_ops ? m->o.proc_ctx : (void *)m->proc_root;
	m->self_pid = m->o.self_pid ? m->o.self_pid : (__u32)getpid();
	m->self_ns = m->o.self_ns;
	if (!m->self_ns)
		mt_proc_mntns(m->proc_root, (__u32)getpid(), &m->self_ns);
	return m;
}

void mt_model__free(struct mt_model *m)
{
	if (!m)
		return;
	jobs_free(m);
	for (struct ns_entry *n = m->ns; n; n = n->next) {
		ns_kill(m, n);
		n->refs = 0;
	}
	for (struct overlay_entry *o = m->ovls; o; o = o->next)
		o->refs = 0;
	gc(m);
	pend_list_free(m->pend);
	mt_newapi__free(m->newapi);
	htab_free(&m->ns_by_ino);
	htab_free(&m->mnt_by_id);
	htab_free(&m->ovl_by_dev);
	htab_free(&m->ovl_by_upper);
	htab_free(&m->ovl_by_work);
	fb_free(m->fb);
	mt_strpool_free(&m->paths);
	mt_slab_destroy(&m->mnt_slab);
	mt_slab_destroy(&m->ovl_slab);
	for (int d = 0; d < OVL_NR_DIRS; d++)
		free(m->dirbuf[d].s);
	free(m);
}

static int feed(struct mt_model *m, const struct mt_record *rec)
{
	m->st.records++;
	if (rec->hdr->ts_ns)	/* a LOST record made by userspace has none */
		m->now_ts = rec->hdr->ts_ns;
	switch (rec->hdr->type) {
	case MT_EV_SYSCALL:
		return model_on_syscall(m, rec);
	case MT_EV_MOUNT:
		return model_on_mount(m, rec);
	case MT_EV_NS:
		return model_on_ns(m, rec);
	case MT_EV_LOST:
		m->want_resync = true;
		m->loss_open = true;
		return 0;
	default:
		return 0;
	}
}

int mt_model__feed(struct mt_model *m, const struct mt_record *rec)
{
	int err;

	check_invariants(m);
	err = feed(m, rec);
	check_invariants(m);
	if (!err && !m->o.defer_work)
		err = mt_model__work(m);
	check_invariants(m);
	return err;
}

int mt_model__pending(const struct mt_model *m)
{
	return m->nr_jobs + m->want_resync;
}

void mt_model__stats(const struct mt_model *m, struct mt_model_stats *st)
{
	*st = m->st;
	st->namespaces = st->overlays = st->mounts = 0;
	for (struct ns_entry *n = m->ns; n; n = n->next)
		st->namespaces += !n->dead;
	for (struct overlay_entry *o = m->ovls; o; o = o->next) {
		st->overlays += ovl_live(o);
		for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
			st->mounts++;
	}
	st->pending_jobs = m->nr_jobs;
}

void mt_model__each_mountpoint(const struct mt_model *m,
				void (*fn)(void *ctx, const char *mountpoint), void *ctx)
{
	for (const struct overlay_entry *o = m->ovls; o; o = o->next)
		for (const struct mount_entry *x = o->mnts; x; x = x->ovl_next)
			if (x->path)
				fn(ctx, x->path);
}

int mt_model__where(struct mt_model *m, const char *path,
		    void (*fn)(void *ctx, __u32 mnt_ns, __u32 mnt_id,
			       const char *mountpoint),
		    void *ctx)
{
	int nr = 0;

	for (struct overlay_entry *o = m->ovls; o; o = o->next) {
		bool match = ovl_dir_is(o, OVL_UPPER, path) || ovl_dir_is(o, OVL_WORK, path);

		for (struct mount_entry *x = o->mnts; x; x = x->ovl_next) {
			if (!match && !streq(x->path, path))
				continue;
			if (fn)
				fn(ctx, x->ns->ino, x->id, x->path);
			nr++;
		}
	}
	return nr;
}
