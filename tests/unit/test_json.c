// SPDX-License-Identifier: GPL-2.0
/* The JSON Lines writer: exact output, escaping, limits, and validity. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* open_memstream */
#endif
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "testlib.h"

/*
 * A strict JSON checker (RFC 8259, raw bytes in strings must be UTF-8),
 * so the tests need no parser outside C.
 */
struct jp {
	const unsigned char *s, *end;
	int depth;
};

static bool jp_value(struct jp *p);

static bool jp_eat(struct jp *p, char c)
{
	if (p->s < p->end && *p->s == (unsigned char)c) {
		p->s++;
		return true;
	}
	return false;
}

static bool jp_utf8(struct jp *p)
{
	unsigned char c = *p->s++;
	unsigned int cp, n, i;

	if (c >= 0xf0 && c < 0xf8)
		n = 3, cp = c & 0x07;
	else if (c >= 0xe0)
		n = 2, cp = c & 0x0f;
	else if (c >= 0xc0)
		n = 1, cp = c & 0x1f;
	else
		return false;
	if (c >= 0xf8 || (unsigned int)(p->end - p->s) < n)
		return false;
	for (i = 0; i < n; i++, p->s++) {
		if ((*p->s & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (*p->s & 0x3f);
	}
	/* shortest form, no surrogates, at most U+10FFFF */
	if (cp < (n == 1 ? 0x80u : n == 2 ? 0x800u : 0x10000u))
		return false;
	return !(cp >= 0xd800 && cp <= 0xdfff) && cp <= 0x10ffff;
}

static bool jp_string(struct jp *p)
{
	int i;

	if (!jp_eat(p, '"'))
		return false;
	while (p->s < p->end) {
		unsigned char c = *p->s;

		if (c == '"') {
			p->s++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c >= 0x80) {
			if (!jp_utf8(p))
				return false;
			continue;
		}
		p->s++;
		if (c != '\\')
			continue;
		if (p->s >= p->end || !*p->s || !strchr("\"\\/bfnrtu", *p->s))
			return false;
		if (*p->s++ != 'u')
			continue;
		for (i = 0; i < 4; i++, p->s++)
			if (p->s >= p->end || !isxdigit(*p->s))
				return false;
	}
	return false;
}

static bool jp_digits(struct jp *p)
{
	const unsigned char *start = p->s;

	while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
		p->s++;
	return p->s > start;
}

static bool jp_number(struct jp *p)
{
	jp_eat(p, '-');
	if (!jp_eat(p, '0') && !jp_digits(p))
		return false;
	if (jp_eat(p, '.') && !jp_digits(p))
		return false;
	if (jp_eat(p, 'e') || jp_eat(p, 'E')) {
		if (!jp_eat(p, '+'))
			jp_eat(p, '-');
		return jp_digits(p);
	}
	return true;
}

static bool jp_word(struct jp *p, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(p->end - p->s) < n || memcmp(p->s, w, n))
		return false;
	p->s += n;
	return true;
}

/* object or array: members separated by ',' up to the closing bracket */
static bool jp_container(struct jp *p, char close, bool keys)
{
	if (++p->depth > 64)
		return false;
	if (jp_eat(p, close))
		goto out;
	do {
		if (keys && (!jp_string(p) || !jp_eat(p, ':')))
			return false;
		if (!jp_value(p))
			return false;
	} while (jp_eat(p, ','));
	if (!jp_eat(p, close))
		return false;
out:
	p->depth--;
	return true;
}

static bool jp_value(struct jp *p)
{
	if (p->s >= p->end)
		return false;
	switch (*p->s) {
	case '{': p->s++; return jp_container(p, '}', true);
	case '[': p->s++; return jp_container(p, ']', false);
	case '"': return jp_string(p);
	case 't': return jp_word(p, "true");
	case 'f': return jp_word(p, "false");
	case 'n': return jp_word(p, "null");
	default:  return jp_number(p);
	}
}

/* Every line of buf[0..len) is one JSON object followed by "\n". */
static bool valid_lines(const char *buf, size_t len)
{
	struct jp p = { (const void *)buf, (const void *)(buf + len), 0 };

	while (p.s < p.end) {
		if (*p.s != '{' || !jp_value(&p) || !jp_eat(&p, '\n'))
			return false;
	}
	return true;
}

static bool valid_str(const char *s)
{
	return valid_lines(s, strlen(s));
}

/* A writer over a static buffer; out() returns what it holds. */
static char obuf[8192];
static struct mt_json J;

static struct mt_json *start(void)
{
	mt_json_init_buf(&J, obuf, sizeof(obuf));
	mt_json_begin(&J);
	return &J;
}

TEST(json_basic)
{
	struct mt_json *j = start();
	int n;

	mt_json_str(j, "type", "syscall");
	mt_json_uint(j, "pid", 42);
	mt_json_int(j, "ret", -16);
	mt_json_str(j, "errno", "EBUSY");
	mt_json_bool(j, "truncated", false);
	mt_json_bool(j, "ok", true);
	n = mt_json_end_line(j);
	ASSERT_STREQ(obuf, "{\"type\":\"syscall\",\"pid\":42,\"ret\":-16,"
		     "\"errno\":\"EBUSY\",\"truncated\":false,\"ok\":true}\n",
		     "line");
	ASSERT_EQ(n, strlen(obuf), "returned length");
	ASSERT_TRUE(valid_str(obuf), "valid JSON");

	start();
	ASSERT_EQ(mt_json_end_line(&J), 3, "empty object length");
	ASSERT_STREQ(obuf, "{}\n", "empty object");
}

TEST(json_escape)
{
	struct mt_json *j = start();

	mt_json_str(j, "q", "say \"hi\"");
	mt_json_str(j, "b", "C:\\dir");
	mt_json_str(j, "ws", "a\nb\tc\rd\be\ff");
	mt_json_str(j, "ctl", "\x01\x1f\x7f");
	mt_json_str(j, "k\"ey", "/");
	ASSERT_OK(mt_json_end_line(j), "end_line");
	ASSERT_STREQ(obuf, "{\"q\":\"say \\\"hi\\\"\",\"b\":\"C:\\\\dir\","
		     "\"ws\":\"a\\nb\\tc\\rd\\be\\ff\","
		     "\"ctl\":\"\\u0001\\u001f\\u007f\",\"k\\\"ey\":\"/\"}\n",
		     "escaped");
	ASSERT_TRUE(valid_str(obuf), "valid JSON");
}

/* Long strings are scanned 8 bytes a step: a byte that needs escaping is
 * found at every place in a word, and between 0x20 and 0x7e, none is. */
TEST(json_escape_at_every_place)
{
	static const struct { char c; const char *esc; } sp[] = {
		{ '"', "\\\"" }, { '\\', "\\\\" }, { '\n', "\\n" }, { '\x01', "\\u0001" },
		{ '\x1f', "\\u001f" }, { '\x7f', "\\u007f" },
	};
	char in[40], want[64];
	int bad = 0;

	for (size_t k = 0; k < sizeof(sp) / sizeof(sp[0]); k++)
		for (int at = 0; at < 24; at++) {
			struct mt_json *j = start();

			memset(in, 'a', sizeof(in));
			in[at] = sp[k].c;
			in[30] = '\0';
			mt_json_str(j, "s", in);
			mt_json_end_line(j);
			snprintf(want, sizeof(want), "{\"s\":\"%.*s%s%.*s\"}\n", at, in,
				 sp[k].esc, 29 - at, in + at + 1);
			bad += strcmp(obuf, want) != 0;
		}
	ASSERT_EQ(bad, 0, "each special byte at each of 24 places");
	for (int c = 0x20; c < 0x7f; c++) {
		struct mt_json *j = start();

		memset(in, c == '"' || c == '\\' ? 'b' : c, 30);
		in[30] = '\0';
		mt_json_str(j, "s", in);
		mt_json_end_line(j);
		snprintf(want, sizeof(want), "{\"s\":\"%s\"}\n", in);
		bad += strcmp(obuf, want) != 0;
	}
	ASSERT_EQ(bad, 0, "printable ASCII as it is");
}

TEST(json_utf8)
{
	struct mt_json *j = start();

	/* well-formed UTF-8 passes through as is */
	mt_json_str(j, "ok", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	mt_json_str(j, "bad", "a\xff" "b");			/* never valid */
	mt_json_str(j, "cont", "\x80");				/* stray continuation */
	mt_json_str(j, "cut", "\xe2\x82");			/* truncated at end */
	mt_json_str(j, "cut2", "\xe2\x82x");			/* truncated in the middle */
	mt_json_str(j, "long", "\xc0\xaf");			/* overlong '/' */
	mt_json_str(j, "sur", "\xed\xa0\x80");			/* UTF-16 surrogate */
	mt_json_str(j, "big", "\xf4\x90\x80\x80");		/* above U+10FFFF */
	ASSERT_OK(mt_json_end_line(j), "end_line");
	/* each lossy value is followed by its exact bytes in hex */
	ASSERT_STREQ(obuf, "{\"ok\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
		     "\"bad\":\"a\\ufffdb\",\"bad_hex\":\"61ff62\","
		     "\"cont\":\"\\ufffd\",\"cont_hex\":\"80\","
		     "\"cut\":\"\\ufffd\\ufffd\",\"cut_hex\":\"e282\","
		     "\"cut2\":\"\\ufffd\\ufffdx\",\"cut2_hex\":\"e28278\","
		     "\"long\":\"\\ufffd\\ufffd\",\"long_hex\":\"c0af\","
		     "\"sur\":\"\\ufffd\\ufffd\\ufffd\",\"sur_hex\":\"eda080\","
		     "\"big\":\"\\ufffd\\ufffd\\ufffd\\ufffd\",\"big_hex\":\"f4908080\"}\n",
		     "replaced");
	ASSERT_TRUE(valid_str(obuf), "valid JSON");
}

TEST(json_str_n)
{
	struct mt_json *j = start();

	mt_json_str_n(j, "nul", "a\0b", 3);
	mt_json_str_n(j, "prefix", "overlay,lowerdir", 7);
	mt_json_str_n(j, "empty", "", 0);
	ASSERT_OK(mt_json_end_line(j), "end_line");
	ASSERT_STREQ(obuf, "{\"nul\":\"a\\u0000b\",\"prefix\":\"overlay\","
		     "\"empty\":\"\"}\n", "str_n");
}

TEST(json_nested)
{
	struct mt_json *j = start();

	mt_json_obj_begin(j, "a");
	mt_json_arr_begin(j, "b");
	mt_json_uint(j, NULL, 1);
	mt_json_int(j, NULL, -2);
	mt_json_obj_begin(j, NULL);
	mt_json_str(j, "c", "d");
	mt_json_obj_end(j);
	mt_json_str(j, NULL, "e");
	mt_json_bool(j, NULL, true);
	mt_json_arr_end(j);
	mt_json_arr_begin(j, "empty");
	mt_json_arr_end(j);
	mt_json_obj_end(j);
	mt_json_obj_begin(j, "f");
	mt_json_obj_end(j);
	mt_json_uint(j, "g", 0);
	ASSERT_OK(mt_json_end_line(j), "end_line");
	ASSERT_STREQ(obuf, "{\"a\":{\"b\":[1,-2,{\"c\":\"d\"},\"e\",true],"
		     "\"empty\":[]},\"f\":{},\"g\":0}\n", "nested");
	ASSERT_TRUE(valid_str(obuf), "valid JSON");
}

TEST(json_absent_fields)
{
	struct mt_json *j = start();

	/* a NULL string is an absent field, not null, and needs no comma */
	mt_json_str(j, "errno", NULL);
	mt_json_uint(j, "pid", 7);
	mt_json_str(j, "path", NULL);
	mt_json_str_n(j, "data", NULL, 4);
	mt_json_arr_begin(j, "l");
	mt_json_str(j, NULL, NULL);
	mt_json_str(j, NULL, "x");
	mt_json_arr_end(j);
	ASSERT_OK(mt_json_end_line(j), "end_line");
	ASSERT_STREQ(obuf, "{\"pid\":7,\"l\":[\"x\"]}\n", "absent");
}

TEST(json_numbers)
{
	struct mt_json *j = start();

	mt_json_int(j, "min", LLONG_MIN);
	mt_json_int(j, "max", LLONG_MAX);
	mt_json_int(j, "zero", 0);
	mt_json_uint(j, "umax", ULLONG_MAX);
	mt_json_int(j, "fd", -100);
	ASSERT_OK(mt_json_end_line(j), "end_line");
	ASSERT_STREQ(obuf, "{\"min\":-9223372036854775808,"
		     "\"max\":9223372036854775807,\"zero\":0,"
		     "\"umax\":18446744073709551615,\"fd\":-100}\n", "limits");
	ASSERT_TRUE(valid_str(obuf), "valid JSON");
}

TEST(json_buffer_lines)
{
	char buf[64];
	struct mt_json j;
	const char *line1 = "{\"type\":\"lost\",\"bpf_drops\":3}\n";

	memset(buf, 'X', sizeof(buf));
	mt_json_init_buf(&j, buf, 48);
	mt_json_begin(&j);
	mt_json_str(&j, "type", "lost");
	mt_json_uint(&j, "bpf_drops", 3);
	ASSERT_EQ(mt_json_end_line(&j), strlen(line1), "first line");
	ASSERT_STREQ(buf, line1, "first line");

	/* a line that does not fit is dropped whole, earlier lines stay */
	mt_json_begin(&j);
	mt_json_str(&j, "type", "syscall");
	mt_json_str(&j, "path", "/a/rather/long/path/that/does/not/fit");
	ASSERT_EQ(mt_json_end_line(&j), -ENOSPC, "second line");
	ASSERT_STREQ(buf, line1, "only whole lines");
	ASSERT_EQ(buf[48], 'X', "nothing past size");

	/* the writer recovers at the next line */
	mt_json_begin(&j);
	mt_json_uint(&j, "n", 1);
	ASSERT_EQ(mt_json_end_line(&j), 8, "third line");
	ASSERT_STREQ(buf, "{\"type\":\"lost\",\"bpf_drops\":3}\n{\"n\":1}\n",
		     "appended");
	ASSERT_TRUE(valid_str(buf), "valid JSON");

	/* a line begun and abandoned leaves nothing behind */
	mt_json_begin(&j);
	mt_json_str(&j, "half", "written");
	mt_json_begin(&j);
	mt_json_uint(&j, "m", 2);
	ASSERT_EQ(mt_json_end_line(&j), 8, "after abandoned line");
	ASSERT_STREQ(buf, "{\"type\":\"lost\",\"bpf_drops\":3}\n{\"n\":1}\n"
		     "{\"m\":2}\n", "abandoned line dropped");

	/* room for the NUL only */
	mt_json_init_buf(&j, buf, 1);
	mt_json_begin(&j);
	ASSERT_EQ(mt_json_end_line(&j), -ENOSPC, "size 1");
	ASSERT_EQ(buf[0], '\0', "size 1 is empty");
}

TEST(json_misuse)
{
	struct mt_json *j = start();

	/* a missing key drops the field, the line stays valid */
	mt_json_uint(j, NULL, 5);
	mt_json_uint(j, "a", 1);
	ASSERT_EQ(mt_json_end_line(j), -EINVAL, "no key");
	ASSERT_STREQ(obuf, "{\"a\":1}\n", "no key");

	/* left open: closed for the caller */
	j = start();
	mt_json_arr_begin(j, "l");
	mt_json_obj_begin(j, NULL);
	mt_json_uint(j, "x", 1);
	ASSERT_EQ(mt_json_end_line(j), -EINVAL, "unclosed");
	ASSERT_STREQ(obuf, "{\"l\":[{\"x\":1}]}\n", "unclosed");

	/* the wrong end still closes the innermost container correctly */
	j = start();
	mt_json_arr_begin(j, "l");
	mt_json_obj_end(j);
	mt_json_obj_end(j);	/* the line's object is end_line's */
	ASSERT_EQ(mt_json_end_line(j), -EINVAL, "mismatched");
	ASSERT_STREQ(obuf, "{\"l\":[]}\n", "mismatched");

	/* a container without its key is skipped with its contents */
	j = start();
	mt_json_obj_begin(j, NULL);
	mt_json_uint(j, "lost", 1);
	mt_json_obj_end(j);
	mt_json_uint(j, "kept", 2);
	ASSERT_EQ(mt_json_end_line(j), -EINVAL, "keyless container");
	ASSERT_STREQ(obuf, "{\"kept\":2}\n", "keyless container");

	/* the next line starts clean */
	start();
	ASSERT_EQ(mt_json_end_line(&J), 3, "error cleared");
}

TEST(json_too_deep)
{
	struct mt_json *j = start();
	int i, open = 0;

	for (i = 0; i < MT_JSON_MAX_DEPTH + 8; i++)
		mt_json_arr_begin(j, "a");
	mt_json_uint(j, NULL, 1);
	for (i = 0; i < MT_JSON_MAX_DEPTH + 8; i++)
		mt_json_arr_end(j);
	mt_json_uint(j, "after", 2);
	ASSERT_EQ(mt_json_end_line(j), -EINVAL, "too deep");
	ASSERT_TRUE(valid_str(obuf), "valid JSON");
	for (i = 0; obuf[i]; i++)
		open += obuf[i] == '[';
	ASSERT_EQ(open, MT_JSON_MAX_DEPTH - 1, "levels written");
	ASSERT_TRUE(strstr(obuf, "]],\"after\":2}\n") != NULL,
		    "fields after it land in the line's object");
}

TEST(json_file)
{
	char *mem = NULL, *big = NULL;
	size_t size = 0, biglen = 3 * MT_JSON_STAGE;
	struct mt_json *j = malloc(sizeof(*j));
	FILE *f = open_memstream(&mem, &size);

	if (!ASSERT_TRUE(f && j, "open_memstream"))
		goto out;
	mt_json_init_file(j, f);
	mt_json_begin(j);
	mt_json_str(j, "type", "ns");
	ASSERT_EQ(mt_json_end_line(j), 14, "first line");
	/* flushed: the stream holds the line without fclose() */
	ASSERT_EQ(size, 14, "flushed");

	/* a line longer than the stage goes out in pieces */
	big = malloc(biglen + 1);
	if (!ASSERT_TRUE(big, "malloc"))
		goto out;
	memset(big, 'p', biglen);
	big[biglen] = '\0';
	big[100] = '"';
	mt_json_begin(j);
	mt_json_str(j, "path", big);
	ASSERT_EQ(mt_json_end_line(j), biglen + 1 + 12, "long line");
	ASSERT_EQ(size, 14 + biglen + 1 + 12, "long line flushed");
	ASSERT_TRUE(!memcmp(mem, "{\"type\":\"ns\"}\n{\"path\":\"ppp", 26),
		    "content");
	ASSERT_TRUE(valid_lines(mem, size), "valid JSON");
out:
	if (f)
		fclose(f);
	free(mem);
	free(big);
	free(j);
}

/* xorshift64: reproducible inputs without rand()'s global state */
static unsigned long long next_rand(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* bytes that stress the escaper: controls, quotes, UTF-8 fragments */
static void random_bytes(unsigned long long *seed, char *out, size_t n)
{
	static const unsigned char pick[] = {
		0, 1, 0x1f, '"', '\\', '/', 'a', 0x7f, 0x80, 0xbf, 0xc0, 0xc2,
		0xc3, 0xa9, 0xe0, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0xf0, 0x9f,
		0x98, 0xf4, 0x90, 0xf5, 0xff,
	};
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned long long r = next_rand(seed);

		out[i] = r & 1 ? (char)(r >> 8) : (char)pick[(r >> 8) % sizeof(pick)];
	}
}

TEST(json_random_valid)
{
	unsigned long long seed = 0x9e3779b97f4a7c15ULL;
	char key[16], val[64];
	int i, k;

	for (i = 0; i < 2000; i++) {
		struct mt_json *j = start();
		int ret;

		for (k = 0; k < 4; k++) {
			size_t kl = next_rand(&seed) % sizeof(key);
			size_t vl = next_rand(&seed) % sizeof(val);

			random_bytes(&seed, key, kl);
			key[kl ? kl - 1 : 0] = '\0';
			random_bytes(&seed, val, vl);
			if (k & 1)
				mt_json_arr_begin(j, key);
			mt_json_str_n(j, key, val, vl);
			mt_json_int(j, key, (long long)next_rand(&seed));
			if (k & 1)
				mt_json_arr_end(j);
		}
		ret = mt_json_end_line(j);
		if (!ASSERT_GT(ret, 0, "end_line") ||
		    !ASSERT_TRUE(valid_str(obuf), "random line is valid JSON")) {
			mt_test_log("iteration %d: %s", i, obuf);
			return;
		}
	}
}

/* The checker above must itself reject what is not JSON. */
TEST(json_checker_rejects)
{
	static const char *const bad[] = {
		"{\"a\":\"\x01\"}\n",		/* raw control character */
		"{\"a\":\"\xff\"}\n",		/* not UTF-8 */
		"{\"a\":\"\xed\xa0\x80\"}\n",	/* raw surrogate */
		"{\"a\":\"\\x41\"}\n",		/* no such escape */
		"{\"a\":\"\\u12\"}\n",		/* short \u */
		"{\"a\":1,}\n",			/* trailing comma */
		"{\"a\"}\n",			/* key without value */
		"{\"a\":01}\n",			/* leading zero */
		"{\"a\":[1]\n",			/* unclosed */
		"{\"a\":1}",			/* no newline */
		"[1]\n",			/* not an object */
	};
	size_t i;

	ASSERT_TRUE(valid_str("{\"a\":[1,-2.5e3,true,null,{}],\"b\":\"\\u00e9\"}\n"),
		    "accepts JSON");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!ASSERT_FALSE(valid_str(bad[i]), bad[i]))
			return;
}
