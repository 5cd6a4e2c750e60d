// SPDX-License-Identifier: GPL-2.0
/* The model's inputs as recording payloads (reccodec.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "reccodec.h"

/* ---- interned names ---- */

struct interned {
	struct interned *next;
	char s[];
};

static struct interned *interned;

const char *mt_intern(const char *s)
{
	struct interned *i;
	size_t n;

	if (!s)
		return NULL;
	for (i = interned; i; i = i->next)
		if (strcmp(i->s, s) == 0)
			return i->s;
	n = strlen(s);
	i = malloc(sizeof(*i) + n + 1);
	if (!i)
		return "";
	memcpy(i->s, s, n + 1);
	i->next = interned;
	interned = i;
	return i->s;
}

static const char *get_interned(struct mt_cur *c)
{
	char *s = mt_cur_strdup(c);
	const char *r = mt_intern(s);

	free(s);
	return r;
}

/* ---- keepers ---- */

void mt_put_keepers(struct mt_buf *b, const struct mt_ns_keepers *ks)
{
	mt_buf_u32(b, (uint32_t)ks->nr);
	for (int i = 0; i < ks->nr; i++) {
		const struct mt_ns_keeper *k = &ks->v[i];

		mt_buf_u32(b, (uint32_t)k->kind);
		mt_buf_u32(b, k->ns_ino);
		mt_buf_u64(b, k->ns_id);
		mt_buf_str(b, k->path);
		mt_buf_u32(b, k->mount_ns);
		mt_buf_u64(b, k->mount_ns_id);
		mt_buf_u32(b, k->mnt_id);
		mt_buf_u32(b, k->pid);
		mt_buf_u32(b, (uint32_t)k->fd);
		mt_buf_str(b, k->comm);
	}
}

bool mt_get_keepers(struct mt_cur *c, struct mt_ns_keepers *ks)
{
	uint32_t nr = mt_cur_u32(c);

	memset(ks, 0, sizeof(*ks));
	for (uint32_t i = 0; i < nr && !c->bad; i++) {
		struct mt_ns_keeper k = {};
		char *path;

		k.kind = (enum mt_keeper_kind)mt_cur_u32(c);
		k.ns_ino = mt_cur_u32(c);
		k.ns_id = mt_cur_u64(c);
		path = mt_cur_strdup(c);
		k.path = path;
		k.mount_ns = mt_cur_u32(c);
		k.mount_ns_id = mt_cur_u64(c);
		k.mnt_id = mt_cur_u32(c);
		k.pid = mt_cur_u32(c);
		k.fd = (int)mt_cur_u32(c);
		mt_cur_strcpy(c, k.comm, sizeof(k.comm));
		if (!c->bad && mt_keepers_add(ks, &k))
			c->bad = true;
		free(path);
	}
	if (c->bad)
		mt_keepers_free(ks);
	return !c->bad;
}

/* ---- mount tables ---- */

/* The strings of one mount entry, in this order. */
#define ENT_STRS(e) { &(e)->root, &(e)->mountpoint, &(e)->opts, &(e)->fstype, \
		      &(e)->source, &(e)->super_opts, &(e)->lowerdir, &(e)->upperdir, \
		      &(e)->workdir }
#define NR_ENT_STRS 9

static void put_mnttab(struct mt_buf *b, const struct mt_mnttab *t)
{
	mt_buf_u32(b, (uint32_t)t->nr_bad);
	mt_buf_u32(b, (uint32_t)t->nr);
	for (int i = 0; i < t->nr; i++) {
		struct mt_mntent *e = &t->ents[i];
		char **strs[NR_ENT_STRS] = ENT_STRS(e);

		mt_buf_u32(b, e->mnt_id);
		mt_buf_u64(b, e->mnt_id_unique);
		mt_buf_u32(b, e->parent_id);
		mt_buf_u32(b, e->major);
		mt_buf_u32(b, e->minor);
		for (int k = 0; k < NR_ENT_STRS; k++)
			mt_buf_str(b, *strs[k]);
		mt_buf_u32(b, e->shared);
		mt_buf_u32(b, e->master);
		mt_buf_u32(b, e->propagate_from);
		mt_buf_u8(b, e->unbindable);
		mt_buf_u8(b, e->has_parent);
		mt_buf_u32(b, e->parent_shared);
		mt_buf_u32(b, e->parent_master);
	}
	mt_buf_u32(b, (uint32_t)t->nr_pins);
	for (int i = 0; i < t->nr_pins; i++) {
		mt_buf_u32(b, t->pins[i].mnt_id);
		mt_buf_u32(b, t->pins[i].ns_ino);
		mt_buf_str(b, t->pins[i].mountpoint);
	}
}

