/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options: one struct, defaults in one initializer. */
#ifndef MT_OPTIONS_H
#define MT_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "term.h"

enum mt_attach_mode {
	MT_ATTACH_AUTO,
	MT_ATTACH_FENTRY,
	MT_ATTACH_KPROBE,
	MT_ATTACH_TRACEPOINT,
};

struct mt_options {
	enum mt_attach_mode attach;
	bool check;		/* --check: probe the attach mode and exit */
	bool json;
	bool timestamp;
	bool failed_only;
	bool overlay;
	bool no_findings;
	bool all_removals;	/* --all-removals: every rmdir/unlinkat (bpf/removal.h) */
	bool findings_only;
	bool internals;		/* --internals (or -v): walks and bookkeeping in text */
	bool wide;		/* --wide: every field on the event's line */
	enum mt_color_when color;	/* --color */
	int verbose;
	uint32_t pid;		/* 0 = all */
	uint32_t mntns;		/* 0 = all */
	const char *comm;
	const char *path_prefix;
	double duration;	/* seconds, 0 = until a signal or a closed stdout */
	bool snapshot;		/* --snapshot: one /proc scan, no BPF (snapshot_cmd.h) */
	const char *explain;	/* --explain PATH|ID: the same, for one overlay */
	bool dot;		/* --dot: --explain's tree as Graphviz */
	uint32_t ringbuf_size;	/* bytes, a power of 2; 0 = the default (4 MiB) */
	const char *record;	/* --record FILE|DIR (docs/recording.md) */
	const char *replay;	/* --replay FILE|DIR */
	bool force;		/* --force: --record may replace */
	uint64_t max_size;	/* --max-size: bytes, DIR is a flight recorder */
};

#define MT_OPTIONS_DEFAULT { .attach = MT_ATTACH_AUTO }

/*
 * Parse argv into *opt. Returns 0, 1 when the program should exit 0 at once
 * (--help, --version), or -EINVAL after printing one error line on stderr
 * (exit MT_EXIT_USAGE then).
 */
int mt_options_parse(int argc, char **argv, struct mt_options *opt);

const char *mt_attach_mode_name(enum mt_attach_mode mode);

/* "1.5", "90s", "2m", "1h", "1d" (as timeout(1)) in seconds; -EINVAL if not. */
int mt_parse_duration(const char *arg, double *out);

/* Exit statuses (README "Exit status"). */
enum {
	MT_EXIT_OK = 0,
	MT_EXIT_FAILURE = 1,	/* the host or kernel refused, a write failed */
	MT_EXIT_USAGE = 2,	/* called wrong: a bad option or value */
};

#endif /* MT_OPTIONS_H */
