/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one parser of overlay's layer options, for mount(2) data strings and
 * for fsconfig(2) key/value pairs, with overlay's own escape rules. Checked
 * against fs/overlayfs/params.c as of the 6.8 lowerdir+/datadir+ patches and
 * the 2024 fix that gave lowerdir= layers their escapes back (ovl_next_opt,
 * ovl_unescape, ovl_mount_dir vs ovl_mount_dir_noesc); 6.1's super.c splits
 * and unescapes mount data and lowerdir= the same way, without "::" and "+":
 *
 *  - mount(2) data is split at every ',' that no backslash escapes, so
 *    "upperdir=/up\,per" is one option;
 *  - upperdir= and workdir= values lose their backslashes ("\x" -> "x"):
 *    the directory is "/up,per";
 *  - lowerdir= is a ':' list, split at every ':' that no backslash escapes;
 *    "::" starts the data-only layers (6.5+); each layer then loses its
 *    backslashes. A lowerdir= replaces all lower layers given before;
 *  - lowerdir+= and datadir+= (6.8+) append ONE layer each, taken literally
 *    (no escapes: the kernel uses ovl_mount_dir_noesc for them). mountinfo
 *    shows such an overlay with one lowerdir+=/datadir+= option per layer
 *    (seen on 6.18), so its super options parse the same way.
 *
 * Results are the directories as the kernel resolved them by name, so they
 * compare directly with mountinfo's unescaped upperdir/workdir and, through
 * mt_ovl_opts__set(o, "lowerdir", mountinfo_lowerdir), with its lower list.
 */
#ifndef MT_OVL_OPTIONS_H
#define MT_OVL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

struct mt_ovl_opts {
	char *upper, *work;	/* unescaped; NULL = not given */
	char **lower;		/* unescaped layers, top first; data layers last */
	size_t nr_lower;	/* entries in @lower, data layers included */
	size_t nr_data;		/* the last @nr_data entries are data-only */
};

#define MT_OVL_OPTS_INIT { 0 }

/* Free what @o holds and make it empty again. */
void mt_ovl_opts__release(struct mt_ovl_opts *o);

/*
 * Apply one overlay option: @key as fsconfig(2) names it ("upperdir",
 * "workdir", "lowerdir", "lowerdir+", "datadir+"), @value as passed. An empty
 * value clears the option (upperdir= / workdir= unset, lowerdir= drops all
 * lower layers). Returns 1 when @key is a layer option, 0 when it is any
 * other option (ignored), -ENOMEM.
 */
int mt_ovl_opts__set(struct mt_ovl_opts *o, const char *key, const char *value);

/* Apply every option of a mount(2) data string in order (later ones win).
 * Returns 0 or -ENOMEM. */
int mt_ovl_opts__parse_data(struct mt_ovl_opts *o, const char *data);

/*
 * The lower layers as one lowerdir= value: layers joined by ':', "::"
 * before the data layers, '\', ':' and ',' inside a layer escaped with '\',
 * so that mt_ovl_opts__set(o, "lowerdir", result) gives the same list back,
 * and the value can go into mount(2) data as it is.
 * Returns a malloc'ed string ("" when there are no layers), NULL on ENOMEM.
 */
char *mt_ovl_opts__lower_str(const struct mt_ovl_opts *o);

/* Whether @a and @b name the same lower layers, data layers included. */
bool mt_ovl_opts__same_lower(const struct mt_ovl_opts *a, const struct mt_ovl_opts *b);

/* Deep copy of @src into an empty @dst. Returns 0 or -ENOMEM (@dst empty). */
int mt_ovl_opts__copy(struct mt_ovl_opts *dst, const struct mt_ovl_opts *src);

#endif /* MT_OVL_OPTIONS_H */
