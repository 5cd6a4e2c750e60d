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
}