/* One entry's strings in one allocation, its ovl_buf (freed with it). */
static void get_ent_strs(struct mt_cur *c, struct mt_mntent *e)
{
	char **strs[NR_ENT_STRS] = ENT_STRS(e);
	const char *s[NR_ENT_STRS];
	uint32_t n[NR_ENT_STRS];
	size_t total = 0;
	char *p;

	for (int k = 0; k < NR_ENT_STRS; k++) {
		if (mt_cur_strview(c, &s[k], &n[k]))
			total += n[k] + 1;
	}
	if (c->bad || !(p = malloc(total ? total : 1))) {
		c->bad = true;
		return;
	}
	e->ovl_buf = p;
	for (int k = 0; k < NR_ENT_STRS; k++) {
		if (!s[k]) {
			*strs[k] = NULL;
			continue;
		}
		memcpy(p, s[k], n[k]);
		p[n[k]] = '\0';
		*strs[k] = p;
		p += n[k] + 1;
	}
}

static bool get_mnttab(struct mt_cur *c, struct mt_mnttab *t)
{
	uint32_t nr;

	t->nr_bad = (int)mt_cur_u32(c);
	nr = mt_cur_u32(c);
	for (uint32_t i = 0; i < nr && !c->bad; i++) {
		struct mt_mntent *e;

		if (mt_array_grow(&t->ents, t->nr, &t->cap, sizeof(*t->ents), 16)) {
			c->bad = true;
			break;
		}
		e = &t->ents[t->nr];
		memset(e, 0, sizeof(*e));
		e->mnt_id = mt_cur_u32(c);
		e->mnt_id_unique = mt_cur_u64(c);
		e->parent_id = mt_cur_u32(c);
		e->major = mt_cur_u32(c);
		e->minor = mt_cur_u32(c);
		get_ent_strs(c, e);
		t->nr++;	/* so that its strings are freed with the table */
		e->shared = mt_cur_u32(c);
		e->master = mt_cur_u32(c);
		e->propagate_from = mt_cur_u32(c);
		e->unbindable = mt_cur_u8(c);
		e->has_parent = mt_cur_u8(c);
		e->parent_shared = mt_cur_u32(c);
		e->parent_master = mt_cur_u32(c);
	}
	nr = c->bad ? 0 : mt_cur_u32(c);
	for (uint32_t i = 0; i < nr && !c->bad; i++) {
		struct mt_ns_pin *pin;

		if (mt_array_grow(&t->pins, t->nr_pins, &t->cap_pins, sizeof(*t->pins), 4)) {
			c->bad = true;
			break;
		}
		pin = &t->pins[t->nr_pins++];
		pin->mnt_id = mt_cur_u32(c);
		pin->ns_ino = mt_cur_u32(c);
		pin->mountpoint = mt_cur_strdup(c);
	}
	return !c->bad;
}

/* ---- snapshots ---- */

static void put_proc(struct mt_buf *b, const struct mt_snap_proc *p)
{
	mt_buf_u32(b, p->pid);
	mt_buf_str(b, p->comm);
	mt_buf_str(b, p->cgroup);
	mt_buf_str(b, p->ident.unit);
	mt_buf_str(b, p->ident.container_id);
	mt_buf_str(b, p->ident.runtime);
}

static void get_proc(struct mt_cur *c, struct mt_snap_proc *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = mt_cur_u32(c);
	mt_cur_strcpy(c, p->comm, sizeof(p->comm));
	p->cgroup = mt_cur_strdup(c);
	mt_cur_strcpy(c, p->ident.unit, sizeof(p->ident.unit));
	mt_cur_strcpy(c, p->ident.container_id, sizeof(p->ident.container_id));
	p->ident.runtime = get_interned(c);
}

