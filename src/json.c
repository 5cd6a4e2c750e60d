// SPDX-License-Identifier: GPL-2.0
/*
 * JSON Lines writer. Every byte goes through put(), which fills either the
 * caller's buffer or a stage that is handed to fwrite() when full, so a
 * field costs a few memcpy()s and no allocation.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "json.h"
#include "linebuf.h"

static void set_err(struct mt_json *j, int err)
{
	if (!j->err)
		j->err = err;
}

static void flush_stage(struct mt_json *j)
{
	errno = 0;
	if (j->pos && fwrite(j->buf, 1, j->pos, j->f) != j->pos)
		set_err(j, errno ? -errno : -EIO);
	j->pos = 0;
}

static void put_slow(struct mt_json *j, const char *s, size_t n)
{
	while (n && j->err != -ENOSPC) {
		size_t room = j->size - j->pos;
		size_t k = n < room ? n : room;

		if (!room) {
			if (!j->f) {
				set_err(j, -ENOSPC);
				break;
			}
			flush_stage(j);
			continue;
		}
		memcpy(j->buf + j->pos, s, k);
		j->pos += k;
		s += k;
		n -= k;
	}
}

static inline void put(struct mt_json *j, const void *p, size_t n)
{
	j->line_len += n;
	/* most puts fit in the stage's room: one memcpy */
	if (n <= j->size - j->pos && j->err != -ENOSPC) {
		memcpy(j->buf + j->pos, p, n);
		j->pos += n;
		return;
	}
	put_slow(j, p, n);
}

static void reset_line(struct mt_json *j)
{
	j->line_len = 0;
	j->err = 0;
	j->depth = 0;
	j->first = 0;
	j->in_array = 0;
	j->too_deep = 0;
}

void mt_json_init_buf(struct mt_json *j, char *buf, size_t size)
{
	j->buf = size ? buf : NULL;
	j->size = size ? size - 1 : 0;	/* one byte for the NUL */
	j->pos = 0;
	j->line_start = 0;
	j->f = NULL;
	if (size)
		buf[0] = '\0';
	reset_line(j);
}

void mt_json_init_file(struct mt_json *j, FILE *f)
{
	j->buf = j->stage;
	j->size = sizeof(j->stage);
	j->pos = 0;
	j->line_start = 0;
	j->f = f;
	reset_line(j);
}

static void put_escape(struct mt_json *j, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char u[] = "\\u00XX";

	switch (c) {
	case '"':  put(j, "\\\"", 2); return;
	case '\\': put(j, "\\\\", 2); return;
	case '\n': put(j, "\\n", 2); return;
	case '\r': put(j, "\\r", 2); return;
	case '\t': put(j, "\\t", 2); return;
	case '\b': put(j, "\\b", 2); return;
	case '\f': put(j, "\\f", 2); return;
	}
	if (c >= 0x80) {
		/* not UTF-8: U+FFFD keeps the line valid for any parser */
		put(j, "\\ufffd", 6);
		return;
	}
	/* other control characters, and DEL, which terminals act on */
	u[4] = hex[c >> 4];
	u[5] = hex[c & 0xf];
	put(j, u, 6);
}

/*
 * Whether none of 8 bytes needs a look: no control byte, '"', '\\', DEL or
 * non-ASCII. Each test is the "is there a zero byte" trick on a word (it
 * may mark the wrong byte, but never misses or invents one): paths are
 * scanned 8 bytes a step.
 */
static inline bool plain8(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t x, q, b, d;

	memcpy(&x, p, sizeof(x));
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	d = x ^ (ones * 0x7f);
	return !((x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) |
		  ((d - ones) & ~d)) & highs);
}

/*
 * s as a JSON string; runs of bytes that need no escape go in one put().
 * Returns whether a byte was not UTF-8 (and became U+FFFD).
 */
static bool put_string(struct mt_json *j, const char *str, size_t n)
{
	bool lossy = false;
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + n, *run = s;

	put(j, "\"", 1);
	while (s < end) {
		size_t k = 1;

		if (end - s >= 8 && plain8(s)) {
			s += 8;
			continue;
		}
		if (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\') {
			s++;
			continue;
		}
		if (*s >= 0x80 && (k = mt_utf8_len(s, end - s))) {
			s += k;
			continue;
		}
		lossy |= *s >= 0x80;
		put(j, run, s - run);
		put_escape(j, *s);
		run = ++s;
	}
	put(j, run, s - run);
	put(j, "\"", 1);
	return lossy;
}

