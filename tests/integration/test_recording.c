// SPDX-License-Identifier: GPL-2.0
/*
 * --record and --replay (issue 9) on damaged and refused files: a cut or
 * corrupt recording replays up to the damage and says where it is; a
 * newer format asks for a newer mnttrace; a recording is made 0600, never
 * through a symlink, never over a file without --force; a killed
 * mnttrace leaves a file that replays; a full disk is reported once and
 * tracing carries on. (Every other traced test checks that a replay
 * prints what the live run did: replay_check.c.) These check the file
 * and the replay, not which records a mode sends: TEST_ANY_MODE, once a
 * kernel, while every traced test records and replays in every mode.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"
#include "scenarios.h"

#define RUN_TIMEOUT_MS 90000

static size_t count_str(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}


static size_t live_findings(const struct tracer *t)
{
	return rec_count(t, "type", "finding", NULL);
}

/* Copy @from to @to, keeping @len bytes (all with -1). */
static bool copy_file(const char *from, const char *to, off_t len)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	off_t done = 0;
	ssize_t n;

	while (in >= 0 && out >= 0 && (len < 0 || done < len) &&
	       (n = read(in, buf, len < 0 || len - done > (off_t)sizeof(buf) ?
			 sizeof(buf) : (size_t)(len - done))) > 0)
		done += write(out, buf, (size_t)n);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in >= 0 && out >= 0;
}

static bool poke(const char *path, off_t at, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY);
	bool ok = fd >= 0 && pwrite(fd, bytes, len, at) == (ssize_t)len;

	if (fd >= 0)
		close(fd);
	return ok;
}

static bool exited_with(int status, int code)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/* Scenario 1 (a private graph root: risk, leak) recorded to @path. */
static bool record_scenario1(struct tracer *t, struct scenario *s, const char *path)
{
	static struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE,
				     .do_umount = true, .umount_flags = MNT_DETACH };
	const char *args[] = { "--record", path, NULL };

	return trace_scenario(t, args, s, scn_leak_child, &a);
}

TEST_ANY_MODE(recording_cut_or_corrupt_replays_to_the_damage)
{
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	char rec[96], bad[128], *out = NULL, *err = NULL, *cut_out = NULL, *cut_err = NULL;
	const unsigned int v99 = 99;
	struct stat st;
	int status;

	if (!replay_check_path(rec, sizeof(rec)) || !record_scenario1(&t, &s, rec))
		goto out;
	snprintf(bad, sizeof(bad), "%s.bad", rec);
	/* whole: the live run's findings, exit 0 */
	status = replay_run(rec, &out, &err);
	ASSERT_TRUE(exited_with(status, 0), "a whole recording replays with exit 0");
	ASSERT_GT(live_findings(&t), 0, "findings of the live run");
	ASSERT_EQ(count_str(out, "\"type\":\"finding\""), live_findings(&t),
		  "findings replayed from the whole recording");
	ASSERT_TRUE(stat(rec, &st) == 0, "the recording exists");
	/* the leak's evidence bundle, shown by the replay */
	{
		char holder[64];

		snprintf(holder, sizeof(holder), "holder mnt:[%s] mount %s", sc_get(&s, "svc_ns"),
			 sc_get(&s, "copy_id"));
		ASSERT_TRUE(strstr(err, "evidence recorded") && strstr(err, " leak "),
			    "an evidence bundle for the leak");
		ASSERT_TRUE(strstr(err, holder) != NULL, "it names the holder namespace and copy");
		ASSERT_TRUE(strstr(err, "  age: ") != NULL, "the holder namespace's age");
		ASSERT_TRUE(strstr(err, "mountinfo (pid ") != NULL, "the holder's mountinfo line");
		ASSERT_TRUE(strstr(err, "process ") && strstr(err, ": ppid "), "the process tree");
		ASSERT_TRUE(strstr(err, "host: kernel ") && strstr(err, "fs.may_detach_mounts") &&
			    strstr(err, "overlay module default index") &&
			    strstr(err, "overlay module default redirect_dir"), "the host facts");
		ASSERT_TRUE(strstr(err, "unit") != NULL, "the units, or why they are not read");
		if (mt_test_failed())
			mt_test_log("replay stderr:\n%.4000s", err);
	}

	/* --no-findings: no model asks, so its recorded answers are passed over */
	status = replay_run_opt(rec, "--no-findings", &cut_out, &cut_err);
	ASSERT_TRUE(exited_with(status, 0), "a replay with --no-findings exits 0");
	ASSERT_EQ(count_str(cut_out, "\"type\":\"finding\""), 0, "no findings");
	ASSERT_EQ(count_str(cut_out, "\n") + live_findings(&t), count_str(out, "\n"),
		  "every other line of the whole replay");
	if (mt_test_failed())
		mt_test_log("stderr of the --no-findings replay:\n%s", cut_err);
	free(cut_out);
	free(cut_err);

	/* cut inside its last frame: what comes before, then an error */
	ASSERT_TRUE(copy_file(rec, bad, st.st_size - 5), "cut copy");
	status = replay_run(bad, &cut_out, &cut_err);
	ASSERT_TRUE(exited_with(status, 1), "a cut recording exits 1");
	ASSERT_TRUE(strstr(cut_err, "byte offset") && strstr(cut_err, ", record "),
		    "the error names the byte offset and record");
	ASSERT_TRUE(cut_out[0] && strncmp(out, cut_out, strlen(cut_out)) == 0,
		    "what a cut recording replays is the start of the whole replay");
	if (mt_test_failed())
		mt_test_log("stderr of the cut replay:\n%s", cut_err);
	free(cut_out);
	free(cut_err);

	/* a byte of the header's payload changed: caught by its checksum */
	ASSERT_TRUE(copy_file(rec, bad, -1) && poke(bad, 16 + 12 + 6, "X", 1), "corrupt copy");
	status = replay_run(bad, &cut_out, &cut_err);
	ASSERT_TRUE(exited_with(status, 1), "a corrupt header exits 1");
	ASSERT_TRUE(strstr(cut_err, "checksum mismatch at byte offset 16, record 1") != NULL,
		    "the error names the header's offset and record 1");
	ASSERT_STREQ(cut_out, "", "nothing replayed from a recording with a corrupt header");
	free(cut_out);
	free(cut_err);

	/* a newer format: upgrade */
	ASSERT_TRUE(copy_file(rec, bad, -1) && poke(bad, 8, &v99, 4), "newer copy");
	status = replay_run(bad, &cut_out, &cut_err);
	ASSERT_TRUE(exited_with(status, 1), "a newer format exits 1");
	ASSERT_TRUE(strstr(cut_err, "upgrade mnttrace") != NULL, "the error says to upgrade");
	free(cut_out);
	free(cut_err);

	/* not a recording at all */
	ASSERT_TRUE(copy_file("/proc/self/mountinfo", bad, -1), "text copy");
	status = replay_run(bad, &cut_out, &cut_err);
	ASSERT_TRUE(exited_with(status, 1), "a text file exits 1");
	ASSERT_TRUE(strstr(cut_err, "not an mnttrace recording") != NULL, "it says so");
	if (mt_test_failed())
		mt_test_log("stderr:\n%s", cut_err);
	free(cut_out);
	free(cut_err);
	unlink(bad);
out:
	unlink(rec);
	free(out);
	free(err);
	sc_free(&s);
	tracer_free(&t);
}

