/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough JSON reading for a runtime's metadata files (config.v2.json,
 * containers.json, an OCI config.json): walk a NUL-terminated document
 * without building a tree. Every function takes a pointer at a value (or at
 * whitespace before one) and returns NULL on malformed input, so a broken
 * or truncated file reads as "not found", never as a crash.
 */
#ifndef MT_JSON_SCAN_H
#define MT_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* The end of the value at @p (just past it), NULL when malformed. */
const char *mt_jscan_skip(const char *p);

/* The value of member @key of the object at @obj, NULL when absent. */
const char *mt_jscan_member(const char *obj, const char *key);

/* Follow @keys (NULL-terminated) through nested objects. */
const char *mt_jscan_path(const char *obj, const char *const *keys);

/* The first element of the array at @arr, NULL when empty or not an array;
 * then the element after @elem, NULL at the end. */
const char *mt_jscan_first(const char *arr);
const char *mt_jscan_next(const char *elem);

/*
 * The string at @v, unescaped into @buf (\uXXXX outside ASCII becomes '?').
 * False when @v is not a string or it does not fit (@buf is then "").
 */
bool mt_jscan_str(const char *v, char *buf, size_t len);

#endif /* MT_JSON_SCAN_H */
