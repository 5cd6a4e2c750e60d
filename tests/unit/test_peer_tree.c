// SPDX-License-Identifier: GPL-2.0
/* --explain's tree of peer groups and masters, and its id prefix matching. */
#define _GNU_SOURCE	/* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "peer_tree.h"
#include "testlib.h"

/* Draw @c as text (or DOT) into a string the caller frees. */
static char *draw(const struct mt_tree_copy *c, int nr, bool dot)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (dot)
		mt_peer_tree_dot(f, "t", c, nr);
	else
		mt_peer_tree_text(f, "", c, nr);
	fclose(f);
	return buf;
}

static void check_text(const struct mt_tree_copy *c, int nr, const char *want)
{
	char *got = draw(c, nr, false);

	ASSERT_TRUE(got, "drawn");
	if (got)
		ASSERT_STREQ(got, want, "tree");
	free(got);
}

/* The picture of BACKGROUND's 18.06 case, one level deeper: the host's
 * original (shared:109), httpd's slave peer group (shared:122 master:109)
 * with a peer and a slave of its own, a slave-only copy of 109, and
 * scenario 1's private copy. */
TEST(peer_tree_text_groups_masters_private)
{
	static const struct mt_tree_copy c[] = {
		{ 4026531840, 312, "/m", 109, 0, "original" },
		{ 4026532500, 94, "/m", 122, 109, NULL },
		{ 4026532501, 95, "/m", 122, 109, NULL },
		{ 4026532502, 96, "/m", 0, 122, NULL },
		{ 4026532503, 97, "/m", 0, 109, NULL },
		{ 4026532178, 98, "/m", 0, 0, "leak #1" },
	};
	const char *want =
		"peer group 109 (shared:109)\n"
		"\u251c\u2500\u2500 mnt:[4026531840] id 312 /m  <- original\n"
		"\u251c\u2500\u2500 mnt:[4026532503] id 97 /m (slave, master:109)\n"
		"\u2514\u2500\u2500 slave peer group 122 (shared:122 master:109)\n"
		"    \u251c\u2500\u2500 mnt:[4026532500] id 94 /m\n"
		"    \u251c\u2500\u2500 mnt:[4026532501] id 95 /m\n"
		"    \u2514\u2500\u2500 mnt:[4026532502] id 96 /m (slave, master:122)\n"
		"private (nothing propagates to it): mnt:[4026532178] id 98 /m  <- leak #1\n";
	check_text(c, 6, want);
}

/* A slave whose master group has no copy of the overlay any more (the
 * original was unmounted): the master still heads it, marked. */
TEST(peer_tree_text_master_gone)
{
	static const struct mt_tree_copy c[] = {
		{ 4026532500, 94, "/m", 0, 7, NULL },
		{ 4026532501, 95, "/m", 0, 7, NULL },
	};
	const char *want =
		"peer group 7 (shared:7): no copy of the overlay is in it now\n"
		"\u251c\u2500\u2500 mnt:[4026532500] id 94 /m (slave, master:7)\n"
		"\u2514\u2500\u2500 mnt:[4026532501] id 95 /m (slave, master:7)\n";
	check_text(c, 2, want);
}

/* Nested branches keep the vertical line of an unfinished parent. */
TEST(peer_tree_text_nested_prefix)
{
	static const struct mt_tree_copy c[] = {
		{ 1, 10, "/m", 1, 0, NULL },
		{ 2, 20, "/m", 2, 1, NULL },
		{ 3, 30, "/m", 3, 2, NULL },
		{ 4, 40, "/m", 0, 1, NULL },
	};
	const char *want =
		"peer group 1 (shared:1)\n"
		"\u251c\u2500\u2500 mnt:[1] id 10 /m\n"
		"\u251c\u2500\u2500 mnt:[4] id 40 /m (slave, master:1)\n"
		"\u2514\u2500\u2500 slave peer group 2 (shared:2 master:1)\n"
		"    \u251c\u2500\u2500 mnt:[2] id 20 /m\n"
		"    \u2514\u2500\u2500 slave peer group 3 (shared:3 master:2)\n"
		"        \u2514\u2500\u2500 mnt:[3] id 30 /m\n";
	check_text(c, 4, want);
}

