// SPDX-License-Identifier: GPL-2.0
/*
 * A recursive-descent JSON parser, just enough to look fields up in the
 * records mnttrace prints. Strict about syntax on purpose: a malformed line
 * from mnttrace is a bug the tests should catch, not paper over.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define JSON_MAX_DEPTH 64

struct parser {
	const char *p;
	const char *err;
	int depth;
};

static struct json *parse_value(struct parser *ps);

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static struct json *new_value(enum json_type type)
{
	struct json *v = calloc(1, sizeof(*v));

	if (v)
		v->type = type;
	return v;
}

static void *fail(struct parser *ps, const char *msg)
{
	if (!ps->err)
		ps->err = msg;
	return NULL;
}

static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX, with a following low surrogate when the first is a high one. */
static bool parse_uescape(struct parser *ps, uint32_t *cp)
{
	int hi = hex4(ps->p);

	if (hi < 0)
		return fail(ps, "bad \\u escape");
	ps->p += 4;
	if (hi < 0xd800 || hi > 0xdfff) {
		*cp = (uint32_t)hi;
		return true;
	}
	if (hi > 0xdbff || ps->p[0] != '\\' || ps->p[1] != 'u')
		return fail(ps, "lone surrogate in \\u escape");
	int lo = hex4(ps->p + 2);

	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(ps, "bad low surrogate in \\u escape");
	ps->p += 6;
	*cp = 0x10000 + (((uint32_t)hi - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
	return true;
}

static bool parse_escape(struct parser *ps, char *out, size_t *len)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char c = *ps->p++;
	const char *at = c ? strchr(from, c) : NULL;
	uint32_t cp;

	if (at) {
		out[(*len)++] = to[at - from];
		return true;
	}
	if (c != 'u')
		return fail(ps, "bad escape in string");
	if (!parse_uescape(ps, &cp))
		return false;
	if (cp == 0)
		return fail(ps, "\\u0000 in string");
	*len += put_utf8(out + *len, cp);
	return true;
}

/* The unescaped string is never longer than the escaped one. */
static char *parse_string_raw(struct parser *ps)
{
	const char *end;
	size_t len = 0;
	char *out;

	if (*ps->p != '"')
		return fail(ps, "expected string");
	ps->p++;
	end = ps->p;
	while (*end && *end != '"')
		end += (*end == '\\' && end[1]) ? 2 : 1;
	out = malloc((size_t)(end - ps->p) + 1);
	if (!out)
		return fail(ps, "out of memory");
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (c == '\0' || c < 0x20) {
			free(out);
			return fail(ps, c ? "control character in string" : "unterminated string");
		}
		ps->p++;
		if (c != '\\') {
			out[len++] = (char)c;
		} else if (!parse_escape(ps, out, &len)) {
			free(out);
			return NULL;
		}
	}
	ps->p++;
	out[len] = '\0';
	return out;
}

static const char *skip_digits(const char *p)
{
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

/* RFC 8259 number grammar; integers also kept exactly as long long. */
static struct json *parse_number(struct parser *ps)
{
	const char *s = ps->p, *p = s;
	struct json *v;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		p = skip_digits(p);
	else
		return fail(ps, "bad number");
	bool is_int = true;

	if (*p == '.') {
		is_int = false;
		if (!(*++p >= '0' && *p <= '9'))
			return fail(ps, "bad fraction");
		p = skip_digits(p);
	}
	if (*p == 'e' || *p == 'E') {
		is_int = false;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return fail(ps, "bad exponent");
		p = skip_digits(p);
	}
	v = new_value(JSON_NUMBER);
	if (!v)
		return fail(ps, "out of memory");
	v->d = strtod(s, NULL);
	if (is_int) {
		errno = 0;
		v->i = strtoll(s, NULL, 10);
		/* u64 ids above LLONG_MAX would not fit: say so, don't wrap */
		v->is_int = errno == 0;
	}
	ps->p = p;
	return v;
}

static bool grow(struct json *v, size_t *cap, bool keys)
{
	if (v->n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 8;
	struct json **items = realloc(v->items, ncap * sizeof(*items));

	if (!items)
		return false;
	v->items = items;
	if (keys) {
		char **k = realloc(v->keys, ncap * sizeof(*k));

		if (!k)
			return false;
		v->keys = k;
	}
	*cap = ncap;
	return true;
}

/* Members of an array or object, after the opening bracket. */
static struct json *parse_members(struct parser *ps, enum json_type type, char close)
{
	struct json *v = new_value(type);
	bool obj = type == JSON_OBJECT;
	size_t cap = 0;

	if (!v)
		return fail(ps, "out of memory");
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;

		skip_ws(ps);
		if (obj) {
			key = parse_string_raw(ps);
			if (!key)
				goto err;
			skip_ws(ps);
			if (*ps->p++ != ':') {
				free(key);
				fail(ps, "expected ':'");
				goto err;
			}
		}
		struct json *item = parse_value(ps);

		if (!item || !grow(v, &cap, obj)) {
			free(key);
			json_free(item);
			fail(ps, "out of memory");
			goto err;
		}
		if (obj)
			v->keys[v->n] = key;
		v->items[v->n++] = item;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p++ == close)
			return v;
		fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		goto err;
	}
err:
	json_free(v);
	return NULL;
}

