// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "overlay_id.h"

#define MAX_COMP 64

struct comp {
	const char *s;
	size_t n;
};

static int split(const char *path, struct comp *c, int max)
{
	int nr = 0;

	while (*path && nr < max) {
		size_t n;

		while (*path == '/')
			path++;
		n = strcspn(path, "/");
		if (!n)
			break;
		c[nr].s = path;
		c[nr].n = n;
		nr++;
		path += n;
	}
	return nr;
}

static bool is(const struct comp *c, const char *s)
{
	return strlen(s) == c->n && memcmp(c->s, s, c->n) == 0;
}

/* The path above component @c, without its trailing '/'. */
static size_t root_len(const char *path, const struct comp *c)
{
	size_t n = (size_t)(c->s - path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return n;
}

static void set(char *dst, size_t size, const struct comp *c)
{
	size_t n = c->n < size - 1 ? c->n : size - 1;

	memcpy(dst, c->s, n);
	dst[n] = '\0';
}

/* A layer id: at least 12 characters of [0-9a-z-] ("<hex>-init" is docker's
 * init layer). Anything else under overlay/ is not a layer directory. */
static bool layer_like(const struct comp *c)
{
	if (c->n < 12)
		return false;
	for (size_t i = 0; i < c->n; i++) {
		char ch = c->s[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || ch == '-'))
			return false;
	}
	return true;
}

static bool in_containers_storage(const struct comp *c, int upto)
{
	for (int i = 0; i + 1 < upto; i++)
		if (is(&c[i], "containers") && is(&c[i + 1], "storage"))
			return true;
	return false;
}

bool mt_overlay_ident(const char *path, struct mt_ovl_ident *out)
{
	struct comp c[MAX_COMP];
	int nr;

	memset(out, 0, sizeof(*out));
	if (!path)
		return false;
	nr = split(path, c, MAX_COMP);
	/* Search from the end: the innermost match names the container. */
	for (int i = nr - 1; i >= 0; i--) {
		if ((is(&c[i], "io.containerd.runtime.v2.task") ||
		     is(&c[i], "io.containerd.runtime.v1.linux")) &&
		    i + 2 < nr) {
			set(out->ns, sizeof(out->ns), &c[i + 1]);
			set(out->id, sizeof(out->id), &c[i + 2]);
			out->id_is_container = true;
			out->runtime = "containerd";
			out->kind = MT_RT_CONTAINERD;
			out->root_len = root_len(path, &c[i]);
			return true;
		}
		/* <root>/io.containerd.snapshotter.v1.overlayfs/snapshots/<n>/fs */
		if (is(&c[i], "io.containerd.snapshotter.v1.overlayfs") && i + 2 < nr &&
		    is(&c[i + 1], "snapshots") && c[i + 2].n < 21 &&
		    strspn(c[i + 2].s, "0123456789") == c[i + 2].n) {
			set(out->id, sizeof(out->id), &c[i + 2]);
			out->runtime = "containerd";
			out->kind = MT_RT_CONTAINERD;
			out->root_len = root_len(path, &c[i]);
			return true;
		}
		if (i + 1 >= nr || !layer_like(&c[i + 1]))
			continue;
		if (is(&c[i], "overlay-containers")) {
			set(out->id, sizeof(out->id), &c[i + 1]);
			out->id_is_container = true;
			out->runtime = "podman/cri-o";
			out->kind = MT_RT_CONTAINERS_STORAGE;
			out->root_len = root_len(path, &c[i]);
			return true;
		}
		/* <layers>/<id>/{merged,diff,work}: the layer dir itself */
		if (i + 2 < nr && !(is(&c[i + 2], "merged") || is(&c[i + 2], "diff") ||
				    is(&c[i + 2], "work")))
			continue;
		if (is(&c[i], "overlay2")) {
			set(out->id, sizeof(out->id), &c[i + 1]);
			out->runtime = "docker";
			out->kind = MT_RT_DOCKER;
			out->root_len = root_len(path, &c[i]);
			return true;
		}
		if (is(&c[i], "overlay")) {
			bool cs = in_containers_storage(c, i) ||
				  !(i > 0 && is(&c[i - 1], "docker"));

			set(out->id, sizeof(out->id), &c[i + 1]);
			out->runtime = cs ? "podman/cri-o" : "docker";
			out->kind = cs ? MT_RT_CONTAINERS_STORAGE : MT_RT_DOCKER;
			out->root_len = root_len(path, &c[i]);
			return true;
		}
	}
	return false;
}

bool mt_overlay_ident2(const char *merged, const char *upperdir,
		       struct mt_ovl_ident *out)
{
	if (mt_overlay_ident(merged, out))
		return true;
	if (!mt_overlay_ident(upperdir, out))
		return false;
	out->from_upper = true;
	return true;
}