void mt_put_snapshot(struct mt_buf *b, const struct mt_snapshot *s)
{
	mt_buf_u32(b, (uint32_t)s->nr_procs);
	mt_buf_u32(b, (uint32_t)s->nr_mounts);
	mt_buf_u32(b, (uint32_t)s->nr_bad_lines);
	mt_buf_u32(b, (uint32_t)s->nr_errors);
	mt_buf_u32(b, (uint32_t)s->nr_moved);
	mt_buf_u32(b, (uint32_t)s->nr_unique_ids);
	mt_buf_u64(b, s->keepers_ns);
	mt_buf_u8(b, s->fd_scanned);
	mt_buf_u64(b, s->elapsed_ns);
	mt_buf_u32(b, (uint32_t)s->nr_ns);
	for (int i = 0; i < s->nr_ns; i++) {
		const struct mt_snap_ns *n = &s->ns[i];

		mt_buf_u32(b, n->ino);
		mt_buf_u64(b, n->id);
		mt_buf_u32(b, n->reader_pid);
		mt_buf_u32(b, (uint32_t)n->mounts_err);
		put_mnttab(b, &n->mounts);
		mt_put_keepers(b, &n->kept_by);
		mt_buf_u32(b, (uint32_t)n->nr_procs);
		for (int k = 0; k < n->nr_procs; k++)
			put_proc(b, &n->procs[k]);
	}
}

static bool get_ns(struct mt_cur *c, struct mt_snap_ns *n)
{
	uint32_t nr;

	n->ino = mt_cur_u32(c);
	n->id = mt_cur_u64(c);
	n->reader_pid = mt_cur_u32(c);
	n->mounts_err = (int)mt_cur_u32(c);
	if (!get_mnttab(c, &n->mounts) || !mt_get_keepers(c, &n->kept_by))
		return false;
	nr = mt_cur_u32(c);
	if (c->bad || nr > c->len)	/* each takes bytes: a corrupt count stops here */
		return c->bad = true, false;
	n->procs = nr ? calloc(nr, sizeof(*n->procs)) : NULL;
	if (nr && !n->procs)
		return c->bad = true, false;
	n->cap_procs = (int)nr;
	for (uint32_t k = 0; k < nr && !c->bad; k++, n->nr_procs++)
		get_proc(c, &n->procs[k]);
	return !c->bad;
}

struct mt_snapshot *mt_get_snapshot(struct mt_cur *c)
{
	struct mt_snapshot *s = calloc(1, sizeof(*s));
	uint32_t nr;

	if (!s) {
		c->bad = true;
		return NULL;
	}
	s->nr_procs = (int)mt_cur_u32(c);
	s->nr_mounts = (int)mt_cur_u32(c);
	s->nr_bad_lines = (int)mt_cur_u32(c);
	s->nr_errors = (int)mt_cur_u32(c);
	s->nr_moved = (int)mt_cur_u32(c);
	s->nr_unique_ids = (int)mt_cur_u32(c);
	s->keepers_ns = mt_cur_u64(c);
	s->fd_scanned = mt_cur_u8(c);
	s->elapsed_ns = mt_cur_u64(c);
	nr = mt_cur_u32(c);
	if (c->bad || nr > c->len) {
		c->bad = true;
		free(s);
		return NULL;
	}
	s->ns = nr ? calloc(nr, sizeof(*s->ns)) : NULL;
	if (nr && !s->ns) {
		c->bad = true;
		free(s);
		return NULL;
	}
	s->cap_ns = (int)nr;
	for (uint32_t i = 0; i < nr; i++) {
		bool ok = get_ns(c, &s->ns[i]);

		s->nr_ns++;	/* freed with the snapshot, whole or not */
		if (!ok)
			break;
	}
	if (c->bad) {
		mt_snapshot__free(s);
		return NULL;
	}
	return s;
}

/* ---- runtime metadata ---- */

void mt_put_ctr_meta(struct mt_buf *b, const struct mt_ctr_meta *m)
{
	mt_buf_u32(b, (uint32_t)m->runtime);
	mt_buf_str(b, m->runtime_name);
	mt_buf_str(b, m->container_id);
	mt_buf_str(b, m->layer_id);
	mt_buf_str(b, m->id_source);
	mt_buf_str(b, m->name);
	mt_buf_str(b, m->image);
	mt_buf_str(b, m->root);
}

bool mt_get_ctr_meta(struct mt_cur *c, struct mt_ctr_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->runtime = (enum mt_runtime)mt_cur_u32(c);
	m->runtime_name = get_interned(c);
	mt_cur_strcpy(c, m->container_id, sizeof(m->container_id));
	mt_cur_strcpy(c, m->layer_id, sizeof(m->layer_id));
	m->id_source = get_interned(c);
	mt_cur_strcpy(c, m->name, sizeof(m->name));
	mt_cur_strcpy(c, m->image, sizeof(m->image));
	mt_cur_strcpy(c, m->root, sizeof(m->root));
	return !c->bad;
}
