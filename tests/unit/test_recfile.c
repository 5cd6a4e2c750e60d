// SPDX-License-Identifier: GPL-2.0
/* The recording format: payload codec, snapshots and frames (recfile.h, reccodec.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "reccodec.h"
#include "recfile.h"
#include "../fixtures/fixture.h"

/* A snapshot read back equals the one put: putting it again gives the same bytes. */
TEST(recfile_snapshot_round_trip)
{
	struct mt_snapshot *snap = mt_snapshot__new(fx_path("proc"), NULL), *back = NULL;
	struct mt_buf a = {}, b = {};
	struct mt_cur c;
	struct mt_snap_ns *httpd;

	if (!ASSERT_TRUE(snap != NULL, "fixture snapshot"))
		return;
	mt_put_snapshot(&a, snap);
	c = (struct mt_cur){ .p = a.p, .len = a.len };
	back = mt_get_snapshot(&c);
	if (!ASSERT_TRUE(back != NULL && !c.bad, "read back"))
		goto out;
	ASSERT_EQ(c.at, a.len, "every byte read");
	mt_put_snapshot(&b, back);
	ASSERT_TRUE(a.len == b.len && memcmp(a.p, b.p, a.len) == 0, "the same bytes again");
	ASSERT_EQ(back->nr_ns, snap->nr_ns, "namespaces");
	httpd = mt_snapshot__find(back, 4026532500u);
	if (ASSERT_TRUE(httpd != NULL, "httpd's namespace"))
		ASSERT_STREQ(httpd->procs[1].ident.unit, "httpd.service", "a process's unit");
	/* a cut payload is refused, not half read */
	for (size_t cut = 0; cut < a.len; cut += 7) {
		struct mt_cur short_c = { .p = a.p, .len = cut };
		struct mt_snapshot *s = mt_get_snapshot(&short_c);

		if (!ASSERT_TRUE(s == NULL && short_c.bad, "a cut snapshot is refused")) {
			mt_snapshot__free(s);
			break;
		}
	}
out:
	mt_snapshot__free(snap);
	mt_snapshot__free(back);
	mt_buf_free(&a);
	mt_buf_free(&b);
}

static char *write_tmp(const struct mt_buf *b)
{
	char *path = strdup("/tmp/mnttrace-unit-rec.XXXXXX");
	int fd = path ? mkstemp(path) : -1;

	if (fd < 0 || write(fd, b->p, b->len) != (ssize_t)b->len) {
		free(path);
		path = NULL;
	}
	if (fd >= 0)
		close(fd);
	return path;
}

/* Frames read back whole; a changed byte or a cut names offset and record. */
TEST(recfile_frames_and_damage)
{
	struct mt_buf f = {};
	struct mt_frame_reader r;
	struct mt_frame fr;
	char *path;
	int ret;

	mt_buf_preamble(&f);
	mt_buf_frame(&f, MT_FR_WORK, NULL, 0);
	mt_buf_frame(&f, MT_FR_RECORD, "abcdef", 6);
	mt_buf_frame(&f, MT_FR_END, NULL, 0);
	path = write_tmp(&f);
	if (!ASSERT_TRUE(path != NULL, "temp file"))
		goto out;
	ASSERT_OK(mt_frame_reader_open(&r, path), "open");
	ASSERT_EQ(mt_frame_next(&r, &fr), 1, "work frame (empty payload)");
	ASSERT_EQ(fr.type, MT_FR_WORK, "its type");
	ASSERT_EQ(mt_frame_next(&r, &fr), 1, "record frame");
	ASSERT_TRUE(fr.len == 6 && memcmp(fr.payload, "abcdef", 6) == 0, "its payload");
	ASSERT_EQ(fr.offset, (uint64_t)MT_REC_PREAMBLE + MT_REC_FRAME_HDR, "its offset");
	ASSERT_EQ(mt_frame_next(&r, &fr), 1, "end frame");
	ASSERT_EQ(mt_frame_next(&r, &fr), 0, "then a clean end");
	mt_frame_reader_close(&r);

	/* one byte of the record's payload changed */
	f.p[MT_REC_PREAMBLE + 2 * MT_REC_FRAME_HDR + 1] ^= 1;
	unlink(path);
	free(path);
	path = write_tmp(&f);
	ASSERT_OK(mt_frame_reader_open(&r, path), "open the changed file");
	ASSERT_EQ(mt_frame_next(&r, &fr), 1, "the frame before is fine");
	ret = mt_frame_next(&r, &fr);
	ASSERT_EQ(ret, -EBADMSG, "the changed frame");
	ASSERT_TRUE(strstr(r.err, "checksum mismatch at byte offset 28, record 2") != NULL,
		    "offset and record named");
	mt_frame_reader_close(&r);

	/* a newer format */
	f.p[8] = MT_REC_FORMAT + 1;
	unlink(path);
	free(path);
	path = write_tmp(&f);
	ASSERT_EQ(mt_frame_reader_open(&r, path), -EPROTONOSUPPORT, "a newer format");
	ASSERT_TRUE(strstr(r.err, "upgrade mnttrace") != NULL, "says to upgrade");
	mt_frame_reader_close(&r);
out:
	if (path)
		unlink(path);
	free(path);
	mt_buf_free(&f);
}
