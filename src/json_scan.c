// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "json_scan.h"

#define MAX_DEPTH 64	/* nesting a metadata file may have */

static const char *ws(const char *p)
{
	while (p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the closing quote of the string at @p ('"'). */
static const char *skip_str(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '\\') {
			if (!*++p)
				return NULL;
		} else if (*p == '"') {
			return p + 1;
		}
	}
	return NULL;
}

static const char *skip_depth(const char *p, int depth)
{
	p = ws(p);
	if (!p || depth > MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '"':
		return skip_str(p);
	case '{':
	case '[': {
		char close = *p == '{' ? '}' : ']';

		p = ws(p + 1);
		if (p && *p == close)
			return p + 1;
		while (p) {
			if (close == '}') {
				if (*p != '"')
					return NULL;
				p = ws(skip_str(p));
				if (!p || *p != ':')
					return NULL;
				p++;
			}
			p = ws(skip_depth(p, depth + 1));
			if (!p)
				return NULL;
			if (*p == close)
				return p + 1;
			if (*p != ',')
				return NULL;
			p = ws(p + 1);
		}
		return NULL;
	}
	default:
		/* number, true, false, null */
		if (!*p || strchr(",}]:", *p))
			return NULL;
		while (*p && !strchr(",}] \t\r\n", *p))
			p++;
		return p;
	}
}

const char *mt_jscan_skip(const char *p)
{
	return skip_depth(p, 0);
}

const char *mt_jscan_member(const char *obj, const char *key)
{
	size_t klen = strlen(key);
	const char *p = ws(obj);

	if (!p || *p != '{')
		return NULL;
	p = ws(p + 1);
	while (p && *p == '"') {
		const char *kend = skip_str(p);
		bool match;

		if (!kend)
			return NULL;
		/* keys with escapes never match: none we look for has one */
		match = (size_t)(kend - p - 2) == klen && !memcmp(p + 1, key, klen);
		p = ws(kend);
		if (!p || *p != ':')
			return NULL;
		p = ws(p + 1);
		if (match)
			return p;
		p = ws(mt_jscan_skip(p));
		if (!p || *p != ',')
			return NULL;
		p = ws(p + 1);
	}
	return NULL;
}

const char *mt_jscan_path(const char *obj, const char *const *keys)
{
	for (; obj && *keys; keys++)
		obj = mt_jscan_member(obj, *keys);
	return obj;
}

const char *mt_jscan_first(const char *arr)
{
	const char *p = ws(arr);

	if (!p || *p != '[')
		return NULL;
	p = ws(p + 1);
	return p && *p && *p != ']' ? p : NULL;
}

const char *mt_jscan_next(const char *elem)
{
	const char *p = ws(mt_jscan_skip(elem));

	if (!p || *p != ',')
		return NULL;
	p = ws(p + 1);
	return *p && *p != ']' ? p : NULL;	/* "[1," is truncated, not one more */
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool mt_jscan_str(const char *v, char *buf, size_t len)
{
	const char *p = ws(v);
	size_t n = 0;

	if (!len)
		return false;
	buf[0] = '\0';
	if (!p || *p != '"')
		return false;
	for (p++; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\\') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			const char *e;

			c = *++p;
			if (c == 'u') {
				int code = 0;

				for (int i = 1; i <= 4; i++) {
					int h = hex(p[i]);

					if (h < 0)
						goto bad;
					code = code * 16 + h;
				}
				p += 4;
				c = code < 0x80 ? (char)code : '?';
			} else if (c && (e = strchr(from, c))) {
				c = to[e - from];
			} else {
				goto bad;
			}
		}
		if (n + 1 >= len)
			goto bad;
		buf[n++] = c;
	}
	if (*p != '"')
		goto bad;
	buf[n] = '\0';
	return true;
bad:
	buf[0] = '\0';
	return false;
}
