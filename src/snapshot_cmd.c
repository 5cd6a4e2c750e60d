// SPDX-License-Identifier: GPL-2.0
/* --snapshot and --explain (snapshot_cmd.h). */
#define _GNU_SOURCE	/* open_memstream */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "explain.h"
#include "model_view.h"
#include "output.h"
#include "ovl_report.h"
#include "snapshot_cmd.h"

/* A finding, printed in full and kept until we know where it belongs. */
struct kept {
	char *text;		/* text paragraph or JSON line */
	char *upper, *work, *path;	/* its overlay */
};

struct cmd {
	const struct mt_options *opt;
	struct mt_output out;
	struct kept *kept;
	int nr_kept, cap_kept;
	struct mt_report_ref *refs;
	int nr_refs, cap_refs;
	struct mt_report_ctx rc;
	struct mt_explain_target target;
	char match_id[MT_OVL_ID_LEN];	/* --explain ID: the id it resolved to */
	/* --explain ID, first pass: every owner id seen */
	char **ids;
	int nr_ids, cap_ids;
	int listed;
	int err;		/* first write or allocation error */
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A holder's listed processes, kept for the overlay's report (NULL when
 * none, or out of memory: the report then looks them up itself). */
static const struct mt_finding_pid *dup_pids(const struct mt_finding_holder *h)
{
	struct mt_finding_pid *p = h->nr_pids ? malloc((size_t)h->nr_pids * sizeof(*p)) : NULL;

	if (p)
		memcpy(p, h->pids, (size_t)h->nr_pids * sizeof(*p));
	return p;
}

static void on_finding(void *ctx, const struct mt_finding *f)
{
	struct cmd *c = ctx;
	struct kept *k;
	size_t len = 0;
	FILE *fp;

	if (mt_array_grow(&c->kept, c->nr_kept, &c->cap_kept, sizeof(*c->kept), 8)) {
		c->err = -ENOMEM;
		return;
	}
	k = &c->kept[c->nr_kept];
	memset(k, 0, sizeof(*k));
	fp = open_memstream(&k->text, &len);
	if (!fp) {
		c->err = -ENOMEM;
		return;
	}
	if (c->opt->json) {
		struct mt_json *j = malloc(sizeof(*j));

		if (j) {
			mt_json_init_file(j, fp);
			mt_finding_json(j, f, c->out.wall_offset_ns);
		}
		free(j);
	} else {
		/* coloured for stdout, where the text goes in the end */
		mt_finding_text_styled(fp, f, c->out.wall_offset_ns, &c->out.term,
				       c->opt->verbose > 0);
	}
	fclose(fp);
	k->upper = dup_or_null(f->upperdir);
	k->work = dup_or_null(f->workdir);
	k->path = dup_or_null(f->path);
	c->nr_kept++;
	for (int i = 0; i < f->nr_holders; i++) {
		if (mt_array_grow(&c->refs, c->nr_refs, &c->cap_refs, sizeof(*c->refs), 8)) {
			c->err = -ENOMEM;
			return;
		}
		c->refs[c->nr_refs++] = (struct mt_report_ref){
			.finding_id = f->id, .kind = mt_finding_kind_name(f->kind),
			.mnt_ns = f->holders[i].mnt_ns, .mnt_id = f->holders[i].mnt_id,
			.pids = dup_pids(&f->holders[i]), .nr_pids = f->holders[i].nr_pids,
			.total_pids = f->holders[i].total_pids };
	}
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool kept_is_of(const struct kept *k, const struct mt_ovl_view *v)
{
	return (same(k->upper, v->upper) && same(k->work, v->work)) || same(k->path, v->merged);
}

static bool has_finding(const struct cmd *c, const struct mt_ovl_view *v)
{
	for (int i = 0; i < v->nr; i++)
		for (int k = 0; k < c->nr_refs; k++)
			if (c->refs[k].mnt_ns == v->copies[i].mnt_ns &&
			    c->refs[k].mnt_id == v->copies[i].mnt_id)
				return true;
	return false;
}

/* Keep the first failed write: a line's length, and -EINVAL (misuse,
 * the line is still valid JSON), are no failure. */
static void write_out(struct cmd *c, int err)
{
	if (err < 0 && err != -EINVAL && !c->err)
		c->err = err;
}

/* ---- --snapshot ---- */

static int list_overlay(void *ctx, const struct mt_ovl_view *v)
{
	struct cmd *c = ctx;

	/* copies in more than one namespace, and whatever a finding names */
	if (v->nr_ns < 2 && !has_finding(c, v))
		return 0;
	if (!c->listed++ && !c->opt->json)
		fprintf(stdout, "%s== overlays in more than one mount namespace, or leaked ==%s\n\n",
			mt_term_on(&c->out.term, MT_ST_HEADER), mt_term_off(&c->out.term, MT_ST_HEADER));
	write_out(c, c->opt->json ? mt_ovl_report_json(&c->out.j, &c->rc, v) :
				  mt_ovl_report_text(stdout, &c->rc, v));
	return 0;
}

static void print_findings(struct cmd *c, const struct mt_ovl_view *only)
{
	for (int i = 0; i < c->nr_kept; i++)
		if (!only || kept_is_of(&c->kept[i], only))
			fputs(c->kept[i].text, stdout);
}

/* ---- --explain ---- */

static int collect_ids(void *ctx, const struct mt_ovl_view *v)
{
	struct cmd *c = ctx;
	struct mt_ctr_meta m;

	if (!mt_runtime_meta__resolve(c->rc.rtmeta, v->merged, v->upper, &m))
		return 0;
	if (mt_array_grow(&c->ids, c->nr_ids, &c->cap_ids, sizeof(*c->ids), 16))
		return -ENOMEM;
	c->ids[c->nr_ids] = strdup(m.container_id);
	if (!c->ids[c->nr_ids])
		return -ENOMEM;
	c->nr_ids++;
	if (m.name[0] && strcmp(m.name, c->target.id) == 0)
		mt_strscpy(c->match_id, m.container_id, sizeof(c->match_id));
	if (!m.layer_id[0] || !strcmp(m.layer_id, m.container_id) ||
	    strncmp(m.layer_id, c->target.id, strlen(c->target.id)) != 0)
		return 0;
	/* a layer id names the same overlay as its container */
	if (mt_array_grow(&c->ids, c->nr_ids, &c->cap_ids, sizeof(*c->ids), 16))
		return -ENOMEM;
	c->ids[c->nr_ids] = strdup(m.layer_id);
	return c->ids[c->nr_ids] ? (c->nr_ids++, 0) : -ENOMEM;
}

/* --explain ID: one container (or layer) id, or an error line. */
static int resolve_id(struct cmd *c, struct mt_model *m)
{
	int first, nr, err = mt_model__each_overlay(m, collect_ids, c);

	if (err)
		return err;
	if (c->match_id[0])
		return 0;	/* a container name */
	nr = mt_id_prefix_matches((const char *const *)c->ids, c->nr_ids, c->target.id, &first);
	if (nr == 1) {
		mt_strscpy(c->match_id, c->ids[first], sizeof(c->match_id));
		return 0;
	}
	if (!nr) {
		fprintf(stderr, "mnttrace: error: no overlay of a container or layer '%s' is mounted "
			"in any mount namespace mnttrace can read (check the id with docker ps -a "
			"or podman ps -a; run as root to read every namespace)\n", c->target.id);
		return -ENOENT;
	}
	fprintf(stderr, "mnttrace: error: '%s' is ambiguous: %d ids start with it", c->target.id, nr);
	for (int i = first, shown = 0; i < c->nr_ids && shown < 4; i++)
		if (!strncmp(c->ids[i], c->target.id, strlen(c->target.id)))
			fprintf(stderr, "%s%.16s", shown++ ? ", " : " (", c->ids[i]);
	fprintf(stderr, ") (give more of the id)\n");
	return -EINVAL;
}

static bool selected(struct cmd *c, const struct mt_ovl_view *v, bool loose)
{
	struct mt_ctr_meta m;

	if (c->target.is_path)
		return mt_explain_path_match(&c->target, v, loose);
	return mt_runtime_meta__resolve(c->rc.rtmeta, v->merged, v->upper, &m) &&
	       mt_explain_id_match(c->match_id, &m);
}

static void verdict(struct cmd *c, const struct mt_ovl_view *v)
{
	bool finding = false;

	for (int i = 0; i < c->nr_kept; i++)
		finding |= kept_is_of(&c->kept[i], v);
	if (finding) {
		printf("%sWhy it stays mounted, and what releases it:%s\n",
		       mt_term_on(&c->out.term, MT_ST_HEADER), mt_term_off(&c->out.term, MT_ST_HEADER));
		print_findings(c, v);
		return;
	}
	if (v->nr_ns == 1 && v->copies[0].self_ns)
		printf("Mounted only here, in mnttrace's own namespace mnt:[%u]: no other "
		       "namespace holds a copy. If an umount says EBUSY, a process listed above "
		       "has its cwd, root or an open file under it.\n\n", v->copies[0].mnt_ns);
	else
		printf("No risk or leak: every copy in another namespace is a peer or a slave of "
		       "the original's peer group (the runtime's umount reaches it), or a "
		       "container's own root.\n\n");
}

static int explain_one(void *ctx, const struct mt_ovl_view *v)
{
	struct cmd *c = ctx;

	if (!selected(c, v, c->listed < 0))
		return 0;
	c->listed = c->listed < 0 ? 1 : c->listed + 1;
	if (c->opt->dot) {
		write_out(c, mt_ovl_report_dot(stdout, v));
		return 0;
	}
	if (c->opt->json) {
		write_out(c, mt_ovl_report_json(&c->out.j, &c->rc, v));
		print_findings(c, v);
		return 0;
	}
	write_out(c, mt_ovl_report_text(stdout, &c->rc, v));
	verdict(c, v);
	return 0;
}

static int explain(struct cmd *c, struct mt_model *m)
{
	int err = c->target.is_path ? 0 : resolve_id(c, m);

	if (err)
		return err;
	err = mt_model__each_overlay(m, explain_one, c);
	if (!err && !c->listed && c->target.is_path) {
		/* gone from here: find the copies elsewhere by the layer dir */
		c->listed = -1;
		err = mt_model__each_overlay(m, explain_one, c);
	}
	if (!err && c->listed <= 0) {
		fprintf(stderr, "mnttrace: error: no overlay is mounted at or for %s in any mount "
			"namespace mnttrace can read (give a merged, upper or layer dir, or a "
			"container id; run as root to read every namespace)\n", c->target.arg);
		return -ENOENT;
	}
	return err;
}

/* ---- the scan ---- */

static int count_unread_ns(const struct mt_snapshot *s)
{
	int nr = 0;

	for (int i = 0; i < s->nr_ns; i++)
		nr += s->ns[i].mounts_err != 0;
	return nr;
}

static void summary(struct cmd *c, const struct mt_snapshot *s, const struct mt_gone_stats *gs,
		    double ms)
{
	int unread_ns = count_unread_ns(s);
	const char *ids = s->nr_unique_ids ? "listmount/statmount" : "mountinfo";
	bool root = geteuid() == 0;
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	fflush(stdout);		/* the report before the summary, when both go to a terminal */
	if ((s->nr_errors && (!root || c->opt->verbose)) || unread_ns || gs->unreadable)
		fprintf(stderr, "mnttrace: warning: could not read %d processes' mount namespace, "
			"%d namespaces' mountinfo, %d copies' directories%s\n", s->nr_errors,
			unread_ns, gs->unreadable,
			root ? " (they exited during the scan)" : ": run as root to see them all");
	fprintf(stderr, "mnttrace: snapshot of %d mount namespaces, %d processes, %d overlay "
		"mounts (mount ids from %s) in %.1f ms; %d findings\n", s->nr_ns, s->nr_procs,
		s->nr_mounts, ids, ms, c->nr_kept);
	if (!c->opt->json || c->opt->explain)
		return;
	mt_json_begin(&c->out.j);
	mt_json_str(&c->out.j, "type", "snapshot");
	mt_json_str(&c->out.j, "kernel", u.release);
	mt_json_uint(&c->out.j, "namespaces", (unsigned int)s->nr_ns);
	mt_json_uint(&c->out.j, "processes", (unsigned int)s->nr_procs);
	mt_json_uint(&c->out.j, "overlay_mounts", (unsigned int)s->nr_mounts);
	mt_json_uint(&c->out.j, "overlays_listed", (unsigned int)c->listed);
	mt_json_uint(&c->out.j, "findings", (unsigned int)c->nr_kept);
	mt_json_str(&c->out.j, "mount_ids", ids);
	mt_json_uint(&c->out.j, "unreadable_processes", (unsigned int)s->nr_errors);
	mt_json_uint(&c->out.j, "unreadable_namespaces", (unsigned int)unread_ns);
	mt_json_uint(&c->out.j, "unreadable_copies", (unsigned int)gs->unreadable);
	mt_json_bool(&c->out.j, "root", root);
	mt_json_uint(&c->out.j, "elapsed_us", (unsigned long long)(ms * 1000));
	write_out(c, mt_json_end_line(&c->out.j));
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void cmd_free(struct cmd *c)
{
	for (int i = 0; i < c->nr_kept; i++) {
		free(c->kept[i].text);
		free(c->kept[i].upper);
		free(c->kept[i].work);
		free(c->kept[i].path);
	}
	free(c->kept);
	for (int i = 0; i < c->nr_refs; i++)
		free((void *)c->refs[i].pids);
	free(c->refs);
	for (int i = 0; i < c->nr_ids; i++)
		free(c->ids[i]);
	free(c->ids);
	mt_runtime_meta__free(c->rc.rtmeta);
	mt_proc_cache__free(c->rc.procs);
}

static int run(struct cmd *c, struct mt_model *m, struct mt_snapshot *s, double t0)
{
	struct mt_gone_stats gs = {};
	int err = mt_model__load(m, s);

	if (!err)
		err = mt_model__snapshot_leaks(m, &gs);
	if (err) {
		fprintf(stderr, "mnttrace: error: building the model failed: %s\n", strerror(-err));
		return err;
	}
	mt_report_refs_sort(c->refs, c->nr_refs);
	c->rc.refs = c->refs;
	c->rc.nr_refs = c->nr_refs;
	if (c->opt->explain) {
		err = explain(c, m);
	} else {
		print_findings(c, NULL);
		err = mt_model__each_overlay(m, list_overlay, c);
		if (!err && !c->listed && !c->nr_kept && !c->opt->json)
			printf("No overlay is mounted in more than one mount namespace, and no copy "
			       "has leaked or will leak.\n");
	}
	summary(c, s, &gs, mono_ms() - t0);
	return err;
}

int mt_snapshot_cmd(const struct mt_options *opt)
{
	struct cmd c = { .opt = opt };
	struct mt_model_opts mo = { .on_finding = on_finding, .ctx = &c };
	/* explain names every keeper; a snapshot only those of namespaces
	 * that no process explains (nsscan.h) */
	struct mt_snap_opts so = { .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY,
				   .fd_keepers = opt->explain ? MT_FD_KEEPERS_ALWAYS :
								MT_FD_KEEPERS_AUTO };
	double t0 = mono_ms();
	struct mt_snapshot *s;
	struct mt_model *m;
	int err;

	if (opt->explain && mt_explain_target(opt->explain, &c.target)) {
		fprintf(stderr, "mnttrace: error: invalid --explain '%s': the path cannot be made "
			"absolute (give an absolute path)\n", opt->explain);
		return 1;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	mt_output_init(&c.out, stdout, opt->json, false);
	/* the same colour and width as the live findings (--color, NO_COLOR) */
	mt_term_init(&c.out.term, STDOUT_FILENO, opt->color, opt->wide);
	c.rc = (struct mt_report_ctx){ .procs = mt_proc_cache__new("/proc"), .term = &c.out.term,
				       .wall_offset_ns = c.out.wall_offset_ns,
				       .rtmeta = mt_runtime_meta__new() };
	/* the model and the report ask about the same processes: once */
	mo.proc_ops = &mt_proc_cached;
	mo.proc_ctx = c.rc.procs;
	s = mt_snapshot__new(NULL, &so);
	if (!s) {
		fprintf(stderr, "mnttrace: error: reading the mount namespaces in /proc failed: %s "
			"(is /proc mounted?)\n", strerror(errno));
		cmd_free(&c);
		return 1;
	}
	m = mt_model__new(&mo);
	err = m && c.rc.rtmeta && c.rc.procs ? run(&c, m, s, t0) : -ENOMEM;
	if (err == -ENOMEM || c.err == -ENOMEM)
		fprintf(stderr, "mnttrace: error: out of memory\n");
	mt_model__free(m);
	mt_snapshot__free(s);
	if (fflush(stdout) || ferror(stdout) || (c.err && c.err != -ENOMEM)) {
		fprintf(stderr, "mnttrace: error: writing the output failed (check the disk or "
			"the pipe reader)\n");
		err = err ? err : -EIO;
	}
	cmd_free(&c);
	return err || c.err ? 1 : 0;
}
