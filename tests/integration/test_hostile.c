// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile bytes in traced paths (issue 10): an unprivileged user mounts on
 * directories whose names hold terminal escapes, newlines, quotes,
 * backslashes and bytes that are not UTF-8. Root's text output must keep
 * one line per event with nothing raw for the terminal; JSON must stay
 * valid and keep the exact bytes ("path_hex", docs/json.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

#define NOBODY 65534

/* The reproduction, and every other byte class in one name. */
static const char *const hostile_names[] = {
	"e\033]0;pwned\007\nFORGED LINE",
	"sp ace\ttab\"quote\\back\\040 comma,colon:\xff\xfe\r\x7f",
};
#define NR_HOSTILE (sizeof(hostile_names) / sizeof(hostile_names[0]))

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* As nobody, in a user namespace of its own: exit 0 done, 2 no user namespaces. */
static int unprivileged_mounts(const char *dir)
{
	char map[64], base[256], path[512];

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 1;
	/* a uid change leaves /proc/self root's: take it back to write the maps */
	prctl(PR_SET_DUMPABLE, 1);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return 2;
	snprintf(map, sizeof(map), "0 %d 1", NOBODY);
	if (write_file("/proc/self/uid_map", map) || write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/gid_map", map))
		return 1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 1;
	snprintf(base, sizeof(base), "%s/u", dir);
	if (mkdir(base, 0755) || mount("x", base, "tmpfs", 0, NULL))
		return 1;
	for (size_t i = 0; i < NR_HOSTILE; i++) {
		snprintf(path, sizeof(path), "%s/%s", base, hostile_names[i]);
		if (mkdir(path, 0755) || mount("q", path, "tmpfs", 0, NULL))
			return 1;
	}
	return 0;
}

static void nobody_child(struct sc_ctx *c, void *arg)
{
	int status;
	pid_t pid;

	SC_CHECK(c, chmod(c->dir, 0777) == 0, "chmod: %s", strerror(errno));
	pid = fork();
	SC_CHECK(c, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(unprivileged_mounts(c->dir));
	SC_CHECK(c, waitpid(pid, &status, 0) == pid && WIFEXITED(status), "waitpid");
	if (WEXITSTATUS(status) == 2) {
		sc_report(c, "skip", "no unprivileged user namespaces here (unshare(CLONE_NEWUSER) "
			  "refused)");
		return;
	}
	SC_CHECK(c, WEXITSTATUS(status) == 0, "the unprivileged mounts failed");
}

/* Text: one line per event, every hostile byte escaped. */
TEST(hostile_paths_text_one_line_per_event)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	char want[512], esc[512];
	const char *dir;
	int seen = 0;

	it_tracer_text = true;
	if (!trace_scenario(&t, NULL, &s, nobody_child, NULL))
		goto out;
	dir = sc_get(&s, "dir");
	if (!ASSERT_TRUE(dir && t.out_text, "output"))
		goto out;
	ASSERT_TRUE(!strchr(t.out_text, '\033') && !strchr(t.out_text, '\007') &&
		    !strchr(t.out_text, '\r') && !strchr(t.out_text, '\x7f') &&
		    !strchr(t.out_text, '\xff'), "no raw control or non-UTF-8 byte in the output");
	/* the quoted, escaped target as the mount line shows it */
	snprintf(want, sizeof(want), "path=\"%s/u/e\\x1b]0;pwned\\x07\\nFORGED LINE\"", dir);
	ASSERT_TRUE(strstr(t.out_text, want) != NULL, want);
	snprintf(esc, sizeof(esc), "%s/u/sp ace\\ttab\\\"quote\\\\back\\\\040 comma,colon:"
		 "\\xff\\xfe\\r\\x7f\"", dir);
	ASSERT_TRUE(strstr(t.out_text, esc) != NULL, esc);
	if (mt_test_failed())
		mt_test_log("stdout:\n%.4000s", t.out_text);
	for (char *line = t.out_text, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		ASSERT_TRUE(strncmp(line, "FORGED", 6) != 0, "a forged line");
		ASSERT_TRUE(!strchr(line, '\t'), "a raw tab");
		if (strstr(line, "pwned"))
			seen++;
	}
	ASSERT_GT(seen, 0, "lines about the hostile mount");
out:
	it_tracer_text = false;
	sc_free(&s);
	tracer_free(&t);
}

static void hex(const char *s, char *out)
{
	for (; *s; s++, out += 2)
		sprintf(out, "%02x", (unsigned char)*s);
}

/* JSON: valid lines (the runner parses each), exact bytes when not UTF-8. */
TEST(hostile_paths_json_exact)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	char path[512], path_hex[1024];
	const struct json *r;
	const char *dir;

	if (!trace_scenario(&t, NULL, &s, nobody_child, NULL))
		goto out;
	dir = sc_get(&s, "dir");
	if (!ASSERT_TRUE(dir != NULL, "dir"))
		goto out;
	/* valid UTF-8: the value is exact and needs no twin */
	snprintf(path, sizeof(path), "%s/u/%s", dir, hostile_names[0]);
	r = ASSERT_REC(&t, "the OSC mount", "type", "syscall", "call", "mount", "path", path);
	if (r)
		ASSERT_TRUE(!json_get(r, "path_hex"), "no path_hex for a UTF-8 path");
	snprintf(path, sizeof(path), "%s/u/%s", dir, hostile_names[1]);
	hex(path, path_hex);
	r = ASSERT_REC(&t, "the non-UTF-8 mount", "type", "syscall", "call", "mount", "path_hex",
		       path_hex);
	if (r)
		ASSERT_TRUE(json_str(r, "path") && strstr(json_str(r, "path"), "\xef\xbf\xbd"),
			    "path has U+FFFD where the bytes were bad");
out:
	sc_free(&s);
	tracer_free(&t);
}

/* ---- an overlay of many hostile layers, mounted by root ---- */

#define NR_LAYERS 55

/* Layer i's directory name: every byte class overlay options must escape. */
static void layer_name(int i, char *buf, size_t len)
{
	snprintf(buf, len, "L%02d s\tq\"b\\c,o:n\n%s", i, i == 7 ? "\xff" : "");
}

/* @s with overlay's escapes for one layer of lowerdir= ('\', ',' and ':'). */
static void ovl_escape(const char *s, char *out)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == ',' || *s == ':')
			*out++ = '\\';
		*out++ = *s;
	}
	*out = '\0';
}

