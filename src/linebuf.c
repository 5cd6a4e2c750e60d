// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio_ext.h>		/* __fpending (glibc, musl) */

#include "linebuf.h"

/* A line longer than BUF_SIZE - FLUSH_AT (a 16 KiB record escaped is
 * at most 64 KiB) would be the only one written in two pieces. */
#define BUF_SIZE (512 * 1024)
#define FLUSH_AT (128 * 1024)

static FILE *batched;
/* glibc ignores setvbuf's size without a buffer (st_blksize, 4 KiB,
 * and a block boundary anywhere in a line) */
static char block[BUF_SIZE];

void mt_linebuf_set(FILE *f, bool batch)
{
	if (batch) {
		setvbuf(f, block, _IOFBF, sizeof(block));
		batched = f;
		return;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	if (batched == f)
		batched = NULL;
}

/* stdio may take a failed write as done and keep only the error flag:
 * errno still names it (EPIPE for a closed pipe) */
static int write_error(FILE *f, bool flush)
{
	if ((flush && fflush(f)) || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

int mt_linebuf_end(FILE *f)
{
	return write_error(f, f != batched || __fpending(f) >= FLUSH_AT);
}

int mt_linebuf_flush(FILE *f)
{
	return write_error(f, true);
}
