// SPDX-License-Identifier: GPL-2.0
#include "testlib.h"
#include "overlay_id.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct ovl_case {
	const char *path, *id, *ns, *runtime;
};

TEST(overlay_container_ids)
{
	static const struct ovl_case cases[] = {
		{ "/var/lib/docker/overlay2/" ID "/merged", ID, "", "docker" },
		{ "/home/docker_rt/overlay2/" ID "-init/merged", ID "-init", "", "docker" },
		{ "/var/lib/docker/overlay2/" ID "/diff", ID, "", "docker" },
		{ "/var/lib/docker/overlay2/" ID "/merged/etc/hosts", ID, "", "docker" },
		{ "/var/lib/docker/overlay/" ID "/merged", ID, "", "docker" },
		{ "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID "/rootfs", ID, "k8s.io", "containerd" },
		{ "/run/containerd/io.containerd.runtime.v2.task/moby/" ID "/rootfs", ID, "moby", "containerd" },
		{ "/run/containerd/io.containerd.runtime.v1.linux/default/web/rootfs", "web", "default", "containerd" },
		{ "/var/lib/containers/storage/overlay/" ID "/merged", ID, "", "podman/cri-o" },
		{ "/home/u/.local/share/containers/storage/overlay/" ID "/merged", ID, "", "podman/cri-o" },
		{ "/var/lib/containers/storage/overlay-containers/" ID "/userdata/shm", ID, "", "podman/cri-o" },
		{ "/srv/overlay/" ID "/merged", ID, "", "podman/cri-o" },
	};
	static const char *none[] = {
		"/var/lib/docker/overlay2/l/ABCDEF", "/mnt/merged", "/", "",
		"/var/lib/docker/overlay2/short/merged", "/var/lib/docker/overlay2",
		"/run/containerd/io.containerd.runtime.v2.task/k8s.io",
		"/var/lib/docker/overlay2/" ID "/other",
	};
	struct mt_ovl_ident id;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ovl_case *c = &cases[i];

		mt_test_log("case %zu: %s", i, c->path);
		if (!ASSERT_TRUE(mt_overlay_ident(c->path, &id), "matched"))
			continue;
		ASSERT_STREQ(id.id, c->id, "id");
		ASSERT_STREQ(id.ns, c->ns, "containerd namespace");
		ASSERT_STREQ(id.runtime, c->runtime, "runtime");
	}
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		mt_test_log("no match: %s", none[i]);
		ASSERT_FALSE(mt_overlay_ident(none[i], &id), "no convention");
	}
	ASSERT_FALSE(mt_overlay_ident(NULL, &id), "NULL");
	ASSERT_TRUE(mt_overlay_ident2("/mnt/m", "/var/lib/docker/overlay2/" ID "/diff", &id),
		    "falls back to upperdir");
	ASSERT_STREQ(id.id, ID, "id from upperdir");
	ASSERT_TRUE(id.from_upper, "says it came from the upperdir");
}

/* Where the runtime's metadata lives: the path above its layer store. */
TEST(overlay_runtime_roots)
{
	static const struct {
		const char *path, *root, *id;
		enum mt_runtime kind;
		bool is_ctr;
	} cases[] = {
		{ "/home/docker_rt/overlay2/" ID "/merged", "/home/docker_rt", ID, MT_RT_DOCKER, false },
		{ "/var/lib/docker//overlay2/" ID "/diff", "/var/lib/docker", ID, MT_RT_DOCKER, false },
		{ "/srv/c/storage/overlay/" ID "/merged", "/srv/c/storage", ID,
		  MT_RT_CONTAINERS_STORAGE, false },
		{ "/var/lib/containers/storage/overlay-containers/" ID "/userdata/shm",
		  "/var/lib/containers/storage", ID, MT_RT_CONTAINERS_STORAGE, true },
		{ "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID "/rootfs",
		  "/run/containerd", ID, MT_RT_CONTAINERD, true },
		{ "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/17/fs",
		  "/var/lib/containerd", "17", MT_RT_CONTAINERD, false },
	};
	struct mt_ovl_ident id;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mt_test_log("case %zu: %s", i, cases[i].path);
		if (!ASSERT_TRUE(mt_overlay_ident(cases[i].path, &id), "matched"))
			continue;
		ASSERT_EQ(id.root_len, strlen(cases[i].root), "root length");
		ASSERT_TRUE(!strncmp(cases[i].path, cases[i].root, id.root_len), "root");
		ASSERT_STREQ(id.id, cases[i].id, "id");
		ASSERT_EQ(id.kind, cases[i].kind, "runtime");
		ASSERT_EQ(id.id_is_container, cases[i].is_ctr, "names the container itself");
	}
	ASSERT_FALSE(mt_overlay_ident("/var/lib/containerd/io.containerd.snapshotter.v1."
				      "overlayfs/snapshots/abc/fs", &id), "snapshot ids are numbers");
}
