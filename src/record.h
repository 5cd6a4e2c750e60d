/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of raw mnttrace records (include/mnttrace.h), kept apart from the
 * live loader so that a capture file, a fuzzer or a unit test can feed the
 * same bytes the ring buffer delivers.
 */
#ifndef MT_RECORD_H
#define MT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include "mnttrace.h"

#define MT_REC_NSTR 5	/* max(MT_SC_NSTR, MT_MS_NSTR) */

/* A validated view into one record; points into the caller's bytes. */
struct mt_record {
	const struct mt_hdr *hdr;
	union {
		const struct mt_syscall *sc;
		const struct mt_mount *mnt;
		const struct mt_ns *ns;
		const struct mt_lost *lost;
	};
	/* Trailing strings, NUL-terminated, NULL when absent. */
	const char *str[MT_REC_NSTR];
	/* hdr.flags per string slot, bit i for str[i] */
	unsigned int str_cut;	/* only part of it is here (MT_F_TRUNC) */
	unsigned int str_fault;	/* it could not be read; str[i] is NULL */
	bool walk_cut;		/* a namespace walk stopped at its limit */
};

/*
 * Check that @size bytes at @data hold one well-formed record and fill @rec.
 * Returns 0, or -EINVAL (malformed) / -EPROTO (unknown type).
 */
int mt_record_decode(const void *data, size_t size, struct mt_record *rec);

/* The string in slot @i of a decoded record, or "" when absent. */
static inline const char *mt_record_str(const struct mt_record *rec, int i)
{
	return rec->str[i] ? rec->str[i] : "";
}

/* The string in slot @i, or NULL when absent or cut (MT_F_TRUNC): for
 * callers that remember a path and must never remember a wrong one. */
static inline const char *mt_record_whole_str(const struct mt_record *rec, int i)
{
	return rec->hdr->flags & MT_F_TRUNC(i) ? NULL : rec->str[i];
}

/* Whether a syscall's full path can be trusted: neither PATH nor BASE cut. */
static inline bool mt_record_full_path_whole(const struct mt_record *rec)
{
	return !(rec->hdr->flags & (MT_F_TRUNC(MT_SC_PATH) | MT_F_TRUNC(MT_SC_BASE)));
}

/* Some string of the record, or the walk that made it, is incomplete. */
static inline bool mt_record_incomplete(const struct mt_record *rec)
{
	return rec->str_cut || rec->str_fault || rec->walk_cut;
}

/*
 * A syscall's PATH made absolute against BASE (its dirfd or cwd), as seen
 * from the caller's namespace, in canonical form: mt_path_resolve() (paths.h)
 * says what "." , ".." and a trailing "/" become. Writes "" and returns 0
 * when the record has no path; -ENAMETOOLONG (and "") when @len is too small.
 */
int mt_record_full_path(const struct mt_record *rec, char *buf, size_t len);

#endif /* MT_RECORD_H */
