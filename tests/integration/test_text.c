// SPDX-License-Identifier: GPL-2.0
/*
 * The text output of `mnttrace --overlay` during scenario 1 (a private
 * graph root: risk, leak, detached), as a person reads it: the calls and
 * the findings, no internal records, lines that fit 120 columns except for
 * their paths, and no colour into a file unless asked for.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "itest.h"
#include "scenarios.h"

/* Columns of @line up to its end, without its paths (words whose value
 * starts with '/', or that are one; a cut path starts with "…"). */
static int width_without_paths(const char *line, size_t len)
{
	int w = 0;

	for (size_t i = 0; i < len;) {
		size_t word = strcspn(line + i, " \n");
		const char *eq = memchr(line + i, '=', word);
		const char *v = eq ? eq + 1 : line + i;

		if (word > len - i)
			word = len - i;
		if (*v != '/' && strncmp(v, "\u2026", 3) && !(*v == '"' && v[1] == '/'))
			for (size_t k = 0; k < word; k++)
				w += (line[i + k] & 0xc0) != 0x80;
		i += word;
		if (i < len && line[i] == ' ') {
			w++;
			i++;
		}
	}
	return w;
}

/* Run scenario 1 under `mnttrace --overlay ARGS...` in text mode. */
static bool text_run(struct tracer *t, struct scenario *s, const char *const *args)
{
	static struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE,
				     .do_umount = true, .removal = SCN_RMDIR };

	it_tracer_text = true;
	if (!trace_scenario(t, args, s, scn_leak_child, &a))
		return false;
	return ASSERT_TRUE(t->out_text != NULL, "stdout kept");
}

TEST(text_default_output_reads_well)
{
	static const char *const args[] = { "--overlay", NULL };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	const char *merged, *out;
	int lines = 0, wide = 0;

	if (!text_run(&t, &s, args))
		goto out;
	out = t.out_text;
	merged = sc_get(&s, "merged");
	if (!ASSERT_TRUE(merged && strstr(out, merged), "the overlay's path is shown"))
		goto out;
	ASSERT_TRUE(strncmp(out, "COMM ", 5) == 0, "a header first");
	ASSERT_TRUE(strstr(out, " umount2 ") && strstr(out, " rmdir "), "the calls");
	ASSERT_TRUE(strstr(out, "*** FINDING #") && strstr(out, " leak at "), "the leak finding");
	ASSERT_TRUE(strstr(out, "\n    held in: mnt:[") && strstr(out, "\n    fix:     "),
		    "a finding's holders and fix");
	/* internal records are for --internals, -v and -j */
	ASSERT_FALSE(strstr(out, "mnt:walk"), "no mnt:walk");
	ASSERT_FALSE(strstr(out, "ns:walk_done"), "no ns:walk_done");
	ASSERT_FALSE(strstr(out, "walk_seq="), "no walk_seq");
	ASSERT_FALSE(strstr(out, "mnt_id_unique="), "no mnt_id_unique");
	ASSERT_FALSE(strchr(out, '\033'), "no colour into a file");
	for (const char *l = out; *l; lines++) {
		size_t len = strcspn(l, "\n");
		int w = width_without_paths(l, len);

		if (w > 120 && wide++ < 3)
			mt_test_fail(__FILE__, __LINE__, "%d columns without its paths: %.*s", w,
				     (int)len, l);
		l += len + (l[len] == '\n');
	}
	ASSERT_GT(lines, 10, "lines of output");
out:
	if (t.out_text && mt_test_failed())
		mt_test_log("stdout:\n%.6000s", t.out_text);
	sc_free(&s);
	tracer_free(&t);
}

/* --internals brings the walks back; --color=always colours even a file. */
TEST(text_internals_and_color_always)
{
	static const char *const args[] = { "--overlay", "--internals", "--color=always", NULL };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;

	if (!text_run(&t, &s, args))
		goto out;
	ASSERT_TRUE(strstr(t.out_text, "mnt:walk") != NULL, "--internals: walks shown");
	ASSERT_TRUE(strstr(t.out_text, "\033[") != NULL, "--color=always: escapes");
out:
	sc_free(&s);
	tracer_free(&t);
}
