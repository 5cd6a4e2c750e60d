// SPDX-License-Identifier: GPL-2.0
/* Overlay layer options from mount(2) data and fsconfig(2), with escapes. */
#include <stdlib.h>

#include "ovl_options.h"
#include "testlib.h"

static bool lower_is(const struct mt_ovl_opts *o, const char *const *want, size_t nr,
		     size_t nr_data)
{
	bool ok = ASSERT_EQ(o->nr_lower, nr, "lower layers") &&
		  ASSERT_EQ(o->nr_data, nr_data, "data layers");

	for (size_t i = 0; ok && i < nr; i++)
		ok = ASSERT_STREQ(o->lower[i], want[i], "layer");
	return ok;
}

TEST(ovl_data_escaped_comma_in_upperdir)
{
	struct mt_ovl_opts o = MT_OVL_OPTS_INIT;
	static const char *const lower[] = { "/lo,w" };

	ASSERT_OK(mt_ovl_opts__parse_data(&o, "lowerdir=/lo\\,w,upperdir=/up\\,per,"
					  "workdir=/wo\\,rk,index=off"), "parse");
	ASSERT_STREQ(o.upper, "/up,per", "upperdir keeps the escaped comma");
	ASSERT_STREQ(o.work, "/wo,rk", "workdir keeps the escaped comma");
	lower_is(&o, lower, 1, 0);
	mt_ovl_opts__release(&o);
}

TEST(ovl_data_colons_and_spaces)
{
	struct mt_ovl_opts o = MT_OVL_OPTS_INIT;
	static const char *const lower[] = { "/a:b", "/c d", "/e\\f", "/data1", "/data:2" };
	char *s;

	ASSERT_OK(mt_ovl_opts__parse_data(&o, "upperdir=/u p\\:x,lowerdir=/a\\:b:/c d:/e\\\\f"
					  "::/data1:/data\\:2"), "parse");
	ASSERT_STREQ(o.upper, "/u p:x", "a colon escaped in upperdir loses its backslash");
	lower_is(&o, lower, 5, 2);
	s = mt_ovl_opts__lower_str(&o);
	ASSERT_STREQ(s, "/a\\:b:/c d:/e\\\\f::/data1:/data\\:2", "lower list re-escaped");
	ASSERT_OK(mt_ovl_opts__parse_data(&o, "lowerdir=/a\\,b:/c"), "an escaped comma");
	free(s);
	s = mt_ovl_opts__lower_str(&o);
	ASSERT_STREQ(s, "/a\\,b:/c", "stays escaped: the value fits in mount(2) data");
	free(s);
	mt_ovl_opts__release(&o);
}

TEST(ovl_lower_str_round_trips)
{
	struct mt_ovl_opts a = MT_OVL_OPTS_INIT, b = MT_OVL_OPTS_INIT;
	char *s;

	mt_ovl_opts__set(&a, "lowerdir+", "/l:1");
	mt_ovl_opts__set(&a, "lowerdir+", "/l\\2,x");
	mt_ovl_opts__set(&a, "datadir+", "/d");
	s = mt_ovl_opts__lower_str(&a);
	ASSERT_STREQ(s, "/l\\:1:/l\\\\2\\,x::/d", "joined with escapes");
	ASSERT_EQ(mt_ovl_opts__set(&b, "lowerdir", s), 1, "parse it back");
	ASSERT_TRUE(mt_ovl_opts__same_lower(&a, &b), "the same layers");
	mt_ovl_opts__set(&b, "lowerdir", "/l\\:1:/l\\\\2,x:/d");
	ASSERT_FALSE(mt_ovl_opts__same_lower(&a, &b), "a data layer is not a lower layer");
	free(s);
	mt_ovl_opts__release(&a);
	mt_ovl_opts__release(&b);
}

