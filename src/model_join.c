// SPDX-License-Identifier: GPL-2.0
/*
 * Compact walk records (MT_MNT_WALK_COPY) joined with what the model
 * knows: the kernel sends a mount at the same place as one it sent in
 * full (a namespace copy) without its path and layers, which are that
 * mount's (bpf/known.h). The joined record is what output, filters and the
 * model then see: a walk record (MT_MNT_WALK) with the strings, as if the
 * kernel had sent them, that still names its original (src_mnt_ns_id).
 */
#include <errno.h>
#include <string.h>

#include "model_int.h"
#include "record.h"

static size_t put(char *buf, size_t at, size_t max, const char *s, __u16 *len, __u32 *flags,
		  int slot)
{
	size_t n;

	if (!s)
		return at;
	n = strlen(s) + 1;
	if (at + n > max) {	/* never with MT_RECORD_MAX of room per string */
		*flags |= MT_F_TRUNC(slot);
		return at;
	}
	memcpy(buf + at, s, n);
	*len = n;
	return at + n;
}

int mt_model__join(struct mt_model *m, struct mt_record *rec, void *buf, size_t len)
{
	const struct mt_mount *mt = rec->mnt;
	struct mount_entry *orig;
	struct mt_mount *e = buf;
	struct ns_entry *n;
	size_t at;

	if (rec->hdr->type != MT_EV_MOUNT || mt->op != MT_MNT_WALK_COPY || len < sizeof(*mt) + 4 * MT_STR_MAX + MT_DATA_MAX)
		return 0;
	n = ns_find(m, mt->aux);
	/* src_mnt_ns_id is 1 when the kernel has no unique namespace ids */
	if (!n || (n->id && mt->src_mnt_ns_id > 1 && n->id != mt->src_mnt_ns_id))
		return -ENOENT;
	orig = ns_mnt(m, n, mt->src_mnt_id);
	if (!orig || !orig->path)
		return -ENOENT;
	memcpy(e, mt, sizeof(*e));
	e->op = MT_MNT_WALK;
	memset(e->str_len, 0, sizeof(e->str_len));
	at = put(buf, sizeof(*e), len, orig->path, &e->str_len[MT_MS_PATH], &e->hdr.flags,
		 MT_MS_PATH);
	if (orig->ovl) {
		at = put(buf, at, len, ovl_dir(m, orig->ovl, OVL_UPPER), &e->str_len[MT_MS_UPPER],
			 &e->hdr.flags, MT_MS_UPPER);
		at = put(buf, at, len, ovl_dir(m, orig->ovl, OVL_WORK), &e->str_len[MT_MS_WORK],
			 &e->hdr.flags, MT_MS_WORK);
		at = put(buf, at, len, ovl_dir(m, orig->ovl, OVL_LOWER), &e->str_len[MT_MS_LOWER],
			 &e->hdr.flags, MT_MS_LOWER);
	}
	e->hdr.size = at > 0xffff ? 0xffff : at;
	return mt_record_decode(buf, e->hdr.size, rec);
}
