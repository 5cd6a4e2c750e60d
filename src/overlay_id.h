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
 * The layer ids of docker and containers/storage are not the container id
 * that `docker ps` shows; `docker inspect -f '{{.GraphDriver.Data.MergedDir}}'`
 * maps one to the other. Paths below the merged dir (a bind mount of
 * merged/etc/hosts, say) are recognised too.
 */
#ifndef MT_OVERLAY_ID_H
#define MT_OVERLAY_ID_H

#include <stdbool.h>

#define MT_OVL_ID_LEN 128

struct mt_ovl_ident {
	char id[MT_OVL_ID_LEN];
	char ns[64];		/* containerd namespace ("moby", "k8s.io"), else "" */
	const char *runtime;	/* "docker", "containerd", "podman/cri-o" */
};

/* Parse @path; true and @out filled when a convention matched. */
bool mt_overlay_ident(const char *path, struct mt_ovl_ident *out);

/* Try the merged dir first, then the upperdir (either may be NULL). */
bool mt_overlay_ident2(const char *merged, const char *upperdir,
		       struct mt_ovl_ident *out);

#endif /* MT_OVERLAY_ID_H */
