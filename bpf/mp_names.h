/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mp_names: the last components of the paths where mounts are known to be
 * mounted (struct mt_mp_name, include/mnttrace.h). A successful rmdir whose
 * last component is not in it cannot have removed a mountpoint, so its
 * record is not sent (bpf/removal.h). BPF adds a name at every mount
 * record and at __detach_mounts; userspace seeds the set from the start-up
 * scan and sweeps it (src/mp_names.c).
 *
 * The set fails open: until userspace sets mp_names_ready, and once an
 * insert found it full, every successful removal is sent.
 */
#ifndef MT_MP_NAMES_H
#define MT_MP_NAMES_H

#include "emit.h"

/*
 * Not preallocated: 64 Ki entries of 64-byte keys would pin ~8 MiB of
 * kernel memory for a set that usually holds a few hundred. Allowed in
 * tracing programs since the BPF memory allocator (6.1; loaded on 6.1,
 * 6.12 and 6.18).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, MT_MP_NAMES_MAX);
	__type(key, struct mt_mp_name);
	__type(value, u8);
} mp_names SEC(".maps");

/* Set by userspace (through the skeleton's .bss) once the set is seeded. */
__u32 mp_names_ready = 0;
/* Set here when an insert found the set full; cleared by a sweep. */
__u32 mp_names_full = 0;

/*
 * A key being built, per CPU, and the path it comes from (too large for
 * the stack). The slack behind the key takes a masked write's overrun.
 */
struct mp_name_work {
	struct mt_mp_name key;
	char slack[MT_MP_NAME_LEN];
	u32 pos;		/* the next byte of path to look at, going back */
	u32 len;		/* bytes of the last component seen so far */
	char path[MT_STR_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct mp_name_work);
} mp_name_buf SEC(".maps");

static __always_inline struct mp_name_work *mp_name_scratch(void)
{
	u32 zero = 0;
	struct mp_name_work *w = bpf_map_lookup_elem(&mp_name_buf, &zero);

	if (w) {
		__builtin_memset(&w->key, 0, sizeof(w->key));
		w->pos = 0;
		w->len = 0;
	}
	return w;
}

#define MT_E2BIG 7	/* what a full hash map's update returns */

static __always_inline void mp_names_insert(const struct mt_mp_name *k)
{
	u8 one = 1;

	if (bpf_map_update_elem(&mp_names, k, &one, BPF_ANY) == -MT_E2BIG)
		mp_names_full = 1;
}

/* Add @d's name: the last component of a path something is mounted on. */
static __always_inline void mp_names_add_dentry(struct dentry *d)
{
	struct mp_name_work *w;
	const unsigned char *name;
	u32 len, n;

	if (!d)
		return;
	len = BPF_CORE_READ(d, d_name.len);
	name = BPF_CORE_READ(d, d_name.name);
	/* a filesystem's root ("/") has no name of its own */
	if (!len || !name || BPF_CORE_READ(d, d_parent) == d)
		return;
	w = mp_name_scratch();
	if (!w)
		return;
	n = len > MT_MP_NAME_LEN ? MT_MP_NAME_LEN : len;
	barrier_var(n);
	if (n < 1 || n > MT_MP_NAME_LEN)
		return;
	/* the tail of the name, right-aligned */
	bpf_probe_read_kernel(&w->key.b[(MT_MP_NAME_LEN - n) & (MT_MP_NAME_LEN - 1)], n,
			      name + len - n);
	mp_names_insert(&w->key);
}

/* Add the name @m is mounted on (nothing for a namespace's root). */
static __always_inline void mp_names_add_mount(struct mount *m)
{
	if (m && BPF_CORE_READ(m, mnt_parent) != m)
		mp_names_add_dentry(BPF_CORE_READ(m, mnt_mountpoint));
}

#endif /* MT_MP_NAMES_H */
