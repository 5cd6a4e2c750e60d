// SPDX-License-Identifier: GPL-2.0
/*
 * mnttrace must never be what keeps a mount busy (issue 10): while it
 * traces, it holds no cwd, root, open fd or mapping under the overlays it
 * watches, and they unmount and their directories go while it runs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "itest.h"

static void overlay_then_release(struct sc_ctx *c, void *arg)
{
	char base[256], merged[300], path[512];
	int fd;

	snprintf(base, sizeof(base), "%s/ov", c->dir);
	make_overlay(c, base, NULL, merged, sizeof(merged));
	/* something for mnttrace's /proc readers to find: a file kept open inside */
	snprintf(path, sizeof(path), "%s/f", merged);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	SC_CHECK(c, fd >= 0, "open %s: %s", path, strerror(errno));
	sc_report(c, "merged", "%s", merged);
	sc_sync(c);		/* the runner looks at mnttrace now */
	close(fd);
	/* a holder would make these EBUSY */
	SC_CHECK(c, umount(merged) == 0, "umount %s while mnttrace runs: %s", merged,
		 strerror(errno));
	SC_CHECK(c, rmdir(merged) == 0, "rmdir %s: %s", merged, strerror(errno));
}

/* Does any fd, cwd, root or mapping of @pid point under @dir? */
static bool holds_under(pid_t pid, const char *dir, char *what, size_t len)
{
	char path[64], link[PATH_MAX], line[PATH_MAX + 128];
	size_t n = strlen(dir);
	struct dirent *e;
	FILE *maps;
	DIR *d;

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, i ? "root" : "cwd");
		ssize_t k = readlink(path, link, sizeof(link) - 1);

		link[k > 0 ? k : 0] = '\0';
		if (k > 0 && !strncmp(link, dir, n)) {
			snprintf(what, len, "%s -> %s", path, link);
			return true;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		char fdp[340];
		ssize_t k;

		snprintf(fdp, sizeof(fdp), "%s/%s", path, e->d_name);
		k = readlink(fdp, link, sizeof(link) - 1);
		link[k > 0 ? k : 0] = '\0';
		if (k > 0 && !strncmp(link, dir, n)) {
			snprintf(what, len, "fd %.32s -> %.4000s", e->d_name, link);
			closedir(d);
			return true;
		}
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	while (maps && fgets(line, sizeof(line), maps)) {
		if (strstr(line, dir)) {
			snprintf(what, len, "mapping %s", line);
			fclose(maps);
			return true;
		}
	}
	if (maps)
		fclose(maps);
	return false;
}

TEST(never_the_holder)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	char what[2 * PATH_MAX];

	if (!tracer_start(&t, "--overlay", NULL) || !sc_start(&s, overlay_then_release, NULL))
		goto out;
	if (!sc_wait_sync(&s))
		goto out;
	tracer_settle(&t);
	if (holds_under(t.pid, sc_get(&s, "dir"), what, sizeof(what)))
		mt_test_fail(__FILE__, __LINE__, "mnttrace holds %s", what);
	sc_go(&s);
	/* the child's umount and rmdir are the proof: sc_finish fails on EBUSY */
	sc_finish(&s);
	if (holds_under(t.pid, sc_get(&s, "dir"), what, sizeof(what)))
		mt_test_fail(__FILE__, __LINE__, "mnttrace still holds %s", what);
	tracer_stop(&t);
	ASSERT_REC(&t, "the umount mnttrace saw", "type", "syscall", "call", "umount2", "ret",
		   "0", "path", sc_get(&s, "merged"));
out:
	sc_free(&s);
	tracer_free(&t);
}
