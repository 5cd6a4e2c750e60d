// SPDX-License-Identifier: GPL-2.0
/*
 * Every traced test is also a record/replay test (issue 9): tracer_start()
 * adds `--record FILE`, and tracer_stop() replays FILE with `mnttrace
 * --replay FILE -j`, offline, and asks for the very output the live run
 * printed: the same records and findings, in order, field by field.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

#define REPLAY_TIMEOUT_MS 60000

static char rec_dir[64];
static unsigned int rec_seq;

static void remove_dir(void)
{
	if (rec_dir[0])
		rmdir(rec_dir);
}

const char *replay_check_path(char *buf, size_t size)
{
	if (!rec_dir[0]) {
		snprintf(rec_dir, sizeof(rec_dir), "/tmp/mnttrace-itest-rec.XXXXXX");
		if (!mkdtemp(rec_dir)) {
			rec_dir[0] = '\0';
			return NULL;
		}
		atexit(remove_dir);
	}
	snprintf(buf, size, "%s/%u.rec", rec_dir, ++rec_seq);
	return buf;
}


/* Where two values first differ: "" when equal, else the field's path. */
static bool json_diff(const struct json *a, const struct json *b, char *path, size_t size)
{
	size_t len = strlen(path);

	if (a->type != b->type)
		return true;
	switch (a->type) {
	case JSON_STRING:
		return strcmp(a->s, b->s) != 0;
	case JSON_NUMBER:
		return a->is_int != b->is_int || (a->is_int ? a->i != b->i : a->d != b->d);
	case JSON_BOOL:
		return a->b != b->b;
	case JSON_ARRAY:
	case JSON_OBJECT:
		if (a->n != b->n)
			return snprintf(path + len, size - len, " (%zu members, replay %zu)",
					a->n, b->n), true;
		for (size_t i = 0; i < a->n; i++) {
			if (a->type == JSON_OBJECT && strcmp(a->keys[i], b->keys[i]))
				return snprintf(path + len, size - len, ".%s (replay has %s)",
						a->keys[i], b->keys[i]), true;
			if (a->type == JSON_OBJECT)
				snprintf(path + len, size - len, ".%s", a->keys[i]);
			else
				snprintf(path + len, size - len, "[%zu]", i);
			if (json_diff(a->items[i], b->items[i], path, size))
				return true;
			path[len] = '\0';
		}
		return false;
	default:
		return false;
	}
}

/* The replay's stdout, line by line, against the live records. */
static bool compare(const struct tracer *t, char *out)
{
	char *save = NULL, path[512], live[600], again[600];
	size_t i = 0, findings = 0;

	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *err;
		struct json *r = json_parse(line, &err);
		bool differ;

		if (!r) {
			mt_test_fail(__FILE__, __LINE__, "replay line %zu is not JSON (%s): %.300s",
				     i + 1, err, line);
			return false;
		}
		if (i >= t->nrecs) {
			mt_test_fail(__FILE__, __LINE__, "the replay printed more than the live run's "
				     "%zu lines: %.300s", t->nrecs, line);
			json_free(r);
			return false;
		}
		path[0] = '\0';
		differ = json_diff(t->recs[i], r, path, sizeof(path));
		if (differ) {
			json_format(t->recs[i], live, sizeof(live));
			json_format(r, again, sizeof(again));
			mt_test_fail(__FILE__, __LINE__, "replay line %zu differs at %s:\n  live:   "
				     "%s\n  replay: %s", i + 1, path[0] ? path : "(top)", live, again);
		}
		findings += json_str(r, "type") && !strcmp(json_str(r, "type"), "finding");
		json_free(r);
		if (differ)
			return false;
		i++;
	}
	if (i != t->nrecs) {
		mt_test_fail(__FILE__, __LINE__, "the replay printed %zu lines, the live run %zu",
			     i, t->nrecs);
		return false;
	}
	if (it_verbose)
		mt_test_log("replay: the same %zu lines (%zu findings)", i, findings);
	return true;
}

int replay_run(const char *rec_path, char **out, char **err)
{
	return replay_run_opt(rec_path, NULL, out, err);
}

int replay_run_opt(const char *rec_path, const char *opt, char **out, char **err)
{
	char *argv[] = { (char *)it_mnttrace, "-j", "--replay", (char *)rec_path, (char *)opt,
			 NULL };
	int out_fd = (int)syscall(SYS_memfd_create, "replay-out", 0);
	int err_fd = (int)syscall(SYS_memfd_create, "replay-err", 0);
	int status = -1;
	double t0 = mt_now_s();
	pid_t pid;

	*out = *err = NULL;
	if (out_fd >= 0 && err_fd >= 0) {
		pid = fork();
		if (pid == 0) {
			dup2(out_fd, 1);
			dup2(err_fd, 2);
			execv(argv[0], argv);
			_exit(127);
		}
		status = pid < 0 ? -1 : wait_pid_timeout(pid, REPLAY_TIMEOUT_MS);
		it_times.replays++;
		it_times.replay_s += mt_now_s() - t0;
		*out = it_read_memfd(out_fd);
		*err = it_read_memfd(err_fd);
	}
	if (out_fd >= 0)
		close(out_fd);
	if (err_fd >= 0)
		close(err_fd);
	if (!*out)
		*out = strdup("");
	if (!*err)
		*err = strdup("");
	return status;
}

bool replay_check(const struct tracer *t, const char *rec_path)
{
	char *out, *err;
	bool ok = false;
	int status = replay_run(rec_path, &out, &err);

	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		mt_test_fail(__FILE__, __LINE__, "mnttrace --replay %s: status 0x%x; stderr:\n%.2000s",
			     rec_path, status, err ? err : "");
	else if (out)
		ok = compare(t, out);
	if (ok)
		unlink(rec_path);	/* kept for a look when it failed */
	else
		mt_test_log("recording kept: %s", rec_path);
	free(out);
	free(err);
	return ok;
}
