// SPDX-License-Identifier: GPL-2.0
/* The one path toolkit: resolving a syscall's path, and "is below". */
#include <errno.h>
#include <string.h>

#include "paths.h"
#include "testlib.h"

struct resolve_case {
	const char *base, *path, *want;
};

TEST(path_resolve_edge_cases)
{
	static const struct resolve_case cases[] = {
		{ "/base", ".", "/base" },
		{ "/base", "./x", "/base/x" },
		{ "/base", "././x", "/base/x" },
		{ "/base", "x/.", "/base/x" },
		{ "/base", "x/./y", "/base/x/y" },
		{ "/a/b", "..", "/a" },
		{ "/a/b", "../..", "/" },
		{ "/a/b", "../../../..", "/" },
		{ "/base", "a/../b", "/base/b" },
		{ "/base", "x/", "/base/x" },
		{ "/base", "x//y//", "/base/x/y" },
		{ "/base/", "x", "/base/x" },
		{ "/base//", "./x/", "/base/x" },
		{ "/", "x", "/x" },
		{ "/", ".", "/" },
		{ "/", "..", "/" },
		{ "/base", "", "/base" },
		{ "/ignored", "/abs/path/", "/abs/path" },
		{ "/ignored", "//abs//./path", "/abs/path" },
		{ NULL, "/", "/" },
		{ NULL, "//", "/" },
		{ NULL, "/..", "/" },
		{ NULL, "/a/b/../c/.", "/a/c" },
		{ NULL, "m", "m" },
		{ NULL, "./m/", "m" },
		{ NULL, ".", "." },
		{ NULL, "../x", "../x" },
		{ NULL, "a/../../x", "../x" },
		{ "", "m", "m" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct resolve_case *c = &cases[i];
		int n = mt_path_resolve(c->base, c->path, buf, sizeof(buf));

		mt_test_log("case %zu: base \"%s\" path \"%s\"", i, c->base ? c->base : "(none)",
			    c->path);
		ASSERT_STREQ(buf, c->want, c->path);
		ASSERT_EQ(n, strlen(c->want), "returned length");
	}
}

TEST(path_resolve_no_path)
{
	char buf[16] = "junk";

	ASSERT_EQ(mt_path_resolve("/base", NULL, buf, sizeof(buf)), 0, "absent path");
	ASSERT_STREQ(buf, "", "absent path writes \"\"");
	strcpy(buf, "junk");
	ASSERT_EQ(mt_path_resolve(NULL, "", buf, sizeof(buf)), 0, "empty path, no base");
	ASSERT_STREQ(buf, "", "empty path writes \"\"");
}

TEST(path_resolve_too_small_is_an_error)
{
	char buf[8];

	/* "/base/x" needs 8 bytes with its NUL: fits exactly */
	ASSERT_EQ(mt_path_resolve("/base", "x", buf, sizeof(buf)), 7, "exact fit");
	ASSERT_STREQ(buf, "/base/x", "exact fit");
	ASSERT_EQ(mt_path_resolve("/base", "xy", buf, sizeof(buf)), -ENAMETOOLONG, "one too many");
	ASSERT_STREQ(buf, "", "no cut path left behind");
	ASSERT_EQ(mt_path_resolve("/a", "bcdefghij/..", buf, sizeof(buf)), -ENAMETOOLONG,
		  "a step that does not fit fails even if \"..\" would shorten it");
	ASSERT_STREQ(buf, "", "no cut path left behind");
	ASSERT_EQ(mt_path_resolve(NULL, "/", buf, 1), -ENAMETOOLONG, "root needs 2 bytes");
	ASSERT_EQ(mt_path_resolve(NULL, "/", buf, 0), -ENAMETOOLONG, "no room at all");
	ASSERT_EQ(mt_path_resolve(NULL, ".", buf, 2), 1, "\".\" fits in 2");
}

TEST(path_under_by_components)
{
	ASSERT_TRUE(mt_path_under("/a/b", "/a"), "below");
	ASSERT_TRUE(mt_path_under("/a", "/a"), "same");
	ASSERT_TRUE(mt_path_under("/a", "/a/"), "same, trailing slash on the prefix");
	ASSERT_TRUE(mt_path_under("/a/b", "/a//"), "several trailing slashes");
	ASSERT_FALSE(mt_path_under("/ab", "/a"), "a string prefix is not a parent");
	ASSERT_FALSE(mt_path_under("/a", "/a/b"), "a parent is not below its child");
	ASSERT_TRUE(mt_path_under("/x", "/"), "the root contains all");
	ASSERT_TRUE(mt_path_under("/", "/"), "the root contains itself");
	ASSERT_FALSE(mt_path_under("x", "/"), "a relative path is not below the root");
	ASSERT_FALSE(mt_path_under("", "/a"), "an empty path is below nothing");
}
