// SPDX-License-Identifier: GPL-2.0
/* Output into a file or pipe: whole lines, in blocks. */
#include <string.h>
#include <sys/stat.h>

#include "linebuf.h"
#include "testlib.h"

static long on_disk(FILE *f)
{
	struct stat st;

	return fstat(fileno(f), &st) ? -1 : (long)st.st_size;
}

TEST(linebuf_writes_whole_lines_in_blocks)
{
	FILE *f = tmpfile();
	char line[101];
	long written = 0, writes = 0;

	if (!ASSERT_TRUE(f != NULL, "tmpfile"))
		return;
	memset(line, 'x', 99);
	line[99] = '\n';
	line[100] = '\0';
	mt_linebuf_set(f, true);
	for (int i = 0; i < 5000; i++) {
		fputs(line, f);
		ASSERT_OK(mt_linebuf_end(f), "line end");
		if (on_disk(f) != written) {
			written = on_disk(f);
			writes++;
		}
		if (written % 100)
			break;
	}
	ASSERT_EQ(written % 100, 0, "bytes on disk are whole lines");
	ASSERT_GT(writes, 1, "blocks written before the end");
	ASSERT_TRUE(writes < 10, "in blocks, not a write a line");
	ASSERT_OK(mt_linebuf_flush(f), "flush");
	ASSERT_EQ(on_disk(f), 5000 * 100, "all of it after the flush");
	mt_linebuf_set(f, false);	/* forget it before it is closed */
	fclose(f);
	/* not batched (a terminal): every line end writes */
	f = tmpfile();
	if (!ASSERT_TRUE(f != NULL, "tmpfile"))
		return;
	mt_linebuf_set(f, false);
	fputs(line, f);
	ASSERT_OK(mt_linebuf_end(f), "line end");
	ASSERT_EQ(on_disk(f), 100, "the line at once");
	fclose(f);
}