/* The lowerdir= value, relative to the scenario's dir: 55 absolute layers
 * would pass the page mount(2) data may fill. */
static void build_lower(char *lower, size_t len)
{
	char name[64], esc[160], rel[80];
	size_t n = 0;

	for (int i = 0; i < NR_LAYERS; i++) {
		layer_name(i, name, sizeof(name));
		snprintf(rel, sizeof(rel), "o/%s", name);
		ovl_escape(rel, esc);
		n += snprintf(lower + n, len - n, "%s%s", i ? ":" : "", esc);
	}
}

static void many_layers_child(struct sc_ctx *c, void *arg)
{
	static char opts[4096], lower[3800];
	char base[256], name[64], path[512], merged[512];

	snprintf(base, sizeof(base), "%s/o", c->dir);
	make_dir(c, base);
	for (int i = 0; i < NR_LAYERS; i++) {
		layer_name(i, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", base, name);
		make_dir(c, path);
	}
	build_lower(lower, sizeof(lower));
	snprintf(path, sizeof(path), "%s/up", base);
	make_dir(c, path);
	snprintf(path, sizeof(path), "%s/wk", base);
	make_dir(c, path);
	snprintf(merged, sizeof(merged), "%s/m \"e\\x\033[1m\n", base);
	make_dir(c, merged);
	SC_CHECK(c, chdir(c->dir) == 0, "chdir");
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=o/up,workdir=o/wk", lower);
	SC_CHECK(c, mount("overlay", merged, "overlay", 0, opts) == 0, "mount overlay of %d "
		 "layers: %s", NR_LAYERS, strerror(errno));
	sc_sync(c);	/* mnttrace sees it mounted */
	SC_CHECK(c, umount(merged) == 0, "umount");
}

TEST(hostile_overlay_many_layers_json)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	char merged[512];
	static char lower[3800], lower_hex[2 * sizeof(lower)];
	const struct json *r, *cut;

	if (!trace_scenario(&t, NULL, &s, many_layers_child, NULL))
		goto out;
	snprintf(merged, sizeof(merged), "%s/o/m \"e\\x\033[1m\n", sc_get(&s, "dir"));
	r = ASSERT_REC(&t, "the overlay mount", "type", "syscall", "call", "mount", "path", merged);
	if (r) {
		/* lowerdir holds a \xff: data is lossy, data_hex exact */
		ASSERT_TRUE(json_str(r, "data_hex") != NULL, "data_hex for a non-UTF-8 option string");
		ASSERT_JINT(r, "ret", 0);
	}
	/* a walk sees the overlay: its lowerdir is what was given, or flagged cut */
	r = rec_find(&t, 0, NULL, "type", "mount", "op", "walk", "path", merged, NULL);
	if (!r) {
		mt_test_log("no walk of the overlay (no namespace copy was made): nothing more");
		goto out;
	}
	/* the layers come as given (docs/json.md), here exact through the hex twin */
	build_lower(lower, sizeof(lower));
	hex(lower, lower_hex);
	cut = json_get(r, "truncated");
	if (!cut) {
		const char *got = json_str(r, "lowerdir_hex");
		size_t i = 0;

		while (got && got[i] && got[i] == lower_hex[i])
			i++;
		if (!got || got[i] || lower_hex[i])
			mt_test_fail(__FILE__, __LINE__, "the walk's lowerdir differs from the given "
				     "one at byte %zu of %zu: got ...%.40s, want ...%.40s", i / 2,
				     strlen(lower_hex) / 2, got ? got + (i & ~1ul) : "(none)",
				     lower_hex + (i & ~1ul));
	}
	else
		mt_test_log("the walk's lowerdir is flagged cut");
out:
	sc_free(&s);
	tracer_free(&t);
}