TEST_ANY_MODE(recording_file_is_0600_never_a_symlink_never_overwritten)
{
	char rec[96], link[128], other[128], *err = NULL;
	mode_t old = umask(0);	/* the recording is 0600 whatever the umask */
	struct stat st;
	int status;

	if (!replay_check_path(rec, sizeof(rec)))
		goto out;
	status = run_mnttrace(&err, RUN_TIMEOUT_MS, "--duration", "1", "--record", rec, NULL);
	umask(old);
	ASSERT_TRUE(exited_with(status, 0), "a run with --record exits 0");
	ASSERT_TRUE(stat(rec, &st) == 0 && (st.st_mode & 07777) == 0600,
		    "the recording is mode 0600");
	free(err);

	status = run_mnttrace(&err, RUN_TIMEOUT_MS, "--duration", "1", "--record", rec, NULL);
	ASSERT_TRUE(exited_with(status, 1), "an existing file is refused without --force");
	ASSERT_TRUE(err && strstr(err, "mnttrace: error: --record") && strstr(err, "--force"),
		    "the error says --force replaces it");
	free(err);

	snprintf(other, sizeof(other), "%s.target", rec);
	snprintf(link, sizeof(link), "%s.link", rec);
	ASSERT_TRUE(copy_file("/proc/self/comm", other, -1) && symlink(other, link) == 0,
		    "a symlink to a file");
	status = run_mnttrace(&err, RUN_TIMEOUT_MS, "--duration", "1", "--force",
			      "--record", link, NULL);
	ASSERT_TRUE(exited_with(status, 1), "a symlink is refused, even with --force");
	ASSERT_TRUE(err && strstr(err, "symbolic link"), "the error says why");
	ASSERT_TRUE(stat(other, &st) == 0 && st.st_size > 0 && st.st_size < 64,
		    "the symlink's target is untouched");
	free(err);

	status = run_mnttrace(&err, RUN_TIMEOUT_MS, "--duration", "1", "--force",
			      "--record", rec, NULL);
	ASSERT_TRUE(exited_with(status, 0), "--force replaces a recording");
	free(err);
	err = NULL;
	unlink(link);
	unlink(other);
out:
	unlink(rec);
	free(err);
}

