// SPDX-License-Identifier: GPL-2.0
/*
 * The text output as a person reads it: no internal records by default,
 * short fields first and the path last, lines that fit 120 columns except
 * for a path, colour only when asked for or on a terminal without NO_COLOR.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findings.h"
#include "output.h"
#include "term.h"
#include "testlib.h"
#include "../fixtures/records.h"

#define MERGED "/var/lib/docker/overlay2/3f4e9c1d2b7a6e5f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7/merged"
#define UPPER "/var/lib/docker/overlay2/3f4e9c1d2b7a6e5f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7/diff"
#define CTR "3f4e9c1d2b7a6e5f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"

/* As main.c does it: the record only if the output wants it. */
static int show(void *ctx, const struct mt_record *rec)
{
	struct mt_output *o = ctx;

	return mt_output_wants(o, rec) ? mt_output_record(o, rec) : 0;
}

/* The records @feed makes, as text, with @setup applied to the output. */
static char *render(void (*feed)(struct fx_sink *), void (*setup)(struct mt_output *))
{
	struct mt_output out;
	struct fx_sink s = { .feed = show, .ctx = &out, .clock = 1000 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	mt_output_init(&out, f, false, false);
	if (setup)
		setup(&out);
	feed(&s);
	fclose(f);
	return text;
}

/* A namespace copy during a container's start: a mount, a walk,
 * walk_done, the unshare, its copy. */
static void feed_start(struct fx_sink *s)
{
	SC(s, .h = { .pid = 812, .comm = "dockerd", .ns = 4026531841u }, .call = MT_CALL_MOUNT,
	   .src = "overlay", .path = MERGED, .fstype = "overlay",
	   .data = "lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B,upperdir="
		   UPPER ",workdir=/w");
	MNT(s, .h = { .pid = 812, .comm = "dockerd", .ns = 4026531841u }, .op = MT_MNT_WALK,
	    .mnt_id = 300, .parent_id = 29, .mnt_ns = 4026531841u, .magic = MT_OVERLAYFS_MAGIC,
	    .path = MERGED, .upper = UPPER, .work = "/w", .lower = "/l", .walk_seq = 4);
	NSREC(s, .h = { .pid = 812, .comm = "dockerd", .ns = 4026531841u },
	      .op = MT_NS_WALK_DONE, .ns = 4026531841u, .walk_seq = 4);
	SC(s, .h = { .pid = 1500, .comm = "httpd", .ns = 4026531841u }, .call = MT_CALL_UNSHARE,
	   .args = { 0x20000 }, .new_ns = 4026532500u);
	NSREC(s, .h = { .pid = 1500, .comm = "httpd", .ns = 4026532500u }, .op = MT_NS_COPY,
	      .ns = 4026532500u, .old_ns = 4026531841u, .flags = 0x20000);
}

static char *render_start(void (*setup)(struct mt_output *))
{
	return render(feed_start, setup);
}

static void set_internals(struct mt_output *o) { o->internals = true; }
static void set_verbose(struct mt_output *o) { o->internals = o->verbose = true; }
static void set_wide(struct mt_output *o) { o->wide = true; }

/* The width of @line (bytes up to '\n', "…" counted once) without the
 * words that start with '/' or "path=/": a path is never cut to fit. */
static int width_without_paths(const char *line)
{
	int w = 0;

	while (*line && *line != '\n') {
		size_t word = strcspn(line, " \n");
		const char *eq = memchr(line, '=', word);
		const char *v = eq ? eq + 1 : line;

		/* a path, a cut path, or options made of paths ("lowerdir=/a:/b") */
		if (*v == '/' || (*v == '"' && v[1] == '/') || !strncmp(v, "\u2026", 3) ||
		    memmem(line, word, "=/", 2)) {
			line += word;
			continue;
		}
		for (size_t i = 0; i < word; i++)
			w += (line[i] & 0xc0) != 0x80;
		line += word;
		if (*line == ' ') {
			w++;
			line++;
		}
	}
	return w;
}

/* Each line of @text no wider than @max except for its paths. */
static bool lines_fit(const char *text, int max)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (width_without_paths(l) > max) {
			mt_test_log("%d columns without paths: %.*s", width_without_paths(l),
				    (int)strcspn(l, "\n"), l);
			return false;
		}
	}
	return true;
}

