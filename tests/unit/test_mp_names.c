// SPDX-License-Identifier: GPL-2.0
/*
 * mp_names, userspace's side (src/mp_names.c): the key BPF computes for a
 * removed path must be the one userspace stores for a mountpoint, and a
 * sweep keeps what the model knows, drops the rest only the second time,
 * and says when the set is full.
 */
#include <errno.h>
#include <string.h>

#include "mp_names.h"
#include "testlib.h"

/* A stand-in for the BPF hash map: an array with a capacity. */
struct fake_map {
	struct mt_mp_name k[8];
	int nr, cap;
	int updates;	/* calls, as bpf(2) syscalls would be */
};

static int fake_find(struct fake_map *m, const struct mt_mp_name *k)
{
	for (int i = 0; i < m->nr; i++)
		if (!memcmp(&m->k[i], k, sizeof(*k)))
			return i;
	return -1;
}

static int fake_update(void *ctx, const struct mt_mp_name *k)
{
	struct fake_map *m = ctx;

	m->updates++;
	if (fake_find(m, k) >= 0)
		return 0;
	if (m->nr == m->cap)
		return -E2BIG;
	m->k[m->nr++] = *k;
	return 0;
}

static int fake_remove(void *ctx, const struct mt_mp_name *k)
{
	struct fake_map *m = ctx;
	int i = fake_find(m, k);

	if (i < 0)
		return -ENOENT;
	m->k[i] = m->k[--m->nr];
	return 0;
}

static int fake_next(void *ctx, const struct mt_mp_name *prev, struct mt_mp_name *next)
{
	struct fake_map *m = ctx;
	int i = prev ? fake_find(m, prev) + 1 : 0;

	if (i >= m->nr)
		return -ENOENT;
	*next = m->k[i];
	return 0;
}

static const struct mt_mp_map_ops fake_ops = { fake_update, fake_remove, fake_next };

/* A set over a fake map of @cap keys. */
struct fixture {
	struct fake_map m;
	volatile uint32_t ready, full;
	struct mt_mp_names *s;
};

static struct mt_mp_names *fixture_init(struct fixture *f, int cap, uint32_t ready)
{
	memset(f, 0, sizeof(*f));
	f->m.cap = cap;
	f->ready = ready;
	f->s = mt_mp_names__new(&fake_ops, &f->m, &f->ready, &f->full);
	return f->s;
}

static bool holds(struct fake_map *m, const char *path)
{
	struct mt_mp_name k;

	return mt_mp_name_key(path, &k) && fake_find(m, &k) >= 0;
}

/* A sweep with the model knowing up to three mountpoints. */
static int sweep(struct mt_mp_names *s, const char *a, const char *b, const char *c)
{
	const char *want[] = { a, b, c };

	for (int i = 0; i < 3; i++)
		if (want[i])
			mt_mp_names__want(s, want[i]);
	return mt_mp_names__sweep(s);
}

/* What BPF reads at a removal's exit must match what was stored. */
TEST(mp_names_key_is_the_last_component)
{
	struct mt_mp_name a, b;
	char longname[200];

	ASSERT_TRUE(mt_mp_name_key("/var/lib/x/merged", &a), "absolute");
	ASSERT_TRUE(mt_mp_name_key("merged", &b), "relative");
	ASSERT_EQ(memcmp(&a, &b, sizeof(a)), 0, "same last component, same key");
	ASSERT_TRUE(mt_mp_name_key("x/merged//", &b), "trailing slashes");
	ASSERT_EQ(memcmp(&a, &b, sizeof(a)), 0, "trailing slashes are not a component");
	ASSERT_EQ(memcmp(a.b + MT_MP_NAME_LEN - 6, "merged", 6), 0, "right-aligned");
	ASSERT_EQ(a.b[0], 0, "zeros in front");
	ASSERT_TRUE(mt_mp_name_key("/a/merge", &b), "a shorter name");
	ASSERT_NEQ(memcmp(&a, &b, sizeof(a)), 0, "a prefix is another name");
	ASSERT_FALSE(mt_mp_name_key("/", &a), "the root has no name");
	ASSERT_FALSE(mt_mp_name_key("", &a), "nor the empty path");
	ASSERT_FALSE(mt_mp_name_key("///", &a), "nor slashes alone");

	/* longer than the key: its tail, as BPF keeps it */
	memset(longname, 'a', sizeof(longname));
	longname[0] = '/';
	longname[100] = 'Z';
	longname[sizeof(longname) - 1] = '\0';
	ASSERT_TRUE(mt_mp_name_key(longname, &a), "a long name");
	ASSERT_EQ(a.b[0], 'a', "the key is full");
	ASSERT_EQ(memchr(a.b, 'Z', sizeof(a.b)) == NULL, 1, "its head is cut");
}

