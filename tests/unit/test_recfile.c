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

/*
 * Frames across the reader's 1 MiB window, one bigger than it, and
 * skipped types: a skipped frame is counted but not returned, and its
 * payload is not checksummed (a changed byte in it goes unnoticed).
 */
TEST(recfile_window_and_skipped_types)
{
	static unsigned char big[3 << 20];
	struct mt_buf f = {};
	struct mt_frame_reader r;
	struct mt_frame fr;
	char *path = NULL, rec[300];
	size_t finding_at;
	int n = 0;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7);
	mt_buf_preamble(&f);
	for (int i = 0; i < 20000; i++) {	/* ~6 MB: many windows */
		memset(rec, 'a' + i % 26, sizeof(rec));
		mt_buf_frame(&f, MT_FR_RECORD, rec, sizeof(rec) - (size_t)(i % 100));
		if (i == 7000)
			mt_buf_frame(&f, MT_FR_SNAPSHOT, big, sizeof(big));
	}
	finding_at = f.len;
	mt_buf_frame(&f, MT_FR_FINDING, "{\"finding\":1}", 13);
	mt_buf_frame(&f, MT_FR_END, NULL, 0);
	f.p[finding_at + MT_REC_FRAME_HDR + 2] ^= 1;	/* damage the finding */
	path = write_tmp(&f);
	if (!ASSERT_TRUE(path != NULL, "temp file"))
		goto out;
	ASSERT_OK(mt_frame_reader_open(&r, path), "open");
	r.skip_types = 1u << MT_FR_FINDING;
	while (mt_frame_next(&r, &fr) == 1 && fr.type == MT_FR_RECORD) {
		if (fr.len != sizeof(rec) - (size_t)(n % 100) || fr.payload[0] != 'a' + n % 26 ||
		    fr.payload[fr.len - 1] != 'a' + n % 26)
			break;
		if (n++ == 7000) {
			if (!ASSERT_EQ(mt_frame_next(&r, &fr), 1, "the big frame"))
				break;
			ASSERT_TRUE(fr.type == MT_FR_SNAPSHOT && fr.len == sizeof(big) &&
				    memcmp(fr.payload, big, sizeof(big)) == 0, "read whole");
		}
	}
	ASSERT_EQ(n, 20000, "every record, in order, whole");
	ASSERT_EQ(fr.type, MT_FR_END, "the damaged finding passed over");
	ASSERT_EQ(fr.no, (uint64_t)20003, "and counted");
	ASSERT_EQ(mt_frame_next(&r, &fr), 0, "then a clean end");
	mt_frame_reader_close(&r);

	/* read by a reader that does not skip findings, the damage shows */
	ASSERT_OK(mt_frame_reader_open(&r, path), "open again");
	while ((n = mt_frame_next(&r, &fr)) == 1)
		;
	ASSERT_EQ(n, -EBADMSG, "the finding's checksum");
	ASSERT_TRUE(strstr(r.err, "checksum mismatch") != NULL, "says so");
	mt_frame_reader_close(&r);

	/* cut inside a record near the end: the frames before it, then a cut frame */
	if (truncate(path, (off_t)(finding_at - 20000)) == 0) {
		ASSERT_OK(mt_frame_reader_open(&r, path), "open the cut file");
		n = 0;
		while (mt_frame_next(&r, &fr) == 1)
			n++;
		ASSERT_TRUE(strstr(r.err, "cut frame at byte offset") != NULL, "a cut frame");
		mt_frame_reader_close(&r);
		ASSERT_TRUE(n > 19000 && n < 20001, "the whole frames before the cut");
	}
out:
	if (path)
		unlink(path);
	free(path);
	mt_buf_free(&f);
}
