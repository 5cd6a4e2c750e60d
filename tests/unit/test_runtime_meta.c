// SPDX-License-Identifier: GPL-2.0
/*
 * The container behind an overlay, from fixture trees laid out as each
 * runtime keeps its metadata (tests/fixtures/runtime/): the id a user would
 * see in `docker ps` / `podman ps` / `crictl ps`, its name, the source, and
 * the fallback when the metadata cannot be read.
 */
#include <limits.h>
#include <stdlib.h>

#include "testlib.h"
#include "runtime_meta.h"
#include "../fixtures/fixture.h"

#define DOCKER_LAYER "5e1a0b2c3d4e5f60718293a4b5c6d7e8"
#define DOCKER_CTR "c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define LOWER_LAYER "0a0b0c0d0e0f10111213141516171819"
#define LOWER_LAYER2 "9f8e7d6c5b4a39281716051413121110"
#define PODMAN_LAYER "7d3c9a1b2e4f5061728394a5b6c7d8e9"
#define PODMAN_CTR "abc0000011112222333344445555666677778888999900001111222233334444"
#define K8S_CTR "0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd"

/* The fixture dir as an absolute path: the graph root is taken from it. */
static bool fixture_root(const char *rel, char *buf, size_t len)
{
	char abs[PATH_MAX];

	if (!realpath(fx_path(rel), abs) || strlen(abs) >= len)
		return false;
	memcpy(buf, abs, strlen(abs) + 1);
	return true;
}

struct resolved {
	struct mt_ctr_meta m;
	bool ok;
};

static struct resolved resolve(struct mt_runtime_meta *rm, const char *root,
			       const char *merged_rel, const char *upper_rel)
{
	struct resolved r = {};
	char merged[PATH_MAX], upper[PATH_MAX];

	snprintf(merged, sizeof(merged), "%s/%s", root, merged_rel);
	snprintf(upper, sizeof(upper), "%s/%s", root, upper_rel);
	r.ok = mt_runtime_meta__resolve(rm, merged, upper, &r.m);
	return r;
}

/* A resolver and the fixture's absolute root; NULL (and failed) without. */
static struct mt_runtime_meta *setup(const char *rel, char *root, size_t len)
{
	struct mt_runtime_meta *rm = mt_runtime_meta__new();

	if (!ASSERT_TRUE(rm, "new") || !ASSERT_TRUE(fixture_root(rel, root, len), rel)) {
		mt_runtime_meta__free(rm);
		return NULL;
	}
	return rm;
}

/* The overlay of layer @layer of the layer store @store below @root. */
static struct resolved resolve_layer(struct mt_runtime_meta *rm, const char *root,
				     const char *store, const char *layer)
{
	char merged[256], upper[256];

	snprintf(merged, sizeof(merged), "%s/%s/merged", store, layer);
	snprintf(upper, sizeof(upper), "%s/%s/diff", store, layer);
	return resolve(rm, root, merged, upper);
}

