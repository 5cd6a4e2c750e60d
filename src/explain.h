/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What --explain ARG names: a path (a merged dir, an upper/work dir, or
 * the layer dir above them) or a container id, layer id or unique prefix
 * of one, as Docker, containerd and podman print them. Which overlays of
 * the model it selects; pure where it can be, so it is tested alone.
 */
#ifndef MT_EXPLAIN_H
#define MT_EXPLAIN_H

#include <limits.h>
#include <stdbool.h>

#include "model_view.h"
#include "runtime_meta.h"

/* A path starts with '/' or '.' (an id or a name never does); anything
 * else is an id or a container name. */
static inline bool mt_explain_is_path(const char *arg)
{
	return arg[0] == '/' || arg[0] == '.';
}

/*
 * How many distinct strings among @ids[0..@nr) start with @prefix (NULL
 * and "" entries skipped); *@first gets the index of the first match.
 * 1 is a unique match; 2 or more is ambiguous.
 */
int mt_id_prefix_matches(const char *const *ids, int nr, const char *prefix, int *first);

struct mt_explain_target {
	char arg[PATH_MAX];	/* the path, made absolute and canonical where it exists */
	bool is_path;
	char layer_dir[PATH_MAX];	/* the path's parent: the layer dir of a merged dir */
	const char *id;		/* the id when not a path (points into arg) */
};

/* Parse @arg (--explain's). 0, or -EINVAL for a relative path that cannot be
 * made absolute. */
int mt_explain_target(const char *arg, struct mt_explain_target *t);

/*
 * Does overlay @v match @t by path? @loose: also by the layer dir (the
 * overlay's upperdir lies under the path's parent), for a merged dir that
 * no longer exists where mnttrace runs (removed after a lazy detach).
 */
bool mt_explain_path_match(const struct mt_explain_target *t, const struct mt_ovl_view *v,
			   bool loose);

/* Does owner @m match id @id: a prefix of its container or layer id, or its name? */
bool mt_explain_id_match(const char *id, const struct mt_ctr_meta *m);

#endif /* MT_EXPLAIN_H */
