// SPDX-License-Identifier: GPL-2.0
/* One overlay, its copies and their holders, printed (ovl_report.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "findings.h"
#include "mountinfo.h"
#include "ovl_report.h"
#include "peer_tree.h"
#include "proc_cache.h"

#define USES_MAX_PROCS 256	/* processes per namespace whose links are read */
#define NOTE_MAX 160	/* a copy's note in the tree: its findings, coloured */

/* A copy's holders, as findings.h describes them, plus what only a
 * snapshot shows: each process's command line and start time. */
struct holder {
	struct mt_finding_holder h;
	struct mt_finding_pid pids[MT_REPORT_PIDS];
	char cmdline[MT_REPORT_PIDS][MT_PROC_CACHE_CMDLINE];
	__u64 start_ns[MT_REPORT_PIDS];	/* CLOCK_MONOTONIC, 0 = unknown */
	char prop[64], parent_prop[64];
};

static bool listable(struct mt_report_ctx *rc, __u32 pid)
{
	return pid != (__u32)getpid() && !mt_proc_cache__is_kthread(rc->procs, pid);
}

static void add_pid(struct mt_report_ctx *rc, struct holder *hd, const struct mt_view_proc *p,
		    const struct mt_use *use)
{
	int i = hd->h.nr_pids;
	struct mt_finding_pid *fp = &hd->pids[i];

	if (i == MT_REPORT_PIDS)
		return;
	memset(fp, 0, sizeof(*fp));
	fp->pid = p->pid;
	mt_strscpy(fp->comm, p->comm, sizeof(fp->comm));
	mt_strscpy(fp->unit, p->ident->unit, sizeof(fp->unit));
	mt_strscpy(fp->container_id, p->ident->container_id, sizeof(fp->container_id));
	if (use) {
		mt_strscpy(fp->holds, use->what, sizeof(fp->holds));
		mt_strscpy(fp->holds_path, use->path, sizeof(fp->holds_path));
	}
	mt_proc_cache__cmdline(rc->procs, p->pid, hd->cmdline[i], MT_PROC_CACHE_CMDLINE);
	if (mt_proc_cache__start_ns(rc->procs, p->pid, &hd->start_ns[i]))
		hd->start_ns[i] = 0;
	hd->h.nr_pids++;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct mt_report_ref *x = a, *y = b;

	if (x->mnt_ns != y->mnt_ns)
		return x->mnt_ns < y->mnt_ns ? -1 : 1;
	if (x->mnt_id != y->mnt_id)
		return x->mnt_id < y->mnt_id ? -1 : 1;
	return x->finding_id < y->finding_id ? -1 : x->finding_id > y->finding_id;
}

void mt_report_refs_sort(struct mt_report_ref *refs, int nr)
{
	if (nr > 1)
		qsort(refs, (size_t)nr, sizeof(*refs), cmp_ref);
}

/* The first finding that names copy @c (a snapshot has one per copy of
 * thousands of namespaces: a search, not a scan). */
