// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mnttrace.h"
#include "options.h"
#include "version.h"

const char *argp_program_version = "mnttrace " MT_VERSION;

static const char doc[] =
"mnttrace: show why a mount will not go away.\n"
"\n"
"Traces mounts, umounts, mount-namespace copies and directory removals, and\n"
"explains overlay mounts that leak into other mount namespaces.\n"
"\n"
"USAGE: mnttrace [-j] [-t] [-x] [--overlay] [-p PID] [--comm COMM]\n"
"                [--mntns INODE] [--path PREFIX] [--attach MODE] [-v]\n"
"       mnttrace --snapshot [-j] [-v]\n"
"       mnttrace --explain PATH|ID [-j | --dot] [-v]\n"
"\n"
"EXAMPLES:\n"
"    mnttrace --overlay          # overlay mounts, their copies and findings\n"
"    mnttrace -x                 # only calls that failed (EBUSY, ...)\n"
"    mnttrace --overlay -v       # and the walks and fields behind them\n"
"    mnttrace -j > trace.jsonl   # JSON Lines, one object per event\n"
"    mnttrace --path /var/lib/docker/overlay2\n"
"    mnttrace --mntns 4026531841 # one mount namespace (ls -l /proc/PID/ns/mnt)\n"
"    mnttrace --attach tracepoint --check   # can this kernel use that mode?\n"
"    mnttrace --snapshot         # now, no BPF: overlay copies, risks, leaks, holders\n"
"    mnttrace --explain /var/lib/docker/overlay2/<id>/merged   # why is it busy?\n"
"    mnttrace --explain 3f4e9c1d # the same for a container id (or unique prefix)\n"
"    mnttrace --record incident.rec   # keep everything for a later --replay\n"
"    mnttrace --replay incident.rec   # the findings again, offline, no root\n"
"    mnttrace --record /var/lib/mnttrace --max-size 100M   # flight recorder\n";

