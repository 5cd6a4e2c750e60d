// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "options.h"
#include "testlib.h"

/* Parse a NULL-terminated argument list; stdout and stderr are silenced. */
static int parse(struct mt_options *opt, const char **args)
{
	char *argv[32] = { (char *)"mnttrace" };
	int argc = 1, saved_out, saved_err, devnull, err;

	for (; args[argc - 1] && argc < 31; argc++)
		argv[argc] = (char *)args[argc - 1];
	*opt = (struct mt_options)MT_OPTIONS_DEFAULT;
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	dup2(devnull, 2);
	err = mt_options_parse(argc, argv, opt);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	close(devnull);
	return err;
}

/* --help must stop the program before it traces anything. */
TEST(options_help_and_version_exit)
{
	struct mt_options o;

	ASSERT_EQ(parse(&o, (const char *[]){ "--help", NULL }), 1, "--help");
	ASSERT_EQ(parse(&o, (const char *[]){ "-h", NULL }), 1, "-h");
	ASSERT_EQ(parse(&o, (const char *[]){ "--usage", NULL }), 1, "--usage");
	ASSERT_EQ(parse(&o, (const char *[]){ "--version", NULL }), 1, "--version");
	ASSERT_EQ(parse(&o, (const char *[]){ "-j", "-h", NULL }), 1, "-j -h");
}

TEST(options_defaults)
{
	struct mt_options o;

	ASSERT_EQ(parse(&o, (const char *[]){ NULL }), 0, "no arguments");
	ASSERT_EQ(o.attach, MT_ATTACH_AUTO, "attach");
	ASSERT_FALSE(o.json || o.overlay || o.failed_only || o.check, "flags off");
	ASSERT_FALSE(o.all_removals, "removals filtered in the kernel by default");
	ASSERT_EQ(o.pid, 0, "pid");
}

TEST(options_all_valid)
{
	struct mt_options o;
	const char *args[] = { "-j", "-t", "-x", "--overlay", "-p", "42", "--comm", "dockerd",
			       "--mntns", "4026531841", "--path", "/var/lib/docker",
			       "--attach", "tracepoint", "-vv", "--duration", "5", "--all-removals",
			       NULL };

	if (!ASSERT_EQ(parse(&o, args), 0, "parse"))
		return;
	ASSERT_TRUE(o.json && o.timestamp && o.failed_only && o.overlay, "flags");
	ASSERT_TRUE(o.all_removals, "--all-removals");
	ASSERT_EQ(o.pid, 42, "pid");
	ASSERT_STREQ(o.comm, "dockerd", "comm");
	ASSERT_EQ(o.mntns, 4026531841u, "mntns");
	ASSERT_STREQ(o.path_prefix, "/var/lib/docker", "path");
	ASSERT_EQ(o.attach, MT_ATTACH_TRACEPOINT, "attach");
	ASSERT_EQ(o.verbose, 2, "verbose");
	ASSERT_EQ(o.duration, 5, "duration");
}

TEST(options_attach_modes)
{
	static const char *const names[] = { "auto", "fentry", "kprobe", "tracepoint" };
	struct mt_options o;

	for (int m = 0; m < 4; m++) {
		const char *args[] = { "--attach", names[m], NULL };

		ASSERT_EQ(parse(&o, args), 0, names[m]);
		ASSERT_EQ(o.attach, m, names[m]);
		ASSERT_STREQ(mt_attach_mode_name(o.attach), names[m], "mode name");
	}
}

TEST(options_rejects_bad_values)
{
	static const char *const bad[][3] = {
		{ "-p", "abc" }, { "-p", "0" }, { "-p", "-5" }, { "-p", "12x" },
		{ "-p", "99999999999" }, { "--mntns", "0" }, { "--mntns", "4294967296" },
		{ "--mntns", "" }, { "--path", "relative/dir" }, { "--comm", "a-name-longer-than-15" },
		{ "--attach", "bogus" }, { "--duration", "0" }, { "--duration", "1.5x" },
		{ "--ringbuf-size", "0" }, { "--ringbuf-size", "2" }, { "--ringbuf-size", "48" },
		{ "--ringbuf-size", "2097152" }, { "--bogus" }, { "extra-argument" }, { "-p" },
	};
	struct mt_options o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { bad[i][0], bad[i][1], NULL };
		char what[96];

		snprintf(what, sizeof(what), "%s %s", bad[i][0], bad[i][1] ? bad[i][1] : "");
		ASSERT_EQ(parse(&o, args), -22 /* -EINVAL */, what);
	}
}

TEST(options_ringbuf_size_in_kib)
{
	struct mt_options o;

	ASSERT_EQ(parse(&o, (const char *[]){ "--ringbuf-size", "64", NULL }), 0, "parsed");
	ASSERT_EQ(o.ringbuf_size, 64 * 1024, "bytes");
	ASSERT_EQ(parse(&o, (const char *[]){ NULL }), 0, "parsed");
	ASSERT_EQ(o.ringbuf_size, 0, "default");
}

TEST(options_rejects_conflicts)
{
	struct mt_options o;

	ASSERT_EQ(parse(&o, (const char *[]){ "--no-findings", "--findings-only", NULL }), -22,
		  "--no-findings with --findings-only");
	ASSERT_EQ(parse(&o, (const char *[]){ "--check", "-j", NULL }), -22, "--check with -j");
	ASSERT_EQ(parse(&o, (const char *[]){ "--check", "-p", "1", NULL }), -22,
		  "--check with -p");
	ASSERT_EQ(parse(&o, (const char *[]){ "--check", "--attach", "kprobe", NULL }), 0,
		  "--check with --attach");
}

