/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one path toolkit: a syscall's path made absolute against its base
 * directory, and the whole-component "is below" test. Every module that
 * compares a path a process passed with a path the kernel reported (the
 * model, the filter, the output, /proc link checks) goes through these, so
 * that "." and a trailing "/" mean the same thing everywhere.
 */
#ifndef MT_PATHS_H
#define MT_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * @path (as a process passed it) made absolute against @base (the dirfd's or
 * the cwd's path, as the kernel reported it), written in canonical form to
 * @buf: one "/" between components, no "." components, ".." resolved
 * lexically, no trailing "/" (except the root "/").
 *
 *   "/a//b/"  -> "/a/b"          "." with base "/b"   -> "/b"
 *   "./x"     -> "<base>/x"      "x/."                -> "<base>/x"
 *   ".."      -> parent of base  "a/../b"             -> "<base>/b"
 *   "/.."     -> "/"             "" with base         -> base (AT_EMPTY_PATH)
 *
 * An absolute @path ignores @base. A relative @path without a base is
 * normalised but stays relative ("./m/" -> "m", "../x" stays "../x"); the
 * caller can tell by buf[0] != '/'.
 *
 * Returns the length written (0 when there is no path: @path NULL, or ""
 * without a base), or -ENAMETOOLONG when the result (or a step on the way,
 * before a later ".." shortens it) does not fit in @len bytes: @buf is then
 * "" (never a silently cut path).
 */
int mt_path_resolve(const char *base, const char *path, char *buf, size_t len);

/*
 * Whether @path is @prefix or below it, by whole components: "/a/b" is under
 * "/a" and "/a/", not under "/ab"; everything absolute is under "/". Both
 * should be canonical (mt_path_resolve); a trailing "/" on @prefix is
 * allowed.
 */
bool mt_path_under(const char *path, const char *prefix);

#endif /* MT_PATHS_H */
