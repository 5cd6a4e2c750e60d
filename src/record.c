// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "paths.h"
#include "record.h"

/* Walk @n length-prefixed strings that start at @p and must end by @end. */
static int decode_strings(const char *p, const char *end, const __u16 *len,
			  int n, struct mt_record *rec)
{
	for (int i = 0; i < n; i++) {
		if (len[i] == 0)
			continue;
		if (len[i] > end - p || p[len[i] - 1] != '\0')
			return -EINVAL;
		rec->str[i] = p;
		p += len[i];
	}
	return 0;
}

static int decode_flags(struct mt_record *rec, int nstr)
{
	__u32 f = rec->hdr->flags;
	unsigned int slots = (1u << nstr) - 1;

	rec->str_cut = f & MT_F_TRUNC_MASK & slots;
	rec->str_fault = (f & MT_F_FAULT_MASK) >> 16 & slots;
	rec->walk_cut = f & MT_F_WALK_TRUNC;
	return 0;
}

int mt_record_decode(const void *data, size_t size, struct mt_record *rec)
{
	const struct mt_hdr *hdr = data;
	const char *end = (const char *)data + size;

	memset(rec, 0, sizeof(*rec));
	if (size < sizeof(*hdr) || hdr->size < sizeof(*hdr) || hdr->size > size)
		return -EINVAL;
	end = (const char *)data + hdr->size;
	rec->hdr = hdr;

	switch (hdr->type) {
	case MT_EV_SYSCALL:
		if (hdr->size < sizeof(*rec->sc))
			return -EINVAL;
		rec->sc = data;
		if (rec->sc->call == 0 || rec->sc->call >= MT_CALL__MAX)
			return -EINVAL;
		return decode_strings(rec->sc->str, end, rec->sc->str_len,
				      MT_SC_NSTR, rec) ?: decode_flags(rec, MT_SC_NSTR);
	case MT_EV_MOUNT:
		if (hdr->size < sizeof(*rec->mnt))
			return -EINVAL;
		rec->mnt = data;
		if (rec->mnt->op == 0 || rec->mnt->op >= MT_MNT_OP__MAX)
			return -EINVAL;
		return decode_strings(rec->mnt->str, end, rec->mnt->str_len,
				      MT_MS_NSTR, rec) ?: decode_flags(rec, MT_MS_NSTR);
	case MT_EV_NS:
		if (hdr->size < sizeof(*rec->ns))
			return -EINVAL;
		rec->ns = data;
		if (rec->ns->op == 0 || rec->ns->op >= MT_NS_OP__MAX)
			return -EINVAL;
		return decode_flags(rec, 0);
	case MT_EV_LOST:
		if (hdr->size < sizeof(*rec->lost))
			return -EINVAL;
		rec->lost = data;
		return 0;
	default:
		return -EPROTO;
	}
}

int mt_record_full_path(const struct mt_record *rec, char *buf, size_t len)
{
	if (rec->hdr->type != MT_EV_SYSCALL) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	return mt_path_resolve(rec->str[MT_SC_BASE], rec->str[MT_SC_PATH], buf, len);
}
