// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/btf.h>

#include "btf_funcs.h"

int mt_btf_blob_open(struct mt_btf_blob *b, const void *data, size_t len)
{
	const struct btf_header *h = data;
	const unsigned char *start = data;

	memset(b, 0, sizeof(*b));
	if (len < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) ||
	    h->hdr_len > len)
		return -EINVAL;
	start += h->hdr_len;
	len -= h->hdr_len;
	if ((size_t)h->type_off + h->type_len > len || (size_t)h->str_off + h->str_len > len ||
	    h->type_off % 4)
		return -EINVAL;
	b->types = start + h->type_off;
	b->types_len = h->type_len;
	b->strs = (const char *)start + h->str_off;
	b->strs_len = h->str_len;
	return 0;
}

/* Bytes that follow struct btf_type for @kind with @vlen members, or -1. */
static long trailer(unsigned int kind, unsigned int vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case 19:	/* BTF_KIND_ENUM64, newer than some uapi headers */
		return (long)vlen * 12;
	case BTF_KIND_UNKN:
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case 18:	/* BTF_KIND_TYPE_TAG */
		return 0;
	default:
		return -1;
	}
}

/* The string at @off, in @b or (split BTF) in @base first; NULL if outside. */
static const char *name_at(const struct mt_btf_blob *b, const struct mt_btf_blob *base,
			   __u32 off)
{
	if (base) {
		if (off < base->strs_len)
			return base->strs + off;
		off -= base->strs_len;
	}
	return off < b->strs_len ? b->strs + off : NULL;
}

int mt_btf_find_funcs(struct mt_btf_blob *b, const struct mt_btf_blob *base,
		      const char *const names[], size_t n, __u32 ids[])
{
	__u32 id = base ? base->ntypes + 1 : 1, pos = 0;

	memset(ids, 0, n * sizeof(ids[0]));
	while (pos + sizeof(struct btf_type) <= b->types_len) {
		const struct btf_type *t = (const void *)(b->types + pos);
		long more = trailer(BTF_INFO_KIND(t->info), BTF_INFO_VLEN(t->info));
		const char *name;

		if (more < 0)
			return -EINVAL;
		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC &&
		    (name = name_at(b, base, t->name_off)) != NULL)
			for (size_t i = 0; i < n; i++)
				if (!ids[i] && name[0] == names[i][0] && strcmp(name, names[i]) == 0)
					ids[i] = id;
		pos += sizeof(struct btf_type) + more;
		id++;
	}
	if (pos != b->types_len)
		return -EINVAL;
	b->ntypes = id - (base ? base->ntypes + 1 : 1);
	return 0;
}

void *mt_btf_read_file(const char *path, size_t *len)
{
	size_t cap = 8 << 20, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL, *bigger;
	ssize_t r;

	if (fd < 0)
		return NULL;
	for (;;) {
		if (!buf || got == cap) {
			if (buf)
				cap *= 2;
			bigger = realloc(buf, cap);
			if (!bigger)
				break;
			buf = bigger;
		}
		r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			if (r == 0) {
				*len = got;
				return buf;
			}
			free(buf);
			return NULL;
		}
		got += (size_t)r;
	}
	close(fd);
	free(buf);
	return NULL;
}
