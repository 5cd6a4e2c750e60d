/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why the stream ended, for a log pipeline: under -j a fatal error is also
 * written to stdout as one JSON object, as `bpftool -j` does:
 *
 *	{"type":"error","error":"<the stderr line's text>","exit_code":1}
 *
 * The error lines are printed where they happen (loader, sysenv, ...);
 * mt_fatal_capture() makes stderr remember the last "mnttrace: error: "
 * line, which mt_fatal_json() then repeats.
 */
#ifndef MT_FATAL_H
#define MT_FATAL_H

#include <stdbool.h>
#include <stdio.h>

/* Wrap stderr so that it keeps its last error line; false if it could not. */
bool mt_fatal_capture(void);

/* The text of the last "mnttrace: error: " line, without that prefix and the
 * newline; "" if none was printed since mt_fatal_capture(). */
const char *mt_fatal_last(void);

/* One {"type":"error",...} line on @out. @fallback when no error line was seen. */
void mt_fatal_json(FILE *out, const char *fallback, int exit_code);

/* Does argv ask for JSON (-j, --json, or -j in a cluster of flags)? */
bool mt_argv_wants_json(int argc, char **argv);

#endif /* MT_FATAL_H */