static const struct mt_report_ref *first_ref(const struct mt_report_ctx *rc,
					     const struct mt_view_copy *c)
{
	struct mt_report_ref key = { .mnt_ns = c->mnt_ns, .mnt_id = c->mnt_id };
	int lo = 0, hi = rc->nr_refs;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (cmp_ref(&rc->refs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < rc->nr_refs && rc->refs[lo].mnt_ns == c->mnt_ns && rc->refs[lo].mnt_id == c->mnt_id)
		return &rc->refs[lo];
	return NULL;
}

/* A finding listed the copy's processes already: add what only we show. */
static void take_pids(struct mt_report_ctx *rc, const struct mt_report_ref *ref,
		      struct holder *hd)
{
	for (int i = 0; i < ref->nr_pids && i < MT_REPORT_PIDS; i++) {
		hd->pids[i] = ref->pids[i];
		mt_proc_cache__cmdline(rc->procs, ref->pids[i].pid, hd->cmdline[i], MT_PROC_CACHE_CMDLINE);
		if (mt_proc_cache__start_ns(rc->procs, ref->pids[i].pid, &hd->start_ns[i]))
			hd->start_ns[i] = 0;
		hd->h.nr_pids++;
	}
	hd->h.total_pids = ref->total_pids;
}

/* Processes that hold something under the copy first, then the rest. */
static void fill_holder(struct mt_report_ctx *rc, const struct mt_ovl_view *v,
			const struct mt_view_copy *c, struct holder *hd)
{
	const struct mt_report_ref *ref = first_ref(rc, c);
	bool used[USES_MAX_PROCS] = {};

	memset(hd, 0, sizeof(*hd));
	hd->h.mnt_ns = c->mnt_ns;
	hd->h.mnt_ns_id = c->mnt_ns_id;
	hd->h.mnt_id = c->mnt_id;
	hd->h.path = c->path;
	hd->h.pids = hd->pids;
	hd->h.initial_ns = c->initial_ns;
	hd->h.kept_by = (struct mt_keeper *)c->keepers;
	hd->h.nr_kept_by = c->nr_keepers;
	if (c->prop_known)
		mt_propagation_str(c->group, c->master, false, hd->h.propagation,
				   sizeof(hd->h.propagation));
	else
		snprintf(hd->h.propagation, sizeof(hd->h.propagation), "unknown");
	if (c->parent_known)
		mt_propagation_str(c->parent_group, c->parent_master, false,
				   hd->h.parent_propagation, sizeof(hd->h.parent_propagation));
	if (ref && ref->pids) {
		take_pids(rc, ref, hd);
		return;
	}
	for (int i = 0; i < c->nr_procs; i++) {
		struct mt_use use;

		if (!listable(rc, c->procs[i].pid))
			continue;
		hd->h.total_pids++;
		if (i >= USES_MAX_PROCS || !c->path ||
		    mt_proc_cache__uses(rc->procs, c->procs[i].pid, c->path, v->dev, &use,
					1) <= 0)
			continue;
		used[i] = true;
		add_pid(rc, hd, &c->procs[i], &use);
	}
	for (int i = 0; i < c->nr_procs && hd->h.nr_pids < MT_REPORT_PIDS; i++)
		if (!(i < USES_MAX_PROCS && used[i]) && listable(rc, c->procs[i].pid))
			add_pid(rc, hd, &c->procs[i], NULL);
}

static const char *release_of(const struct mt_ovl_view *v, struct holder *hd, char *buf,
			      size_t len)
{
	struct mt_finding f = { .path = v->merged, .holders = &hd->h, .nr_holders = 1 };

	return mt_finding_release(&f, buf, len);
}

static void start_time(const struct mt_report_ctx *rc, __u64 mono_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(((__s64)mono_ns + rc->wall_offset_ns) / 1000000000LL);
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* The ids of the findings that name this copy. */
static int copy_findings(const struct mt_report_ctx *rc, const struct mt_view_copy *c,
			 const struct mt_report_ref **out, int max)
{
	const struct mt_report_ref *r = first_ref(rc, c), *end = rc->refs + rc->nr_refs;
	int nr = 0;

	for (; r && r < end && nr < max && r->mnt_ns == c->mnt_ns && r->mnt_id == c->mnt_id; r++)
		out[nr++] = r;
	return nr;
}

static void owner(struct mt_report_ctx *rc, const struct mt_ovl_view *v, struct mt_ctr_meta *m)
{
	if (!rc->rtmeta || !mt_runtime_meta__resolve(rc->rtmeta, v->merged, v->upper, m))
		memset(m, 0, sizeof(*m));
}

/* ---- text ---- */

/*
 * A value anyone who can mount or name a task chose (a path, a comm, a
 * command line), escaped as every text value is (escape.h): one line, no
 * control sequence for the terminal. @slot picks one of a few buffers, so
 * one fprintf() can show several.
 */
static const char *shown(const char *s, int slot)
{
	static char esc[2][MT_ESC_MAX_PER_BYTE * PATH_MAX + 1];

	return mt_term_value(s ? s : "?", esc[slot], sizeof(esc[slot]));
}

static void text_holder(FILE *out, struct mt_report_ctx *rc, const struct holder *hd)
{
	char tbuf[32];

	for (int i = 0; i < hd->h.nr_kept_by; i++) {
		const struct mt_keeper *k = &hd->h.kept_by[i];

		if (k->is_fd)
			fprintf(out, "      kept alive by fd %d of pid %u %s\n", k->fd, k->pid,
				shown(k->comm, 0));
		else
			fprintf(out, "      kept alive by the nsfs mount %s in mnt:[%u]\n",
				shown(k->path, 0), k->mnt_ns);
	}
	if (!hd->h.total_pids && !hd->h.nr_kept_by)
		fprintf(out, "      no process in it that mnttrace could read\n");
	for (int i = 0; i < hd->h.nr_pids; i++) {
		const struct mt_finding_pid *p = &hd->pids[i];

		fprintf(out, "      pid %u %s", p->pid, shown(p->comm, 0));
		if (p->container_id[0])
			fprintf(out, " (container %.12s)", shown(p->container_id, 0));
		else if (p->unit[0])
			fprintf(out, " (%s)", shown(p->unit, 0));
		if (hd->start_ns[i]) {
			start_time(rc, hd->start_ns[i], tbuf, sizeof(tbuf));
			fprintf(out, " started %s", tbuf);
		}
		if (hd->cmdline[i][0])
			fprintf(out, ": %s", shown(hd->cmdline[i], 0));
		if (p->holds[0])
			fprintf(out, "\n        has its %s at %s", p->holds, shown(p->holds_path, 0));
		fputc('\n', out);
	}
	if (hd->h.nr_pids < hd->h.total_pids)
		fprintf(out, "      and %d more\n", hd->h.total_pids - hd->h.nr_pids);
}

/* A finding kind as the live findings colour it: a risk, or harm done. */
static enum mt_style kind_style(const char *kind)
{
	return strcmp(kind, "risk") == 0 ? MT_ST_RISK : MT_ST_HARM;
}

static void tree_copies(const struct mt_ovl_view *v, const struct mt_report_ctx *rc,
			struct mt_tree_copy *tc, char (*notes)[NOTE_MAX])
{
	for (int i = 0; i < v->nr; i++) {
		const struct mt_view_copy *c = &v->copies[i];
		const struct mt_report_ref *refs[4];
		int nr = copy_findings(rc, c, refs, 4), o = 0;

		notes[i][0] = '\0';
		if (c->self_ns)
			o += snprintf(notes[i] + o, NOTE_MAX - (size_t)o, "mnttrace's namespace ");
		for (int k = 0; k < nr && o < NOTE_MAX - 48; k++)
			o += snprintf(notes[i] + o, NOTE_MAX - (size_t)o, "%s%s #%llu%s ",
				      mt_term_on(rc->term, kind_style(refs[k]->kind)), refs[k]->kind,
				      (unsigned long long)refs[k]->finding_id,
				      mt_term_off(rc->term, kind_style(refs[k]->kind)));
		if (o)
			notes[i][o - 1] = '\0';
		tc[i] = (struct mt_tree_copy){ .mnt_ns = c->mnt_ns, .mnt_id = c->mnt_id,
					       .path = c->path, .group = c->group,
					       .master = c->master, .note = notes[i] };
	}
}

int mt_ovl_report_text(FILE *out, struct mt_report_ctx *rc, const struct mt_ovl_view *v)
{
	struct mt_tree_copy *tc = calloc((size_t)v->nr, sizeof(*tc));
	char (*notes)[NOTE_MAX] = calloc((size_t)v->nr, sizeof(*notes));
	char **paths = calloc((size_t)v->nr, sizeof(*paths));	/* escaped, for the tree */
	struct holder *hd = malloc(sizeof(*hd));
	char rel[1024];
	struct mt_ctr_meta m;
	int err = 0;

	if (!tc || !notes || !paths || !hd) {
		err = -ENOMEM;
		goto out;
	}
	owner(rc, v, &m);
	fprintf(out, "%soverlay %s (dev %u:%u), mounted in %d namespace%s%s\n",
		mt_term_on(rc->term, MT_ST_HEADER), shown(v->merged, 0), v->dev >> 20,
		v->dev & 0xfffff, v->nr_ns, v->nr_ns == 1 ? "" : "s",
		mt_term_off(rc->term, MT_ST_HEADER));
	if (m.container_id[0])
		fprintf(out, "  container %s%s%s (%s, id from %s)\n", shown(m.container_id, 0),
			m.name[0] ? " " : "", shown(m.name, 1), m.runtime_name ? m.runtime_name : "?",
			m.id_source ? m.id_source : "?");
	fprintf(out, "  upperdir %s\n  workdir  %s\n", shown(v->upper, 0), shown(v->work, 1));
	fprintf(out, "  copies, by peer group and master:\n");
	tree_copies(v, rc, tc, notes);
	for (int i = 0; i < v->nr; i++) {
		paths[i] = strdup(shown(tc[i].path, 0));
		tc[i].path = paths[i] ? paths[i] : "?";
	}
	err = mt_peer_tree_text(out, "    ", tc, v->nr);
	fprintf(out, "  holders:\n");
	for (int i = 0; !err && i < v->nr; i++) {
		const struct mt_view_copy *c = &v->copies[i];

		fill_holder(rc, v, c, hd);
		fprintf(out, "    mnt:[%u] id %u at %s (%s%s%s)\n", c->mnt_ns, c->mnt_id,
			shown(c->path, 0), hd->h.propagation,
			hd->h.parent_propagation[0] ? ", parent " : "", hd->h.parent_propagation);
		text_holder(out, rc, hd);
		fprintf(out, "      release (printed, not run): %s%s%s\n",
			mt_term_on(rc->term, MT_ST_FIX), shown(release_of(v, hd, rel, sizeof(rel)), 0),
			mt_term_off(rc->term, MT_ST_FIX));
	}
	fputc('\n', out);
	if (!err && (fflush(out) || ferror(out)))
		err = -EIO;
out:
	for (int i = 0; paths && i < v->nr; i++)
		free(paths[i]);
	free(paths);
	free(tc);
	free(notes);
	free(hd);
	return err;
}

int mt_ovl_report_dot(FILE *out, const struct mt_ovl_view *v)
{
	struct mt_report_ctx none = {};
	struct mt_tree_copy *tc = calloc((size_t)v->nr, sizeof(*tc));
	char (*notes)[NOTE_MAX] = calloc((size_t)v->nr, sizeof(*notes));
	char **paths = calloc((size_t)v->nr, sizeof(*paths));	/* escaped, for the tree */
	int err = -ENOMEM;

	if (tc && notes) {
		tree_copies(v, &none, tc, notes);
		err = mt_peer_tree_dot(out, v->merged ? v->merged : "overlay", tc, v->nr);
	}
	free(tc);
	free(notes);
	return err;
}

/* ---- JSON ---- */

static void json_holder(struct mt_json *j, struct mt_report_ctx *rc, const struct holder *hd)
{
	char tbuf[32];

	mt_json_arr_begin(j, "pids");
	for (int i = 0; i < hd->h.nr_pids; i++) {
		const struct mt_finding_pid *p = &hd->pids[i];

		mt_json_obj_begin(j, NULL);
		mt_json_uint(j, "pid", p->pid);
		mt_json_str(j, "comm", p->comm);
		if (hd->cmdline[i][0])
			mt_json_str(j, "cmdline", hd->cmdline[i]);
		if (p->unit[0])
			mt_json_str(j, "unit", p->unit);
		if (p->container_id[0])
			mt_json_str(j, "container_id", p->container_id);
		if (hd->start_ns[i]) {
			start_time(rc, hd->start_ns[i], tbuf, sizeof(tbuf));
			mt_json_str(j, "start_time", tbuf);
		}
		if (p->holds[0]) {
			mt_json_str(j, "holds", p->holds);
			mt_json_str(j, "holds_path", p->holds_path);
		}
		mt_json_obj_end(j);
	}
	mt_json_arr_end(j);
	mt_json_uint(j, "nr_pids", (unsigned int)hd->h.total_pids);
	if (hd->h.nr_kept_by) {
		mt_json_arr_begin(j, "kept_by");
		for (int i = 0; i < hd->h.nr_kept_by; i++)
			mt_keeper_json(j, &hd->h.kept_by[i]);
		mt_json_arr_end(j);
	}
}

static void json_copy(struct mt_json *j, struct mt_report_ctx *rc, const struct mt_ovl_view *v,
		      const struct mt_view_copy *c, struct holder *hd)
{
	const struct mt_report_ref *refs[8];
	int nr = copy_findings(rc, c, refs, 8);
	char rel[1024];

	fill_holder(rc, v, c, hd);
	mt_json_obj_begin(j, NULL);
	mt_json_uint(j, "mnt_ns", c->mnt_ns);
	if (c->mnt_ns_id)
		mt_json_uint(j, "mnt_ns_id", c->mnt_ns_id);
	mt_json_uint(j, "mnt_id", c->mnt_id);
	if (c->mnt_uid)
		mt_json_uint(j, "mnt_id_unique", c->mnt_uid);
	mt_json_str(j, "mount_path", c->path);
	mt_json_str(j, "propagation", hd->h.propagation);
	if (hd->h.parent_propagation[0])
		mt_json_str(j, "parent_propagation", hd->h.parent_propagation);
	if (c->group)
		mt_json_uint(j, "peer_group", c->group);
	if (c->master)
		mt_json_uint(j, "master", c->master);
	if (c->orig >= 0) {
		mt_json_obj_begin(j, "copied_from");
		mt_json_uint(j, "mnt_ns", v->copies[c->orig].mnt_ns);
		mt_json_uint(j, "mnt_id", v->copies[c->orig].mnt_id);
		mt_json_obj_end(j);
	}
	if (c->self_ns)
		mt_json_bool(j, "mnttrace_namespace", true);
	if (c->initial_ns)
		mt_json_bool(j, "initial_namespace", true);
	if (nr) {
		mt_json_arr_begin(j, "finding_ids");
		for (int k = 0; k < nr; k++)
			mt_json_uint(j, NULL, refs[k]->finding_id);
		mt_json_arr_end(j);
	}
	json_holder(j, rc, hd);
	mt_json_str(j, "release", release_of(v, hd, rel, sizeof(rel)));
	mt_json_obj_end(j);
}

int mt_ovl_report_json(struct mt_json *j, struct mt_report_ctx *rc, const struct mt_ovl_view *v)
{
	struct holder *hd = malloc(sizeof(*hd));
	struct mt_ctr_meta m;
	char dev[32];

	if (!hd)
		return -ENOMEM;
	owner(rc, v, &m);
	snprintf(dev, sizeof(dev), "%u:%u", v->dev >> 20, v->dev & 0xfffff);
	mt_json_begin(j);
	mt_json_str(j, "type", "overlay");
	mt_json_str(j, "path", v->merged ? v->merged : "");
	mt_json_str(j, "dev", dev);
	mt_json_str(j, "upperdir", v->upper);
	mt_json_str(j, "workdir", v->work);
	mt_json_str(j, "lowerdir", v->lower);
	if (m.container_id[0]) {
		mt_json_str(j, "container_id", m.container_id);
		if (m.layer_id[0])
			mt_json_str(j, "layer_id", m.layer_id);
		mt_json_str(j, "id_source", m.id_source);
		if (m.name[0])
			mt_json_str(j, "container_name", m.name);
		if (m.image[0])
			mt_json_str(j, "image", m.image);
		mt_json_str(j, "runtime", m.runtime_name);
	}
	mt_json_uint(j, "nr_namespaces", (unsigned int)v->nr_ns);
	mt_json_arr_begin(j, "copies");
	for (int i = 0; i < v->nr; i++)
		json_copy(j, rc, v, &v->copies[i], hd);
	mt_json_arr_end(j);
	free(hd);
	return mt_json_end_line(j);
}