TEST(peer_tree_dot)
{
	static const struct mt_tree_copy c[] = {
		{ 1, 10, "/a \"q\"", 5, 0, NULL },
		{ 2, 20, "/a", 0, 5, NULL },
		{ 3, 30, "/a", 0, 0, NULL },
	};
	char *got = draw(c, 3, true);

	ASSERT_TRUE(got, "drawn");
	ASSERT_TRUE(strstr(got, "digraph \"t\" {\n"), "a digraph");
	ASSERT_TRUE(strstr(got, "g5 [shape=ellipse, label=\"peer group 5\"];"), "group node");
	ASSERT_TRUE(strstr(got, "c0 [label=\"mnt:[1] id 10\\n/a \\\"q\\\"\"];"), "quotes escaped");
	ASSERT_TRUE(strstr(got, "g5 -> c0 [arrowhead=none, label=\"shared:5\"];"), "peer edge");
	ASSERT_TRUE(strstr(got, "g5 -> c1 [label=\"master:5\"];"), "slave edge");
	ASSERT_TRUE(strstr(got, "c2 [label=\"mnt:[3] id 30\\n/a\", style=dashed];"), "private");
	ASSERT_TRUE(got[strlen(got) - 2] == '}', "closed");
	free(got);
}

TEST(explain_id_prefix)
{
	static const char *const ids[] = {
		"3f4e9c1d2b7a", "3f4e9c1d2b7a", "3f4a00000000", NULL, "", "abcdef",
	};
	int first;

	ASSERT_EQ(mt_id_prefix_matches(ids, 6, "3f4e", &first), 1, "one id, listed twice");
	ASSERT_EQ(first, 0, "its index");
	ASSERT_EQ(mt_id_prefix_matches(ids, 6, "3f4", &first), 2, "ambiguous");
	ASSERT_EQ(mt_id_prefix_matches(ids, 6, "abcdef", &first), 1, "whole id");
	ASSERT_EQ(first, 5, "its index");
	ASSERT_EQ(mt_id_prefix_matches(ids, 6, "abcdefg", &first), 0, "longer than any");
	ASSERT_EQ(mt_id_prefix_matches(ids, 6, "", &first), 0, "empty prefix matches nothing");
	ASSERT_EQ(first, -1, "no index");
}

TEST(explain_target_and_match)
{
	struct mt_explain_target t;
	struct mt_view_copy copy = { .path = "/g/overlay2/abc/merged" };
	struct mt_ovl_view v = { .merged = "/g/overlay2/abc/merged", .upper = "/g/overlay2/abc/diff",
				 .work = "/g/overlay2/abc/work", .copies = &copy, .nr = 1 };
	struct mt_ctr_meta m = { .container_id = "c0ffee01", .layer_id = "abc", .name = "web" };

	ASSERT_OK(mt_explain_target("3f4e", &t), "an id");
	ASSERT_FALSE(t.is_path, "not a path");
	ASSERT_OK(mt_explain_target("/nonexistent-mnttrace/g/overlay2/abc/merged/", &t), "a path");
	ASSERT_TRUE(t.is_path, "a path");
	ASSERT_STREQ(t.arg, "/nonexistent-mnttrace/g/overlay2/abc/merged", "canonical");
	ASSERT_STREQ(t.layer_dir, "/nonexistent-mnttrace/g/overlay2/abc", "layer dir");

	ASSERT_OK(mt_explain_target("/g/overlay2/abc/merged", &t), "merged");
	ASSERT_TRUE(mt_explain_path_match(&t, &v, false), "by merged");
	ASSERT_OK(mt_explain_target("/g/overlay2/abc", &t), "layer");
	ASSERT_TRUE(mt_explain_path_match(&t, &v, false), "by layer dir");
	ASSERT_OK(mt_explain_target("/g/overlay2", &t), "driver dir");
	ASSERT_FALSE(mt_explain_path_match(&t, &v, false), "not the driver dir");
	/* merged gone from here, but the layer still names the overlay elsewhere */
	v.merged = copy.path = "/elsewhere/merged";
	ASSERT_OK(mt_explain_target("/g/overlay2/abc/merged", &t), "merged");
	ASSERT_FALSE(mt_explain_path_match(&t, &v, false), "strict: no");
	ASSERT_TRUE(mt_explain_path_match(&t, &v, true), "loose: by upperdir");

	ASSERT_TRUE(mt_explain_id_match("c0ff", &m), "container prefix");
	ASSERT_TRUE(mt_explain_id_match("ab", &m), "layer prefix");
	ASSERT_TRUE(mt_explain_id_match("web", &m), "name");
	ASSERT_FALSE(mt_explain_id_match("we", &m), "names are whole");
	ASSERT_FALSE(mt_explain_id_match("c0ffee02", &m), "another id");
}
