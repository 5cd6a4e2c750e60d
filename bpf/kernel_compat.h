/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CO-RE accessors for kernel structures whose layout moved between the
 * kernels we support. Each gate names the kernels it was checked on.
 */
#ifndef MT_KERNEL_COMPAT_H
#define MT_KERNEL_COMPAT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)

/* 6.1: namespace mounts on a list through mount.mnt_list; 6.8+ use an rbtree */
struct mnt_namespace___list {
	struct list_head list;
} __attribute__((preserve_access_index));

/* 6.1 and 6.12: the never-reused namespace id is mnt_namespace.seq */
struct mnt_namespace___seq {
	u64 seq;
} __attribute__((preserve_access_index));

/* ns_common.ns_id (6.18) replaced mnt_namespace.seq */
struct ns_common___id {
	u64 ns_id;
} __attribute__((preserve_access_index));

/* 6.1: overlay keeps the lowerdir option as one string; 6.5+ an array */
struct ovl_config___str {
	char *lowerdir;
} __attribute__((preserve_access_index));

/* 6.8+: a 64-bit never reused mount id */
struct mount___unique {
	u64 mnt_id_unique;
} __attribute__((preserve_access_index));

static __always_inline struct mnt_namespace *task_mnt_ns(struct task_struct *t)
{
	return BPF_CORE_READ(t, nsproxy, mnt_ns);
}

static __always_inline u32 mnt_ns_inum(struct mnt_namespace *ns)
{
	return ns ? BPF_CORE_READ(ns, ns.inum) : 0;
}

static __always_inline u64 mnt_ns_uid(struct mnt_namespace *ns)
{
	if (!ns)
		return 0;
	if (bpf_core_field_exists(((struct ns_common___id *)0)->ns_id)) {
		struct ns_common___id *nc = (void *)&ns->ns;

		return BPF_CORE_READ(nc, ns_id);
	}
	if (bpf_core_field_exists(((struct mnt_namespace___seq *)0)->seq))
		return BPF_CORE_READ((struct mnt_namespace___seq *)ns, seq);
	return 0;
}

static __always_inline u64 mount_unique_id(struct mount *m)
{
	if (bpf_core_field_exists(((struct mount___unique *)0)->mnt_id_unique))
		return BPF_CORE_READ((struct mount___unique *)m, mnt_id_unique);
	return 0;
}

static __always_inline u32 mount_master_group(struct mount *m)
{
	struct mount *master = BPF_CORE_READ(m, mnt_master);

	return master ? BPF_CORE_READ(master, mnt_group_id) : 0;
}

static __always_inline bool mount_is_overlay(struct mount *m)
{
	return BPF_CORE_READ(m, mnt.mnt_sb, s_magic) == MT_OVERLAYFS_MAGIC;
}

static __always_inline struct mount *real_mount(struct vfsmount *v)
{
	return container_of(v, struct mount, mnt);
}

#endif /* MT_KERNEL_COMPAT_H */
