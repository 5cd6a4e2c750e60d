/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Age order for the entries of a bounded table (htab.h finds them, this
 * says which is oldest): embed struct mt_age_node next to the htab_node,
 * add an entry as the newest, touch it when used, and evict or expire from
 * the oldest end in O(1).
 *
 *	mt_age_add(&l, &x->age);
 *	mt_age_touch(&l, &x->age);		(x was used: now the newest)
 *	while ((n = l.oldest) && too_old(n))	(walk with n->newer)
 *		mt_age_del(&l, n), ...
 */
#ifndef MT_AGELIST_H
#define MT_AGELIST_H

#include <stddef.h>

struct mt_age_node {
	struct mt_age_node *older, *newer;
};

struct mt_age_list {
	struct mt_age_node *oldest, *newest;
	size_t n;
};

static inline void mt_age_add(struct mt_age_list *l, struct mt_age_node *n)
{
	n->newer = NULL;
	n->older = l->newest;
	if (l->newest)
		l->newest->newer = n;
	else
		l->oldest = n;
	l->newest = n;
	l->n++;
}

static inline void mt_age_del(struct mt_age_list *l, struct mt_age_node *n)
{
	if (n->older)
		n->older->newer = n->newer;
	else
		l->oldest = n->newer;
	if (n->newer)
		n->newer->older = n->older;
	else
		l->newest = n->older;
	n->older = n->newer = NULL;
	l->n--;
}

static inline void mt_age_touch(struct mt_age_list *l, struct mt_age_node *n)
{
	if (l->newest == n)
		return;
	mt_age_del(l, n);
	mt_age_add(l, n);
}

#endif /* MT_AGELIST_H */
