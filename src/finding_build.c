// SPDX-License-Identifier: GPL-2.0
/*
 * The finding under construction: the overlay, the holder namespaces with
 * their creators and processes, and the strings they point at. Runs only
 * from the work queue (it reads /proc: start times, kernel threads).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "array.h"
#include "model_int.h"
#include "runtime_meta.h"

#define FB_MAX_HOLDERS 1024	/* namespaces listed; more are flagged */
#define FB_PIDS 16		/* processes listed per namespace */
#define INFER_MAX_PROCS 256	/* start times read for an inferred creator */

struct fbuild {
	struct mt_finding f;
	struct mt_finding_holder *h;
	int cap_h;
	/* holder slot i's pids, kept from finding to finding (16 of ~500
	 * bytes each: a calloc and free per holder were a replay's hot spot) */
	struct mt_finding_pid **pids;
	int nr_pids, cap_pids;
	struct mt_arena strs;	/* the strings and keepers it points at */
	char **lower_layers;	/* f.lower_layers */
	struct mt_model *m;	/* for its /proc look-ups (proc_ops.h) */
	struct mt_runtime_meta *rtmeta;	/* container lookups, cached */
	__u32 dev;		/* the overlay's superblock dev, 0 = unknown */
};

struct fbuild *fb_alloc(void)
{
	struct fbuild *b = calloc(1, sizeof(struct fbuild));

	if (b && !(b->rtmeta = mt_runtime_meta__new())) {
		free(b);
		b = NULL;
	}
	return b;
}

static void fb_clear(struct fbuild *b)
{
	mt_arena_reset(&b->strs);
	mt_lower_layers_free(b->lower_layers, b->f.nr_lower_layers);
	b->lower_layers = NULL;
	memset(&b->f, 0, sizeof(b->f));
}

void fb_free(struct fbuild *b)
{
	if (!b)
		return;
	fb_clear(b);
	free(b->h);
	for (int i = 0; i < b->nr_pids; i++)
		free(b->pids[i]);
	free(b->pids);
	mt_arena_free(&b->strs);
	mt_runtime_meta__free(b->rtmeta);
	free(b);
}

struct mt_finding *fb_finding(struct fbuild *b)
{
	return &b->f;
}

const char *fb_str(struct fbuild *b, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = mt_arena_strdup(&b->strs, s);
	return d ? d : "";
}

static const char *nonempty_str(struct fbuild *b, const char *s)
{
	return s && *s ? fb_str(b, s) : NULL;
}

/*
 * Who owns the overlay, from its runtime's metadata on disk, and its lower
 * layers with the short links followed: file reads, so only here, in the
 * work phase.
 */
static void fb_owner(struct fbuild *b, const struct overlay_entry *o)
{
	struct mt_ctr_meta meta;
	int nr;

	if (b->m->px->owner(b->m->px_ctx, b->rtmeta, o->merged,
			    ovl_dir(b->m, o, OVL_UPPER), &meta)) {
		b->f.container_id = nonempty_str(b, meta.container_id);
		b->f.layer_id = nonempty_str(b, meta.layer_id);
		b->f.id_source = meta.id_source;
		b->f.container_name = nonempty_str(b, meta.name);
		b->f.image = nonempty_str(b, meta.image);
		b->f.runtime = meta.runtime_name;
		b->f.runtime_kind = meta.runtime;
		b->f.runtime_root = nonempty_str(b, meta.root);
	}
	nr = b->m->px->lower_layers(b->m->px_ctx, b->rtmeta, ovl_dir(b->m, o, OVL_LOWER),
				     ovl_dir(b->m, o, OVL_UPPER), &b->lower_layers);
	if (nr > 0) {
		b->f.lower_layers = (const char *const *)b->lower_layers;
		b->f.nr_lower_layers = nr;
	}
}