TEST(output_text_hides_internal_records)
{
	char *text = render_start(NULL);

	ASSERT_TRUE(strstr(text, " mount ") && strstr(text, " unshare ") &&
		    strstr(text, " ns:copy "), text);
	ASSERT_FALSE(strstr(text, "mnt:walk"), text);
	ASSERT_FALSE(strstr(text, "ns:walk_done"), text);
	ASSERT_FALSE(strstr(text, "walk_seq"), text);
	free(text);
	text = render_start(set_internals);
	ASSERT_TRUE(strstr(text, "mnt:walk") && strstr(text, "ns:walk_done"), text);
	free(text);
}

/* Short fields first, the path last and whole; the rest with -v below the
 * line, or with --wide on it. */
TEST(output_text_columns_fit)
{
	char *text = render_start(NULL), *mount_line;

	mount_line = strstr(text, "\ndockerd ");
	if (!ASSERT_TRUE(mount_line, text))
		goto out;
	ASSERT_TRUE(!strncmp(strchr(mount_line + 1, '\n') - strlen(MERGED), MERGED,
			     strlen(MERGED)), "the path ends the line");
	ASSERT_TRUE(strstr(mount_line, " fstype=overlay ") != NULL, "fstype shown");
	ASSERT_FALSE(strstr(text, "lowerdir="), "overlay options only with -v");
	ASSERT_TRUE(lines_fit(text, 100), "100 columns but for the path");
	free(text);

	text = render_start(set_verbose);
	ASSERT_TRUE(lines_fit(text, 120), "-v: 120 columns but for paths");
	ASSERT_TRUE(strstr(text, "\n                 source=overlay data=\"lowerdir=") != NULL,
		    text);
	ASSERT_TRUE(strstr(text, " walk_seq=4") != NULL, "-v: internals' fields");
	free(text);

	text = render_start(set_wide);
	mount_line = strstr(text, "\ndockerd ");
	ASSERT_TRUE(mount_line && strstr(mount_line, " data=") &&
		    strstr(mount_line, " data=") < strchr(mount_line + 1, '\n'),
		    "--wide: the options on the event's line");
out:
	free(text);
}

static struct mt_finding_pid pids[] = {
	{ .pid = 29937, .comm = "sh", .holds = "cwd", .holds_path = MERGED },
	{ .pid = 29939, .comm = "sleep" },
};
static struct mt_finding_holder holders[] = { {
	.mnt_ns = 4026532178u, .mnt_id = 94, .path = MERGED, .propagation = "master:2",
	.parent_propagation = "master:1", .has_creator = true,
	.created_by = { .pid = 29937, .comm = "unshare", .call = "unshare", .ts_ns = 500,
			.unit = "svc.service" },
	.pids = pids, .nr_pids = 2, .total_pids = 2,
} };
static const struct mt_finding busy = {
	.id = 1, .kind = MT_FIND_EBUSY, .pid = 29940, .comm = "umount", .mnt_ns = 4026532177u,
	.op = "umount2", .err = 16, .path = MERGED, .upperdir = UPPER, .workdir = "/w",
	.container_id = CTR, .layer_id = CTR, .id_source = "layer-dir", .runtime = "docker",
	.runtime_kind = MT_RT_DOCKER, .holders = holders, .nr_holders = 1,
	.reason_code = MT_REASON_BUSY_COPY,
	.why = { .caller_ns = 4026532177u, .copy_ns = 4026532178u, .copy_prop = "master:2",
		 .path = MERGED, .user_pid = 29937, .user_comm = "sh", .user_what = "cwd",
		 .user_path = MERGED },
};