/* SIGKILL: every frame written before is there, and replays. */
TEST_ANY_MODE(recording_killed_mnttrace_leaves_a_replayable_file)
{
	static struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE,
				     .do_umount = true, .umount_flags = MNT_DETACH };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	char rec[96], *out = NULL, *err = NULL, *live = NULL;
	const char *args[] = { "--record", rec, NULL };
	int status;

	if (!replay_check_path(rec, sizeof(rec)) || !tracer_startv(&t, args) ||
	    !sc_start(&s, scn_leak_child, &a))
		goto out;
	while (sc_next_sync(&s)) {
		tracer_settle(&t);
		sc_go(&s);
	}
	if (!sc_finish(&s))
		goto out;
	tracer_settle(&t);
	kill(t.pid, SIGKILL);
	wait_pid_timeout(t.pid, RUN_TIMEOUT_MS);
	t.exited = true;
	if (!(live = it_read_memfd(t.out_fd)))
		goto out;
	status = replay_run(rec, &out, &err);
	ASSERT_TRUE(exited_with(status, 0), "the recording of a killed run replays");
	ASSERT_GT(count_str(live, "\"type\":\"finding\""), 0, "findings of the killed run");
	ASSERT_EQ(count_str(out, "\"type\":\"finding\""), count_str(live, "\"type\":\"finding\""),
		  "the replay has every finding the killed run printed");
	ASSERT_TRUE(strstr(err, "was killed") != NULL, "the replay says the run did not end");
	if (mt_test_failed())
		mt_test_log("replay stderr:\n%s", err);
out:
	unlink(rec);
	free(live);
	free(out);
	free(err);
	sc_free(&s);
	tracer_free(&t);
}

/*
 * A full disk, as RLIMIT_FSIZE makes one (EFBIG): said once, the file is
 * cut back to its last whole frame, and the findings still come.
 */
TEST_ANY_MODE(recording_full_disk_is_reported_once_and_tracing_goes_on)
{
	static struct scn_leak a = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE,
				     .do_umount = true, .umount_flags = MNT_DETACH };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	char rec[96], *out = NULL, *err = NULL;
	const char *args[] = { "--findings-only", "--record", rec, NULL };
	struct stat st;
	struct rlimit old, small = { 10000, 10000 };
	bool started;
	int status;

	if (!replay_check_path(rec, sizeof(rec)) || getrlimit(RLIMIT_FSIZE, &old))
		goto out;
	small.rlim_max = old.rlim_max;
	/* mnttrace inherits the limit; the runner's own files are memfds read back */
	setrlimit(RLIMIT_FSIZE, &small);
	started = tracer_startv(&t, args);
	setrlimit(RLIMIT_FSIZE, &old);
	if (!started || !sc_start(&s, scn_leak_child, &a))
		goto out;
	while (sc_next_sync(&s)) {
		tracer_settle(&t);
		sc_go(&s);
	}
	if (!sc_finish(&s) || !tracer_stop(&t))
		goto out;
	ASSERT_EQ(count_str(t.err_text, "recording to"), 1, "the failed write is said once");
	ASSERT_GT(live_findings(&t), 0, "findings after the disk filled");
	status = replay_run(rec, &out, &err);
	ASSERT_TRUE(exited_with(status, 0), "what was recorded replays, no cut frame");
	ASSERT_TRUE(stat(rec, &st) == 0 && st.st_size <= 10000, "the file kept to the limit");
	if (mt_test_failed())
		mt_test_log("mnttrace stderr:\n%s\nreplay stderr:\n%s", t.err_text, err);
out:
	unlink(rec);
	free(out);
	free(err);
	sc_free(&s);
	tracer_free(&t);
}

/* ---- the flight recorder ---- */

#define FR_MAX (256 << 10)
#define STORM_MOUNTS 2500

struct storm {
	struct scn_leak leak;
};

/*
 * A storm of mount(2) records, then scenario 1. The mounts fail (no such
 * filesystem type): a record each, without the RCU grace period every
 * real umount waits for (tens of ms each, seen on 6.18).
 */
static void storm_then_leak(struct sc_ctx *c, void *arg)
{
	struct storm *st = arg;
	char m[256];

	snprintf(m, sizeof(m), "%s/storm", c->dir);
	SC_CHECK(c, mkdir(m, 0755) == 0, "mkdir %s: %s", m, strerror(errno));
	for (int i = 0; i < STORM_MOUNTS; i++) {
		SC_CHECK(c, mount("storm", m, "mnttrace-storm", 0, "size=64k") < 0 &&
			 errno == ENODEV, "mount of no filesystem type: %s", strerror(errno));
	}
	/*
	 * Let mnttrace drain the storm first: a segment's snapshot taken
	 * while the ring buffer still holds the scenario's calls would
	 * already show their outcome (a replay from it skips them as older).
	 */
	sc_sync(c);
	scn_leak_child(c, &st->leak);
}

