/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mount records and namespace walks. A walk visits every mount of one
 * namespace with bpf_loop and reports its overlay mounts: with fentry and
 * kprobes refused (6.18 lockdown) it is how we see what a namespace copy
 * holds.
 */
#ifndef MT_MOUNTS_H
#define MT_MOUNTS_H

#include "emit.h"
#include "known.h"
#include "mp_names.h"
#include "walk_policy.h"

const volatile __u32 walk_limit = 1 << 16;	/* mounts visited per walk */
#define MT_LOWER_MAX 500			/* overlay's own layer limit */

__u32 walk_seq_next = 0;

/* Mark string @slot of the record in @s as cut when it filled @max. */
/* A string put_kernel_str() just wrote, flagged when it was cut. */
static __always_inline u16 flag_if_cut(struct scratch *s, int slot, u16 len)
{
	if (s->cut)
		scratch_hdr(s)->flags |= MT_F_TRUNC(slot);
	return len;
}

struct lower_loop {
	char **dirs;
	u32 slot;
	u32 start;
	u32 nmerged;		/* layers 1 .. nmerged-1 are merged lowers */
	u32 nlayer;		/* then data-only layers up to nlayer-1 */
};

/* Append lowerdirs[i + 1] as overlay writes it: ":" between lower layers,
 * "::" before each data-only layer. */
static long lower_step(u32 i, void *data)
{
	struct lower_loop *c = data;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &c->slot);
	u32 nr = i + 1;
	char *dir = NULL;
	long r;

	if (!s || nr >= c->nlayer)
		return 1;
	/* the list stops at MT_DATA_MAX, and always inside the record */
	if (s->cursor - c->start >= MT_DATA_MAX - 2 ||
	    s->cursor + MT_STR_MAX + 2 > MT_RECORD_MAX) {
		scratch_hdr(s)->flags |= MT_F_TRUNC(MT_MS_LOWER);
		return 1;
	}
	if (nr > 1)
		put_char(s, ':');
	if (nr >= c->nmerged)
		put_char(s, ':');
	bpf_probe_read_kernel(&dir, sizeof(dir), &c->dirs[nr]);
	r = bpf_probe_read_kernel_str(&s->raw[s->cursor & MT_OFF_MASK], MT_STR_MAX, dir);
	if (r <= 0)
		return 1;
	if (r >= MT_STR_MAX)
		scratch_hdr(s)->flags |= MT_F_TRUNC(MT_MS_LOWER);
	s->cursor += r - 1;	/* the next separator overwrites the NUL */
	return 0;
}

/*
 * The lower layers, as ovl_show_options (fs/overlayfs/params.c) reads them:
 * - up to 6.4 (checked on 6.1): config.lowerdir, the lowerdir= option as
 *   given ("a:b:c");
 * - 6.5+ (checked on 6.12 and 6.18): config.lowerdirs[]. Entry 0 is that
 *   same string when the legacy lowerdir= option was used (data-only
 *   layers in it after "::"). It is NULL when the layers came one by one
 *   through fsconfig lowerdir+/datadir+ (6.8+), and on 6.5 kernels before
 *   the fix that keeps the legacy string; then entries 1 .. numlayer-1 are
 *   the layers, the last numdatalayer of them data-only. We join those
 *   the legacy way: "a:b::data1::data2".
 */
static __always_inline void put_lower_layers(struct scratch *s, struct ovl_fs *ofs)
{
	struct mt_mount *e = scratch_mnt(s);
	struct lower_loop c = { .slot = s->slot, .start = s->cursor };
	char *legacy;

	if (!bpf_core_field_exists(ofs->config.lowerdirs)) {
		struct ovl_config___str *cfg = (void *)&ofs->config;

		e->str_len[MT_MS_LOWER] = flag_if_cut(s, MT_MS_LOWER,
			put_kernel_str(s, BPF_CORE_READ(cfg, lowerdir), MT_DATA_MAX));
		return;
	}
	c.dirs = BPF_CORE_READ(ofs, config.lowerdirs);
	if (!c.dirs)
		return;
	legacy = NULL;
	bpf_probe_read_kernel(&legacy, sizeof(legacy), &c.dirs[0]);
	if (legacy) {
		e->str_len[MT_MS_LOWER] = flag_if_cut(s, MT_MS_LOWER,
			put_kernel_str(s, legacy, MT_DATA_MAX));
		return;
	}
	c.nlayer = BPF_CORE_READ(ofs, numlayer);
	c.nmerged = c.nlayer;
	if (bpf_core_field_exists(ofs->numdatalayer))
		c.nmerged -= BPF_CORE_READ(ofs, numdatalayer);
	bpf_loop(MT_LOWER_MAX, lower_step, &c, 0);
	if (s->cursor == c.start)
		return;
	put_char(s, '\0');
	e->str_len[MT_MS_LOWER] = s->cursor - c.start;
}

