/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output into a file or pipe in blocks of whole lines: a write(2) per
 * line cost more than half of mnttrace's CPU in a storm of findings
 * (perf, 6.18), and a consumer that falls behind loses records.
 */
#ifndef MT_LINEBUF_H
#define MT_LINEBUF_H

#include <stdbool.h>
#include <stdio.h>

/* Buffer @f in blocks (@batch), or let every line end flush it. */
void mt_linebuf_set(FILE *f, bool batch);

/*
 * At the end of a line (or a finding's lines): flush, unless @f is the
 * batched stream and its buffer still has room for another line, so a
 * block is never cut inside a line. Returns 0 or -errno of a failed write.
 */
int mt_linebuf_end(FILE *f);

/* What is buffered, out now (the end of a read cycle, or before a note
 * on stderr). Returns 0 or -errno. */
int mt_linebuf_flush(FILE *f);

#endif