__attribute__((noinline))
static char *render_finding(const struct mt_term *t, bool verbose)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	mt_finding_text_styled(f, &busy, 0, t, verbose);
	fclose(f);
	return text;
}

/* Headline, why, call, holders as a list, fix: each its own line. */
TEST(output_finding_block)
{
	char *text = render_finding(&(struct mt_term){ .width = 80 }, false);
	const char *head = strstr(text, "*** FINDING #1 ebusy at ");

	ASSERT_TRUE(head && strstr(head, ", docker container 3f4e9c1d2b7a: " MERGED "\n"), text);
	ASSERT_TRUE(strstr(text, "\n    why:     the umount of") != NULL, "why");
	ASSERT_TRUE(strstr(text, "\n    call:    umount2 by umount pid 29940 in mnt:[4026532177] "
			   "-> EBUSY\n") != NULL, "call");
	ASSERT_TRUE(strstr(text, "\n    held in: mnt:[4026532178] master:2, parent master:1\n")
		    != NULL, "holder");
	ASSERT_TRUE(strstr(text, "\n               created by unshare pid 29937 (svc.service) via "
			   "unshare at") != NULL, "created by");
	/* a path too long for the line goes whole on the next */
	ASSERT_TRUE(strstr(text, "\n               pid 29937 sh has its cwd at\n"
			   "                 " MERGED "\n") != NULL, "what the process holds");
	ASSERT_TRUE(strstr(text, "\n               2 processes: 29937 sh 29939 sleep\n") != NULL,
		    "processes");
	ASSERT_TRUE(strstr(text, "\n    fix:     kill 29937 (sh), which has its cwd there, then "
			   "umount " MERGED " in mnt:[4026532178]\n") != NULL, "fix");
	ASSERT_FALSE(strstr(text, UPPER), "upperdir only with -v");
	/* prose wraps at 80; a fix command is never wrapped */
	ASSERT_TRUE(lines_fit(text, 120), "120 columns but for paths");
	free(text);
	text = render_finding(&(struct mt_term){ .width = 120 }, true);
	ASSERT_TRUE(strstr(text, "\n    upper:   " UPPER "\n") != NULL, "-v: upperdir");
	ASSERT_TRUE(strstr(text, "\n    owner:   " CTR ", id from layer-dir\n") != NULL,
		    "-v: the whole id");
	ASSERT_TRUE(lines_fit(text, 120), "120 columns but for paths");
	ASSERT_FALSE(strchr(text, '\033'), "no colour unless asked");
	free(text);
}

TEST(output_color_when)
{
	struct mt_term t;
	char *text;
	int pipefd[2], master, slave = -1;

	ASSERT_OK(pipe(pipefd), "pipe");
	unsetenv("NO_COLOR");
	mt_term_init(&t, pipefd[1], MT_COLOR_AUTO, false);
	ASSERT_FALSE(t.color, "auto: no colour into a pipe");
	mt_term_init(&t, pipefd[1], MT_COLOR_ALWAYS, false);
	ASSERT_TRUE(t.color, "always");
	text = render_finding(&t, false);
	ASSERT_TRUE(strstr(text, "\033[1;31m*** FINDING") != NULL, "a coloured headline");
	free(text);
	mt_term_init(&t, pipefd[1], MT_COLOR_NEVER, false);
	text = render_finding(&t, false);
	ASSERT_FALSE(strchr(text, '\033'), "never: no escape at all");
	free(text);
	close(pipefd[0]);
	close(pipefd[1]);

	/* a terminal: colour by default, none with NO_COLOR (no-color.org) */
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master >= 0 && !grantpt(master) && !unlockpt(master))
		slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0) {
		mt_test_log("no pseudo-terminal here: the tty half is not checked");
	} else {
		mt_term_init(&t, slave, MT_COLOR_AUTO, false);
		ASSERT_TRUE(t.color, "auto: colour on a terminal");
		setenv("NO_COLOR", "1", 1);
		mt_term_init(&t, slave, MT_COLOR_AUTO, false);
		ASSERT_FALSE(t.color, "NO_COLOR turns auto off");
		mt_term_init(&t, slave, MT_COLOR_ALWAYS, false);
		ASSERT_TRUE(t.color, "--color=always wins over NO_COLOR");
		setenv("NO_COLOR", "", 1);
		mt_term_init(&t, slave, MT_COLOR_AUTO, false);
		ASSERT_TRUE(t.color, "an empty NO_COLOR is not set");
		unsetenv("NO_COLOR");
		close(slave);
	}
	if (master >= 0)
		close(master);
}

