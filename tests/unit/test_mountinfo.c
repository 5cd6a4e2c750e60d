// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "testlib.h"
#include "mountinfo.h"
#include "../fixtures/fixture.h"

TEST(mountinfo_line_fields)
{
	char line[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 "
		      "/dev/root rw,errors=continue\n";
	struct mt_mntent e;

	if (!ASSERT_OK(mt_mountinfo_parse_line(line, &e), "parse"))
		return;
	ASSERT_EQ(e.mnt_id, 36, "mnt_id");
	ASSERT_EQ(e.parent_id, 35, "parent_id");
	ASSERT_EQ(e.major, 98, "major");
	ASSERT_EQ(e.minor, 0, "minor");
	ASSERT_EQ(mt_mntent_dev(&e), 98 << 20, "dev");
	ASSERT_STREQ(e.root, "/mnt1", "root");
	ASSERT_STREQ(e.mountpoint, "/mnt2", "mountpoint");
	ASSERT_STREQ(e.opts, "rw,noatime", "opts");
	ASSERT_EQ(e.shared, 0, "shared");
	ASSERT_EQ(e.master, 1, "master");
	ASSERT_STREQ(e.fstype, "ext3", "fstype");
	ASSERT_STREQ(e.source, "/dev/root", "source");
	ASSERT_STREQ(e.super_opts, "rw,errors=continue", "super_opts");
	ASSERT_TRUE(e.lowerdir == NULL, "no lowerdir on ext3");
	mt_mntent_release(&e);
}

TEST(mountinfo_escapes_and_tags)
{
	struct mt_mnttab tab;
	struct mt_mntent *o, *t, *f;
	char layer[256];

	if (!ASSERT_OK(mt_mnttab_read(&tab, fx_path("mountinfo/escapes.txt"), 0),
		       "read escapes.txt"))
		return;
	ASSERT_EQ(tab.nr, 3, "entries");
	ASSERT_EQ(tab.nr_bad, 0, "bad lines");
	o = mt_mnttab_find(&tab, 69);
	t = mt_mnttab_find(&tab, 70);
	f = mt_mnttab_find(&tab, 71);
	if (!ASSERT_TRUE(o && t && f, "all found"))
		goto out;

	/* What a 6.18 kernel printed for "lowerdir=/mnt/l a\,b\:c:/mnt/u2x" */
	ASSERT_STREQ(o->mountpoint, "/mnt/m x", "\\040 in mountpoint");
	ASSERT_TRUE(mt_mntent_is_overlay(o), "overlay");
	ASSERT_STREQ(o->lowerdir, "/mnt/l a\\,b\\:c:/mnt/u2x::/mnt/data", "lowerdir");
	ASSERT_STREQ(o->upperdir, "/mnt/u,p", "upperdir with an escaped comma");
	ASSERT_STREQ(o->workdir, "/mnt/w", "workdir");
	ASSERT_EQ(mt_ovl_lower_layer(o->lowerdir, 0, layer, sizeof(layer)), 12, "layer 0 len");
	ASSERT_STREQ(layer, "/mnt/l a,b:c", "layer 0: escaped comma and colon");
	mt_ovl_lower_layer(o->lowerdir, 1, layer, sizeof(layer));
	ASSERT_STREQ(layer, "/mnt/u2x", "layer 1");
	mt_ovl_lower_layer(o->lowerdir, 2, layer, sizeof(layer));
	ASSERT_STREQ(layer, "/mnt/data", "layer 2 after the data-only '::'");
	ASSERT_EQ(mt_ovl_lower_layer(o->lowerdir, 3, layer, sizeof(layer)), -ENOENT, "no layer 3");
	ASSERT_EQ(mt_ovl_lower_layer(o->lowerdir, 0, layer, 4), -ENAMETOOLONG, "small buffer");
	ASSERT_EQ(o->shared + o->master, 0, "overlay private");

	ASSERT_STREQ(t->root, "/a\tb", "\\011 in root");
	ASSERT_STREQ(t->mountpoint, "/mnt/tab\tdir\nnl\\bs", "\\011 \\012 \\134");
	ASSERT_STREQ(t->source, "my src", "\\040 in source");
	ASSERT_EQ(t->shared, 7, "shared");
	ASSERT_EQ(t->master, 3, "master");
	ASSERT_EQ(t->propagate_from, 2, "propagate_from");
	ASSERT_TRUE(t->unbindable, "unbindable");
	ASSERT_EQ(f->shared, 8, "unknown optional tag is ignored");
	ASSERT_STREQ(f->super_opts, "", "missing super options");
out:
	mt_mnttab_free(&tab);
}

TEST(mountinfo_malformed_lines)
{
	struct mt_mnttab tab;

	if (!ASSERT_OK(mt_mnttab_read(&tab, fx_path("mountinfo/malformed.txt"), 0),
		       "read malformed.txt"))
		return;
	ASSERT_EQ(tab.nr, 4, "good lines");
	ASSERT_EQ(tab.nr_bad, 8, "bad lines skipped and counted");
	ASSERT_TRUE(mt_mnttab_find(&tab, 30) != NULL, "last line without newline");
	ASSERT_TRUE(mt_mnttab_find(&tab, 29) != NULL, "line after bad ones");
	mt_mnttab_free(&tab);
}

TEST(mountinfo_garbage_never_crashes)
{
	/* Every prefix of a good line, and random bytes: parse or reject. */
	const char *good = "240 118 0:52 / /m rw - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w";
	size_t n = strlen(good);
	struct mt_mntent e;
	char line[256];
	unsigned int seed = 1;

	for (size_t i = 0; i <= n; i++) {
		memcpy(line, good, i);
		line[i] = '\0';
		mt_mountinfo_parse_line(line, &e);
		mt_mntent_release(&e);
	}
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(rand_r(&seed) % 120);

		for (size_t i = 0; i < len; i++) {
			static const char alpha[] = "0123456789 :-/\\,=abcshared:master:";

			line[i] = alpha[rand_r(&seed) % (sizeof(alpha) - 1)];
		}
		line[len] = '\0';
		mt_mountinfo_parse_line(line, &e);
		mt_mntent_release(&e);
	}
	ASSERT_TRUE(true, "survived");
}

