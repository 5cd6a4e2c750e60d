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

TEST(runtime_meta_docker_layerdb)
{
	struct mt_runtime_meta *rm = mt_runtime_meta__new();
	char root[1024];
	struct resolved r;

	if (!ASSERT_TRUE(rm, "new") || !ASSERT_TRUE(fixture_root("runtime/docker_rt", root,
								 sizeof(root)), "fixture"))
		goto out;
	r = resolve(rm, root, "overlay2/" DOCKER_LAYER "/merged",
		    "overlay2/" DOCKER_LAYER "/diff");
	ASSERT_TRUE(r.ok, "resolved");
	ASSERT_STREQ(r.m.container_id, DOCKER_CTR, "container id, not the layer id");
	ASSERT_STREQ(r.m.layer_id, DOCKER_LAYER, "layer id kept");
	ASSERT_STREQ(r.m.id_source, "docker-layerdb", "source");
	ASSERT_STREQ(r.m.name, "web", "name without docker's '/'");
	ASSERT_STREQ(r.m.image, "busybox:static", "image as the user named it");
	ASSERT_STREQ(r.m.root, root, "graph root from the path (relocated)");
	ASSERT_EQ(r.m.runtime, MT_RT_DOCKER, "runtime");
	/* the init layer maps to the same container (init-id) */
	r = resolve(rm, root, "overlay2/" DOCKER_LAYER "-init/merged",
		    "overlay2/" DOCKER_LAYER "-init/diff");
	ASSERT_STREQ(r.m.container_id, DOCKER_CTR, "init layer's container");
	ASSERT_STREQ(r.m.layer_id, DOCKER_LAYER "-init", "init layer id");
out:
	mt_runtime_meta__free(rm);
}

TEST(runtime_meta_unreadable_falls_back_to_layer)
{
	struct mt_runtime_meta *rm = mt_runtime_meta__new();
	char root[1024];
	struct resolved r;

	if (!ASSERT_TRUE(rm, "new") || !ASSERT_TRUE(fixture_root("runtime/docker_nometa", root,
								 sizeof(root)), "fixture"))
		goto out;
	r = resolve(rm, root, "overlay2/" DOCKER_LAYER "/merged",
		    "overlay2/" DOCKER_LAYER "/diff");
	ASSERT_TRUE(r.ok, "resolved");
	ASSERT_STREQ(r.m.container_id, DOCKER_LAYER, "falls back to the layer id");
	ASSERT_STREQ(r.m.layer_id, DOCKER_LAYER, "layer id");
	ASSERT_STREQ(r.m.id_source, "layer-dir (runtime metadata unreadable)", "says so");
	ASSERT_STREQ(r.m.name, "", "no name");
	ASSERT_FALSE(mt_runtime_meta__resolve(rm, "/mnt/merged", "/mnt/upper", &r.m),
		     "no convention, no container");
out:
	mt_runtime_meta__free(rm);
}

/* docker rm deletes the layerdb entry right after the umount: a container
 * resolved before (by the risk finding) keeps its id for the leak. */
TEST(runtime_meta_cache_outlives_metadata)
{
	struct mt_runtime_meta *rm = mt_runtime_meta__new();
	char *tmp = fx_tmpdir();
	char file[PATH_MAX];
	struct resolved r;

	if (!ASSERT_TRUE(rm && tmp, "setup"))
		goto out;
	fx_write(tmp, "g/image/overlay2/layerdb/mounts/" DOCKER_CTR "/mount-id", DOCKER_LAYER);
	fx_write(tmp, "g/overlay2/" DOCKER_LAYER "/diff/.keep", "%s", "");
	r = resolve(rm, tmp, "g/overlay2/" DOCKER_LAYER "/merged", "g/overlay2/" DOCKER_LAYER "/diff");
	ASSERT_STREQ(r.m.container_id, DOCKER_CTR, "resolved while the metadata is there");
	snprintf(file, sizeof(file), "%s/g/image/overlay2/layerdb/mounts/" DOCKER_CTR "/mount-id",
		 tmp);
	ASSERT_EQ(unlink(file), 0, "docker rm");
	r = resolve(rm, tmp, "g/overlay2/" DOCKER_LAYER "/merged", "g/overlay2/" DOCKER_LAYER "/diff");
	ASSERT_STREQ(r.m.container_id, DOCKER_CTR, "from the cache");
	ASSERT_STREQ(r.m.id_source, "docker-layerdb", "source kept");
	/* a fresh resolver has no cache: the fallback shows the test is real */
	mt_runtime_meta__free(rm);
	rm = mt_runtime_meta__new();
	r = resolve(rm, tmp, "g/overlay2/" DOCKER_LAYER "/merged", "g/overlay2/" DOCKER_LAYER "/diff");
	ASSERT_STREQ(r.m.container_id, DOCKER_LAYER, "without the cache: the layer id");
out:
	if (tmp)
		fx_rm_r(tmp);
	free(tmp);
	mt_runtime_meta__free(rm);
}

