// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_scan.h"
#include "ovl_options.h"
#include "paths.h"
#include "procinfo.h"
#include "runtime_meta.h"

/* containers.json holds every container of a graph root: bound the read */
#define META_FILE_MAX (16 << 20)
#define LAYERDB_MAX_ENTRIES 65536	/* containers scanned per lookup */

struct mt_runtime_meta {
	struct mt_ctr_meta cache[MT_RTMETA_CACHE];
	int nr, next;		/* filled entries; the one replaced next */
	struct {
		char *link, *target;	/* absolute paths */
	} links[MT_RTMETA_LINKS];
	int nr_links, next_link;
};

struct mt_runtime_meta *mt_runtime_meta__new(void)
{
	return calloc(1, sizeof(struct mt_runtime_meta));
}

void mt_runtime_meta__free(struct mt_runtime_meta *rm)
{
	for (int i = 0; rm && i < rm->nr_links; i++) {
		free(rm->links[i].link);
		free(rm->links[i].target);
	}
	free(rm);
}

static const struct mt_ctr_meta *cache_find(const struct mt_runtime_meta *rm,
					    const char *root, const char *layer)
{
	for (int i = 0; i < rm->nr; i++)
		if (!strcmp(rm->cache[i].layer_id, layer) && !strcmp(rm->cache[i].root, root))
			return &rm->cache[i];
	return NULL;
}

static void cache_add(struct mt_runtime_meta *rm, const struct mt_ctr_meta *m)
{
	rm->cache[rm->next] = *m;
	rm->next = (rm->next + 1) % MT_RTMETA_CACHE;
	if (rm->nr < MT_RTMETA_CACHE)
		rm->nr++;
}

/*
 * A whole small regular file, NUL-terminated; NULL when unreadable, too big
 * or not a regular file: the paths come from mounts anyone in a user
 * namespace can make, so a FIFO there must not block mnttrace, nor a link
 * make it read some other file.
 */