TEST(mountinfo_parent_propagation)
{
	struct mt_mnttab tab;
	struct mt_mntent *o;
	char buf[64];

	if (!ASSERT_OK(mt_mnttab_read(&tab, fx_path("mountinfo/docker-1.13-host.txt"),
				      MT_MNTTAB_OVERLAY_ONLY), "read overlay only"))
		return;
	if (!ASSERT_EQ(tab.nr, 1, "only the overlay is kept"))
		goto out;
	o = &tab.ents[0];
	ASSERT_EQ(o->mnt_id, 240, "mnt_id");
	ASSERT_TRUE(o->has_parent, "parent known");
	ASSERT_EQ(o->parent_shared, 0, "private graph root");
	ASSERT_STREQ(o->upperdir, "/home/docker_rt/overlay2/3f2a9c0d1e5b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e/diff", "upperdir");
	ASSERT_STREQ(o->mountpoint, "/home/docker_rt/overlay2/3f2a9c0d1e5b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e/merged", "kept string");
	ASSERT_TRUE(tab.buf == NULL, "file buffer released");
	mt_mnttab_free(&tab);

	if (!ASSERT_OK(mt_mnttab_read(&tab, fx_path("mountinfo/docker-18.06-httpd.txt"), 0),
		       "read full"))
		return;
	o = mt_mnttab_find(&tab, 312);
	if (!ASSERT_TRUE(o != NULL, "copy found"))
		goto out;
	ASSERT_STREQ(mt_propagation_str(o->shared, o->master, o->unbindable, buf, sizeof(buf)),
		     "shared:122 master:109", "copy propagation");
	ASSERT_STREQ(mt_propagation_str(o->parent_shared, o->parent_master, false, buf, sizeof(buf)),
		     "shared:121 master:30", "parent propagation");
	ASSERT_STREQ(mt_propagation_str(0, 0, false, buf, sizeof(buf)), "private", "private");
out:
	mt_mnttab_free(&tab);
}

/* A mount option's backslash escapes (overlayfs's "\\," and "\\\\") undone. */
TEST(mountinfo_unescape_backslash)
{
	char plain[] = "/var/lib/docker/overlay2/x/diff", comma[] = "/a\\,b/c\\\\d",
	     first[] = "\\:x", last[] = "/end\\";

	ASSERT_STREQ(mt_unescape_backslash(plain), "/var/lib/docker/overlay2/x/diff", "none");
	ASSERT_STREQ(mt_unescape_backslash(comma), "/a,b/c\\d", "an escaped comma and backslash");
	ASSERT_STREQ(mt_unescape_backslash(first), ":x", "at the start");
	ASSERT_STREQ(mt_unescape_backslash(last), "/end\\", "a last lone backslash stays");
}

/* The tags as printf would write them, cut to every buffer size alike. */
TEST(mountinfo_propagation_str_as_printf)
{
	static const __u32 v[] = { 0, 1, 9, 10, 122, 4294967295u };
	char got[48], want[48], tmp[96];
	int bad = 0;

	for (size_t s = 0; s < sizeof(v) / sizeof(v[0]); s++)
		for (size_t m = 0; m < sizeof(v) / sizeof(v[0]); m++)
			for (int u = 0; u < 2; u++)
				for (size_t size = 1; size <= sizeof(got); size++) {
					if (!v[s] && !v[m] && !u)
						snprintf(tmp, sizeof(tmp), "private");
					else
						snprintf(tmp, sizeof(tmp), "%s%.0u%s%s%.0u%s%s",
							 v[s] ? "shared:" : "", v[s],
							 v[s] && v[m] ? " " : "", v[m] ? "master:" : "",
							 v[m], (v[s] || v[m]) && u ? " " : "",
							 u ? "unbindable" : "");
					tmp[size - 1] = '\0';	/* cut as printf cuts */
					strcpy(want, tmp);
					memset(got, 'x', sizeof(got));
					mt_propagation_str(v[s], v[m], u, got, size);
					bad += strcmp(got, want) != 0;
				}
	ASSERT_EQ(bad, 0, "every combination at every size");
}

