// SPDX-License-Identifier: GPL-2.0
/*
 * The model seen from outside (model_view.h): overlays and their copies
 * for --snapshot and --explain. Builds plain structs from the entries and
 * keeps no state of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"
#include "model_view.h"

__u32 mt_model__self_ns(const struct mt_model *m)
{
	return m->self_ns;
}

/* The host's initial namespace holds kthreadd (pid 2, a kernel thread). */
static bool initial_ns(struct mt_model *m, struct ns_entry *n)
{
	for (int i = 0; i < n->nr_procs; i++) {
		struct proc_entry *p = &n->procs[i];

		if (p->pid != 2)
			continue;
		if (p->kthread < 0)
			p->kthread = mt_proc_is_kthread(m->proc_root, p->pid);
		return p->kthread > 0;
	}
	return false;
}

static int fill_copy(struct mt_model *m, struct mount_entry *mm, struct mt_view_copy *c)
{
	struct ns_entry *n = mm->ns;

	*c = (struct mt_view_copy){
		.mnt_ns = n->ino, .mnt_ns_id = n->id, .mnt_id = mm->id, .mnt_uid = mm->uid,
		.path = mm->path, .group = mm->group, .master = mm->master,
		.parent_group = mm->parent_group, .parent_master = mm->parent_master,
		.prop_known = mm->prop_known, .parent_known = mm->parent_known,
		.self_ns = n->ino == m->self_ns, .initial_ns = initial_ns(m, n), .orig = -1,
		.keepers = n->keepers, .nr_keepers = n->nr_keepers,
	};
	if (!n->nr_procs)
		return 0;
	c->procs = calloc((size_t)n->nr_procs, sizeof(*c->procs));
	if (!c->procs)
		return -ENOMEM;
	for (int i = 0; i < n->nr_procs; i++)
		c->procs[i] = (struct mt_view_proc){ .pid = n->procs[i].pid,
						     .comm = n->procs[i].comm,
						     .ident = &n->procs[i].ident };
	c->nr_procs = n->nr_procs;
	return 0;
}

static bool first_of_ns(struct mount_entry **mm, int i)
{
	for (int k = 0; k < i; k++)
		if (mm[k]->ns == mm[i]->ns)
			return false;
	return true;
}

/* Originals (no orig) first, so that a reader meets the source first. */
static int view_of(struct mt_model *m, struct overlay_entry *o, struct mt_ovl_view *v,
		   struct mount_entry ***order)
{
	struct mount_entry **mm;
	int nr = 0, at = 0, err = 0;

	for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
		nr++;
	mm = calloc((size_t)nr, sizeof(*mm));
	v->copies = calloc((size_t)nr, sizeof(*v->copies));
	*order = mm;
	if (!mm || !v->copies)
		return -ENOMEM;
	for (int pass = 0; pass < 2; pass++)
		for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
			if ((pass == 0) == (x->orig == NULL))
				mm[at++] = x;
	for (int i = 0; i < nr && !err; i++) {
		err = fill_copy(m, mm[i], &v->copies[i]);
		v->nr = i + !err;
		for (int k = 0; k < nr && mm[i]->orig; k++)
			if (mm[k] == mm[i]->orig)
				v->copies[i].orig = k;
		v->nr_ns += first_of_ns(mm, i);
	}
	v->dev = o->dev;
	v->merged = o->merged;
	/* copies: the callback may look the model up again */
	v->upper = xstrdup(ovl_dir(m, o, OVL_UPPER));
	v->work = xstrdup(ovl_dir(m, o, OVL_WORK));
	v->lower = xstrdup(ovl_dir(m, o, OVL_LOWER));
	return err;
}

static void view_free(struct mt_ovl_view *v)
{
	for (int i = 0; i < v->nr; i++)
		free(v->copies[i].procs);
	free(v->copies);
	free((char *)v->upper);
	free((char *)v->work);
	free((char *)v->lower);
}

int mt_model__each_overlay(struct mt_model *m,
			   int (*fn)(void *ctx, const struct mt_ovl_view *v), void *ctx)
{
	int ret = 0;

	for (struct overlay_entry *o = m->ovls; o && !ret; o = o->next) {
		struct mt_ovl_view v = {};
		struct mount_entry **order = NULL;

		if (!ovl_live(o))
			continue;
		ret = view_of(m, o, &v, &order);
		if (!ret)
			ret = fn(ctx, &v);
		view_free(&v);
		free(order);
	}
	return ret;
}