/* The model's one finding under construction (findings never nest). */
struct fbuild *fb_new(struct mt_model *m, enum mt_finding_kind kind,
		      const struct mt_hdr *h, const char *op, int err,
		      const struct overlay_entry *o)
{
	struct fbuild *b = m->fb;

	fb_clear(b);
	b->m = m;
	b->dev = o ? o->dev : 0;
	b->f.kind = kind;
	b->f.holders = b->h;
	if (h && h->ts_ns) {
		b->f.ts_ns = h->ts_ns;
		b->f.pid = h->pid;
		b->f.ns_pid = h->ns_pid;
		mt_strscpy(b->f.comm, h->comm, sizeof(b->f.comm));
		b->f.mnt_ns = h->mntns;
	} else {
		/* seen at start-up: no event */
		b->f.ts_ns = m->px->now_ns(m->px_ctx);
	}
	b->f.op = op;
	b->f.err = err;
	b->f.why.caller_ns = b->f.mnt_ns;
	if (o) {
		b->f.path = fb_str(b, o->merged);
		b->f.upperdir = fb_str(b, ovl_dir(m, o, OVL_UPPER));
		b->f.workdir = fb_str(b, ovl_dir(m, o, OVL_WORK));
		b->f.lowerdir = fb_str(b, ovl_dir(m, o, OVL_LOWER));
		fb_owner(b, o);
		b->f.leak_id = o->leak_id;
	}
	return b;
}

/*
 * A namespace that predates mnttrace has no known creator: name its oldest
 * process instead (for a restarted daemon's namespace, the shim that keeps
 * it alive), marked as inferred.
 */
static void infer_creator(struct mt_model *m, struct ns_entry *n,
			  struct mt_finding_holder *h)
{
	const struct proc_entry *best = n->inf_pid ? ns_proc(n, n->inf_pid) : NULL;
	__u64 best_ts = n->inf_ts;

