// SPDX-License-Identifier: GPL-2.0
/*
 * The overlay module loaded while mnttrace traces (fentry and kprobe modes,
 * in the vmtest guests where overlay is a module): its hooks are said to be
 * unseen at start, attach when it is loaded, and then send ovl_inuse
 * records. fentry holds the module until mnttrace exits; kprobes do not,
 * and an unload is said. The guest's init.sh names the directory holding
 * overlay.ko in MNTTRACE_IT_MODULES (busybox has no modprobe).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "itest.h"

#define LOADED_LINE "the overlay module was loaded: its hooks are attached"
#define UNLOADED_LINE "the overlay module was unloaded: not seen until it is loaded again"
#define PINNED_LINE "fentry holds the overlay module while mnttrace traces"
#define LINE_WAIT_MS 60000	/* a load and attach under TCG takes seconds */

static bool overlay_live(void)
{
	char state[16] = "";
	int fd = open("/sys/module/overlay/initstate", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, state, sizeof(state) - 1) < 0)
		state[0] = '\0';
	close(fd);
	return strncmp(state, "live", 4) == 0;
}

/* rmmod overlay: 0 or -errno (EAGAIN while something holds it). */
static int unload_overlay(void)
{
	return syscall(SYS_delete_module, "overlay", O_NONBLOCK) ? -errno : 0;
}

static int load_overlay(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = -errno;
	close(fd);
	return err;
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Wait until mnttrace's stderr has @needle @n times; t->err_text is then all of it. */
static bool wait_stderr(struct tracer *t, const char *needle, int n)
{
	for (int ms = 0; ms < LINE_WAIT_MS; ms += 100) {
		free(t->err_text);
		t->err_text = it_read_memfd(t->err_fd);
		if (count_str(t->err_text, needle) >= n)
			return true;
		sleep_ms(100);
	}
	mt_test_fail(__FILE__, __LINE__, "no \"%s\" line (%d) on stderr after %d ms:\n%s",
		     needle, n, LINE_WAIT_MS, t->err_text ? t->err_text : "");
	return false;
}

#define MAX_IDS 256

/* The BPF links and programs mnttrace holds now, the late ones included. */
struct held_ids {
	unsigned int ids[2][MAX_IDS];
	int n[2];
};

static const enum bpf_obj_kind held_kinds[2] = { BPF_OBJ_LINK, BPF_OBJ_PROG };

/* How many of them still exist, after waiting up to 5 s for the kernel to free them. */
static int held_left(const struct held_ids *h)
{
	int left = 0;

	for (int ms = 0; ms <= 5000; ms += 100) {
		left = 0;
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < h->n[k]; i++)
				left += bpf_obj_exists(held_kinds[k], h->ids[k][i]);
		if (!left)
			break;
		sleep_ms(100);
	}
	return left;
}

/* The second mount of the same upper/workdir with index=on: EBUSY, after
 * ovl_inuse_trylock() fails on the upperdir. */
static void inuse_child(struct sc_ctx *c, void *arg)
{
	char base[256], merged[400], merged2[400], opts[1024];

	(void)arg;
	snprintf(base, sizeof(base), "%s/ovl", c->dir);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	snprintf(merged2, sizeof(merged2), "%s/merged2", base);
	make_dir(c, merged2);
	overlay_opts(base, "index=on", opts, sizeof(opts));
	sc_report(c, "remount_errno", "%d", mount("overlay", merged2, "overlay", 0, opts) ?
		  errno : 0);
}

/* Why this test cannot run here, or NULL; *ko gets overlay.ko's path. */
static const char *cannot_run(char *ko, size_t len)
{
	const char *why = NULL, *dir = getenv("MNTTRACE_IT_MODULES");

	if (!it_internals_available(&why))
		return why;
	if (!dir)
		return "MNTTRACE_IT_MODULES is not set: no overlay.ko to load again "
		       "(the vmtest guests set it)";
	snprintf(ko, len, "%s/overlay.ko", dir);
	if (access(ko, R_OK))
		return "no readable overlay.ko in MNTTRACE_IT_MODULES";
	if (access("/sys/module/overlay", F_OK) == 0 &&
	    access("/sys/module/overlay/initstate", F_OK) != 0)
		return "overlay is built into this kernel: it cannot be unloaded";
	return NULL;
}