/* The kind and reason of each finding on @path, in order, one per line. */
static void finding_list(const char *jsonl, const char *path, char *buf, size_t size)
{
	char *copy = strdup(jsonl), *save = NULL;
	size_t n = 0;

	buf[0] = '\0';
	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		const char *err;
		struct json *r = json_parse(l, &err);
		const char *type = r ? json_str(r, "type") : NULL;

		if (type && !strcmp(type, "finding") && json_str(r, "path") &&
		    !strcmp(json_str(r, "path"), path) && n < size)
			/* the reason's code, not its words: a replay from a later
			 * segment may lack a look-up the words use (the runtime's
			 * advice), as docs/recording.md says */
			n += (size_t)snprintf(buf + n, size - n, "%s: %s\n", json_str(r, "kind"),
					      json_str(r, "reason_code"));
		json_free(r);
	}
	free(copy);
}

static void remove_segments(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] != '.')
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/*
 * --record DIR --max-size: a storm rolls segments, the oldest go, the
 * directory stays within its size; --replay DIR replays what is left,
 * and the scenario's findings come out as they did live. SIGUSR1 leaves
 * a marker the replay shows.
 */
TEST_ANY_MODE(recording_flight_recorder_keeps_its_bound)
{
	struct storm a = { .leak = { .graph_prop = MS_PRIVATE, .svc_prop = MS_SLAVE,
				     .do_umount = true, .umount_flags = MNT_DETACH } };
	struct tracer t = TRACER_INIT;
	struct scenario s = SC_INIT;
	char dir[128], seg[512], live_f[8192], replay_f[8192];
	char *out = NULL, *err = NULL, *live = NULL;
	const char *args[] = { "--findings-only", "--record", dir, "--max-size", "256K", NULL };
	long long total = 0;
	int segments = 0, status;
	bool first_kept = false;
	struct dirent *de;
	struct stat st;
	DIR *d;

	dir[0] = '\0';
	if (!replay_check_path(dir, sizeof(dir) - 2))
		goto out;
	strcat(dir, ".d");
	if (!tracer_startv(&t, args) || !sc_start(&s, storm_then_leak, &a))
		goto out;
	while (sc_next_sync(&s)) {
		tracer_settle(&t);
		sc_go(&s);
	}
	if (!sc_finish(&s))
		goto out;
	tracer_settle(&t);
	kill(t.pid, SIGUSR1);	/* "the incident was here" */
	for (int ms = 0; ms < 5000 && !strstr(t.err_text ? t.err_text : "", "marker"); ms += 100) {
		usleep(100000);
		free(t.err_text);
		t.err_text = it_read_memfd(t.err_fd);
	}
	if (!tracer_stop(&t))
		goto out;
	ASSERT_TRUE(strstr(t.err_text, "marker written") != NULL, "SIGUSR1 is acknowledged");
	ASSERT_TRUE(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "the directory is 0700");
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(seg, sizeof(seg), "%s/%s", dir, de->d_name);
		if (stat(seg, &st))
			continue;
		segments++;
		total += st.st_size;
		first_kept |= strcmp(de->d_name, "mnttrace-000000.rec") == 0;
		ASSERT_TRUE((st.st_mode & 0777) == 0600, "a segment is 0600");
	}
	if (d)
		closedir(d);
	mt_test_log("flight recorder: %d segments, %lld bytes (max %d)", segments, total, FR_MAX);
	ASSERT_GT(segments, 1, "segments in the directory");
	ASSERT_FALSE(first_kept, "the oldest segment is gone");
	ASSERT_TRUE(total <= FR_MAX, "the directory stays within --max-size");

	status = replay_run(dir, &out, &err);
	ASSERT_TRUE(exited_with(status, 0), "--replay DIR exits 0");
	live = it_read_memfd(t.out_fd);
	finding_list(live ? live : "", sc_get(&s, "merged"), live_f, sizeof(live_f));
	finding_list(out, sc_get(&s, "merged"), replay_f, sizeof(replay_f));
	ASSERT_TRUE(live_f[0] != '\0', "live findings on the scenario's overlay");
	ASSERT_STREQ(replay_f, live_f, "the scenario's findings, replayed from the directory");
	ASSERT_TRUE(strstr(err, "SIGUSR1") != NULL, "the replay shows the marker");
	if (mt_test_failed())
		mt_test_log("replay stderr:\n%.3000s", err);
out:
	if (mt_test_failed())
		mt_test_log("recording kept: %s", dir);
	else
		remove_segments(dir);
	free(out);
	free(err);
	free(live);
	sc_free(&s);
	tracer_free(&t);
}
