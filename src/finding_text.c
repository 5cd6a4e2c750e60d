// SPDX-License-Identifier: GPL-2.0
/*
 * A finding as a block a person scans at 3 a.m.: the headline says what
 * and where, the lines below say why, who holds it, and what to run.
 *
 *   *** FINDING #2 leak at 10:31:47.252440, docker container 3f4e9c1d2b7a: /var/.../merged
 *       why:     the copy in mnt:[4026532178] (made by unshare (pid 6962)) is private, ...
 *       call:    umount2 by umount pid 7048 in mnt:[4026532177]
 *       held in: mnt:[4026532178] private, parent private
 *                  created by unshare pid 6962 via unshare at 10:31:46.238330
 *                  1 process: 6962 sleep
 *       fix:     nsenter -t 6962 -m umount /var/.../merged
 *       prevent: by keeping Docker's graph root shared (...)
 *
 * Prose wraps at the terminal's width; a path is never cut.
 */
#include <errno.h>
#include <string.h>

#include "escape.h"
#include "findings.h"
#include "linebuf.h"
#include "names.h"
#include "output.h"
#include "term.h"

#define INDENT 4		/* the block under the headline */
#define LABEL 9			/* "held in: " */
#define SUB (INDENT + LABEL + 2)	/* a holder's own lines */
#define SHORT_ID 12		/* as docker ps shows a container id */

struct block {
	FILE *f;
	const struct mt_term *t;
	__s64 off;
	char esc[MT_ESC_MAX_PER_BYTE * 2 * MT_STR_MAX + 1];	/* mt_term_value()'s room */
};

/* A value as text (escaping goes in mt_term_value, once). */
static const char *val(struct block *b, const char *s)
{
	return mt_term_value(s, b->esc, sizeof(b->esc));
}

/* "    why:     <text wrapped>" */
static void labelled_as(struct block *b, const char *label, enum mt_style style,
			const char *text, enum mt_wrap how)
{
	fprintf(b->f, "%*s%s%s%s%*s%s", INDENT, "", mt_term_on(b->t, MT_ST_HEADER), label,
		mt_term_off(b->t, MT_ST_HEADER), LABEL - (int)strlen(label), "",
		mt_term_on(b->t, style));
	mt_term_wrap(b->f, b->t, INDENT + LABEL, INDENT + LABEL, val(b, text),
		     mt_term_off(b->t, style), how);
}

static void labelled(struct block *b, const char *label, enum mt_style style, const char *text)
{
	labelled_as(b, label, style, text, MT_WRAP_PROSE);
}

static void sub_line(struct block *b, const char *text)
{
	fprintf(b->f, "%*s", SUB, "");
	mt_term_wrap(b->f, b->t, SUB, SUB + 2, val(b, text), "", MT_WRAP_PROSE);
}

static void wall_time(const struct block *b, __u64 ts_ns, char *buf, size_t len)
{
	struct mt_output o = { .wall_offset_ns = b->off };

	mt_output_time(&o, ts_ns, buf, len);
}

/*
 * "*** FINDING #2 leak at <time>, docker container <id>: <path>": the
 * phrases before the path wrap at the width as wholes (a container name
 * can be long), the path follows them whole.
 */
