// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "mp_names.h"

bool mt_mp_name_key(const char *path, struct mt_mp_name *k)
{
	size_t end = strlen(path), start, n;

	while (end && path[end - 1] == '/')
		end--;
	start = end;
	while (start && path[start - 1] != '/')
		start--;
	if (start == end)
		return false;
	n = end - start;
	if (n > MT_MP_NAME_LEN)		/* the tail, as BPF keeps it */
		start = end - MT_MP_NAME_LEN, n = MT_MP_NAME_LEN;
	memset(k, 0, sizeof(*k));
	memcpy(k->b + MT_MP_NAME_LEN - n, path + start, n);
	return true;
}

/* A sorted array of keys. */
struct keys {
	struct mt_mp_name *k;
	size_t nr, cap;
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct mt_mp_name));
}

static int keys_push(struct keys *ks, const struct mt_mp_name *k)
{
	if (ks->nr == ks->cap) {
		size_t cap = ks->cap ? 2 * ks->cap : 64;
		struct mt_mp_name *nk = realloc(ks->k, cap * sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		ks->k = nk;
		ks->cap = cap;
	}
	ks->k[ks->nr++] = *k;
	return 0;
}

static void keys_sort(struct keys *ks)
{
	size_t w = 0;

	if (!ks->nr)
		return;
	qsort(ks->k, ks->nr, sizeof(*ks->k), key_cmp);
	for (size_t i = 1; i < ks->nr; i++)
		if (key_cmp(&ks->k[w], &ks->k[i]))
			ks->k[++w] = ks->k[i];
	ks->nr = w + 1;
}

static bool keys_has(const struct keys *ks, const struct mt_mp_name *k)
{
	return ks->nr && bsearch(k, ks->k, ks->nr, sizeof(*k), key_cmp);
}

struct mt_mp_names {
	const struct mt_mp_map_ops *ops;
	void *ctx;
	volatile uint32_t *ready, *full;
	struct keys want;	/* this sweep's names, from the model */
	struct keys stale;	/* in the map but not wanted at the last sweep */
	bool want_failed;	/* out of memory while collecting */
};

static int bpf_update(void *ctx, const struct mt_mp_name *k)
{
	__u8 one = 1;

	return bpf_map_update_elem((int)(intptr_t)ctx, k, &one, BPF_ANY) ? -errno : 0;
}

static int bpf_remove(void *ctx, const struct mt_mp_name *k)
{
	return bpf_map_delete_elem((int)(intptr_t)ctx, k) ? -errno : 0;
}

static int bpf_next(void *ctx, const struct mt_mp_name *prev, struct mt_mp_name *next)
{
	return bpf_map_get_next_key((int)(intptr_t)ctx, prev, next) ? -errno : 0;
}

const struct mt_mp_map_ops mt_mp_bpf_map_ops = { bpf_update, bpf_remove, bpf_next };

struct mt_mp_names *mt_mp_names__new(const struct mt_mp_map_ops *ops, void *ctx,
				     volatile uint32_t *ready, volatile uint32_t *full)
{
	struct mt_mp_names *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ops = ops;
	s->ctx = ctx;
	s->ready = ready;
	s->full = full;
	return s;
}

void mt_mp_names__free(struct mt_mp_names *s)
{
	if (!s)
		return;
	free(s->want.k);
	free(s->stale.k);
	free(s);
}

/*
 * The start-up scan names the same mountpoints once a namespace (a
 * PrivateTmp host: every service's copy of /run, /tmp...): one update
 * a distinct name, not a syscall a mount.
 */
int mt_mp_names__seed(struct mt_mp_names *s)
{
	int err = 0;

	if (s->want_failed) {
		err = -ENOMEM;	/* not ready: BPF keeps sending every removal */
		goto out;
	}
	keys_sort(&s->want);
	for (size_t i = 0; i < s->want.nr; i++)
		if (s->ops->update(s->ctx, &s->want.k[i]) == -E2BIG) {
			*s->full = 1;	/* BPF lets every removal through */
			break;
		}
	__atomic_store_n(s->ready, 1, __ATOMIC_RELEASE);
out:
	s->want.nr = 0;
	s->want_failed = false;
	return err;
}

void mt_mp_names__want(void *ctx, const char *mountpoint)
{
	struct mt_mp_names *s = ctx;
	struct mt_mp_name k;

	if (mt_mp_name_key(mountpoint, &k) && keys_push(&s->want, &k))
		s->want_failed = true;
}

/* The map's keys now, sorted. */
static int map_keys(struct mt_mp_names *s, struct keys *out)
{
	struct mt_mp_name k, prev;
	bool first = true;

	while (!s->ops->next_key(s->ctx, first ? NULL : &prev, &k)) {
		if (keys_push(out, &k))
			return -ENOMEM;
		prev = k;
		first = false;
	}
	keys_sort(out);
	return 0;
}

int mt_mp_names__sweep(struct mt_mp_names *s)
{
	struct keys in_map = {}, stale = {};
	size_t nr, removed = 0;
	int err = 0;

	if (s->want_failed || map_keys(s, &in_map)) {
		err = -ENOMEM;
		goto out;
	}
	keys_sort(&s->want);
	nr = in_map.nr;
	for (size_t i = 0; i < in_map.nr; i++) {
		const struct mt_mp_name *k = &in_map.k[i];

		if (keys_has(&s->want, k))
			continue;
		/* unwanted twice in a row: no record on its way explains it */
		if (keys_has(&s->stale, k)) {
			if (!s->ops->remove(s->ctx, k))
				removed++, nr--;
		} else if (keys_push(&stale, k)) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* room again: BPF may filter; an add below that fails says full */
	if (nr < MT_MP_NAMES_MAX)
		__atomic_store_n(s->full, 0, __ATOMIC_RELEASE);
	for (size_t i = 0; i < s->want.nr; i++) {
		if (keys_has(&in_map, &s->want.k[i]))
			continue;
		if (s->ops->update(s->ctx, &s->want.k[i]) == -E2BIG) {
			*s->full = 1;
			break;
		}
	}
	free(s->stale.k);
	s->stale = stale;	/* sorted: in_map was */
	stale.k = NULL;
out:
	free(in_map.k);
	free(stale.k);
	s->want.nr = 0;
	s->want_failed = false;
	return err ? err : (int)removed;
}
