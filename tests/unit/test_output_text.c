// SPDX-License-Identifier: GPL-2.0
/*
 * The text output as a person reads it: no internal records by default,
 * short fields first and the path last, lines that fit 120 columns except
 * for a path, colour only when asked for or on a terminal without NO_COLOR.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <wchar.h>

#include "findings.h"
#include "ovl_report.h"
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
/* -v on a 120-column terminal */
static void set_verbose(struct mt_output *o)
{
	o->internals = o->verbose = true;
	o->term = (struct mt_term){ .tty = true, .width = 120 };
}
static void set_wide(struct mt_output *o) { o->wide = true; }

/* Display columns of @len bytes of UTF-8 (wcwidth: "\u2026" is one, a
 * wide CJK character two), in a UTF-8 locale whatever the caller's. */
static int display_cols(const char *s, size_t len)
{
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	mbstate_t st = { 0 };
	int w = 0;

	for (size_t i = 0; i < len;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);

		if (n == 0 || n == (size_t)-1 || n == (size_t)-2) {
			w++;	/* a byte that is no character: escaping shows it */
			i++;
			memset(&st, 0, sizeof(st));
			continue;
		}
		w += wcwidth(wc) > 0 ? wcwidth(wc) : 0;
		i += n;
	}
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	return w;
}

/* Is @v (a word, or what follows "key=") a path: "/...", "\"/...", or a
 * path cut at its start ("\u2026...")? */
static bool is_path(const char *v)
{
	return *v == '/' || (*v == '"' && v[1] == '/') || !strncmp(v, "\u2026", 3);
}

/* The columns of @line (up to '\n') without its paths: a path is never
 * cut to fit, so only what is around it counts ("path=" does). A value
 * made of paths ("lowerdir=/a:/b") is a path. */