static void headline(struct block *b, const struct mt_finding *f)
{
	enum mt_style st = f->kind == MT_FIND_RISK ? MT_ST_RISK : MT_ST_HARM;
	char tbuf[32], phrase[4][256], shown[MT_ESC_MAX_PER_BYTE * MT_STR_MAX + 1];
	const char *path = val(b, f->path ? f->path : "?");
	int n = 0, col;

	wall_time(b, f->ts_ns, tbuf, sizeof(tbuf));
	snprintf(phrase[n++], sizeof(phrase[0]), "*** FINDING #%llu %s",
		 (unsigned long long)f->id, mt_finding_kind_name(f->kind));
	if (f->leak_id)
		snprintf(phrase[n++], sizeof(phrase[0]), "(follows leak #%llu)",
			 (unsigned long long)f->leak_id);
	snprintf(phrase[n++], sizeof(phrase[0]), "at %s%s", tbuf, f->container_id ? "," : ":");
	if (f->container_id) {
		char id[SHORT_ID * MT_ESC_MAX_PER_BYTE + 1];

		snprintf(id, sizeof(id), "%.*s", SHORT_ID,
			 mt_term_value(f->container_id, shown, sizeof(shown)));
		snprintf(phrase[n++], sizeof(phrase[0]), "%s container %s%s%s%s:",
			 f->runtime ?: "a", id, f->container_name ? " \"" : "",
			 f->container_name ? mt_term_value(f->container_name, shown,
							   sizeof(shown)) : "",
			 f->container_name ? "\"" : "");
	}
	fputs(mt_term_on(b->t, st), b->f);
	col = 0;
	for (int i = 0; i < n; i++) {
		int cols = mt_term_cols(phrase[i], strlen(phrase[i]));

		if (mt_term_breaks(b->t, col, INDENT, 1 + cols, false)) {
			fprintf(b->f, "%s\n%*s%s", mt_term_off(b->t, st), INDENT, "",
				mt_term_on(b->t, st));
			col = INDENT;
		} else if (i) {
			fputc(' ', b->f);
			col++;
		}
		fputs(phrase[i], b->f);
		col += cols;
	}
	/* the path stays on the headline's last line: "FINDING.*<path>" greps */
	fprintf(b->f, "%s %s%s\n", mt_term_off(b->t, st), path,
		f->incomplete ? " (may be incomplete)" : "");
}

/* -v: the whole id, where it came from, the image and the overlay's own dirs. */
static void overlay_lines(struct block *b, const struct mt_finding *f)
{
	char line[1024];

	if (f->container_id) {
		snprintf(line, sizeof(line), "%s%s%s, id from %s%s%s", f->container_id,
			 f->image ? " of image " : "", f->image ?: "", f->id_source ?: "?",
			 f->layer_id && strcmp(f->layer_id, f->container_id) ? ", layer " : "",
			 f->layer_id && strcmp(f->layer_id, f->container_id) ? f->layer_id : "");
		labelled(b, "owner:", MT_ST_NONE, line);
	}
	if (f->upperdir)
		labelled(b, "upper:", MT_ST_NONE, f->upperdir);
	if (f->workdir)
		labelled(b, "work:", MT_ST_NONE, f->workdir);
	if (f->lowerdir)
		labelled(b, "lower:", MT_ST_NONE, f->lowerdir);
}

static void call_line(struct block *b, const struct mt_finding *f)
{
	char line[256];
	int n;

	if (f->pid)
		n = snprintf(line, sizeof(line), "%s by %s pid %u in mnt:[%u]", f->op ?: "?",
			     f->comm, f->pid, f->mnt_ns);
	else
		n = snprintf(line, sizeof(line), "%s, original in mnt:[%u]", f->op ?: "?",
			     f->mnt_ns);
	if (f->err && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, " -> %s", mt_errno_name(f->err) ?: "error");
	labelled(b, "call:", MT_ST_NONE, line);
}