TEST(hostile_overlay_many_layers_text)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	int lines = 0;

	it_tracer_text = true;
	/* -v: overlay options show in text only then, on a line of their own */
	if (!trace_scenario(&t, (const char *[]){ "-v", NULL }, &s, many_layers_child, NULL))
		goto out;
	ASSERT_TRUE(!strchr(t.out_text, '\033') && !strchr(t.out_text, '\xff') &&
		    !strchr(t.out_text, '\t'), "no raw control or non-UTF-8 byte");
	ASSERT_TRUE(strstr(t.out_text, "L54 s\\tq\\\"b\\\\\\\\c\\\\,o\\\\:n\\n") != NULL,
		    "the last layer, escaped twice (overlay's \\ and ours)");
	for (const char *p = t.out_text; *p; p++)
		lines += *p == '\n';
	/* every line starts as a record line does (a task name then a pid), or
	 * as -v's line of extra fields under it (indented) */
	for (char *line = t.out_text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		if (strstr(line, "L54"))
			ASSERT_TRUE(strncmp(line, "mnttrace-itest ", 15) == 0 ||
				    strncmp(line, "                 ", 17) == 0, line);
		ASSERT_TRUE(strncmp(line, "L", 1) != 0 && strncmp(line, "\"", 1) != 0,
			    "a line that starts inside a value");
	}
	ASSERT_GT(lines, 1, "lines");
out:
	it_tracer_text = false;
	sc_free(&s);
	tracer_free(&t);
}
