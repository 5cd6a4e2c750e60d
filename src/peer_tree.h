/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The copies of one overlay drawn as the tree of peer groups and masters
 * that a kernel engineer draws by hand from mountinfo's shared:N and
 * master:N: a peer group lists its members, then its slaves (a slave-only
 * mount, or a slave peer group with members and slaves of its own).
 * Private copies stand alone: nothing propagates to them. A master that
 * no copy belongs to (the overlay is no longer mounted in that group)
 * still heads its slaves, marked as such. As text (box-drawing lines) or
 * Graphviz DOT. Pure functions of their input, tested alone.
 */
#ifndef MT_PEER_TREE_H
#define MT_PEER_TREE_H

#include <stdio.h>
#include <linux/types.h>

struct mt_tree_copy {
	__u32 mnt_ns;
	__u32 mnt_id;
	const char *path;
	__u32 group, master;	/* shared:N, master:N; 0 = none */
	const char *note;	/* appended after the copy ("original", "leak #2"); may be NULL */
};

/* Write the tree of @c[0..@nr) to @out, each line after @indent. 0 or
 * -EIO / -ENOMEM. */
int mt_peer_tree_text(FILE *out, const char *indent, const struct mt_tree_copy *c, int nr);

/* The same as a Graphviz digraph named @name. 0 or -EIO / -ENOMEM. */
int mt_peer_tree_dot(FILE *out, const char *name, const struct mt_tree_copy *c, int nr);

#endif /* MT_PEER_TREE_H */