/* The holder's namespace, what made it and what keeps it. */
static void holder(struct block *b, const struct mt_finding_holder *h, bool first)
{
	char line[1024], tbuf[32];
	size_t o;

	fprintf(b->f, "%*s%s%-*s%s", INDENT, "", mt_term_on(b->t, MT_ST_HEADER),
		LABEL, first ? "held in:" : "", mt_term_off(b->t, MT_ST_HEADER));
	snprintf(line, sizeof(line), "mnt:[%u] %s%s%s%s%s", h->mnt_ns, h->gone ? "detached, " : "",
		 h->propagation, h->parent_propagation[0] ? ", parent " : "",
		 h->parent_propagation, h->initial_ns ? " (the host's initial mount namespace)" : "");
	mt_term_wrap(b->f, b->t, INDENT + LABEL, SUB, line, "", MT_WRAP_PROSE);
	if (h->has_creator) {
		wall_time(b, h->created_by.ts_ns, tbuf, sizeof(tbuf));
		if (h->created_by.inferred)
			snprintf(line, sizeof(line), "made before mnttrace started (oldest process %s "
				 "pid %u%s%s, started at %s)", h->created_by.comm, h->created_by.pid,
				 h->created_by.unit[0] ? ", " : "", h->created_by.unit, tbuf);
		else
			snprintf(line, sizeof(line), "created by %s pid %u%s%s%s via %s at %s",
				 h->created_by.comm, h->created_by.pid,
				 h->created_by.unit[0] ? " (" : "", h->created_by.unit,
				 h->created_by.unit[0] ? ")" : "", h->created_by.call ?: "?", tbuf);
		sub_line(b, line);
	}
	for (int i = 0; i < h->nr_kept_by; i++) {
		const struct mt_keeper *k = &h->kept_by[i];

		if (k->is_fd)
			snprintf(line, sizeof(line), "kept alive by fd %d of pid %u %s", k->fd, k->pid,
				 k->comm);
		else
			snprintf(line, sizeof(line), "kept alive by the nsfs mount %s in mnt:[%u]",
				 k->path, k->mnt_ns);
		sub_line(b, line);
	}
	/* those that hold something below the copy, one a line */
	for (int i = 0; i < h->nr_pids; i++) {
		const struct mt_finding_pid *p = &h->pids[i];

		if (!p->holds[0])
			continue;
		snprintf(line, sizeof(line), "pid %u %s%s%s has its %s at %s", p->pid, p->comm,
			 p->unit[0] ? " of " : "", p->unit, p->holds, p->holds_path);
		sub_line(b, line);
	}
	if (!h->total_pids) {
		sub_line(b, "no process left in it");
		return;
	}
	o = (size_t)snprintf(line, sizeof(line), "%d process%s:", h->total_pids,
			     h->total_pids == 1 ? "" : "es");
	for (int i = 0; i < h->nr_pids && o < sizeof(line); i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, " %u %s", h->pids[i].pid,
				      h->pids[i].comm);
	if (h->nr_pids < h->total_pids && o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, " and %d more", h->total_pids - h->nr_pids);
	sub_line(b, line);
}

int mt_finding_text_styled(FILE *out, const struct mt_finding *f, __s64 wall_offset_ns,
			   const struct mt_term *term, bool verbose)
{
	static const struct mt_term plain = { .width = MT_TERM_WIDTH };
	struct block b = { .f = out, .t = term ? term : &plain, .off = wall_offset_ns };
	char text[1024], fix[1200];

	errno = 0;	/* what a failed write leaves is the answer (EPIPE) */
	fputc('\n', out);
	headline(&b, f);
	if (f->incomplete)
		labelled(&b, "partial:", MT_ST_NONE, mt_incomplete_reason(f->incomplete));
	labelled(&b, "why:", MT_ST_NONE, mt_finding_why(f, text, sizeof(text)));
	call_line(&b, f);
	if (verbose)
		overlay_lines(&b, f);
	for (int i = 0; i < f->nr_holders; i++)
		holder(&b, &f->holders[i], i == 0);
	if (f->holders_truncated)
		sub_line(&b, "(more namespaces, not listed)");
	/* one holder's release a line: wrapped, but never before a path, so
	 * a command stays one line for copying */
	for (int i = 0; i < f->nr_holders; i++)
		labelled_as(&b, i ? "" : "fix:", MT_ST_FIX,
			    mt_finding_release_one(f, i, fix, sizeof(fix)), MT_WRAP_COMMAND);
	if (mt_finding_prevention(f, text, sizeof(text))) {
		snprintf(fix, sizeof(fix), "by %s", text);
		labelled(&b, "prevent:", MT_ST_NONE, fix);
	}
	fputc('\n', out);
	return mt_linebuf_end(out);
}

int mt_finding_text(FILE *out, const struct mt_finding *f, __s64 wall_offset_ns)
{
	return mt_finding_text_styled(out, f, wall_offset_ns, NULL, false);
}