enum {
	OPT_COMM = 0x100,
	OPT_MNTNS,
	OPT_PATH,
	OPT_OVERLAY,
	OPT_ATTACH,
	OPT_CHECK,
	OPT_NO_FINDINGS,
	OPT_FINDINGS_ONLY,
	OPT_DURATION,
	OPT_RINGBUF_SIZE,
	OPT_USAGE,
	OPT_INTERNALS,
	OPT_WIDE,
	OPT_COLOR,
	OPT_SNAPSHOT,
	OPT_EXPLAIN,
	OPT_DOT,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_FORCE,
	OPT_MAX_SIZE,
	OPT_ALL_REMOVALS,
};

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Output:", 1 },
	{ "json", 'j', NULL, 0, "JSON Lines, one object per event (docs/json.md)", 0 },
	{ "timestamp", 't', NULL, 0, "Show a time column", 0 },
	{ "no-findings", OPT_NO_FINDINGS, NULL, 0, "Events only, no findings", 0 },
	{ "findings-only", OPT_FINDINGS_ONLY, NULL, 0, "Findings only, no events", 0 },
	{ "internals", OPT_INTERNALS, NULL, 0,
	  "Also show internal records (namespace walks, propagation bookkeeping); -j always has them", 0 },
	{ "wide", OPT_WIDE, NULL, 0, "Every field on the event's own line, however long", 0 },
	{ "color", OPT_COLOR, "WHEN", OPTION_ARG_OPTIONAL,
	  "Colour: auto (default: on a terminal, unless NO_COLOR is set), always or never", 0 },
	{ NULL, 0, NULL, 0, "Filters:", 2 },
	{ "pid", 'p', "PID", 0,
	  "Only this process: its pid as seen where mnttrace runs (in a container, the container's own pids)", 0 },
	{ "comm", OPT_COMM, "COMM", 0, "Only tasks with this name", 0 },
	{ "mntns", OPT_MNTNS, "INODE", 0, "Only calls made in this mount namespace", 0 },
	{ "path", OPT_PATH, "PREFIX", 0, "Only paths under PREFIX", 0 },
	{ "failed", 'x', NULL, 0, "Only failed calls", 0 },
	{ "overlay", OPT_OVERLAY, NULL, 0,
	  "Only overlay mounts, their copies and operations on their paths", 0 },
	{ "all-removals", OPT_ALL_REMOVALS, NULL, 0,
	  "Every rmdir and unlinkat(AT_REMOVEDIR), whatever its result; by default only EBUSY "
	  "and removals of directories a mount may be on", 0 },
	{ NULL, 0, NULL, 0, "Tracing:", 3 },
	{ "attach", OPT_ATTACH, "MODE", 0,
	  "auto (default), fentry, kprobe or tracepoint", 0 },
	{ "check", OPT_CHECK, NULL, 0,
	  "Probe the attach mode, print what it can see and exit", 0 },
	{ "duration", OPT_DURATION, "TIME", 0,
	  "Stop after TIME: seconds, a fraction or a suffix s, m, h, d (1.5, 90s, 2m)", 0 },
	{ "ringbuf-size", OPT_RINGBUF_SIZE, "KIB", 0,
	  "Ring buffer size in KiB, a power of 2 from 4 to 1048576 (default 4096)", 0 },
	{ "verbose", 'v', NULL, 0,
	  "More detail: internal records and extra fields in text, more on stderr; "
	  "-vvv adds libbpf's debug output", 0 },
	{ NULL, 0, NULL, 0, "Answer now, without BPF (any kernel with /proc, also as non-root):", 4 },
	{ "snapshot", OPT_SNAPSHOT, NULL, 0,
	  "Scan every mount namespace once: overlay copies, risk and leak findings, holders", 0 },
	{ "explain", OPT_EXPLAIN, "PATH|ID", 0,
	  "Why an overlay (merged dir, or container id or unique prefix) is busy or still mounted", 0 },
	{ "dot", OPT_DOT, NULL, 0, "With --explain: the peer-group tree as Graphviz DOT", 0 },
	{ NULL, 0, NULL, 0, "Recording (docs/recording.md):", 5 },
	{ "record", OPT_RECORD, "FILE|DIR", 0,
	  "Also write everything seen to FILE (0600), for --replay", 0 },
	{ "max-size", OPT_MAX_SIZE, "SIZE", 0,
	  "With --record DIR: keep the newest SIZE bytes (K, M, G) as rotated segments", 0 },
	{ "force", OPT_FORCE, NULL, 0, "Let --record replace an existing recording", 0 },
	{ "replay", OPT_REPLAY, "FILE|DIR", 0,
	  "Rerun a recording's findings offline (no root, no BPF)", 0 },
	{ NULL, 0, NULL, 0, "Help:", -1 },
	{ "help", 'h', NULL, 0, "Show this help and exit", 0 },
	{ "usage", OPT_USAGE, NULL, 0, "Show a short usage message and exit", 0 },
	{ "version", 'V', NULL, 0, "Show the version and exit", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const char *const mode_names[] = {
	[MT_ATTACH_AUTO] = "auto",
	[MT_ATTACH_FENTRY] = "fentry",
	[MT_ATTACH_KPROBE] = "kprobe",
	[MT_ATTACH_TRACEPOINT] = "tracepoint",
};

const char *mt_attach_mode_name(enum mt_attach_mode mode)
{
	return mode_names[mode];
}

/* Strictly a whole decimal number in [min, max]: digits only, no sign or space. */
static int parse_uint(const char *arg, unsigned long long min,
		      unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!arg || !isdigit((unsigned char)*arg))
		return -EINVAL;
	errno = 0;
	*out = strtoull(arg, &end, 10);
	if (errno || *end || *out < min || *out > max)
		return -EINVAL;
	return 0;
}

/*
 * A duration as timeout(1) takes it: a decimal number, with a fraction if
 * wanted, and one optional suffix s, m, h or d. Above 0, at most a year.
 */