/* The separator and key in front of a value; false to write nothing. */
static bool member(struct mt_json *j, const char *key)
{
	unsigned int bit;

	if (j->too_deep)
		return false;
	if (!j->depth) {
		set_err(j, -EINVAL);	/* no mt_json_begin() */
		return false;
	}
	bit = 1u << (j->depth - 1);
	if (!(j->in_array & bit) && !key) {
		set_err(j, -EINVAL);
		return false;
	}
	if (j->first & bit)
		j->first &= ~bit;
	else
		put(j, ",", 1);
	if (!(j->in_array & bit)) {
		put_string(j, key, strlen(key));
		put(j, ":", 1);
	}
	return true;
}

static void push(struct mt_json *j, bool array)
{
	unsigned int bit = 1u << j->depth++;

	j->first |= bit;
	if (array)
		j->in_array |= bit;
	else
		j->in_array &= ~bit;
	put(j, array ? "[" : "{", 1);
}

static void open_level(struct mt_json *j, const char *key, bool array)
{
	if (j->depth == MT_JSON_MAX_DEPTH)
		set_err(j, -EINVAL);
	/* a container not written is counted, so its end closes nothing */
	if (j->depth == MT_JSON_MAX_DEPTH || !member(j, key)) {
		j->too_deep++;
		return;
	}
	push(j, array);
}

static void close_level(struct mt_json *j)
{
	unsigned int bit = 1u << --j->depth;

	put(j, j->in_array & bit ? "]" : "}", 1);
}

static void end_level(struct mt_json *j, bool array)
{
	if (j->too_deep) {
		j->too_deep--;
		return;
	}
	/* the line's own object is closed by mt_json_end_line() */
	if (j->depth <= 1) {
		set_err(j, -EINVAL);
		return;
	}
	if (!!(j->in_array & (1u << (j->depth - 1))) != array)
		set_err(j, -EINVAL);
	close_level(j);
}

void mt_json_begin(struct mt_json *j)
{
	/* a line begun but never ended is dropped from the caller's buffer */
	if (!j->f)
		j->pos = j->line_start;
	reset_line(j);
	push(j, false);
}

/* "<key>_hex": every byte of a value that was not UTF-8, as lower-case hex */
static void put_hex_twin(struct mt_json *j, const char *key, const char *value, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char name[64], chunk[256];
	size_t n = 0;

	snprintf(name, sizeof(name), "%s_hex", key);
	if (!member(j, name))
		return;
	put(j, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = value[i];

		chunk[n++] = hex[c >> 4];
		chunk[n++] = hex[c & 0xf];
		if (n == sizeof(chunk)) {
			put(j, chunk, n);
			n = 0;
		}
	}
	put(j, chunk, n);
	put(j, "\"", 1);
}

void mt_json_str_n(struct mt_json *j, const char *key, const char *value,
		   size_t len)
{
	bool lossy;

	if (!value || !member(j, key))
		return;
	lossy = put_string(j, value, len);
	/* in an object, the exact bytes follow as a twin (docs/json.md) */
	if (lossy && key && !(j->in_array & (1u << (j->depth - 1))))
		put_hex_twin(j, key, value, len);
}

void mt_json_str(struct mt_json *j, const char *key, const char *value)
{
	if (value)
		mt_json_str_n(j, key, value, strlen(value));
}

static void put_number(struct mt_json *j, unsigned long long v, bool neg)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	if (neg)
		*--p = '-';
	put(j, p, tmp + sizeof(tmp) - p);
}

void mt_json_int(struct mt_json *j, const char *key, long long value)
{
	/* negate in unsigned arithmetic: -LLONG_MIN overflows long long */
	unsigned long long u = value;

	if (member(j, key))
		put_number(j, value < 0 ? -u : u, value < 0);
}

void mt_json_uint(struct mt_json *j, const char *key, unsigned long long value)
{
	if (member(j, key))
		put_number(j, value, false);
}

void mt_json_bool(struct mt_json *j, const char *key, bool value)
{
	if (member(j, key))
		put(j, value ? "true" : "false", value ? 4 : 5);
}

void mt_json_obj_begin(struct mt_json *j, const char *key)
{
	open_level(j, key, false);
}

void mt_json_obj_end(struct mt_json *j)
{
	end_level(j, false);
}

void mt_json_arr_begin(struct mt_json *j, const char *key)
{
	open_level(j, key, true);
}

void mt_json_arr_end(struct mt_json *j)
{
	end_level(j, true);
}

int mt_json_end_line(struct mt_json *j)
{
	if (j->too_deep || j->depth > 1)
		set_err(j, -EINVAL);	/* left open: close it for them */
	while (j->depth)
		close_level(j);
	put(j, "\n", 1);

	if (j->f) {
		flush_stage(j);
		set_err(j, mt_linebuf_end(j->f));
	} else {
		/* keep only whole lines in the caller's buffer */
		if (j->err == -ENOSPC)
			j->pos = j->line_start;
		j->line_start = j->pos;
		if (j->buf)
			j->buf[j->pos] = '\0';
	}
	return j->err ? j->err : (int)j->line_len;
}