static struct json *parse_word(struct parser *ps, const char *word, enum json_type type, bool b)
{
	size_t len = strlen(word);
	struct json *v;

	if (strncmp(ps->p, word, len) != 0)
		return fail(ps, "unexpected character");
	ps->p += len;
	v = new_value(type);
	if (!v)
		return fail(ps, "out of memory");
	v->b = b;
	return v;
}

static struct json *parse_value(struct parser *ps)
{
	struct json *v = NULL;

	skip_ws(ps);
	if (++ps->depth > JSON_MAX_DEPTH)
		return fail(ps, "nested too deep");
	switch (*ps->p) {
	case '{':
		ps->p++;
		v = parse_members(ps, JSON_OBJECT, '}');
		break;
	case '[':
		ps->p++;
		v = parse_members(ps, JSON_ARRAY, ']');
		break;
	case '"': {
		char *s = parse_string_raw(ps);

		if (!s)
			break;
		v = new_value(JSON_STRING);
		if (!v) {
			free(s);
			return fail(ps, "out of memory");
		}
		v->s = s;
		break;
	}
	case 't':
		v = parse_word(ps, "true", JSON_BOOL, true);
		break;
	case 'f':
		v = parse_word(ps, "false", JSON_BOOL, false);
		break;
	case 'n':
		v = parse_word(ps, "null", JSON_NULL, false);
		break;
	case '\0':
		return fail(ps, "unexpected end of input");
	default:
		v = parse_number(ps);
	}
	ps->depth--;
	return v;
}

struct json *json_parse(const char *text, const char **err)
{
	struct parser ps = { .p = text };
	struct json *v = parse_value(&ps);

	if (v) {
		skip_ws(&ps);
		if (*ps.p) {
			json_free(v);
			v = fail(&ps, "trailing characters after value");
		}
	}
	if (err)
		*err = v ? NULL : (ps.err ? ps.err : "parse error");
	return v;
}

void json_free(struct json *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		json_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

/* The last duplicate wins, like most parsers; mnttrace should not emit any. */
const struct json *json_get(const struct json *obj, const char *key)
{
	const struct json *found = NULL;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			found = obj->items[i];
	return found;
}

const struct json *json_at(const struct json *arr, size_t i)
{
	if (!arr || arr->type != JSON_ARRAY || i >= arr->n)
		return NULL;
	return arr->items[i];
}

const char *json_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->s : NULL;
}

bool json_int(const struct json *obj, const char *key, long long *out)
{
	const struct json *v = json_get(obj, key);

	if (!v || v->type != JSON_NUMBER || !v->is_int)
		return false;
	*out = v->i;
	return true;
}

bool json_has_flag(const struct json *obj, const char *key, const char *name)
{
	const char *s = json_str(obj, key);
	size_t len = strlen(name);

	while (s && *s) {
		const char *bar = strchr(s, '|');
		size_t n = bar ? (size_t)(bar - s) : strlen(s);

		if (n == len && strncmp(s, name, len) == 0)
			return true;
		s = bar ? bar + 1 : NULL;
	}
	return false;
}

struct fmtbuf {
	char *buf;
	size_t len, pos;
};

static void put(struct fmtbuf *f, const char *s)
{
	while (*s && f->pos + 1 < f->len)
		f->buf[f->pos++] = *s++;
	f->buf[f->pos] = '\0';
}

static void put_string(struct fmtbuf *f, const char *s)
{
	char esc[8];

	put(f, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20)
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		put(f, esc);
	}
	put(f, "\"");
}

static void format_value(struct fmtbuf *f, const struct json *v)
{
	char num[64];

	switch (v->type) {
	case JSON_NULL:
		put(f, "null");
		break;
	case JSON_BOOL:
		put(f, v->b ? "true" : "false");
		break;
	case JSON_NUMBER:
		if (v->is_int)
			snprintf(num, sizeof(num), "%lld", v->i);
		else
			snprintf(num, sizeof(num), "%.17g", v->d);
		put(f, num);
		break;
	case JSON_STRING:
		put_string(f, v->s);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		put(f, v->type == JSON_ARRAY ? "[" : "{");
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				put(f, ",");
			if (v->type == JSON_OBJECT) {
				put_string(f, v->keys[i]);
				put(f, ":");
			}
			format_value(f, v->items[i]);
		}
		put(f, v->type == JSON_ARRAY ? "]" : "}");
		break;
	}
}

void json_format(const struct json *v, char *buf, size_t len)
{
	struct fmtbuf f = { buf, len, 0 };

	if (!len)
		return;
	buf[0] = '\0';
	if (v)
		format_value(&f, v);
	else
		put(&f, "(none)");
}
