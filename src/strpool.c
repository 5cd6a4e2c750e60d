// SPDX-License-Identifier: GPL-2.0
/* Interned, counted strings (strpool.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "htab.h"
#include "strpool.h"

/* 4 bytes a string: the hash is computed again when a string moves */
struct sp_head {
	__u32 refs;
	char s[];
};

static struct sp_head *head_of(const char *s)
{
	return (struct sp_head *)(s - offsetof(struct sp_head, s));
}

static size_t home_of(const struct mt_strpool *p, const char *s)
{
	return htab_mix(htab_str(s)) & (p->cap - 1);
}

static int grow(struct mt_strpool *p)
{
	size_t cap = p->cap ? p->cap * 2 : 64;
	char **slot = calloc(cap, sizeof(*slot));
	struct mt_strpool old = *p;

	if (!slot)
		return -1;
	p->slot = slot;
	p->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		size_t k;

		if (!old.slot[i])
			continue;
		for (k = home_of(p, old.slot[i]); slot[k]; k = (k + 1) & (cap - 1))
			;
		slot[k] = old.slot[i];
	}
	free(old.slot);
	return 0;
}

const char *mt_strpool_get(struct mt_strpool *p, const char *s)
{
	struct sp_head *h;
	size_t k, len;

	if (!s || !*s)
		return NULL;
	if ((p->n + 1) * 4 > p->cap * 3 && grow(p) && !p->cap)
		return NULL;
	for (k = home_of(p, s); p->slot[k]; k = (k + 1) & (p->cap - 1)) {
		h = head_of(p->slot[k]);
		if (strcmp(h->s, s) == 0) {
			h->refs++;
			return h->s;
		}
	}
	if (p->n + 1 >= p->cap)
		return NULL;	/* full, and it could not grow */
	len = strlen(s);
	h = malloc(sizeof(*h) + len + 1);
	if (!h)
		return NULL;
	h->refs = 1;
	memcpy(h->s, s, len + 1);
	p->slot[k] = h->s;
	p->n++;
	return h->s;
}

const char *mt_strpool_hold(const char *s)
{
	if (s)
		head_of(s)->refs++;
	return s;
}

void mt_strpool_put(struct mt_strpool *p, const char *s)
{
	size_t mask = p->cap - 1, i, j;

	if (!s || --head_of(s)->refs)
		return;
	for (i = home_of(p, s); p->slot[i] != s; i = (i + 1) & mask)
		;
	free(head_of(s));
	p->n--;
	/* close the gap: move back each later string of the run whose home
	 * slot is not between the gap and it (cyclically) */
	for (j = (i + 1) & mask; p->slot[j]; j = (j + 1) & mask) {
		size_t k = home_of(p, p->slot[j]);

		if (((j - k) & mask) >= ((j - i) & mask)) {
			p->slot[i] = p->slot[j];
			i = j;
		}
	}
	p->slot[i] = NULL;
}

void mt_strpool_free(struct mt_strpool *p)
{
	free(p->slot);
	p->slot = NULL;
	p->cap = p->n = 0;
}
