// SPDX-License-Identifier: GPL-2.0
/* Escaping hostile bytes for text output (escape.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

size_t mt_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)	/* stray continuation, or overlong 2-byte */
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : s[0] < 0xf5 ? 4 : 0;
	if (!len || n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) ||	/* overlong 3-byte */
	    (s[0] == 0xed && s[1] >= 0xa0) ||	/* UTF-16 surrogate */
	    (s[0] == 0xf0 && s[1] < 0x90) ||	/* overlong 4-byte */
	    (s[0] == 0xf4 && s[1] >= 0x90))	/* above U+10FFFF */
		return 0;
	return len;
}

bool mt_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0, k; i < len; i += k)
		if (!(k = mt_utf8_len(s + i, len - i)))
			return false;
	return true;
}

/*
 * Well-formed, but a terminal acts on it: C1 controls (xterm's 8-bit CSI
 * is U+009B) and the bidi overrides that reorder what a reader sees.
 */
static bool unsafe_codepoint(const unsigned char *s, size_t k)
{
	if (k == 2)
		return s[0] == 0xc2 && s[1] < 0xa0;
	if (k == 3 && s[0] == 0xe2 && s[1] == 0x80)
		return s[2] >= 0xaa && s[2] <= 0xae;	/* U+202A..U+202E */
	if (k == 3 && s[0] == 0xe2 && s[1] == 0x81)
		return s[2] >= 0xa6 && s[2] <= 0xa9;	/* U+2066..U+2069 */
	return false;
}

struct esc_out {
	char *dst;
	size_t size, pos, need;
	bool full;		/* a unit did not fit: copy nothing more */
};

/* One unit (a byte, an escape, or a whole UTF-8 sequence) is copied whole or not at all. */
static void emit(struct esc_out *o, const void *p, size_t n)
{
	if (!o->full && o->pos + n < o->size) {
		memcpy(o->dst + o->pos, p, n);
		o->pos += n;
	} else {
		o->full = true;
	}
	o->need += n;
}

static void emit_hex(struct esc_out *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char x[4] = { '\\', 'x', hex[c >> 4], hex[c & 0xf] };

	emit(o, x, 4);
}

static void emit_ascii(struct esc_out *o, unsigned char c, unsigned int flags)
{
	const char *e = NULL;

	switch (c) {
	case '\\': e = "\\\\"; break;
	case '\n': e = "\\n"; break;
	case '\t': e = "\\t"; break;
	case '\r': e = "\\r"; break;
	case '"': e = flags & MT_ESC_QUOTE ? "\\\"" : NULL; break;
	}
	if (e)
		emit(o, e, 2);
	else if (c < 0x20 || c == 0x7f)
		emit_hex(o, c);
	else
		emit(o, &c, 1);
}

size_t mt_escape(char *dst, size_t size, const char *str, size_t len, unsigned int flags)
{
	const unsigned char *s = (const unsigned char *)str;
	struct esc_out o = { .dst = dst, .size = size };
	size_t i = 0, k;

	while (i < len) {
		if (s[i] < 0x80) {
			emit_ascii(&o, s[i++], flags);
			continue;
		}
		k = mt_utf8_len(s + i, len - i);
		if (k && !unsafe_codepoint(s + i, k)) {
			emit(&o, s + i, k);
			i += k;
			continue;
		}
		/* a bad byte alone (the next may start a good sequence), or
		 * every byte of an unsafe code point */
		for (size_t b = 0; b < (k ? k : 1); b++)
			emit_hex(&o, s[i + b]);
		i += k ? k : 1;
	}
	if (size)
		dst[o.pos] = '\0';
	return o.need;
}

int mt_escape_fputs(FILE *f, const char *s, unsigned int flags)
{
	char buf[1024], *big = NULL, *out = buf;
	size_t len = strlen(s), need;
	int err = 0;

	need = mt_escape(buf, sizeof(buf), s, len, flags);
	if (need >= sizeof(buf)) {
		big = malloc(need + 1);
		if (!big)
			return -ENOMEM;
		mt_escape(big, need + 1, s, len, flags);
		out = big;
	}
	if (fwrite(out, 1, need, f) != need)
		err = -EIO;
	free(big);
	return err;
}