TEST(mp_names_seed_then_ready)
{
	struct fixture f;
	struct mt_mp_names *s = fixture_init(&f, 8, 0);

	if (!ASSERT_TRUE(s != NULL, "new"))
		return;
	/* the start-up scan: one namespace's mounts seen again in its copies */
	for (int ns = 0; ns < 50; ns++) {
		mt_mp_names__want(s, "/run/a/merged");
		mt_mp_names__want(s, "/tmp");
		mt_mp_names__want(s, "/");
	}
	ASSERT_EQ(f.ready, 0, "not ready while seeding");
	ASSERT_EQ(mt_mp_names__seed(s), 0, "seeded");
	ASSERT_EQ(f.ready, 1, "ready once seeded");
	ASSERT_EQ(f.m.nr, 2, "the root adds nothing");
	ASSERT_TRUE(holds(&f.m, "merged") && holds(&f.m, "tmp"), "both names");
	ASSERT_EQ(f.m.updates, 2, "one update a distinct name, not one a mount");
	mt_mp_names__free(s);
}

TEST(mp_names_sweep_keeps_what_the_model_knows)
{
	struct fixture f;
	struct mt_mp_names *s = fixture_init(&f, 8, 1);

	if (!ASSERT_TRUE(s != NULL, "new"))
		return;
	mt_mp_names__want(s, "/a/kept");
	mt_mp_names__want(s, "/a/gone");
	mt_mp_names__seed(s);
	/* BPF added one the model has not read yet */
	fake_update(&f.m, &(struct mt_mp_name){ .b[MT_MP_NAME_LEN - 1] = 'n' });

	ASSERT_EQ(sweep(s, "/b/kept", "/c/new", NULL), 0, "first sweep: nothing removed yet");
	ASSERT_TRUE(holds(&f.m, "kept") && holds(&f.m, "gone") && holds(&f.m, "n"), "all kept once");
	ASSERT_TRUE(holds(&f.m, "new"), "the model's names are added");

	/* n's record arrived */
	ASSERT_EQ(sweep(s, "/b/kept", "/c/new", "/d/n"), 1, "second sweep: one removed");
	ASSERT_FALSE(holds(&f.m, "gone"), "unwanted twice: removed");
	ASSERT_TRUE(holds(&f.m, "kept") && holds(&f.m, "new") && holds(&f.m, "n"), "wanted: kept");
	mt_mp_names__free(s);
}

TEST(mp_names_full_fails_open_until_a_sweep_makes_room)
{
	struct fixture f;
	struct mt_mp_names *s = fixture_init(&f, 2, 1);

	if (!ASSERT_TRUE(s != NULL, "new"))
		return;
	mt_mp_names__want(s, "/x/one");
	mt_mp_names__want(s, "/x/two");
	mt_mp_names__seed(s);
	ASSERT_EQ(f.full, 0, "two fit");
	mt_mp_names__want(s, "/x/three");
	mt_mp_names__seed(s);
	ASSERT_EQ(f.full, 1, "the third says full: BPF sends every removal");

	sweep(s, "/x/one", NULL, NULL);
	sweep(s, "/x/one", NULL, NULL);
	ASSERT_EQ(f.full, 0, "room again after the sweep");
	ASSERT_TRUE(holds(&f.m, "one") && !holds(&f.m, "two"), "what the model knows is left");
	mt_mp_names__free(s);
}
