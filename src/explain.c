// SPDX-License-Identifier: GPL-2.0
/* Which overlays --explain ARG names (explain.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explain.h"
#include "paths.h"

int mt_id_prefix_matches(const char *const *ids, int nr, const char *prefix, int *first)
{
	size_t len = strlen(prefix);
	int distinct = 0;

	*first = -1;
	if (!len)
		return 0;
	for (int i = 0; i < nr; i++) {
		bool seen = false;

		if (!ids[i] || !ids[i][0] || strncmp(ids[i], prefix, len) != 0)
			continue;
		for (int k = 0; k < i && !seen; k++)
			seen = ids[k] && strcmp(ids[k], ids[i]) == 0;
		if (seen)
			continue;
		if (*first < 0)
			*first = i;
		distinct++;
	}
	return distinct;
}

int mt_explain_target(const char *arg, struct mt_explain_target *t)
{
	char cwd[PATH_MAX], *slash;

	memset(t, 0, sizeof(*t));
	t->is_path = mt_explain_is_path(arg);
	if (!t->is_path) {
		mt_strscpy(t->arg, arg, sizeof(t->arg));
		t->id = t->arg;
		return 0;
	}
	/* the real path where it exists (symlinks followed), else its lexical form */
	if (!realpath(arg, t->arg) &&
	    (!getcwd(cwd, sizeof(cwd)) || mt_path_resolve(cwd, arg, t->arg, sizeof(t->arg)) <= 0))
		return -EINVAL;
	mt_strscpy(t->layer_dir, t->arg, sizeof(t->layer_dir));
	slash = strrchr(t->layer_dir, '/');
	if (slash && slash != t->layer_dir)
		*slash = '\0';
	return 0;
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

bool mt_explain_path_match(const struct mt_explain_target *t, const struct mt_ovl_view *v,
			   bool loose)
{
	if (same(t->arg, v->merged) || same(t->arg, v->upper) || same(t->arg, v->work))
		return true;
	for (int i = 0; i < v->nr; i++)
		if (same(t->arg, v->copies[i].path))
			return true;
	/* the layer dir itself (<graph>/overlay2/<id>), or a merged dir gone from here */
	if (v->upper && mt_path_under(v->upper, t->arg) && strcmp(t->arg, "/") != 0)
		return strchr(v->upper + strlen(t->arg) + 1, '/') == NULL;
	return loose && v->upper && strcmp(t->layer_dir, "/") != 0 &&
	       mt_path_under(v->upper, t->layer_dir) &&
	       strchr(v->upper + strlen(t->layer_dir) + 1, '/') == NULL;
}

bool mt_explain_id_match(const char *id, const struct mt_ctr_meta *m)
{
	size_t len = strlen(id);

	if (!len)
		return false;
	return strncmp(m->container_id, id, len) == 0 ||
	       (m->layer_id[0] && strncmp(m->layer_id, id, len) == 0) ||
	       (m->name[0] && strcmp(m->name, id) == 0);
}
