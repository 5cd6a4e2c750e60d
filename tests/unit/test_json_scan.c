// SPDX-License-Identifier: GPL-2.0
/* The metadata reader: values found through nesting and escapes, and
 * broken or truncated files read as "not found". */
#include "testlib.h"
#include "json_scan.h"

TEST(json_scan_finds_nested_values)
{
	static const char doc[] =
		"{\"State\":{\"Running\":true,\"Pid\":42},\"Args\":[\"a\",{\"x\":[1,2]}],"
		" \"Config\" : {\"Labels\":{\"k\\\"}\":\"v\"},\"Image\":\"busy\\\"box\\u0041\\u00e9\"},"
		"\"Name\":\"/web\"}";
	static const char *const image[] = { "Config", "Image", NULL };
	char buf[64];

	ASSERT_TRUE(mt_jscan_str(mt_jscan_member(doc, "Name"), buf, sizeof(buf)), "Name");
	ASSERT_STREQ(buf, "/web", "top-level member after nested values");
	ASSERT_TRUE(mt_jscan_str(mt_jscan_path(doc, image), buf, sizeof(buf)), "Config.Image");
	ASSERT_STREQ(buf, "busy\"boxA?", "escapes decoded, non-ASCII as '?'");
	ASSERT_TRUE(mt_jscan_member(doc, "Pid") == NULL, "members of nested objects are not top-level");
	ASSERT_FALSE(mt_jscan_str(mt_jscan_member(doc, "State"), buf, sizeof(buf)),
		     "an object is not a string");
	ASSERT_FALSE(mt_jscan_str(mt_jscan_member(doc, "Name"), buf, 3), "too long for the buffer");
	ASSERT_STREQ(buf, "", "and then empty");
}

TEST(json_scan_arrays)
{
	static const char doc[] = " [ {\"id\":\"a\"} , {\"id\":\"b\"},{\"id\":\"c\"} ] ";
	const char *e;
	char ids[8] = "", id[4];
	int n = 0;

	for (e = mt_jscan_first(doc); e; e = mt_jscan_next(e))
		if (mt_jscan_str(mt_jscan_member(e, "id"), id, sizeof(id)) && n < 7)
			ids[n++] = id[0];
	ASSERT_STREQ(ids, "abc", "every element in order");
	ASSERT_TRUE(mt_jscan_first("[]") == NULL, "empty array");
	ASSERT_TRUE(mt_jscan_first("{}") == NULL, "not an array");
}

TEST(json_scan_broken_input_is_not_found)
{
	static const char *const broken[] = {
		"{\"Name\":", "{\"a\":\"unterminated", "{\"a\":[1,2}", "{\"a\" 1}", "{\"a\":1,,\"Name\":\"x\"}",
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]",
		"", "\"Name\"",
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		mt_test_log("input %zu: %s", i, broken[i]);
		ASSERT_FALSE(mt_jscan_str(mt_jscan_member(broken[i], "Name"), buf, sizeof(buf)),
			     "no Name");
	}
	ASSERT_TRUE(mt_jscan_skip("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
				  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")
		    == NULL, "nesting beyond the bound");
	ASSERT_TRUE(mt_jscan_next(mt_jscan_first("[1,")) == NULL, "truncated array");
}