TEST(ovl_fsconfig_plus_layers_are_literal)
{
	struct mt_ovl_opts o = MT_OVL_OPTS_INIT;
	static const char *const lower[] = { "/l1", "/l\\:2", "/l3", "/d1", "/d2" };

	ASSERT_EQ(mt_ovl_opts__set(&o, "lowerdir+", "/l1"), 1, "lowerdir+");
	ASSERT_EQ(mt_ovl_opts__set(&o, "lowerdir+", "/l\\:2"), 1, "no escapes in lowerdir+");
	ASSERT_EQ(mt_ovl_opts__set(&o, "datadir+", "/d1"), 1, "datadir+");
	ASSERT_EQ(mt_ovl_opts__set(&o, "datadir+", "/d2"), 1, "datadir+");
	/* the kernel refuses this order; keep regular layers above data layers */
	ASSERT_EQ(mt_ovl_opts__set(&o, "lowerdir+", "/l3"), 1, "late lowerdir+");
	lower_is(&o, lower, 5, 2);
	ASSERT_EQ(mt_ovl_opts__set(&o, "upperdir", "/up\\,per"), 1, "upperdir");
	ASSERT_STREQ(o.upper, "/up,per", "fsconfig upperdir is unescaped too");
	ASSERT_EQ(mt_ovl_opts__set(&o, "index", "on"), 0, "other options ignored");
	ASSERT_EQ(mt_ovl_opts__set(&o, "source", "overlay"), 0, "source ignored");
	mt_ovl_opts__release(&o);
}

TEST(ovl_repeated_and_empty_values)
{
	struct mt_ovl_opts o = MT_OVL_OPTS_INIT;
	static const char *const lower[] = { "/second" };

	ASSERT_OK(mt_ovl_opts__parse_data(&o, "upperdir=/u1,lowerdir=/first:/x,upperdir=/u2,"
					  "lowerdir=/second,workdir=/w"), "parse");
	ASSERT_STREQ(o.upper, "/u2", "the last upperdir wins");
	lower_is(&o, lower, 1, 0);
	ASSERT_OK(mt_ovl_opts__parse_data(&o, "upperdir=,lowerdir=,workdir"), "empties");
	ASSERT_TRUE(o.upper == NULL, "empty upperdir unsets it");
	ASSERT_STREQ(o.work, "/w", "a key without '=' changes nothing");
	ASSERT_EQ(o.nr_lower, 0, "empty lowerdir drops the layers");
	ASSERT_OK(mt_ovl_opts__parse_data(&o, ""), "empty data");
	ASSERT_OK(mt_ovl_opts__parse_data(&o, NULL), "no data");
	mt_ovl_opts__set(&o, "lowerdir", "/a::");
	ASSERT_EQ(o.nr_lower, 1, "\"::\" with no data layer after it");
	ASSERT_EQ(o.nr_data, 0, "no data layer");
	mt_ovl_opts__release(&o);
	ASSERT_TRUE(o.work == NULL && o.lower == NULL, "released");
}

TEST(ovl_opts_copy)
{
	struct mt_ovl_opts a = MT_OVL_OPTS_INIT, b;

	mt_ovl_opts__parse_data(&a, "upperdir=/u,lowerdir=/l1::/d1");
	if (!ASSERT_OK(mt_ovl_opts__copy(&b, &a), "copy"))
		return;
	mt_ovl_opts__release(&a);
	ASSERT_STREQ(b.upper, "/u", "upper copied");
	ASSERT_TRUE(b.work == NULL, "absent work stays absent");
	ASSERT_EQ(b.nr_lower, 2, "layers copied");
	ASSERT_EQ(b.nr_data, 1, "data count copied");
	mt_ovl_opts__release(&b);
}

/* Found by fuzz_ovl_options: data layers alone must stay data layers. */
TEST(ovl_lower_str_data_layers_only)
{
	struct mt_ovl_opts a = MT_OVL_OPTS_INIT, b = MT_OVL_OPTS_INIT;
	char *s;

	mt_ovl_opts__parse_data(&a, "datadir+=/d1,datadir+=/d2");
	s = mt_ovl_opts__lower_str(&a);
	ASSERT_STREQ(s, "::/d1:/d2", "the data marker leads");
	ASSERT_EQ(mt_ovl_opts__set(&b, "lowerdir", s), 1, "parse it back");
	ASSERT_EQ(b.nr_data, 2, "both are data layers");
	ASSERT_TRUE(mt_ovl_opts__same_lower(&a, &b), "the same layers");
	free(s);
	mt_ovl_opts__release(&a);
	mt_ovl_opts__release(&b);
}