TEST(runtime_meta_containers_storage)
{
	struct mt_runtime_meta *rm = mt_runtime_meta__new();
	char root[1024];
	struct resolved r;

	if (!ASSERT_TRUE(rm, "new") || !ASSERT_TRUE(fixture_root("runtime/containers/storage",
								 root, sizeof(root)), "fixture"))
		goto out;
	r = resolve(rm, root, "overlay/" PODMAN_LAYER "/merged", "overlay/" PODMAN_LAYER "/diff");
	ASSERT_TRUE(r.ok, "resolved");
	ASSERT_STREQ(r.m.container_id, PODMAN_CTR, "container id from containers.json");
	ASSERT_STREQ(r.m.layer_id, PODMAN_LAYER, "layer id kept");
	ASSERT_STREQ(r.m.id_source, "containers-storage", "source");
	ASSERT_STREQ(r.m.name, "sleepy", "name");
	ASSERT_STREQ(r.m.image, "localhost/busybox:latest", "image name from metadata");
	ASSERT_EQ(r.m.runtime, MT_RT_CONTAINERS_STORAGE, "runtime");
	/* a layer no container owns: fallback */
	r = resolve(rm, root, "overlay/" LOWER_LAYER "/merged", "overlay/" LOWER_LAYER "/diff");
	ASSERT_STREQ(r.m.container_id, LOWER_LAYER, "unowned layer: the layer id");
	ASSERT_STREQ(r.m.id_source, "layer-dir (runtime metadata unreadable)", "fallback");
out:
	mt_runtime_meta__free(rm);
}

TEST(runtime_meta_containerd)
{
	struct mt_runtime_meta *rm = mt_runtime_meta__new();
	char root[1024], merged[PATH_MAX], upper[PATH_MAX];
	struct resolved r = {};

	if (!ASSERT_TRUE(rm, "new") || !ASSERT_TRUE(fixture_root("runtime/containerd", root,
								 sizeof(root)), "fixture"))
		goto out;
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
out:
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
	nr = mt_lower_layers(lower, upper, &layers);
	if (ASSERT_EQ(nr, 2, "layers")) {
		snprintf(want, sizeof(want), "%s/overlay2/" LOWER_LAYER "/diff", root);
		ASSERT_STREQ(layers[0], want, "top layer resolved");
		snprintf(want, sizeof(want), "%s/overlay2/" LOWER_LAYER2 "/diff", root);
		ASSERT_STREQ(layers[1], want, "second layer resolved");
	}
	mt_lower_layers_free(layers, nr > 0 ? nr : 0);
	/* relative, as docker passes them from its overlay2 dir for long lists */
	nr = mt_lower_layers("l/KLMNOPQRST:/not/a/link", upper, &layers);
	if (ASSERT_EQ(nr, 2, "layers")) {
		snprintf(want, sizeof(want), "%s/overlay2/" LOWER_LAYER2 "/diff", root);
		ASSERT_STREQ(layers[0], want, "relative link resolved from the driver dir");
		ASSERT_STREQ(layers[1], "/not/a/link", "a plain layer stays");
	}
	mt_lower_layers_free(layers, nr > 0 ? nr : 0);
	ASSERT_EQ(mt_lower_layers(NULL, upper, &layers), 0, "no lowerdir");
}

/* Anyone can mount an overlay below a path they own (a user namespace): a
 * FIFO where containers.json should be must not block the lookup. */
TEST(runtime_meta_skips_non_regular_files)
{
	struct mt_runtime_meta *rm = mt_runtime_meta__new();
	char *tmp = fx_tmpdir();
	char file[PATH_MAX];
	struct resolved r;

	if (!ASSERT_TRUE(rm && tmp, "setup"))
		goto out;
	fx_write(tmp, "containers/storage/overlay/" PODMAN_LAYER "/diff/.keep", "%s", "");
	snprintf(file, sizeof(file), "%s/containers/storage/overlay-containers", tmp);
	mkdir(file, 0755);
	strncat(file, "/containers.json", sizeof(file) - strlen(file) - 1);
	if (!ASSERT_EQ(mkfifo(file, 0600), 0, "mkfifo"))
		goto out;
	r = resolve(rm, tmp, "containers/storage/overlay/" PODMAN_LAYER "/merged",
		    "containers/storage/overlay/" PODMAN_LAYER "/diff");
	ASSERT_STREQ(r.m.container_id, PODMAN_LAYER, "falls back, does not block");
	ASSERT_STREQ(r.m.id_source, "layer-dir (runtime metadata unreadable)", "says so");
out:
	if (tmp)
		fx_rm_r(tmp);
	free(tmp);
	mt_runtime_meta__free(rm);
}