/* --color as ls takes it; --internals and --wide are plain switches. */
TEST(options_text_display)
{
	struct mt_options o;

	ASSERT_EQ(parse(&o, (const char *[]){ NULL }), 0, "no arguments");
	ASSERT_EQ(o.color, MT_COLOR_AUTO, "colour: auto by default");
	ASSERT_FALSE(o.internals || o.wide, "internals and wide off");
	ASSERT_EQ(parse(&o, (const char *[]){ "--color", NULL }), 0, "bare --color");
	ASSERT_EQ(o.color, MT_COLOR_ALWAYS, "a bare --color means always");
	ASSERT_EQ(parse(&o, (const char *[]){ "--color=never", NULL }), 0, "--color=never");
	ASSERT_EQ(o.color, MT_COLOR_NEVER, "never");
	ASSERT_EQ(parse(&o, (const char *[]){ "--color=always", NULL }), 0, "--color=always");
	ASSERT_EQ(o.color, MT_COLOR_ALWAYS, "always");
	ASSERT_EQ(parse(&o, (const char *[]){ "--color=yes", NULL }), -EINVAL, "--color=yes");
	ASSERT_EQ(parse(&o, (const char *[]){ "--internals", "--wide", NULL }), 0, "switches");
	ASSERT_TRUE(o.internals && o.wide, "--internals --wide");
}

/* --snapshot and --explain trace nothing: tracing options are refused. */
TEST(options_snapshot_explain)
{
	struct mt_options o;

	ASSERT_OK(parse(&o, (const char *[]){ "--snapshot", "-j", NULL }), "--snapshot -j");
	ASSERT_TRUE(o.snapshot && o.json, "set");
	ASSERT_OK(parse(&o, (const char *[]){ "--explain", "3f4e", "--dot", NULL }), "--explain --dot");
	ASSERT_STREQ(o.explain, "3f4e", "the id");
	ASSERT_TRUE(o.dot, "dot");
	ASSERT_EQ(parse(&o, (const char *[]){ "--snapshot", "--explain", "x", NULL }), -EINVAL,
		  "one of the two");
	ASSERT_EQ(parse(&o, (const char *[]){ "--dot", NULL }), -EINVAL, "--dot alone");
	ASSERT_EQ(parse(&o, (const char *[]){ "--explain", "x", "--dot", "-j", NULL }), -EINVAL,
		  "--dot and -j");
	ASSERT_EQ(parse(&o, (const char *[]){ "--snapshot", "--attach", "kprobe", NULL }), -EINVAL,
		  "no attach mode");
	ASSERT_EQ(parse(&o, (const char *[]){ "--explain", "x", "--overlay", NULL }), -EINVAL,
		  "no filter");
	ASSERT_EQ(parse(&o, (const char *[]){ "--explain", "", NULL }), -EINVAL, "empty");
}

/* --duration as timeout(1) takes it; anything else is refused whole. */
TEST(options_duration_forms)
{
	static const struct { const char *arg; double want; } ok[] = {
		{ "5", 5 }, { "1.5", 1.5 }, { "0.25", 0.25 }, { "90s", 90 }, { "2m", 120 },
		{ "1h", 3600 }, { "1d", 86400 }, { "1.5m", 90 },
	};
	static const char *const bad[] = {
		"", "0", "0s", "-1", "+1", " 1", "1 ", "1x", "1ms", "1e3", "inf", "nan", "0x10",
		"1.5.2", "s", "366d", ".5",
	};
	double d;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		d = -1;
		ASSERT_OK(mt_parse_duration(ok[i].arg, &d), ok[i].arg);
		ASSERT_TRUE(d == ok[i].want, ok[i].arg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_ERR(mt_parse_duration(bad[i], &d), bad[i]);
}

/* Numbers are digits only, and a valued option is given once. */
TEST(options_strict_numbers_and_repeats)
{
	struct mt_options o;

	ASSERT_EQ(parse(&o, (const char *[]){ "-p", " 12", NULL }), -EINVAL, "leading space");
	ASSERT_EQ(parse(&o, (const char *[]){ "-p", "12abc", NULL }), -EINVAL, "trailing text");
	ASSERT_EQ(parse(&o, (const char *[]){ "-p", "1", "-p", "2", NULL }), -EINVAL, "-p twice");
	ASSERT_EQ(parse(&o, (const char *[]){ "--mntns", "1", "--mntns", "1", NULL }), -EINVAL,
		  "--mntns twice");
	/* each parse starts afresh: one -p in a later call is fine */
	ASSERT_EQ(parse(&o, (const char *[]){ "-p", "7", NULL }), 0, "-p once");
	ASSERT_EQ(o.pid, 7, "pid");
	ASSERT_EQ(parse(&o, (const char *[]){ "-j", "-j", "-v", "-v", NULL }), 0, "flags repeat");
	ASSERT_EQ(parse(&o, (const char *[]){ "--duration", "1.5", NULL }), 0, "--duration 1.5");
	ASSERT_TRUE(o.duration == 1.5, "duration");
}
