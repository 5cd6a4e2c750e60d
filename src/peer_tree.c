// SPDX-License-Identifier: GPL-2.0
/* The peer-group tree of an overlay's copies (peer_tree.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "peer_tree.h"

#define MAX_DEPTH 16	/* master chains are short; a loop is a bug in the input */

struct group {
	__u32 id;
	__u32 master;	/* 0 = none (a root) */
	bool present;	/* some copy is a member */
};

struct tree {
	const struct mt_tree_copy *c;
	int nr;
	struct group *g;
	int nr_g;
	FILE *out;
};

static struct group *find_group(struct tree *t, __u32 id)
{
	for (int i = 0; i < t->nr_g; i++)
		if (t->g[i].id == id)
			return &t->g[i];
	return NULL;
}

static void add_group(struct tree *t, __u32 id, __u32 master, bool present)
{
	struct group *g = find_group(t, id);

	if (!g) {
		g = &t->g[t->nr_g++];
		*g = (struct group){ .id = id };
	}
	g->present |= present;
	if (!g->master && master != id)
		g->master = master;
}

/* Groups in order of first sight, copies' own groups before their masters. */
static int build(struct tree *t, const struct mt_tree_copy *c, int nr)
{
	t->c = c;
	t->nr = nr;
	t->nr_g = 0;
	t->g = calloc((size_t)nr * 2 + 1, sizeof(*t->g));
	if (!t->g)
		return -ENOMEM;
	for (int i = 0; i < nr; i++)
		if (c[i].group)
			add_group(t, c[i].group, c[i].master, true);
	for (int i = 0; i < nr; i++)
		if (c[i].master)
			add_group(t, c[i].master, 0, false);
	return 0;
}

static bool is_root(const struct tree *t, const struct group *g)
{
	return !g->master;
}

/* ---- text ---- */

static void copy_line(struct tree *t, const struct mt_tree_copy *c, bool slave)
{
	fprintf(t->out, "mnt:[%u] id %u %s", c->mnt_ns, c->mnt_id, c->path ? c->path : "?");
	if (slave)
		fprintf(t->out, " (slave, master:%u)", c->master);
	if (c->note && *c->note)
		fprintf(t->out, "  <- %s", c->note);
	fputc('\n', t->out);
}

static void group_children(struct tree *t, const struct group *g, const char *prefix,
			   int depth);

/* One child line under @prefix; @last picks the corner. */
static void branch(struct tree *t, const char *prefix, bool last)
{
	fprintf(t->out, "%s%s", prefix, last ? "\u2514\u2500\u2500 " : "\u251c\u2500\u2500 ");
}

static void group_head(struct tree *t, const struct group *g)
{
	if (g->master)
		fprintf(t->out, "slave peer group %u (shared:%u master:%u)", g->id, g->id,
			g->master);
	else
		fprintf(t->out, "peer group %u (shared:%u)", g->id, g->id);
	if (!g->present)
		fprintf(t->out, ": no copy of the overlay is in it now");
	fputc('\n', t->out);
}

/* Members, then slave-only mounts, then slave groups. */
static int nr_children(const struct tree *t, const struct group *g)
{
	int n = 0;

	for (int i = 0; i < t->nr; i++)
		n += t->c[i].group == g->id || (!t->c[i].group && t->c[i].master == g->id);
	for (int i = 0; i < t->nr_g; i++)
		n += t->g[i].master == g->id && &t->g[i] != g;
	return n;
}

static void group_children(struct tree *t, const struct group *g, const char *prefix,
			   int depth)
{
	int total = nr_children(t, g), at = 0;
	char sub[4 * MAX_DEPTH * 4 + 8];

	for (int i = 0; i < t->nr; i++) {
		const struct mt_tree_copy *c = &t->c[i];
		bool member = c->group == g->id, slave = !c->group && c->master == g->id;

		if (!member && !slave)
			continue;
		branch(t, prefix, ++at == total);
		copy_line(t, c, slave);
	}
	for (int i = 0; i < t->nr_g; i++) {
		const struct group *s = &t->g[i];
		bool last;

		if (s->master != g->id || s == g)
			continue;
		last = ++at == total;
		branch(t, prefix, last);
		if (depth >= MAX_DEPTH) {
			fprintf(t->out, "...\n");
			continue;
		}
		group_head(t, s);
		snprintf(sub, sizeof(sub), "%s%s", prefix, last ? "    " : "\u2502   ");
		group_children(t, s, sub, depth + 1);
	}
}

int mt_peer_tree_text(FILE *out, const char *indent, const struct mt_tree_copy *c, int nr)
{
	struct tree t = { .out = out };

	if (build(&t, c, nr))
		return -ENOMEM;
	for (int i = 0; i < t.nr_g; i++) {
		if (!is_root(&t, &t.g[i]))
			continue;
		fputs(indent, out);
		group_head(&t, &t.g[i]);
		group_children(&t, &t.g[i], indent, 1);
	}
	for (int i = 0; i < nr; i++) {
		if (c[i].group || c[i].master)
			continue;
		fprintf(out, "%sprivate (nothing propagates to it): ", indent);
		copy_line(&t, &c[i], false);
	}
	free(t.g);
	return ferror(out) ? -EIO : 0;
}

/* ---- Graphviz ---- */

/* @s as a DOT string body: quotes and backslashes escaped. */
static void dot_str(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void dot_copy(FILE *out, int i, const struct mt_tree_copy *c, bool private)
{
	fprintf(out, "    c%d [label=\"mnt:[%u] id %u\\n", i, c->mnt_ns, c->mnt_id);
	dot_str(out, c->path);
	if (c->note && *c->note) {
		fprintf(out, "\\n");
		dot_str(out, c->note);
	}
	fprintf(out, "\"%s];\n", private ? ", style=dashed" : "");
}

int mt_peer_tree_dot(FILE *out, const char *name, const struct mt_tree_copy *c, int nr)
{
	struct tree t = { .out = out };

	if (build(&t, c, nr))
		return -ENOMEM;
	fprintf(out, "digraph \"");
	dot_str(out, name);
	fprintf(out, "\" {\n  node [shape=box, fontname=\"monospace\"];\n");
	/* one node per peer group, its members hang off it */
	for (int i = 0; i < t.nr_g; i++)
		fprintf(out, "  g%u [shape=ellipse, label=\"peer group %u%s\"];\n", t.g[i].id,
			t.g[i].id, t.g[i].present ? "" : "\\n(no copy in it now)");
	for (int i = 0; i < nr; i++) {
		dot_copy(out, i, &c[i], !c[i].group && !c[i].master);
		if (c[i].group)
			fprintf(out, "  g%u -> c%d [arrowhead=none, label=\"shared:%u\"];\n",
				c[i].group, i, c[i].group);
		else if (c[i].master)
			fprintf(out, "  g%u -> c%d [label=\"master:%u\"];\n", c[i].master, i,
				c[i].master);
	}
	for (int i = 0; i < t.nr_g; i++)
		if (t.g[i].master)
			fprintf(out, "  g%u -> g%u [label=\"propagates to\"];\n", t.g[i].master,
				t.g[i].id);
	fprintf(out, "}\n");
	free(t.g);
	return ferror(out) ? -EIO : 0;
}