TEST(output_wrap_keeps_paths_whole)
{
	struct mt_term t = { .width = 40 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	mt_term_wrap(f, &t, 4, 4, "the copy at " MERGED " is busy and that is why", "");
	fclose(f);
	ASSERT_TRUE(strstr(text, "\n    " MERGED "\n    is busy") != NULL, text);
	free(text);
}

/* fentry/kprobe's records: the kernel's copies and propagation bookkeeping
 * are internal; a copy removed elsewhere and the kernel's reasons are not. */
static void feed_kernel(struct fx_sink *s)
{
	struct fx_hdr_args h = { .pid = 812, .comm = "dockerd", .ns = 4026531841u };

	MNT(s, .h = h, .op = MT_MNT_COPY, .mnt_id = 301, .src_mnt_id = 300, .mnt_ns = 4026532500u,
	    .magic = MT_OVERLAYFS_MAGIC, .path = MERGED);
	MNT(s, .h = h, .op = MT_MNT_PROPAGATE, .mnt_id = 300, .aux = 301, .mnt_ns = 4026531841u,
	    .magic = MT_OVERLAYFS_MAGIC, .path = MERGED);
	MNT(s, .h = h, .op = MT_MNT_PROP_COPY, .mnt_id = 302, .mnt_ns = 4026532501u,
	    .magic = MT_OVERLAYFS_MAGIC, .path = MERGED);
	MNT(s, .h = h, .op = MT_MNT_UMOUNT, .mnt_id = 300, .mnt_ns = 4026531841u,
	    .magic = MT_OVERLAYFS_MAGIC, .path = MERGED);
	MNT(s, .h = h, .op = MT_MNT_UMOUNT_PROP, .mnt_id = 302, .mnt_ns = 4026532501u,
	    .group = 7, .master = 3, .pgroup = 5, .magic = MT_OVERLAYFS_MAGIC, .path = MERGED,
	    .upper = UPPER, .work = "/w", .lower = "/l");
	MNT(s, .h = h, .op = MT_MNT_DETACH, .path = "overlay2/3f4e9c1d2b7a/merged");
}

TEST(output_text_kernel_records)
{
	char *text = render(feed_kernel, NULL);

	ASSERT_FALSE(strstr(text, "mnt:copy") || strstr(text, "mnt:propagate ") ||
		     strstr(text, "mnt:propagated_copy") || strstr(text, "mnt:umount "), text);
	ASSERT_TRUE(strstr(text, " mnt:umount_propagated ") != NULL, "a copy removed elsewhere");
	ASSERT_TRUE(strstr(text, " dir:detach ") != NULL, "rmdir's lazy detach");
	ASSERT_TRUE(strstr(text, " propagation=\"shared:7 master:3\" ") != NULL, text);
	ASSERT_TRUE(lines_fit(text, 120), "120 columns but for paths");
	free(text);
	text = render(feed_kernel, set_verbose);
	ASSERT_TRUE(strstr(text, "mnt:copy") && strstr(text, "mnt:propagated_copy"), text);
	ASSERT_TRUE(lines_fit(text, 120), "-v: 120 columns but for paths");
	free(text);
}
