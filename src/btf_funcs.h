/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which functions a kernel's BTF describes, read from the raw blob in one
 * pass. libbpf's btf__parse() indexes every type first, and then each
 * btf__find_by_name_kind() walks them all again: choosing the fentry hooks
 * that way cost more than the rest of a start on a TCG guest, and libbpf
 * parses vmlinux once more for the object load anyway.
 */
#ifndef MT_BTF_FUNCS_H
#define MT_BTF_FUNCS_H

#include <stddef.h>
#include <linux/types.h>

struct mt_btf_blob {
	const unsigned char *types;
	__u32 types_len;
	const char *strs;
	__u32 strs_len;
	__u32 ntypes;		/* counted by mt_btf_find_funcs() */
};

/* The type and string sections of the raw BTF @data; -EINVAL if it is not BTF. */
int mt_btf_blob_open(struct mt_btf_blob *b, const void *data, size_t len);

/*
 * ids[i] = the type id of the BTF_KIND_FUNC named names[i] in @b, or 0.
 * @base is the blob a split BTF (a module's) extends, or NULL: its types
 * come first in the numbering and its strings are shared. -EINVAL on a
 * kind this code does not know (the caller asks libbpf instead).
 */
int mt_btf_find_funcs(struct mt_btf_blob *b, const struct mt_btf_blob *base,
		      const char *const names[], size_t n, __u32 ids[]);

/* The whole of @path (a /sys/kernel/btf file) in a malloc'd buffer, or NULL. */
void *mt_btf_read_file(const char *path, size_t *len);

#endif /* MT_BTF_FUNCS_H */