static int width_without_paths(const char *line)
{
	size_t len = strcspn(line, "\n");
	int w = 0;

	for (size_t i = 0; i < len;) {
		size_t word = strcspn(line + i, " \n");
		const char *eq = memchr(line + i, '=', word);
		size_t keep = word;

		if (word > len - i)
			word = keep = len - i;
		if (is_path(line + i))
			keep = 0;
		else if (eq && is_path(eq + 1))
			keep = (size_t)(eq + 1 - (line + i));
		else if (memmem(line + i, word, "=/", 2))
			keep = (size_t)((const char *)memmem(line + i, word, "=/", 2) + 1 - (line + i));
		w += display_cols(line + i, keep);
		i += word;
		if (i < len && line[i] == ' ') {
			w++;
			i++;
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
	ASSERT_TRUE(strstr(text, "\n                 source=overlay flags=0\n"
			   "                 data=\"lowerdir=") != NULL, text);
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
	/* wrapped, but never before the path: the command stays copyable */
	ASSERT_TRUE(strstr(text, "\n    fix:     kill 29937 (sh), which has its cwd there, then "
			   "umount " MERGED "\n             in mnt:[4026532178]\n") != NULL, "fix");
	ASSERT_FALSE(strstr(text, UPPER), "upperdir only with -v");
	ASSERT_TRUE(lines_fit(text, 80), "80 columns but for paths");
	free(text);
	text = render_finding(&(struct mt_term){ .width = 120 }, true);
	ASSERT_TRUE(strstr(text, "\n    upper:   " UPPER "\n") != NULL, "-v: upperdir");
	ASSERT_TRUE(strstr(text, "\n    owner:   " CTR ", id from layer-dir\n") != NULL,
		    "-v: the whole id");
	ASSERT_TRUE(lines_fit(text, 120), "120 columns but for paths");
	ASSERT_FALSE(strchr(text, '\033'), "no colour unless asked");
	free(text);
}

/* A pseudo-terminal's slave end (*@master its master, or -1), or -1 with a
 * note when this host has none. */
static int open_pty(int *master)
{
	int slave = -1;

	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master >= 0 && !grantpt(*master) && !unlockpt(*master))
		slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
	if (slave < 0)
		mt_test_log("no pseudo-terminal here: the tty half is not checked");
	return slave;
}

TEST(output_color_when)
{
	struct mt_term t;
	char *text;
	int pipefd[2], master, slave;

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
	slave = open_pty(&master);
	if (slave >= 0) {
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

	mt_term_wrap(f, &t, 4, 4, "the copy at " MERGED " is busy and that is why", "",
		     MT_WRAP_PROSE);
	fclose(f);
	ASSERT_TRUE(strstr(text, "\n    " MERGED "\n    is busy") != NULL, text);
	free(text);
	/* a command: the path stays after the word it follows, for copying */
	text = NULL;
	f = open_memstream(&text, &len);
	mt_term_wrap(f, &t, 4, 4, "nsenter -t 1 -m umount " MERGED " in mnt:[4026532178]", "",
		     MT_WRAP_COMMAND);
	fclose(f);
	ASSERT_TRUE(strstr(text, "nsenter -t 1 -m umount " MERGED "\n    in mnt:[") != NULL, text);
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

/* ---- every event kind on an 80-column terminal ---- */

#define SHORT "/var/lib/docker/overlay2/3f4e9c1d/merged"	/* 40 bytes */
#define HOST 4026531841u
#define SVC 4026532500u

/* One record of each kind a user sees by default, as a runtime, systemd
 * or util-linux makes them, with paths of at most 40 bytes. */
static void feed_every_kind(struct fx_sink *s)
{
	struct fx_hdr_args d = { .pid = 1048576, .comm = "containerd-shim", .ns = HOST };
	struct fx_hdr_args m = { .pid = 4121, .comm = "mount", .ns = HOST };

	SC(s, .h = d, .call = MT_CALL_MOUNT, .src = "overlay", .path = SHORT, .fstype = "overlay",
	   .data = "lowerdir=/l/A:/l/B,upperdir=/u,workdir=/w");
	SC(s, .h = d, .call = MT_CALL_MOUNT, .ret = -EBUSY, .src = "overlay", .path = SHORT,
	   .fstype = "overlay", .args = { [3] = MS_NOSUID | MS_NODEV });
	SC(s, .h = m, .call = MT_CALL_MOUNT, .src = "/srv/data", .path = "/mnt/data",
	   .fstype = "none", .args = { [3] = MS_BIND | MS_REC });
	SC(s, .h = m, .call = MT_CALL_MOUNT, .src = "none", .path = "/", .fstype = "none",
	   .args = { [3] = MS_REC | MS_PRIVATE });
	SC(s, .h = m, .call = MT_CALL_MOUNT, .src = "none", .path = "/mnt/data",
	   .args = { [3] = MS_REMOUNT | MS_BIND | MS_RDONLY });
	SC(s, .h = m, .call = MT_CALL_UMOUNT2, .path = SHORT, .args = { [1] = MNT_DETACH });
	SC(s, .h = m, .call = MT_CALL_UMOUNT2, .ret = -EBUSY, .path = SHORT);
	SC(s, .h = { .pid = 870, .comm = "(sd-mkdcreds)", .ns = HOST }, .call = MT_CALL_UNSHARE,
	   .args = { CLONE_NEWNS }, .new_ns = SVC);
	NSREC(s, .h = { .pid = 870, .comm = "(sd-mkdcreds)", .ns = SVC }, .op = MT_NS_COPY,
	      .ns = SVC, .old_ns = HOST, .flags = CLONE_NEWNS);
	SC(s, .h = d, .call = MT_CALL_CLONE, .args = { CLONE_NEWNS | SIGCHLD }, .new_ns = SVC);
	SC(s, .h = { .pid = 5120, .comm = "runc:[1:CHILD]", .ns = HOST }, .call = MT_CALL_CLONE3,
	   .extra = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC,
	   .new_ns = SVC);
	SC(s, .h = { .pid = 5121, .comm = "runc:[2:INIT]", .ns = SVC }, .call = MT_CALL_PIVOT_ROOT,
	   .src = ".", .path = ".");
	SC(s, .h = { .pid = 7001, .comm = "nsenter", .ns = HOST }, .call = MT_CALL_SETNS,
	   .args = { 3, CLONE_NEWNS }, .new_ns = SVC);
	SC(s, .h = m, .call = MT_CALL_FSOPEN, .ret = 3, .fstype = "overlay",
	   .args = { 0, FSOPEN_CLOEXEC });
	SC(s, .h = m, .call = MT_CALL_FSCONFIG, .src = "upperdir", .data = "/var/lib/x/diff",
	   .args = { 3, FSCONFIG_SET_STRING });
	SC(s, .h = m, .call = MT_CALL_FSCONFIG, .args = { 3, FSCONFIG_CMD_CREATE });
	SC(s, .h = m, .call = MT_CALL_FSMOUNT, .ret = 4, .args = { 3, FSMOUNT_CLOEXEC });
	SC(s, .h = m, .call = MT_CALL_MOVE_MOUNT, .src = "", .path = "/mnt/data",
	   .args = { 4, 0, (__u64)AT_FDCWD, 0, MOVE_MOUNT_F_EMPTY_PATH });
	SC(s, .h = m, .call = MT_CALL_OPEN_TREE, .ret = 3, .path = "/srv/data",
	   .args = { (__u64)AT_FDCWD, 0, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE });
	SC(s, .h = m, .call = MT_CALL_MOUNT_SETATTR, .path = "/mnt/data",
	   .args = { (__u64)AT_FDCWD, 0, AT_RECURSIVE, 0, 32 }, .attr_size = 32,
	   .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, .extra = MS_PRIVATE);
	SC(s, .h = { .pid = 1, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_RMDIR, .path = SHORT);
	SC(s, .h = d, .call = MT_CALL_UNLINKAT, .path = SHORT,
	   .args = { (__u64)AT_FDCWD, 0, AT_REMOVEDIR });
	MNT(s, .h = m, .op = MT_MNT_UMOUNT_PROP, .mnt_id = 302, .mnt_ns = SVC, .group = 7,
	    .master = 3, .pgroup = 5, .path = SHORT);
	MNT(s, .h = m, .op = MT_MNT_BUSY, .mnt_id = 302, .mnt_ns = SVC, .master = 3, .path = SHORT);
	MNT(s, .h = m, .op = MT_MNT_PROPAGATION, .mnt_id = 300, .mnt_ns = HOST, .aux = MS_SLAVE,
	    .path = SHORT);
	MNT(s, .h = d, .op = MT_MNT_DETACH, .path = "overlay2/3f4e9c1d/merged");
	MNT(s, .h = d, .op = MT_MNT_LOCAL_MP, .path = "overlay2/3f4e9c1d/merged");
	MNT(s, .h = d, .op = MT_MNT_OVL_INUSE, .path = "overlay2/3f4e9c1d/diff");
}

static int count_one(void *ctx, const struct mt_record *rec)
{
	(*(int *)ctx)++;
	return 0;
}

static int count_records(void (*feed)(struct fx_sink *))
{
	int n = 0;
	struct fx_sink s = { .feed = count_one, .ctx = &n, .clock = 1000 };

	feed(&s);
	return n;
}

static void set_tty80(struct mt_output *o)
{
	o->term = (struct mt_term){ .tty = true, .width = 80 };
}

/* The EVENT column of every record feed_every_kind() makes. */
static const char *const every_kind[] = {
	" mount ", " umount2 ", " unshare ", " ns:copy ", " clone ", " clone3 ", " pivot_root ",
	" setns ", " fsopen ", " fsconfig ", " fsmount ", " move_mount ", " open_tree ",
	" mount_setattr ", " rmdir ", " unlinkat ", " mnt:umount_propagated ", " mnt:busy ",
	" mnt:propagation ", " dir:detach ", " dir:local_mountpoint ", " dir:ovl_inuse ",
};

/* What a user checks at 80 columns: every line of every event kind fits
 * but for its path, shown whole; what it acts on stays; the rest is -v's. */
TEST(output_text_every_kind_fits_80)
{
	char *text = render(feed_every_kind, set_tty80), *wide;
	int lines = 0, records = 0;

	for (size_t i = 0; i < sizeof(every_kind) / sizeof(every_kind[0]); i++)
		ASSERT_TRUE(strstr(text, every_kind[i]) != NULL, every_kind[i]);
	ASSERT_TRUE(lines_fit(text, 80), "80 columns but for paths");
	/* a path is never cut or split */
	ASSERT_TRUE(strstr(text, "path=" SHORT "\n") != NULL, "the path whole, last");
	/* what a user acts on, by default */
	ASSERT_TRUE(strstr(text, " EBUSY ") && strstr(text, " flags=MNT_DETACH") &&
		    strstr(text, " flags=MS_BIND|MS_REC") && strstr(text, " new_mnt_ns=4026532500") &&
		    strstr(text, " key=upperdir") && strstr(text, " cmd=FSCONFIG_CMD_CREATE") &&
		    strstr(text, " attr_set=MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID") &&
		    strstr(text, " propagation=MS_PRIVATE") && strstr(text, " flags=AT_REMOVEDIR") &&
		    strstr(text, "CLONE_NEWPID"), text);
	/* what says nothing new: with -v */
	ASSERT_FALSE(strstr(text, " flags=0") || strstr(text, "attr_clr=") ||
		     strstr(text, " flags=CLONE_NEWNS ") || strstr(text, " flags=CLONE_NEWNS\n") ||
		     strstr(text, "nstype=") || strstr(text, "FSCONFIG_SET_STRING") ||
		     strstr(text, "source=\"\"") || strstr(text, "source=none") ||
		     strstr(text, "fstype=none") || strstr(text, "lowerdir="), text);
	/* --wide: each record one line, every field on it */
	wide = render(feed_every_kind, set_wide);
	for (const char *l = wide; *l; l += strcspn(l, "\n") + 1, lines++)
		records += l[0] != ' ';
	ASSERT_EQ(lines, records, "--wide: no continued line");
	ASSERT_EQ(lines, 1 + count_records(feed_every_kind), "--wide: a header and one line a record");
	ASSERT_TRUE(strstr(wide, " flags=CLONE_NEWNS") && strstr(wide, " attr_clr=0") &&
		    strstr(wide, "source=none"), "--wide: every field");
	free(wide);
	if (mt_test_failed())
		mt_test_log("80 columns:\n%s", text);
	free(text);
}

/* A finding's block at 80 columns: the headline's phrases wrap whole
 * (here a long container name), the path stays after them. */
TEST(output_finding_fits_80)
{
	struct mt_finding_holder h = holders[0];
	struct mt_finding f = busy;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	h.path = SHORT;
	h.gone = h.initial_ns = true;	/* the holder's longest line */
	f.path = f.why.path = f.why.user_path = SHORT;
	f.holders = &h;
	f.kind = MT_FIND_DETACHED;
	f.leak_id = 12;
	f.id = 13;
	f.container_name = "k8s_web_frontend-7d9f8c6b5-x2x4z_prod";
	mt_finding_text_styled(out, &f, 0, &(struct mt_term){ .width = 80, .tty = true }, false);
	fclose(out);
	ASSERT_TRUE(lines_fit(text, 80), "80 columns but for paths");
	ASSERT_TRUE(strstr(text, "\n*** FINDING #13 detached (follows leak #12) at ") != NULL, text);
	ASSERT_TRUE(strstr(text, "\n    docker container 3f4e9c1d2b7a \"k8s_web_frontend-7d9f8c6b5-"
			   "x2x4z_prod\": " SHORT "\n") != NULL, text);
	ASSERT_TRUE(strstr(text, "\n    held in: mnt:[4026532178] detached, master:2, parent master:1 "
			   "(the host's\n               initial mount namespace)\n") != NULL, text);
	free(text);
}

/* ---- colour: only when asked for, or on a terminal without NO_COLOR ---- */

/* Everything text prints with @t: the event lines (with a failed call), a
 * finding block, and --snapshot/--explain's report of an overlay with a
 * leak in its tree and a release line. */
static char *render_all(const struct mt_term *t)
{
	struct mt_view_copy copies[] = {
		{ .mnt_ns = HOST, .mnt_id = 300, .path = SHORT, .prop_known = true, .orig = -1 },
		/* a path anyone who can mount chose: escaped, never sent raw */
		{ .mnt_ns = SVC, .mnt_id = 302, .path = "/m\033[2J", .prop_known = true, .orig = 0 },
	};
	struct mt_ovl_view v = { .dev = 50, .merged = SHORT, .upper = "/u", .work = "/w",
				 .copies = copies, .nr = 2, .nr_ns = 2 };
	struct mt_report_ref ref = { .finding_id = 2, .kind = "leak", .mnt_ns = SVC, .mnt_id = 302 };
	struct mt_proc_cache *procs = mt_proc_cache__new("/nonexistent");
	struct mt_report_ctx rc = { .procs = procs, .term = t, .refs = &ref, .nr_refs = 1 };
	struct mt_output out;
	struct fx_sink s = { .feed = show, .ctx = &out, .clock = 1000 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	mt_output_init(&out, f, false, false);
	out.term = *t;
	feed_every_kind(&s);
	mt_finding_text_styled(f, &busy, 0, t, false);
	if (procs)
		mt_ovl_report_text(f, &rc, &v);
	mt_proc_cache__free(procs);
	fclose(f);
	return text;
}

TEST(output_color_only_when_asked)
{
	struct mt_term t;
	char *text;
	int pipefd[2], master, slave;

	ASSERT_OK(pipe(pipefd), "pipe");
	unsetenv("NO_COLOR");
	mt_term_init(&t, pipefd[1], MT_COLOR_ALWAYS, false);
	text = render_all(&t);
	ASSERT_TRUE(strstr(text, "\033[1mCOMM") != NULL, "always: the column titles");
	ASSERT_TRUE(strstr(text, "\033[31mEBUSY\033[0m") != NULL, "always: a failed call");
	ASSERT_TRUE(strstr(text, "\033[1;31m*** FINDING #1 ebusy") != NULL, "always: the headline");
	ASSERT_TRUE(strstr(text, "\033[32mkill 29937 (sh)") != NULL, "always: the fix");
	ASSERT_TRUE(strstr(text, "\033[1moverlay " SHORT) != NULL, "always: the report's headline");
	ASSERT_TRUE(strstr(text, "\033[1;31mleak #2\033[0m") != NULL, "always: the report's kind");
	ASSERT_TRUE(strstr(text, "release (printed, not run): \033[32m") != NULL,
		    "always: the report's release");
	free(text);
	for (int when = MT_COLOR_AUTO; when <= MT_COLOR_NEVER; when += 2) {
		mt_term_init(&t, pipefd[1], when, false);
		text = render_all(&t);
		ASSERT_FALSE(strchr(text, '\033'), when ? "never: no escape" : "auto: none in a pipe");
		ASSERT_TRUE(strstr(text, "id 302 /m\\x1b[2J") && strstr(text, "at /m\\x1b[2J ("),
			    "the report escapes a copy's path, in its tree and its holders");
		free(text);
	}
	close(pipefd[0]);
	close(pipefd[1]);

	slave = open_pty(&master);
	if (slave >= 0) {
		setenv("NO_COLOR", "1", 1);
		mt_term_init(&t, slave, MT_COLOR_AUTO, false);
		text = render_all(&t);
		ASSERT_FALSE(strchr(text, '\033'), "NO_COLOR: no escape on a terminal");
		free(text);
		mt_term_init(&t, slave, MT_COLOR_NEVER, false);
		text = render_all(&t);
		ASSERT_FALSE(strchr(text, '\033'), "never: no escape on a terminal");
		free(text);
		unsetenv("NO_COLOR");
		mt_term_init(&t, slave, MT_COLOR_AUTO, false);
		text = render_all(&t);
		ASSERT_TRUE(strchr(text, '\033') != NULL, "auto: colour on a terminal");
		free(text);
		close(slave);
	}
	if (master >= 0)
		close(master);
}