/* A layer dir of each layer store, and the container a user would name. */
TEST(runtime_meta_resolves_layers)
{
	static const struct {
		const char *fixture, *store, *layer;
		const char *ctr, *layer_id, *source, *name, *image;
		enum mt_runtime runtime;
	} cases[] = {
		{ "runtime/docker_rt", "overlay2", DOCKER_LAYER, DOCKER_CTR, DOCKER_LAYER,
		  "docker-layerdb", "web", "busybox:static", MT_RT_DOCKER },
		/* the init layer maps to the same container (init-id) */
		{ "runtime/docker_rt", "overlay2", DOCKER_LAYER "-init", DOCKER_CTR,
		  DOCKER_LAYER "-init", "docker-layerdb", "web", "busybox:static", MT_RT_DOCKER },
		/* no image/ nor containers/ dir: the layer id, and says so */
		{ "runtime/docker_nometa", "overlay2", DOCKER_LAYER, DOCKER_LAYER, DOCKER_LAYER,
		  "layer-dir (runtime metadata unreadable)", "", "", MT_RT_DOCKER },
		{ "runtime/containers/storage", "overlay", PODMAN_LAYER, PODMAN_CTR, PODMAN_LAYER,
		  "containers-storage", "sleepy", "localhost/busybox:latest",
		  MT_RT_CONTAINERS_STORAGE },
		/* a layer no container owns (an image layer) */
		{ "runtime/containers/storage", "overlay", LOWER_LAYER, LOWER_LAYER, LOWER_LAYER,
		  "layer-dir (runtime metadata unreadable)", "", "", MT_RT_CONTAINERS_STORAGE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char root[1024];
		struct mt_runtime_meta *rm = setup(cases[i].fixture, root, sizeof(root));
		struct resolved r;

		mt_test_log("case %zu: %s %s/%s", i, cases[i].fixture, cases[i].store,
			    cases[i].layer);
		if (!rm)
			return;
		r = resolve_layer(rm, root, cases[i].store, cases[i].layer);
		ASSERT_TRUE(r.ok, "resolved");
		ASSERT_STREQ(r.m.container_id, cases[i].ctr, "container id");
		ASSERT_STREQ(r.m.layer_id, cases[i].layer_id, "layer id kept");
		ASSERT_STREQ(r.m.id_source, cases[i].source, "source");
		ASSERT_STREQ(r.m.name, cases[i].name, "name");
		ASSERT_STREQ(r.m.image, cases[i].image, "image");
		ASSERT_EQ(r.m.runtime, cases[i].runtime, "runtime");
		ASSERT_STREQ(r.m.root, root, "graph root from the path (relocated)");
		mt_runtime_meta__free(rm);
	}
	ASSERT_FALSE(mt_runtime_meta__resolve(NULL, "/mnt/merged", "/mnt/upper",
					      &(struct mt_ctr_meta){}),
		     "no convention, no container");
}

/* A resolver and a scratch dir to build a graph root in. */
struct scratch {
	struct mt_runtime_meta *rm;
	char *tmp;
};

static bool scratch_begin(struct scratch *sc)
{
	sc->rm = mt_runtime_meta__new();
	sc->tmp = fx_tmpdir();
	return ASSERT_TRUE(sc->rm && sc->tmp, "resolver and scratch dir");
}

static void scratch_end(struct scratch *sc)
{
	if (sc->tmp)
		fx_rm_r(sc->tmp);
	free(sc->tmp);
	mt_runtime_meta__free(sc->rm);
}

/* docker rm deletes the layerdb entry right after the umount: a container
 * resolved before (by the risk finding) keeps its id for the leak. */
TEST(runtime_meta_cache_outlives_metadata)
{
	struct scratch sc = {};
	char file[PATH_MAX];
	struct resolved r;

	if (!scratch_begin(&sc))
		goto out;
	fx_write(sc.tmp, "g/image/overlay2/layerdb/mounts/" DOCKER_CTR "/mount-id", DOCKER_LAYER);
	fx_write(sc.tmp, "g/overlay2/" DOCKER_LAYER "/diff/.keep", "%s", "");
	r = resolve_layer(sc.rm, sc.tmp, "g/overlay2", DOCKER_LAYER);
	ASSERT_STREQ(r.m.container_id, DOCKER_CTR, "resolved while the metadata is there");
	snprintf(file, sizeof(file), "%s/g/image/overlay2/layerdb/mounts/" DOCKER_CTR "/mount-id",
		 sc.tmp);
	ASSERT_EQ(unlink(file), 0, "docker rm");
	r = resolve_layer(sc.rm, sc.tmp, "g/overlay2", DOCKER_LAYER);
	ASSERT_STREQ(r.m.container_id, DOCKER_CTR, "from the cache");
	ASSERT_STREQ(r.m.id_source, "docker-layerdb", "source kept");
	/* a fresh resolver has no cache: the fallback shows the test is real */
	mt_runtime_meta__free(sc.rm);
	sc.rm = mt_runtime_meta__new();
	r = resolve_layer(sc.rm, sc.tmp, "g/overlay2", DOCKER_LAYER);
	ASSERT_STREQ(r.m.container_id, DOCKER_LAYER, "without the cache: the layer id");
out:
	scratch_end(&sc);
}

TEST(runtime_meta_containerd)
{
	char root[1024], merged[PATH_MAX], upper[PATH_MAX];
	struct mt_runtime_meta *rm = setup("runtime/containerd", root, sizeof(root));
	struct resolved r = {};

	if (!rm)
		return;
	snprintf(merged, sizeof(merged), "%s/run/io.containerd.runtime.v2.task/k8s.io/"
		 K8S_CTR "/rootfs", root);
	snprintf(upper, sizeof(upper), "%s/lib/io.containerd.snapshotter.v1.overlayfs/"
		 "snapshots/42/fs", root);
	r.ok = mt_runtime_meta__resolve(rm, merged, upper, &r.m);
	ASSERT_TRUE(r.ok, "resolved");
	ASSERT_STREQ(r.m.container_id, K8S_CTR, "container id from the bundle");
	ASSERT_STREQ(r.m.layer_id, "42", "snapshot id");
	ASSERT_STREQ(r.m.id_source, "containerd-bundle", "source");
	ASSERT_STREQ(r.m.name, "app", "CRI container name");
	ASSERT_STREQ(r.m.image, "registry.k8s.io/pause:3.9", "CRI image");
	/* a bundle without config.json still names its container */
	snprintf(merged, sizeof(merged), "%s/run/io.containerd.runtime.v2.task/default/"
		 "nobundle0000/rootfs", root);
	r.ok = mt_runtime_meta__resolve(rm, merged, upper, &r.m);
	ASSERT_STREQ(r.m.container_id, "nobundle0000", "id from the bundle path");
	ASSERT_STREQ(r.m.id_source, "containerd-bundle-path (config.json unreadable)", "source");
	/* only the snapshot: metadata.db is not read */
	r.ok = mt_runtime_meta__resolve(rm, "/mnt/elsewhere", upper, &r.m);
	ASSERT_TRUE(r.ok, "snapshot recognised");
	ASSERT_STREQ(r.m.container_id, "42", "falls back to the snapshot id");
	ASSERT_STREQ(r.m.id_source, "layer-dir (containerd metadata.db not read)", "says so");
	mt_runtime_meta__free(rm);
}

TEST(runtime_meta_lower_short_links)
{
	char root[1024], lower[2 * PATH_MAX], upper[PATH_MAX], want[PATH_MAX];
	char **layers = NULL;
	int nr;

	if (!ASSERT_TRUE(fixture_root("runtime/docker_rt", root, sizeof(root)), "fixture"))
		return;
	/* absolute links, as docker passes them when the options fit a page */
	snprintf(lower, sizeof(lower), "%s/overlay2/l/ABCDEFGHIJ:%s/overlay2/l/KLMNOPQRST", root,
		 root);
	snprintf(upper, sizeof(upper), "%s/overlay2/" DOCKER_LAYER "/diff", root);
	nr = mt_lower_layers(NULL, lower, upper, &layers);
	if (ASSERT_EQ(nr, 2, "layers")) {
		snprintf(want, sizeof(want), "%s/overlay2/" LOWER_LAYER "/diff", root);
		ASSERT_STREQ(layers[0], want, "top layer resolved");
		snprintf(want, sizeof(want), "%s/overlay2/" LOWER_LAYER2 "/diff", root);
		ASSERT_STREQ(layers[1], want, "second layer resolved");
	}
	mt_lower_layers_free(layers, nr > 0 ? nr : 0);
	/* relative, as docker passes them from its overlay2 dir for long lists */
	nr = mt_lower_layers(NULL, "l/KLMNOPQRST:/not/a/link", upper, &layers);
	if (ASSERT_EQ(nr, 2, "layers")) {
		snprintf(want, sizeof(want), "%s/overlay2/" LOWER_LAYER2 "/diff", root);
		ASSERT_STREQ(layers[0], want, "relative link resolved from the driver dir");
		ASSERT_STREQ(layers[1], "/not/a/link", "a plain layer stays");
	}
	mt_lower_layers_free(layers, nr > 0 ? nr : 0);
	ASSERT_EQ(mt_lower_layers(NULL, NULL, upper, &layers), 0, "no lowerdir");
}

/* docker rm deletes the -init layer and its short link before it removes
 * merged: the detached finding that follows must name the same layer. */
TEST(runtime_meta_lower_link_outlives_layer)
{
	char lower[PATH_MAX], upper[PATH_MAX], link[PATH_MAX], want[PATH_MAX];
	struct scratch sc = {};
	char **layers = NULL;
	int nr = 0;

	if (!scratch_begin(&sc))
		goto out;
	fx_write(sc.tmp, "g/overlay2/" LOWER_LAYER "-init/diff/.keep", "%s", "");
	snprintf(link, sizeof(link), "%s/g/overlay2/l/INITLINK01", sc.tmp);
	snprintf(want, sizeof(want), "%s/g/overlay2/" LOWER_LAYER "-init/diff", sc.tmp);
	snprintf(lower, sizeof(lower), "%s/g/overlay2/l", sc.tmp);
	if (!ASSERT_EQ(mkdir(lower, 0755), 0, "l/ dir") ||
	    !ASSERT_EQ(symlink("../" LOWER_LAYER "-init/diff", link), 0, "short link"))
		goto out;
	snprintf(lower, sizeof(lower), "%s", link);
	snprintf(upper, sizeof(upper), "%s/g/overlay2/" DOCKER_LAYER "/diff", sc.tmp);
	nr = mt_lower_layers(sc.rm, lower, upper, &layers);
	if (ASSERT_EQ(nr, 1, "layers"))
		ASSERT_STREQ(layers[0], want, "resolved while the link is there");
	mt_lower_layers_free(layers, nr > 0 ? nr : 0);
	ASSERT_EQ(unlink(link), 0, "docker rm removes the link");
	nr = mt_lower_layers(sc.rm, lower, upper, &layers);
	if (ASSERT_EQ(nr, 1, "layers"))
		ASSERT_STREQ(layers[0], want, "remembered");
	mt_lower_layers_free(layers, nr > 0 ? nr : 0);
	/* without the memory: the link as given shows the test is real */
	nr = mt_lower_layers(NULL, lower, upper, &layers);
	if (ASSERT_EQ(nr, 1, "layers"))
		ASSERT_STREQ(layers[0], link, "a gone link without memory");
	mt_lower_layers_free(layers, nr > 0 ? nr : 0);
out:
	scratch_end(&sc);
}

/* Anyone can mount an overlay below a path they own (a user namespace): a
 * FIFO where containers.json should be must not block the lookup. */
TEST(runtime_meta_skips_non_regular_files)
{
	struct scratch sc = {};
	char file[PATH_MAX];
	struct resolved r;

	if (!scratch_begin(&sc))
		goto out;
	fx_write(sc.tmp, "containers/storage/overlay/" PODMAN_LAYER "/diff/.keep", "%s", "");
	snprintf(file, sizeof(file), "%s/containers/storage/overlay-containers", sc.tmp);
	mkdir(file, 0755);
	strncat(file, "/containers.json", sizeof(file) - strlen(file) - 1);
	if (!ASSERT_EQ(mkfifo(file, 0600), 0, "mkfifo"))
		goto out;
	r = resolve_layer(sc.rm, sc.tmp, "containers/storage/overlay", PODMAN_LAYER);
	ASSERT_STREQ(r.m.container_id, PODMAN_LAYER, "falls back, does not block");
	ASSERT_STREQ(r.m.id_source, "layer-dir (runtime metadata unreadable)", "says so");
out:
	scratch_end(&sc);
}