TEST(mountinfo_missing_file)
{
	struct mt_mnttab tab;

	ASSERT_EQ(mt_mnttab_read(&tab, "/nonexistent/mountinfo", 0), -ENOENT, "ENOENT");
	ASSERT_EQ(tab.nr, 0, "empty table");
	mt_mnttab_free(&tab);
}

TEST(mountinfo_overlay_lowerdir_plus_layers)
{
	/* What 6.18 printed for fsconfig lowerdir+ "/x/l1", "/x/l:2,c" and
	 * datadir+ "/x/d" (paths shortened): one option per layer, literal. */
	char line[] = "121 116 0:41 / /x/m rw,relatime - overlay none rw,lowerdir+=/x/l1,"
		      "lowerdir+=/x/l:2\\054c,datadir+=/x/d,upperdir=/x/u,workdir=/x/w,"
		      "redirect_dir=on,uuid=on,metacopy=on\n";
	struct mt_mntent e;
	char layer[64];

	if (!ASSERT_OK(mt_mountinfo_parse_line(line, &e), "parse"))
		return;
	ASSERT_STREQ(e.lowerdir, "/x/l1:/x/l\\:2\\,c::/x/d", "the layers as one lowerdir value");
	ASSERT_STREQ(e.upperdir, "/x/u", "upperdir");
	ASSERT_STREQ(e.workdir, "/x/w", "workdir");
	ASSERT_EQ(mt_ovl_lower_layer(e.lowerdir, 1, layer, sizeof(layer)), 8, "layer 1");
	ASSERT_STREQ(layer, "/x/l:2,c", "layer 1 as the directory's name");
	mt_ovl_lower_layer(e.lowerdir, 2, layer, sizeof(layer));
	ASSERT_STREQ(layer, "/x/d", "the data layer last");
	mt_mntent_release(&e);
}

/* The mountinfo of a namespace that holds two nsfs pins (as 6.18 prints
 * `unshare --mount=/run/x/ns` and a bind of /proc/PID/ns/net), an overlay
 * and a mount point with a space. */
static const char pins_table[] =
	"24 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n"
	"92 24 0:4 mnt:[4026532179] /run/x/ns rw - nsfs nsfs rw\n"
	"93 24 0:4 net:[4026532300] /run/netns/a rw - nsfs nsfs rw\n"
	"94 24 0:4 mnt:[4026532181] /run/my\\040pins/b rw - nsfs nsfs rw\n"
	"95 24 0:50 / /merged rw - overlay overlay rw,upperdir=/u,workdir=/w\n";

static int parse_copy(struct mt_mnttab *tab, unsigned int flags)
{
	char *buf = malloc(sizeof(pins_table));

	if (!buf)
		return -ENOMEM;
	memcpy(buf, pins_table, sizeof(pins_table));
	return mt_mnttab_parse(tab, buf, sizeof(pins_table) - 1, flags);
}

TEST(mountinfo_mount_namespace_pins)
{
	unsigned int flags[] = { 0, MT_MNTTAB_OVERLAY_ONLY };

	for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
		struct mt_mnttab tab;

		mt_test_log("flags %u", flags[f]);
		if (!ASSERT_OK(parse_copy(&tab, flags[f]), "parse"))
			continue;
		/* the net namespace pin is not a mount namespace's */
		if (ASSERT_EQ(tab.nr_pins, 2, "two mount-namespace pins")) {
			ASSERT_EQ(tab.pins[0].ns_ino, 4026532179u, "first pin's namespace");
			ASSERT_EQ(tab.pins[0].mnt_id, 92, "first pin's mount id");
			ASSERT_STREQ(tab.pins[0].mountpoint, "/run/x/ns", "first pin's path");
			ASSERT_EQ(tab.pins[1].ns_ino, 4026532181u, "second pin's namespace");
			ASSERT_STREQ(tab.pins[1].mountpoint, "/run/my pins/b", "unescaped path");
		}
		ASSERT_EQ(tab.nr, flags[f] ? 1 : 5, "mounts kept by the flags");
		ASSERT_EQ(tab.ents[0].mnt_id_unique, 0, "no unique id from mountinfo");
		mt_mnttab_free(&tab);
	}
}
