// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the command line, NUL-separated arguments. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int devnull = -1;
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 1] = { "mnttrace" };
	struct mt_options opt = MT_OPTIONS_DEFAULT;
	int argc = 1, saved_out, saved_err;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *p = copy; p < copy + size && argc < MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (devnull < 0)
		devnull = open("/dev/null", O_WRONLY);
	/* errors and --help go to /dev/null; what matters is no crash */
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(devnull, 1);
	dup2(devnull, 2);
	mt_options_parse(argc, argv, &opt);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	free(copy);
	return 0;
}