	/* one look per namespace and process list */
	if (!best || n->inf_nr != n->nr_procs) {
		best = NULL;
		for (int i = 0; i < n->nr_procs && i < INFER_MAX_PROCS; i++) {
			__u64 ts;

			if (m->px->start_ns(m->px_ctx, n->procs[i].pid, &ts))
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
	snprintf(h->created_by.unit, sizeof(h->created_by.unit), "%s",
		 best->ident.container_id[0] ? best->ident.container_id : best->ident.unit);
}

struct mount_ref mount_ref_peek(const struct mount_entry *mm)
{
	return (struct mount_ref){
		.ns = mm->ns, .id = mm->id, .path = mm->path,
		.group = mm->group, .master = mm->master,
		.parent_group = mm->parent_group, .parent_master = mm->parent_master,
		.prop_known = mm->prop_known, .parent_known = mm->parent_known,
	};
}

struct mount_ref mount_ref_of(const struct mount_entry *mm)
{
	mm->ns->refs++;
	mt_strpool_hold(mm->path);
	return mount_ref_peek(mm);
}

void mount_ref_free(struct mt_model *m, struct mount_ref *r)
{
	ns_put(m, r->ns);
	mt_strpool_put(&m->paths, r->path);
	memset(r, 0, sizeof(*r));
}

struct mt_finding_pid *fb_add_pid(struct fbuild *b, struct mt_finding_holder *h)
{
	struct mt_finding_pid *p;

	if (!h || h->nr_pids == FB_PIDS)
		return NULL;
	p = &h->pids[h->nr_pids++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* Whether process @pr of a holder is worth listing: not a kernel thread,
 * not mnttrace itself (it sits in the host's namespace, reading /proc). */
static bool listable(struct mt_model *m, struct proc_entry *pr)
{
	if (pr->kthread < 0)
		pr->kthread = m->px->is_kthread(m->px_ctx, pr->pid);
	return !pr->kthread && pr->pid != m->self_pid;
}

static void list_pid(struct fbuild *b, struct mt_finding_holder *h,
		     const struct proc_entry *pr, const struct mt_use *use)
{
	struct mt_finding_pid *p = fb_add_pid(b, h);

	if (!p)
		return;
	p->pid = pr->pid;
	mt_strscpy(p->comm, pr->comm, sizeof(p->comm));
	mt_strscpy(p->unit, pr->ident.unit, sizeof(p->unit));
	mt_strscpy(p->container_id, pr->ident.container_id, sizeof(p->container_id));
	if (use) {
		mt_strscpy(p->holds, use->what, sizeof(p->holds));
		mt_strscpy(p->holds_path, use->path, sizeof(p->holds_path));
	}
}

/*
 * Count @n's processes into @h and, with @list, list them: first those
 * that hold something below @path or on the overlay (their cwd, root or
 * an fd), then the rest, up to FB_PIDS; total_pids tells how many more.
 * false when @n is the host's initial mount namespace: the one kthreadd
 * (pid 2, a kernel thread) lives in, as init's nsproxy is what it keeps.
 * "Any kernel thread" is not the rule: kdevtmpfs unshares a namespace of
 * its own (seen on 6.18); nor is "pid 1's", which inside a pid namespace
 * is the container's init (there pid 2 is no kernel thread, and no
 * namespace is called initial).
 */
static bool holder_pids(struct fbuild *b, struct ns_entry *n, struct mt_finding_holder *h,
			const char *path, bool list)
{
	bool initial = false, *used = NULL;

	for (int i = 0; i < n->nr_procs; i++) {
		h->total_pids += listable(b->m, &n->procs[i]);
		initial |= n->procs[i].pid == 2 && n->procs[i].kthread > 0;
	}
	if (!list)
		return !initial;
	if (path && n->nr_procs)
		used = calloc((size_t)n->nr_procs, sizeof(*used));
	for (int i = 0; used && i < n->nr_procs && i < INFER_MAX_PROCS; i++) {
		struct mt_use use;

		if (!listable(b->m, &n->procs[i]) ||
		    b->m->px->uses(b->m->px_ctx, n->procs[i].pid, path, b->dev, &use, 1) <= 0)
			continue;
		used[i] = true;
		list_pid(b, h, &n->procs[i], &use);
	}
	for (int i = 0; i < n->nr_procs && h->nr_pids < FB_PIDS; i++)
		if (listable(b->m, &n->procs[i]) && !(used && used[i]))
			list_pid(b, h, &n->procs[i], NULL);
	free(used);
	return !initial;
}

/* The holder entry for namespace @n, added on first use. */
struct mt_finding_holder *fb_holder(struct fbuild *b, struct ns_entry *n,
				    const struct mount_ref *mm, bool list_pids)
{
	struct mt_finding_holder *h;

	for (int i = 0; i < b->f.nr_holders; i++)
		if (b->h[i].mnt_ns == n->ino && b->h[i].mnt_ns_id == n->id)
			return &b->h[i];
	if (b->f.nr_holders == FB_MAX_HOLDERS) {
		b->f.holders_truncated = true;
		return NULL;
	}
	if (mt_array_grow(&b->h, b->f.nr_holders, &b->cap_h, sizeof(*b->h), 8))
		return NULL;
	b->f.holders = b->h;
	/* fb_add_pid() clears each entry it hands out */
	if (b->f.nr_holders == b->nr_pids) {
		struct mt_finding_pid *p;

		if (mt_array_grow(&b->pids, b->nr_pids, &b->cap_pids, sizeof(*b->pids), 8) ||
		    !(p = malloc(FB_PIDS * sizeof(*p))))
			return NULL;
		b->pids[b->nr_pids++] = p;
	}
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
	if (n->nr_keepers) {
		h->kept_by = mt_arena_alloc(&b->strs, (size_t)n->nr_keepers * sizeof(*h->kept_by));
		if (h->kept_by) {
			memcpy(h->kept_by, n->keepers, (size_t)n->nr_keepers * sizeof(*h->kept_by));
			h->nr_kept_by = n->nr_keepers;
		}
	}
	/* the host's kernel threads live there too: not news */
	if (!holder_pids(b, n, h, mm ? mm->path : NULL, list_pids))
		h->initial_ns = true;
	else if (!n->has_creator)
		infer_creator(b->m, n, h);
	if (n->has_creator) {
		h->has_creator = true;
		h->created_by.pid = n->cr_pid;
		mt_strscpy(h->created_by.comm, n->cr_comm, sizeof(h->created_by.comm));
		h->created_by.call = n->cr_call;
		h->created_by.ts_ns = n->cr_ts;
		mt_strscpy(h->created_by.unit, n->cr_unit, sizeof(h->created_by.unit));
	}
	return h;
}

/* The reason's "made by" facts for a copy in namespace @n. */
void fb_creator_args(struct mt_reason_args *a, const struct ns_entry *n)
{
	a->creator_known = n->has_creator;
	if (!n->has_creator)
		return;
	a->creator_pid = n->cr_pid;
	mt_strscpy(a->creator_comm, n->cr_comm, sizeof(a->creator_comm));
	mt_strscpy(a->creator_unit, n->cr_unit, sizeof(a->creator_unit));
}

__u64 fb_emit(struct mt_model *m, struct fbuild *b)
{
	__u64 id = ++m->next_id;

	b->f.id = id;
	if (m->loss_open)
		b->f.incomplete = m->o.no_rescan || m->reread_failed ? MT_INCOMPLETE_NO_REREAD :
				  m->rereading	 ? MT_INCOMPLETE_REREAD :
						   MT_INCOMPLETE_LOST;
	m->st.findings++;
	if (m->o.on_finding)
		m->o.on_finding(m->o.ctx, &b->f);
	return id;
}