static char *read_file(const char *path, size_t max)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > max)
		goto fail;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap || !buf) {
			char *nb;

			if (buf)
				cap *= 2;
			if (cap > max + 1)
				goto fail;
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

/* A one-line file (mount-id) equals @want. */
static bool file_is(const char *path, const char *want)
{
	char *s = read_file(path, 4096);
	bool eq;

	if (!s)
		return false;
	s[strcspn(s, "\n")] = '\0';
	eq = !strcmp(s, want);
	free(s);
	return eq;
}

static void json_str_at(const char *doc, const char *const *keys, char *buf, size_t len)
{
	if (!mt_jscan_str(mt_jscan_path(doc, keys), buf, len))
		buf[0] = '\0';
}

/* The component of @path right below the runtime's root ("overlay2"). */
static void driver_dir(const char *path, size_t root_len, char *buf, size_t len)
{
	const char *p = path + root_len;

	p += strspn(p, "/");
	snprintf(buf, len, "%.*s", (int)strcspn(p, "/"), p);
}

/* docker: the layerdb mount whose mount-id (or init-id) is the layer. */
static bool docker_lookup(struct mt_ctr_meta *m, const char *driver)
{
	static const char *const name_key[] = { "Name", NULL };
	static const char *const image_key[] = { "Config", "Image", NULL };
	char dir[PATH_MAX], file[PATH_MAX];
	struct dirent *d;
	bool found = false;
	int seen = 0;
	DIR *dp;

	if (snprintf(dir, sizeof(dir), "%s/image/%s/layerdb/mounts", m->root, driver) >=
	    (int)sizeof(dir))
		return false;
	dp = opendir(dir);
	if (!dp)
		return false;
	while (!found && (d = readdir(dp)) && seen++ < LAYERDB_MAX_ENTRIES) {
		if (d->d_name[0] == '.')
			continue;
		for (int k = 0; k < 2 && !found; k++) {
			if (snprintf(file, sizeof(file), "%s/%s/%s", dir, d->d_name,
				     k ? "init-id" : "mount-id") >= (int)sizeof(file))
				continue;
			found = file_is(file, m->layer_id);
		}
		if (found)
			mt_strscpy(m->container_id, d->d_name, sizeof(m->container_id));
	}
	closedir(dp);
	if (!found)
		return false;
	m->id_source = MT_IDSRC_DOCKER;
	if (snprintf(file, sizeof(file), "%s/containers/%s/config.v2.json", m->root,
		     m->container_id) < (int)sizeof(file)) {
		char *doc = read_file(file, META_FILE_MAX);

		if (doc) {
			json_str_at(doc, name_key, m->name, sizeof(m->name));
			/* docker keeps the name with a leading '/' */
			if (m->name[0] == '/')
				memmove(m->name, m->name + 1, strlen(m->name));
			json_str_at(doc, image_key, m->image, sizeof(m->image));
			free(doc);
		}
	}
	return true;
}

/* containers/storage: the entry of containers.json whose layer (or id) matches. */
static bool cstorage_lookup(struct mt_ctr_meta *m, bool by_container)
{
	static const char *const id_key[] = { "id", NULL };
	static const char *const layer_key[] = { "layer", NULL };
	static const char *const image_key[] = { "image", NULL };
	static const char *const meta_name[] = { "name", NULL };
	static const char *const meta_image[] = { "image-name", NULL };
	char file[PATH_MAX], val[MT_OVL_ID_LEN];
	const char *want = by_container ? m->container_id : m->layer_id;
	const char *e, *hit = NULL;
	char *doc;

	if (snprintf(file, sizeof(file), "%s/overlay-containers/containers.json", m->root) >=
	    (int)sizeof(file))
		return false;
	doc = read_file(file, META_FILE_MAX);
	if (!doc)
		return false;
	for (e = mt_jscan_first(doc); e && !hit; e = mt_jscan_next(e)) {
		json_str_at(e, by_container ? id_key : layer_key, val, sizeof(val));
		if (!strcmp(val, want))
			hit = e;
	}
	if (hit) {
		char meta[4096];

		m->id_source = MT_IDSRC_CSTORAGE;
		json_str_at(hit, id_key, m->container_id, sizeof(m->container_id));
		json_str_at(hit, layer_key, m->layer_id, sizeof(m->layer_id));
		mt_jscan_str(mt_jscan_first(mt_jscan_member(hit, "names")), m->name,
			     sizeof(m->name));
		/* podman and CRI-O keep the image's name in "metadata", a JSON
		 * document inside a string; "image" is only the image id */
		json_str_at(hit, (const char *const[]){ "metadata", NULL }, meta, sizeof(meta));
		if (meta[0]) {
			if (!m->name[0])
				json_str_at(meta, meta_name, m->name, sizeof(m->name));
			json_str_at(meta, meta_image, m->image, sizeof(m->image));
		}
		if (!m->image[0])
			json_str_at(hit, image_key, m->image, sizeof(m->image));
	}
	free(doc);
	return hit != NULL;
}

/* containerd: the bundle the rootfs is mounted in names the container. */
static void containerd_bundle(struct mt_ctr_meta *m, const char *path, size_t root_len,
			      const struct mt_ovl_ident *id, const char *upper)
{
	static const char *const name_key[] = { "annotations",
		"io.kubernetes.cri.container-name", NULL };
	static const char *const image_key[] = { "annotations",
		"io.kubernetes.cri.image-name", NULL };
	struct mt_ovl_ident snap;
	char taskdir[128], file[PATH_MAX];
	char *doc;

	snprintf(m->container_id, sizeof(m->container_id), "%s", id->id);
	/* the layer: the snapshot the upperdir lives in */
	if (mt_overlay_ident(upper, &snap) && snap.kind == MT_RT_CONTAINERD &&
	    !snap.id_is_container)
		snprintf(m->layer_id, sizeof(m->layer_id), "%s", snap.id);
	driver_dir(path, root_len, taskdir, sizeof(taskdir));
	m->id_source = MT_IDSRC_BUNDLE_PATH;
	if (snprintf(file, sizeof(file), "%s/%s/%s/%s/config.json", m->root, taskdir,
		     id->ns, id->id) >= (int)sizeof(file))
		return;
	doc = read_file(file, META_FILE_MAX);
	if (!doc)
		return;
	m->id_source = MT_IDSRC_CONTAINERD;
	json_str_at(doc, name_key, m->name, sizeof(m->name));
	json_str_at(doc, image_key, m->image, sizeof(m->image));
	free(doc);
}

bool mt_runtime_meta__resolve(struct mt_runtime_meta *rm, const char *merged,
			      const char *upper, struct mt_ctr_meta *out)
{
	struct mt_ovl_ident id;
	const char *path;
	const struct mt_ctr_meta *hit;
	char driver[64];
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (!mt_overlay_ident2(merged, upper, &id))
		return false;
	path = id.from_upper ? upper : merged;
	out->runtime = id.kind;
	out->runtime_name = id.runtime;
	if (id.root_len >= sizeof(out->root))
		id.root_len = 0;	/* unusable: fall back below */
	snprintf(out->root, sizeof(out->root), "%.*s", (int)id.root_len, path);
	if (id.kind == MT_RT_CONTAINERD && id.id_is_container) {
		/* a bundle: the path names the container; nothing to cache */
		containerd_bundle(out, path, id.root_len, &id, upper);
		return true;
	}
	if (id.id_is_container)
		snprintf(out->container_id, sizeof(out->container_id), "%s", id.id);
	else
		snprintf(out->layer_id, sizeof(out->layer_id), "%s", id.id);
	hit = out->layer_id[0] ? cache_find(rm, out->root, out->layer_id) : NULL;
	if (hit) {
		*out = *hit;
		return true;
	}
	if (id.root_len) {
		driver_dir(path, id.root_len, driver, sizeof(driver));
		if (id.kind == MT_RT_DOCKER)
			found = docker_lookup(out, driver);
		else if (id.kind == MT_RT_CONTAINERS_STORAGE)
			found = cstorage_lookup(out, id.id_is_container);
	}
	if (found) {
		if (out->layer_id[0])
			cache_add(rm, out);
		return true;
	}
	if (!out->container_id[0])
		snprintf(out->container_id, sizeof(out->container_id), "%s", id.id);
	out->id_source = id.kind == MT_RT_CONTAINERD ? MT_IDSRC_SNAPSHOT : MT_IDSRC_FALLBACK;
	return true;
}

void mt_lower_layers_free(char **layers, int nr)
{
	for (int i = 0; i < nr; i++)
		free(layers[i]);
	free(layers);
}

/* "<graph>/overlay2" from "<graph>/overlay2/<layer>/diff". */
static bool driver_of_upper(const char *upper, char *buf, size_t len)
{
	const char *end;

	if (!upper || upper[0] != '/' || mt_path_resolve(NULL, upper, buf, len) <= 0)
		return false;
	for (int up = 0; up < 2; up++) {
		end = strrchr(buf, '/');
		if (!end || end == buf)
			return false;
		buf[end - buf] = '\0';
	}
	return true;
}

static const char *link_find(const struct mt_runtime_meta *rm, const char *link)
{
	for (int i = 0; rm && i < rm->nr_links; i++)
		if (!strcmp(rm->links[i].link, link))
			return rm->links[i].target;
	return NULL;
}

/* Remember link -> target (a link known already keeps its first target). */
static void link_add(struct mt_runtime_meta *rm, const char *link, const char *target)
{
	char *l, *t;
	int i;

	if (!rm || link_find(rm, link))
		return;
	l = strdup(link);
	t = strdup(target);
	if (!l || !t) {
		free(l);
		free(t);
		return;
	}
	i = rm->next_link;
	if (rm->nr_links == MT_RTMETA_LINKS) {
		free(rm->links[i].link);
		free(rm->links[i].target);
	} else {
		rm->nr_links++;
	}
	rm->links[i].link = l;
	rm->links[i].target = t;
	rm->next_link = (i + 1) % MT_RTMETA_LINKS;
}

/* @layer with an l/XXXX link followed (or remembered, once it is gone);
 * NULL on ENOMEM. */
static char *follow_short_link(struct mt_runtime_meta *rm, const char *layer, const char *driver)
{
	char abs[PATH_MAX], target[PATH_MAX], out[PATH_MAX];
	const char *slash;
	ssize_t n;

	if (mt_path_resolve(layer[0] == '/' ? NULL : (driver[0] ? driver : NULL), layer,
			    abs, sizeof(abs)) <= 0)
		return strdup(layer);
	slash = strrchr(abs, '/');
	/* only the link dir of the layer store: <driver>/l/<short> */
	if (!slash || slash - abs < 2 || strncmp(slash - 2, "/l", 2))
		return strdup(abs[0] == '/' ? abs : layer);
	n = readlink(abs, target, sizeof(target) - 1);
	if (n <= 0) {
		const char *known = link_find(rm, abs);

		return strdup(known ? known : abs);
	}
	target[n] = '\0';
	abs[slash - abs] = '\0';	/* the l/ dir: relative targets start there */
	if (mt_path_resolve(abs, target, out, sizeof(out)) <= 0)
		return strdup(layer);
	abs[slash - abs] = '/';
	link_add(rm, abs, out);
	return strdup(out);
}

int mt_lower_layers(struct mt_runtime_meta *rm, const char *lowerdir, const char *upper,
		    char ***out)
{
	struct mt_ovl_opts o = MT_OVL_OPTS_INIT;
	char driver[PATH_MAX] = "";
	char **v;
	int nr = 0;

	*out = NULL;
	if (!lowerdir || !*lowerdir)
		return 0;
	if (mt_ovl_opts__set(&o, "lowerdir", lowerdir) < 0)
		return -ENOMEM;
	if (!o.nr_lower) {
		mt_ovl_opts__release(&o);
		return 0;
	}
	if (!driver_of_upper(upper, driver, sizeof(driver)))
		driver[0] = '\0';
	v = calloc(o.nr_lower, sizeof(*v));
	if (!v)
		goto nomem;
	for (size_t i = 0; i < o.nr_lower; i++) {
		v[nr] = follow_short_link(rm, o.lower[i], driver);
		if (!v[nr])
			goto nomem;
		nr++;
	}
	mt_ovl_opts__release(&o);
	*out = v;
	return nr;
nomem:
	mt_lower_layers_free(v, nr);
	mt_ovl_opts__release(&o);
	return -ENOMEM;
}