static __always_inline void put_overlay_layers(struct scratch *s, struct super_block *sb)
{
	struct mt_mount *e = scratch_mnt(s);
	struct ovl_fs *ofs;

	/* overlay's types live in overlay.ko's BTF when it is a module (6.1,
	 * 6.12 Debian); absent if the module was not loaded at our load time */
	if (!bpf_core_type_exists(struct ovl_fs))
		return;
	ofs = BPF_CORE_READ(sb, s_fs_info);
	if (!ofs)
		return;
	e->str_len[MT_MS_UPPER] = flag_if_cut(s, MT_MS_UPPER,
			put_kernel_str(s, BPF_CORE_READ(ofs, config.upperdir), MT_STR_MAX));
	e->str_len[MT_MS_WORK] = flag_if_cut(s, MT_MS_WORK,
			put_kernel_str(s, BPF_CORE_READ(ofs, config.workdir), MT_STR_MAX));
	put_lower_layers(s, ofs);
}

/* emit_mount_in()'s arguments: a global function takes at most five, and
 * reads a pointer argument as memory of its type's size (no padding here:
 * the verifier wants every byte of it written). */
struct emit_args {
	struct mount *m;
	struct mount *path_of;
	struct mnt_namespace *ns;
	u64 src_ns_id;
	u32 op;
	u32 aux;
	u32 src_mnt_id;
	u32 walk_seq;
};

/*
 * The record builder, a global function: the verifier checks it once per
 * program, on its own, instead of at every call site and again on every
 * pass over a bpf_loop callback that calls it (a walk's visit). Inlined,
 * it made up most of the verified instructions of the walks and hooks:
 * 254,275 for the kprobe mode's programs on 7.2, 6.4 s of load in a quiet
 * TCG guest (fx/krp_propagate_mnt alone 128,463).
 */
__noinline int mt_emit_mount(const struct emit_args *a)
{
	struct scratch *s = get_scratch(SCRATCH_MOUNT, sizeof(struct mt_mount));
	struct mount *m, *parent;
	struct super_block *sb;
	struct mt_mount *e;

	if (!s || !a)
		return 0;
	m = a->m;
	e = scratch_mnt(s);
	fill_hdr(&e->hdr, MT_EV_MOUNT);
	parent = BPF_CORE_READ(m, mnt_parent);
	sb = BPF_CORE_READ(m, mnt.mnt_sb);
	e->op = a->op;
	e->mnt_id = BPF_CORE_READ(m, mnt_id);
	e->mnt_id_unique = mount_unique_id(m);
	e->mnt_ns = mnt_ns_inum(a->ns);
	e->mnt_ns_id = mnt_ns_uid(a->ns);
	e->parent_id = parent ? BPF_CORE_READ(parent, mnt_id) : 0;
	e->group_id = BPF_CORE_READ(m, mnt_group_id);
	e->master_id = mount_master_group(m);
	e->parent_group_id = parent && parent != m ? BPF_CORE_READ(parent, mnt_group_id) : 0;
	e->parent_master_id = parent && parent != m ? mount_master_group(parent) : 0;
	e->src_mnt_id = a->src_mnt_id;
	e->mnt_flags = BPF_CORE_READ(m, mnt.mnt_flags);
	e->sb_dev = BPF_CORE_READ(sb, s_dev);
	e->sb_magic = BPF_CORE_READ(sb, s_magic);
	e->aux = a->aux;
	e->walk_seq = a->walk_seq;
	e->src_mnt_ns_id = a->src_ns_id;
	for (int i = 0; i < MT_MS_NSTR; i++)
		e->str_len[i] = 0;
	/* a name rmdir may take it by (bpf/removal.h); a umount's is going */
	if (a->op != MT_MNT_UMOUNT && a->op != MT_MNT_UMOUNT_PROP)
		mp_names_add_mount(a->path_of);
	if (!a->src_ns_id) {
		e->str_len[MT_MS_PATH] = put_mountpoint(s, a->path_of);
		if (e->sb_magic == MT_OVERLAYFS_MAGIC)
			put_overlay_layers(s, sb);
	}
	return submit(s);
}

