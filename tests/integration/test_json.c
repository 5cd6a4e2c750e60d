// SPDX-License-Identifier: GPL-2.0
/* The runner's JSON parser: if it is wrong, every other verdict is too.
 * No mnttrace: TEST_ANY_MODE, once a kernel. */
#include <stdlib.h>

#include "itest.h"

static bool parses_to(const char *text, const char *want)
{
	char buf[512];
	const char *err;
	struct json *v = json_parse(text, &err);

	if (!v) {
		mt_test_fail(__FILE__, __LINE__, "%s: parse error: %s", text, err);
		return false;
	}
	json_format(v, buf, sizeof(buf));
	json_free(v);
	return ASSERT_STREQ(buf, want, text);
}

static bool rejects(const char *text)
{
	const char *err = NULL;
	struct json *v = json_parse(text, &err);

	json_free(v);
	if (v)
		mt_test_fail(__FILE__, __LINE__, "%s: accepted, want a parse error", text);
	return !v && ASSERT_TRUE(err != NULL, "error message");
}

TEST_ANY_MODE(json_parser_values)
{
	parses_to(" {\"a\" : 1 , \"b\":[true,false,null], \"c\":{}} ",
		  "{\"a\":1,\"b\":[true,false,null],\"c\":{}}");
	parses_to("[]", "[]");
	parses_to("-0", "0");
	parses_to("[1.5,-2e3,0.25E+1]", "[1.5,-2000,2.5]");
	parses_to("18446744073709551615", "1.8446744073709552e+19");
	parses_to("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"a\\\"b\\\\c/d\\u0008\\u000c\\u000a\\u000d\\u0009\"");
	/* é, €, and a surrogate pair (U+1F600) come back as UTF-8 */
	parses_to("\"\\u00e9\\u20ac\\ud83d\\ude00\"", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
}

TEST_ANY_MODE(json_parser_rejects)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "{a:1}", "01", "1.", "-", ".5",
		"1e", "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\ud800\"", "\"\\u12\"", "tru",
		"nul", "{} {}", "[1 2]", "\"\\u0000\"",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rejects(bad[i]);
}

TEST_ANY_MODE(json_parser_lookup)
{
	const char *line = "{\"type\":\"syscall\",\"call\":\"mount\",\"pid\":42,"
			   "\"flags\":\"MS_BIND|MS_REC\",\"ret\":-16,\"errno\":\"EBUSY\","
			   "\"holders\":[{\"mnt_ns\":4026531841,\"pids\":[{\"pid\":7}]}]}";
	struct json *r = json_parse(line, NULL);
	const struct json *h;
	long long v = 0;

	if (!ASSERT_TRUE(r != NULL, "parse record"))
		return;
	ASSERT_STREQ(json_str(r, "call"), "mount", "call");
	ASSERT_TRUE(json_int(r, "pid", &v) && v == 42, "pid");
	ASSERT_TRUE(json_int(r, "ret", &v) && v == -16, "ret");
	ASSERT_FALSE(json_int(r, "call", &v), "string read as int");
	ASSERT_TRUE(json_str(r, "nope") == NULL, "missing key");
	ASSERT_TRUE(json_has_flag(r, "flags", "MS_BIND"), "MS_BIND");
	ASSERT_TRUE(json_has_flag(r, "flags", "MS_REC"), "MS_REC");
	ASSERT_FALSE(json_has_flag(r, "flags", "MS_RE"), "partial flag name");
	h = json_at(json_get(r, "holders"), 0);
	ASSERT_TRUE(json_int(h, "mnt_ns", &v) && v == 4026531841LL, "holders[0].mnt_ns");
	ASSERT_TRUE(json_int(json_at(json_get(h, "pids"), 0), "pid", &v) && v == 7,
		    "holders[0].pids[0].pid");
	ASSERT_TRUE(json_at(json_get(r, "holders"), 1) == NULL, "out of range");

	struct tracer t = { .recs = &r, .nrecs = 1 };

	ASSERT_TRUE(rec_find(&t, 0, NULL, "call", "mount", "pid", "42", NULL) != NULL,
		    "rec_find string+int");
	ASSERT_TRUE(rec_find(&t, 0, NULL, "errno", "*", "source", "!", NULL) != NULL,
		    "rec_find present/absent");
	ASSERT_TRUE(rec_find(&t, 0, NULL, "pid", "4", NULL) == NULL, "rec_find mismatch");
	ASSERT_EQ(rec_count(&t, "type", "syscall", NULL), 1, "rec_count");
	json_free(r);
}
