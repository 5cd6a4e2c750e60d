/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A JSON Lines writer: one object per line, written into a caller's buffer
 * or through a FILE*. Fields are appended as they come, nothing is
 * allocated. Strings are escaped so that every line is valid JSON even for
 * paths that are not UTF-8 (bad bytes become U+FFFD, and a "<key>_hex" twin holds the exact bytes).
 *
 *	struct mt_json j;
 *
 *	mt_json_init_file(&j, stdout);
 *	mt_json_begin(&j);
 *	mt_json_str(&j, "type", "syscall");
 *	mt_json_arr_begin(&j, "flags");
 *	mt_json_str(&j, NULL, "MS_BIND");
 *	mt_json_arr_end(&j);
 *	mt_json_end_line(&j);		// {"type":"syscall","flags":["MS_BIND"]}
 *
 * Keys are required inside objects and ignored inside arrays. A NULL
 * string value leaves the field out, as the schema wants absent rather
 * than null fields. Errors are sticky until the next mt_json_begin() and
 * reported by mt_json_end_line().
 */
#ifndef MT_JSON_H
#define MT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MT_JSON_MAX_DEPTH 32	/* open objects and arrays, the line's own included */
#define MT_JSON_STAGE 4096	/* FILE mode: bytes collected before fwrite() */

struct mt_json {
	char *buf;		/* where bytes go: the caller's buffer or stage */
	size_t size;		/* usable bytes of buf (buffer mode keeps one for NUL) */
	size_t pos;		/* bytes in buf */
	size_t line_start;	/* buffer mode: offset of the current line */
	size_t line_len;	/* bytes of the current line so far */
	FILE *f;		/* NULL in buffer mode */
	int err;		/* first error of this line, 0 or -errno */
	unsigned int depth;	/* open containers */
	unsigned int first;	/* bit d-1: level d has no member yet */
	unsigned int in_array;	/* bit d-1: level d is an array */
	unsigned int too_deep;	/* containers opened past MT_JSON_MAX_DEPTH */
	char stage[MT_JSON_STAGE];
};

/*
 * Buffer mode: lines are appended to buf, which stays NUL-terminated and
 * holds only complete lines; a line that does not fit is dropped whole.
 * size must be at least 1.
 */
void mt_json_init_buf(struct mt_json *j, char *buf, size_t size);
/* FILE mode: each line is written by mt_json_end_line() and flushed as
 * linebuf.h says. */
void mt_json_init_file(struct mt_json *j, FILE *f);

/* Start a line: its top-level object. */
void mt_json_begin(struct mt_json *j);

void mt_json_str(struct mt_json *j, const char *key, const char *value);
/* len bytes of value, which may hold NULs (written as \u0000) */
void mt_json_str_n(struct mt_json *j, const char *key, const char *value,
		   size_t len);
void mt_json_int(struct mt_json *j, const char *key, long long value);
void mt_json_uint(struct mt_json *j, const char *key, unsigned long long value);
void mt_json_bool(struct mt_json *j, const char *key, bool value);

void mt_json_obj_begin(struct mt_json *j, const char *key);
void mt_json_obj_end(struct mt_json *j);
void mt_json_arr_begin(struct mt_json *j, const char *key);
void mt_json_arr_end(struct mt_json *j);

/*
 * Close whatever is still open, write "\n" and, in FILE mode, fflush().
 * Returns the length of the line including "\n", or -ENOSPC (buffer
 * full: the line was dropped), -EINVAL (misuse: a missing key, unbalanced
 * or too deep nesting; the line is still valid JSON), or -errno of a
 * failed write.
 */
int mt_json_end_line(struct mt_json *j);

#endif /* MT_JSON_H */