TEST(latemod_overlay_loaded_while_tracing)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	struct held_ids held = { 0 };
	char ko[512];
	const char *why = cannot_run(ko, sizeof(ko));
	const struct json *r;
	bool fentry;
	int err, loads = 1;

	if (why) {
		mt_test_skip("%s", why);
		return;
	}
	if (overlay_live() && (err = unload_overlay())) {
		mt_test_skip("overlay cannot be unloaded (in use?): %s", strerror(-err));
		return;
	}
	/* from here on the module must be loaded again, whatever happens */
	if (!tracer_startv(&t, NULL))
		goto out;
	t.err_text = it_read_memfd(t.err_fd);
	ASSERT_TRUE(strstr(t.err_text, "not seen in this mode: ") &&
		    strstr(t.err_text, "overlay upper/workdir in use (until the overlay module is "
				       "loaded)"), "stderr names overlay's hooks as unseen");
	ASSERT_EQ(count_str(t.err_text, LOADED_LINE), 0, "no attach line before the load");
	fentry = strstr(t.err_text, "tracing in fentry mode") != NULL;
	if (!ASSERT_OK(load_overlay(ko), "insmod overlay.ko") || !wait_stderr(&t, LOADED_LINE, 1))
		goto out;
	err = unload_overlay();
	if (fentry) {
		/* both the line and the kernel say the module is held */
		ASSERT_TRUE(strstr(t.err_text, PINNED_LINE) != NULL, "the pin is said");
		ASSERT_EQ(err, -EAGAIN, "rmmod overlay while fentry is attached");
	} else {
		/* kprobes hold nothing: the unload is said, the next load attaches again */
		if (!ASSERT_OK(err, "rmmod overlay under kprobes") ||
		    !wait_stderr(&t, UNLOADED_LINE, 1) ||
		    !ASSERT_OK(load_overlay(ko), "insmod overlay.ko again") ||
		    !wait_stderr(&t, LOADED_LINE, ++loads))
			goto out;
	}
	for (int k = 0; k < 2; k++)
		held.n[k] = proc_bpf_ids(t.pid, held_kinds[k], held.ids[k], MAX_IDS);
	ASSERT_GT(held.n[0], 0, "BPF links mnttrace holds");
	if (!sc_start(&s, inuse_child, NULL) || !sc_finish(&s))
		goto out;
	ASSERT_STREQ(sc_get(&s, "remount_errno"), "16", "the second index=on mount: EBUSY");
	tracer_settle(&t);
	if (!tracer_stop(&t))
		goto out;
	ASSERT_EQ(count_str(t.err_text, LOADED_LINE), loads, "one attach line per load");
	r = ASSERT_REC(&t, "ovl_inuse from the hooks attached late", "type", "dir",
		       "op", "ovl_inuse", "pid", sc_get(&s, "pid"));
	if (r)	/* the upperdir, from the root of the tmpfs it lives on */
		ASSERT_JSTR(r, "path", "/ovl/upper");
	ASSERT_EQ(held_left(&held), 0, "BPF links and programs left after mnttrace exited");
	/* teardown let go of the module: it unloads now */
	for (int ms = 0; ms < 10000 && (err = unload_overlay()) == -EAGAIN; ms += 200)
		sleep_ms(200);
	ASSERT_OK(err, "rmmod overlay after mnttrace exited");
out:
	sc_free(&s);
	tracer_free(&t);
	if (!overlay_live() && (err = load_overlay(ko)))
		mt_test_fail(__FILE__, __LINE__, "overlay.ko could not be loaded again: %s",
			     strerror(-err));
}
