// SPDX-License-Identifier: GPL-2.0
/* The last error line, and its JSON twin for -j (fatal.h). */
#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>

#include "fatal.h"
#include "json.h"

#define PREFIX "mnttrace: error: "

static FILE *real_stderr;
static char line[1024];		/* the line being written */
static size_t line_len;
static char last[1024];		/* the last whole error line */

static ssize_t tee_write(void *cookie, const char *buf, size_t size)
{
	fwrite(buf, 1, size, real_stderr);
	for (size_t i = 0; i < size; i++) {
		if (buf[i] != '\n') {
			if (line_len < sizeof(line) - 1)
				line[line_len++] = buf[i];
			continue;
		}
		line[line_len] = '\0';
		if (strncmp(line, PREFIX, strlen(PREFIX)) == 0)
			snprintf(last, sizeof(last), "%s", line + strlen(PREFIX));
		line_len = 0;
	}
	/* stderr's own failure is no reason to lose the record of it */
	return (ssize_t)size;
}

bool mt_fatal_capture(void)
{
	static const cookie_io_functions_t io = { .write = tee_write };
	int fd = dup(STDERR_FILENO);
	FILE *tee;

	if (fd < 0)
		return false;
	real_stderr = fdopen(fd, "w");
	if (!real_stderr) {
		close(fd);
		return false;
	}
	setvbuf(real_stderr, NULL, _IONBF, 0);
	tee = fopencookie(NULL, "w", io);
	if (!tee) {
		fclose(real_stderr);
		real_stderr = NULL;
		return false;
	}
	setvbuf(tee, NULL, _IOLBF, 0);
	stderr = tee;
	return true;
}

const char *mt_fatal_last(void)
{
	fflush(stderr);
	return last;
}

void mt_fatal_json(FILE *out, const char *fallback, int exit_code)
{
	struct mt_json j;
	const char *what = mt_fatal_last();

	mt_json_init_file(&j, out);
	mt_json_begin(&j);
	mt_json_str(&j, "type", "error");
	mt_json_str(&j, "error", *what ? what : fallback);
	mt_json_int(&j, "exit_code", exit_code);
	mt_json_end_line(&j);
}

bool mt_argv_wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "--json") == 0)
			return true;
		if (a[0] != '-' || a[1] == '-')
			continue;
		/* a cluster of flags without values: -jt, -vj */
		for (const char *c = a + 1; *c && strchr("jtxvhV", *c); c++)
			if (*c == 'j')
				return true;
	}
	return false;
}
