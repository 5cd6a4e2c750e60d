/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which container an overlay belongs to, from the path conventions of the
 * runtimes that mount it:
 *   docker overlay2      <root>/overlay2/<id>/merged   (id: the RW layer)
 *   docker overlay (old) <root>/overlay/<id>/merged
 *   containerd           <state>/io.containerd.runtime.v2.task/<ns>/<id>/rootfs
 *                        (v1: io.containerd.runtime.v1.linux/<ns>/<id>/rootfs)
 *   podman / CRI-O       <graph>/overlay/<id>/merged   (containers/storage layer)
 *                        <graph>/overlay-containers/<id>/userdata/...
 *   containerd snapshots <root>/io.containerd.snapshotter.v1.overlayfs/snapshots/<n>/fs
 * The layer ids of docker and containers/storage are not the container id
 * that `docker ps` shows; `docker inspect -f '{{.GraphDriver.Data.MergedDir}}'`
 * maps one to the other. Paths below the merged dir (a bind mount of
 * merged/etc/hosts, say) are recognised too.
 */
#ifndef MT_OVERLAY_ID_H
#define MT_OVERLAY_ID_H

#include <stdbool.h>
#include <stddef.h>

#define MT_OVL_ID_LEN 128

/* Who owns an overlay, as far as its paths tell. */
enum mt_runtime {
	MT_RT_UNKNOWN,
	MT_RT_DOCKER,		/* dockerd's overlay2 (or overlay) graph driver */
	MT_RT_CONTAINERS_STORAGE,	/* podman, CRI-O, buildah */
	MT_RT_CONTAINERD,	/* containerd's overlayfs snapshotter and bundles */
};

struct mt_ovl_ident {
	/* what the path names: a layer (snapshot) id, or, when
	 * @id_is_container, the container id itself (a containerd bundle,
	 * containers/storage's overlay-containers/<id>) */
	char id[MT_OVL_ID_LEN];
	bool id_is_container;
	char ns[64];		/* containerd namespace ("moby", "k8s.io"), else "" */
	const char *runtime;	/* "docker", "containerd", "podman/cri-o" */
	enum mt_runtime kind;
	/* the runtime's root is the first @root_len bytes of the matched path:
	 * docker's graph root (above overlay2/), containers/storage's graph
	 * root (above overlay/), containerd's root or state dir */
	size_t root_len;
	bool from_upper;	/* mt_overlay_ident2 matched the upperdir */
};

/* Parse @path; true and @out filled when a convention matched. */
bool mt_overlay_ident(const char *path, struct mt_ovl_ident *out);

/* Try the merged dir first, then the upperdir (either may be NULL). */
bool mt_overlay_ident2(const char *merged, const char *upperdir,
		       struct mt_ovl_ident *out);

#endif /* MT_OVERLAY_ID_H */