int mt_parse_duration(const char *arg, double *out)
{
	static const struct { char suffix; double scale; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	double v, scale = 1;
	char *end;

	/* strtod alone takes " 1", "1e3", "inf" and "0x10": digits first */
	if (!arg || !isdigit((unsigned char)*arg) || strpbrk(arg, "xXeEpP"))
		return -EINVAL;
	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg)
		return -EINVAL;
	if (*end) {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (end[0] == units[i].suffix && !end[1])
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		scale = units[i].scale;
	}
	v *= scale;
	if (!(v > 0) || v > 365.0 * 86400)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A byte count with an optional K, M or G (powers of 1024). */
static int parse_size(const char *arg, unsigned long long *out)
{
	unsigned long long mul = 1;
	char *end;

	if (!arg || !*arg || *arg == '-' || *arg == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoull(arg, &end, 10);
	if (*end && !end[1]) {
		const char *u = strchr("KMG", *end);

		mul = u ? 1ULL << (10 * (u - "KMG" + 1)) : 0;
		end++;
	}
	if (errno || *end || !mul || *out > (1ULL << 50) / mul)
		return -EINVAL;
	*out *= mul;
	return 0;
}

static bool error_printed;

/* One line in the house format; argp's own errors are two lines. */
__attribute__((format(printf, 2, 3)))
static error_t opt_error(struct argp_state *state, const char *fmt, ...)
{
	va_list ap;

	fputs("mnttrace: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see mnttrace --help)\n", stderr);
	error_printed = true;
	return EINVAL;
}

/* Options that take a value may be given once: a second would silently win. */
static error_t once(struct argp_state *state, bool *seen, const char *name)
{
	if (*seen)
		return opt_error(state, "%s given more than once: give it once", name);
	*seen = true;
	return 0;
}

static FILE *help_out;

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct mt_options *opt = state->input;
	static bool seen_pid, seen_comm, seen_mntns, seen_path, seen_attach, seen_duration,
		seen_explain, seen_ringbuf, seen_record, seen_replay, seen_max_size;
	unsigned long long v;
	double d;
	error_t e = 0;

	switch (key) {
	case 'j':
		opt->json = true;
		break;
	case 't':
		opt->timestamp = true;
		break;
	case 'x':
		opt->failed_only = true;
		break;
	case 'v':
		opt->verbose++;
		break;
	case 'p':
		if ((e = once(state, &seen_pid, "--pid")))
			return e;
		if (parse_uint(arg, 1, INT_MAX, &v))
			return opt_error(state, "invalid --pid '%s': expected a process id (1 to %d)",
				   arg, INT_MAX);
		opt->pid = v;
		break;
	case OPT_COMM:
		if ((e = once(state, &seen_comm, "--comm")))
			return e;
		if (!*arg || strlen(arg) >= MT_COMM_LEN)
			return opt_error(state, "invalid --comm '%s': expected 1 to %d characters",
				   arg, MT_COMM_LEN - 1);
		opt->comm = arg;
		break;
	case OPT_MNTNS:
		if ((e = once(state, &seen_mntns, "--mntns")))
			return e;
		if (parse_uint(arg, 1, UINT32_MAX, &v))
			return opt_error(state, "invalid --mntns '%s': expected a namespace inode number "
				   "(see ls -lL /proc/PID/ns/mnt)", arg);
		opt->mntns = v;
		break;
	case OPT_PATH:
		if ((e = once(state, &seen_path, "--path")))
			return e;
		if (arg[0] != '/')
			return opt_error(state, "invalid --path '%s': expected an absolute path", arg);
		opt->path_prefix = arg;
		break;
	case OPT_OVERLAY:
		opt->overlay = true;
		break;
	case OPT_ATTACH:
		if ((e = once(state, &seen_attach, "--attach")))
			return e;
		for (v = 0; v < sizeof(mode_names) / sizeof(mode_names[0]); v++)
			if (strcmp(arg, mode_names[v]) == 0)
				break;
		if (v == sizeof(mode_names) / sizeof(mode_names[0]))
			return opt_error(state, "invalid --attach '%s': expected auto, fentry, kprobe or tracepoint",
				   arg);
		opt->attach = v;
		break;
	case OPT_CHECK:
		opt->check = true;
		break;
	case OPT_NO_FINDINGS:
		opt->no_findings = true;
		break;
	case OPT_ALL_REMOVALS:
		opt->all_removals = true;
		break;
	case OPT_FINDINGS_ONLY:
		opt->findings_only = true;
		break;
	case OPT_INTERNALS:
		opt->internals = true;
		break;
	case OPT_WIDE:
		opt->wide = true;
		break;
	case OPT_COLOR:
		/* a bare --color means always, as for ls and grep */
		if (!arg)
			opt->color = MT_COLOR_ALWAYS;
		else if (mt_color_parse(arg, &opt->color))
			return opt_error(state, "invalid --color '%s': expected auto, always or never",
					 arg);
		break;
	case OPT_SNAPSHOT:
		opt->snapshot = true;
		break;
	case OPT_EXPLAIN:
		if ((e = once(state, &seen_explain, "--explain")))
			return e;
		if (!*arg)
			return opt_error(state, "invalid --explain '': expected a path or a container id");
		opt->explain = arg;
		break;
	case OPT_DOT:
		opt->dot = true;
		break;
	case OPT_DURATION:
		if ((e = once(state, &seen_duration, "--duration")))
			return e;
		if (mt_parse_duration(arg, &d))
			return opt_error(state, "invalid --duration '%s': expected a time above 0 "
					 "such as 30, 1.5, 90s, 2m or 1h", arg);
		opt->duration = d;
		break;
	case OPT_RINGBUF_SIZE:
		if ((e = once(state, &seen_ringbuf, "--ringbuf-size")))
			return e;
		/* BPF_MAP_TYPE_RINGBUF: a power-of-2 multiple of the page size */
		if (parse_uint(arg, 4, 1 << 20, &v) || (v & (v - 1)))
			return opt_error(state, "invalid --ringbuf-size '%s': expected KiB, a power "
					 "of 2 from 4 to 1048576", arg);
		opt->ringbuf_size = v * 1024;
		break;
	case OPT_RECORD:
		if ((e = once(state, &seen_record, "--record")))
			return e;
		opt->record = arg;
		break;
	case OPT_REPLAY:
		if ((e = once(state, &seen_replay, "--replay")))
			return e;
		opt->replay = arg;
		break;
	case OPT_FORCE:
		opt->force = true;
		break;
	case OPT_MAX_SIZE:
		if ((e = once(state, &seen_max_size, "--max-size")))
			return e;
		if (parse_size(arg, &v) || v < 256 * 1024)
			return opt_error(state, "invalid --max-size '%s': expected bytes, 256K or more "
				   "(with K, M or G)", arg);
		opt->max_size = v;
		break;
	/*
	 * Our own --help/--usage/--version: under ARGP_NO_ERRS argp's would
	 * print nothing. They print into help_out; mt_options_parse() sees it.
	 */
	case 'h':
		argp_help(state->root_argp, help_out, ARGP_HELP_STD_HELP, state->name);
		break;
	case OPT_USAGE:
		argp_help(state->root_argp, help_out, ARGP_HELP_USAGE, state->name);
		break;
	case 'V':
		fprintf(help_out, "%s\n", argp_program_version);
		break;
	case ARGP_KEY_ERROR:
		if (!error_printed)
			return opt_error(state, "unknown option or missing value in '%s'",
					 state->argv[state->next > 1 ? state->next - 1 : 1]);
		break;
	case ARGP_KEY_ARG:
		return opt_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_INIT:
		seen_pid = seen_comm = seen_mntns = seen_path = seen_attach = seen_duration = false;
		seen_explain = seen_ringbuf = seen_record = seen_replay = seen_max_size = false;
		break;
	case ARGP_KEY_END:
		if (opt->no_findings && opt->findings_only)
			return opt_error(state, "--no-findings and --findings-only conflict: choose one");
		if (opt->check && (opt->json || opt->pid || opt->comm || opt->mntns ||
				   opt->path_prefix || opt->failed_only || opt->duration))
			return opt_error(state, "--check takes only --attach and -v: it traces nothing");
		if (opt->snapshot && opt->explain)
			return opt_error(state, "--snapshot and --explain conflict: choose one");
		if (opt->dot && (!opt->explain || opt->json))
			return opt_error(state, "--dot goes with --explain, without -j");
		if ((opt->snapshot || opt->explain) &&
		    (opt->check || opt->attach != MT_ATTACH_AUTO || opt->duration || opt->pid ||
		     opt->comm || opt->mntns || opt->path_prefix || opt->failed_only ||
		     opt->overlay || opt->no_findings || opt->findings_only || opt->timestamp ||
		     opt->record || opt->replay))
			return opt_error(state, "--snapshot and --explain take only -j, --dot and -v: "
					 "they trace nothing");
		if (opt->check && opt->record)
			return opt_error(state, "--check records nothing: drop --record");
		if ((opt->force || opt->max_size) && !opt->record)
			return opt_error(state, "--force and --max-size go with --record");
		if (opt->replay && (opt->record || opt->pid || opt->comm || opt->mntns ||
				    opt->path_prefix || opt->failed_only || opt->overlay ||
				    opt->attach != MT_ATTACH_AUTO || opt->duration || opt->check))
			return opt_error(state, "--replay takes only -j, -t, --findings-only, "
				   "--no-findings and -v: the recording's own filters apply");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int mt_options_parse(int argc, char **argv, struct mt_options *opt)
{
	static const struct argp argp = { options, parse_opt, NULL, doc, NULL, NULL, NULL };
	char *help = NULL;
	size_t help_len = 0;
	int err;

	/* ARGP_NO_ERRS: argp and getopt print nothing, opt_error() does;
	 * ARGP_NO_HELP: our own --help, see parse_opt() */
	error_printed = false;
	help_out = open_memstream(&help, &help_len);
	if (!help_out)
		return -ENOMEM;
	err = argp_parse(&argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_ERRS | ARGP_NO_HELP, NULL, opt);
	fclose(help_out);
	help_out = NULL;
	if (err) {
		if (!error_printed)
			fprintf(stderr, "mnttrace: error: invalid arguments: %s (see mnttrace --help)\n",
				strerror(err));
		free(help);
		return -EINVAL;
	}
	if (help_len) {
		fputs(help, stdout);
		free(help);
		return 1;
	}
	free(help);
	return 0;
}