/*
 * Send one mount record describing @m, in namespace @ns. The path is where
 * @path_of is mounted: for a fresh clone_mnt copy (not attached yet) pass
 * the original. With @src_ns_id (MT_MNT_WALK_COPY) no strings are sent.
 * False if the ring buffer was full.
 */
static __always_inline bool emit_mount_in(struct mount *m, struct mount *path_of,
					  struct mnt_namespace *ns, u32 op, u32 aux,
					  u32 src_mnt_id, u32 walk_seq, u64 src_ns_id)
{
	struct emit_args a = {
		.m = m, .path_of = path_of, .ns = ns, .src_ns_id = src_ns_id, .op = op,
		.aux = aux, .src_mnt_id = src_mnt_id, .walk_seq = walk_seq,
	};

	return mt_emit_mount(&a);
}

/* The same, in the namespace @m is in. */
static __always_inline void emit_mount(struct mount *m, struct mount *path_of,
				       u32 op, u32 aux, u32 src_mnt_id, u32 walk_seq)
{
	emit_mount_in(m, path_of, BPF_CORE_READ(m, mnt_ns), op, aux, src_mnt_id, walk_seq, 0);
}

struct walk_ctx {
	struct mnt_namespace *ns;
	u64 ns_id;
	u64 digest;		/* of the overlay mounts known already */
	u32 unchanged;		/* how many */
	void *cur;		/* rb_node or list_head of the next mount */
	void *head;		/* list head (list layout only) */
	bool ascending;		/* rbtree: coming back up from cur's subtree */
	u32 visited;
	u32 emitted;
	u32 seq;
	u32 groups_seen;	/* OR of every mnt_group_id: != 0 if one is shared
				 * (a scalar, not a flag: a flag would split the
				 * verifier's states) */
};

/* A CO-RE constant, so the verifier prunes the other layout's code (whose
 * relocations are poisoned on kernels without it). */
#define ns_mounts_are_rbtree() bpf_core_field_exists(struct mount, mnt_node)

/*
 * An overlay mount of a walk of @ns (walk @seq): sent in full, as a copy of
 * one sent, or not at all when sent before as it is (bpf/known.h). True if
 * it was sent (or the ring buffer was full). Global, as mt_emit_mount():
 * checked once, not on every pass over walk_step.
 */
__noinline int mt_visit_overlay(u64 mnt, u64 ns_ptr, u64 ns_id, u32 seq)
{
	/* scalars: a global function reads a pointer argument as memory */
	struct mount *m = (void *)mnt;
	struct mnt_namespace *ns = (void *)ns_ptr;
	u64 state = mount_state(m);
	struct known_place *kp = NULL;
	struct place_key *k;
	bool keyed, sent;
	u32 zero = 0;

	if (mount_known(m, ns_id, state))
		return 0;
	k = bpf_map_lookup_elem(&place_key_buf, &zero);
	if (!k)
		return 0;
	__builtin_memset(k, 0, sizeof(*k));
	keyed = place_of(m, k);
	if (keyed)
		kp = place_original(m, k);
	if (kp) {
		sent = emit_mount_in(m, m, ns, MT_MNT_WALK_COPY, kp->ns, kp->mnt_id, seq,
				     kp->ns_id ?: 1);
	} else {
		sent = emit_mount_in(m, m, ns, MT_MNT_WALK, 0, 0, seq, 0);
		if (sent && keyed)
			note_place_sent(m, k, ns);
	}
	if (sent)
		note_mount_sent(m, ns_id, state);
	return 1;
}

static __always_inline void visit(struct walk_ctx *c, struct mount *m)
{
	c->visited++;
	c->groups_seen |= BPF_CORE_READ(m, mnt_group_id);
	if (!mount_is_overlay(m))
		return;
	if (mt_visit_overlay((u64)m, (u64)c->ns, c->ns_id, c->seq)) {
		c->emitted++;
	} else {
		c->unchanged++;
		c->digest += mt_mnt_digest(BPF_CORE_READ(m, mnt_id));
	}
}

/*
 * One move of an in-order rbtree walk without a stack, by parent pointers:
 * down-left, visit, down-right, or up. One move per bpf_loop iteration
 * keeps the verified callback small; a tree of n nodes takes about 3n.
 * Returns the mount visited in this move, if any.
 */
