/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The container behind an overlay, from the metadata its runtime keeps on
 * disk next to the layers (the overlay paths name the layer, not the
 * container: src/overlay_id.h):
 *   docker          <graph>/image/<driver>/layerdb/mounts/<container>/mount-id
 *                   (and init-id) hold the layer id; <graph>/containers/
 *                   <container>/config.v2.json the name and image
 *   containers/storage (podman, CRI-O)
 *                   <graph>/overlay-containers/containers.json: [{id, names,
 *                   image, layer, metadata}], layer -> id
 *   containerd      a rootfs mounted at <state>/io.containerd.runtime.v2.task/
 *                   <ns>/<id>/rootfs names the container; its config.json
 *                   confirms it. A bare snapshot (snapshots/<n>/fs) is mapped
 *                   only in containerd's bolt metadata.db, which is not read.
 * The graph root comes from the overlay's own path, so a relocated root
 * (/home/docker_rt) works. Files are read: call this only off the
 * ring-buffer path (finding_build.c runs from the work queue).
 */
#ifndef MT_RUNTIME_META_H
#define MT_RUNTIME_META_H

#include <stdbool.h>

#include "overlay_id.h"

#define MT_RTMETA_ROOT_LEN 512
#define MT_RTMETA_CACHE 256	/* resolved containers kept (FIFO) */
#define MT_RTMETA_LINKS 1024	/* followed l/ links kept (FIFO) */

/* id_source values (docs/findings.md) */
#define MT_IDSRC_DOCKER "docker-layerdb"
#define MT_IDSRC_CSTORAGE "containers-storage"
#define MT_IDSRC_CONTAINERD "containerd-bundle"
#define MT_IDSRC_BUNDLE_PATH "containerd-bundle-path (config.json unreadable)"
#define MT_IDSRC_FALLBACK "layer-dir (runtime metadata unreadable)"
#define MT_IDSRC_SNAPSHOT "layer-dir (containerd metadata.db not read)"

struct mt_ctr_meta {
	enum mt_runtime runtime;
	const char *runtime_name;	/* "docker", "podman/cri-o", "containerd" */
	char container_id[MT_OVL_ID_LEN];	/* the layer id when unresolved */
	char layer_id[MT_OVL_ID_LEN];	/* "" when the paths name none */
	const char *id_source;		/* one of MT_IDSRC_* */
	char name[128];			/* "" when unknown */
	char image[256];		/* "" when unknown */
	char root[MT_RTMETA_ROOT_LEN];	/* graph root / containerd root or state dir */
};

struct mt_runtime_meta;

struct mt_runtime_meta *mt_runtime_meta__new(void);
void mt_runtime_meta__free(struct mt_runtime_meta *rm);

/*
 * The container of the overlay mounted at @merged with @upper (either may
 * be NULL). False when neither path follows a runtime's convention. A
 * container found in the metadata is cached by (root, layer id), so it is
 * still named after its runtime deleted the metadata (docker rm).
 */
bool mt_runtime_meta__resolve(struct mt_runtime_meta *rm, const char *merged,
			      const char *upper, struct mt_ctr_meta *out);

/*
 * @lowerdir (overlay's ':'-joined, '\'-escaped form) as one path per layer,
 * with the short links of docker's and containers/storage's l/ dir
 * (l/ABC -> ../<layer>/diff) followed, and a relative layer taken from the
 * driver dir above @upper (<graph>/overlay2, where docker chdirs for a long
 * option string). A layer that is no such link stays as given.
 * @rm (or NULL) remembers each link it followed: docker rm deletes the
 * container's -init layer and its link before it removes merged, so the
 * detached finding that the removal raises still names that layer.
 * Returns the number of layers with *@out a malloc'ed array of malloc'ed
 * strings (mt_lower_layers_free), 0 when none, -ENOMEM.
 */
int mt_lower_layers(struct mt_runtime_meta *rm, const char *lowerdir, const char *upper,
		    char ***out);
void mt_lower_layers_free(char **layers, int nr);

#endif /* MT_RUNTIME_META_H */