static __always_inline struct mount *rb_move(struct walk_ctx *c)
{
	struct rb_node *n = c->cur, *next, *parent;

	if (!c->ascending) {
		next = BPF_CORE_READ(n, rb_left);
		if (next) {
			c->cur = next;
			return NULL;
		}
	} else {
		parent = (void *)(BPF_CORE_READ(n, __rb_parent_color) & ~3UL);
		c->cur = parent;
		/* from a right child: parent done too; from a left: visit it */
		if (!parent || BPF_CORE_READ(parent, rb_right) == n)
			return NULL;
		n = parent;
	}
	/* visit n, then its right subtree, else climb */
	next = BPF_CORE_READ(n, rb_right);
	c->cur = next ? next : n;
	c->ascending = !next;
	return (void *)n - bpf_core_field_offset(struct mount, mnt_node);
}

static long walk_step(u32 index, void *data)
{
	struct walk_ctx *c = data;
	struct list_head *pos;
	struct mount *m;

	if (!c->cur)
		return 1;
	if (ns_mounts_are_rbtree()) {
		m = rb_move(c);
		if (m)
			visit(c, m);
		return 0;
	}
	if (c->cur == c->head)
		return 1;
	pos = c->cur;
	m = (void *)pos - bpf_core_field_offset(struct mount, mnt_list);
	/* read through a local: inside BPF_CORE_READ, c->cur itself would
	 * become a CO-RE relocation against kernel BTF */
	c->cur = BPF_CORE_READ(pos, next);
	/* 5.8-6.7: /proc/mounts readers park cursors (no sb) on the list */
	if (BPF_CORE_READ(m, mnt.mnt_sb))
		visit(c, m);
	return 0;
}

/*
 * Report every overlay mount of @ns, then a WALK_DONE record, and note in
 * ns_overlays whether @ns holds one (bpf/walk_policy.h). @kind is an enum
 * walk_kind: after a WALK_GRAFT into a namespace with overlays and shared
 * mounts, the added mounts may have been copied into other namespaces,
 * whose knowledge is then dropped. (Checking that a shared mount is above
 * an overlay tripled the verifier's work on 6.18; this coarser test is
 * still never wrong in the unsafe direction.)
 */
static __always_inline void walk_ns_as(struct mnt_namespace *ns, u32 trigger, u32 kind)
{
	struct walk_ctx c = {};
	u32 gen = overlay_gen;
	struct scratch *s;
	struct mt_ns *e;
	long n;

	if (!ns)
		return;
	set_walk_kind(kind);
	count(MT_CNT_WALK_DONE);
	c.seq = __sync_fetch_and_add(&walk_seq_next, 1) + 1;
	c.ns = ns;
	c.ns_id = mnt_ns_uid(ns);
	if (ns_mounts_are_rbtree()) {
		/* 6.8+: an rbtree ordered by mnt_id_unique (checked on 6.18) */
		c.cur = BPF_CORE_READ(ns, mounts.rb_node);
	} else {
		struct mnt_namespace___list *l = (void *)ns;

		c.head = &l->list;
		c.cur = BPF_CORE_READ(l, list.next);
	}
	/* an rbtree walk makes about three moves per mount */
	n = bpf_loop(3 * walk_limit, walk_step, &c, 0);
	note_walk_result(ns, gen, c.emitted || c.unchanged || n >= 3 * walk_limit);
	if ((c.emitted || c.unchanged) && c.groups_seen && get_walk_kind() == WALK_GRAFT)
		forget_overlay_knowledge();

	s = get_scratch(SCRATCH_MOUNT, sizeof(struct mt_ns));
	if (!s)
		return;
	e = scratch_ns(s);
	fill_hdr(&e->hdr, MT_EV_NS);
	e->op = MT_NS_WALK_DONE;
	e->ns = mnt_ns_inum(ns);
	e->ns_id = mnt_ns_uid(ns);
	e->old_ns = 0;
	e->old_ns_id = 0;
	e->flags = 0;
	e->walk_seq = c.seq;
	e->nr_mounts = c.visited;
	e->nr_emitted = c.emitted;
	e->truncated = n >= 3 * walk_limit;
	e->trigger = trigger;
	e->nr_unchanged = c.unchanged;
	e->pad = 0;
	e->digest = c.digest;
	if (e->truncated) {
		e->hdr.flags |= MT_F_WALK_TRUNC;
		count(MT_CNT_WALK_TRUNC);
	}
	submit(s);
}

/* A walk after a call that added no mounts (a new namespace) */
static __always_inline void walk_ns(struct mnt_namespace *ns, u32 trigger)
{
	walk_ns_as(ns, trigger, WALK_PLAIN);
}

#endif /* MT_MOUNTS_H */
