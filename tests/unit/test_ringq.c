// SPDX-License-Identifier: GPL-2.0
/* The queue behind the ring buffer: order kept, a full queue counted, the rest kept on an error. */
#include <errno.h>
#include <string.h>

#include "ringq.h"
#include "testlib.h"

struct seen {
	int n, bad, stop_at;
};

/* Record i is i+1 bytes of (char)i, then its index: sizes cross 8-byte padding. */
static void make(char *buf, int i, size_t *size)
{
	*size = sizeof(int) + (size_t)(i % 300) + 1;
	memcpy(buf, &i, sizeof(int));
	memset(buf + sizeof(int), (char)i, *size - sizeof(int));
}

static int check(void *ctx, const void *data, size_t size)
{
	struct seen *s = ctx;
	char want[512];
	size_t wsize;

	if (s->stop_at && s->n == s->stop_at)
		return -EPIPE;
	make(want, s->n, &wsize);
	if (size != wsize || memcmp(data, want, size))
		s->bad++;
	s->n++;
	return 0;
}

TEST(ringq_keeps_order_across_chunks)
{
	struct mt_ringq *q = mt_ringq__new(MT_RINGQ_MAX);
	struct seen s = { 0 };
	char buf[512];
	size_t size;
	int n;

	if (!ASSERT_TRUE(q != NULL, "queue made"))
		return;
	/* about 1.3 MB: several chunks */
	for (int i = 0; i < 8000; i++) {
		make(buf, i, &size);
		mt_ringq__push(q, buf, size);
	}
	n = mt_ringq__process(q, 0, -1, check, &s);
	ASSERT_EQ(n, 8000, "records handed");
	ASSERT_EQ(s.bad, 0, "records changed or out of order");
	ASSERT_EQ(mt_ringq__dropped(q), 0, "dropped");
	ASSERT_EQ(mt_ringq__process(q, 0, -1, check, &s), 0, "nothing left");
	mt_ringq__free(q);
}

TEST(ringq_full_queue_drops_and_counts)
{
	/* room for one 256 KiB chunk: about 1,500 of these records */
	struct mt_ringq *q = mt_ringq__new(256 * 1024);
	struct seen s = { 0 };
	char buf[512];
	size_t size;
	int n, i;

	if (!ASSERT_TRUE(q != NULL, "queue made"))
		return;
	for (i = 0; i < 4000; i++) {
		make(buf, i, &size);
		mt_ringq__push(q, buf, size);
	}
	n = mt_ringq__process(q, 0, -1, check, &s);
	ASSERT_GT(n, 1000, "records the one chunk held");
	ASSERT_EQ(s.bad, 0, "the first records, in order");
	ASSERT_EQ(mt_ringq__dropped(q), (uint64_t)(4000 - n), "every record not handed is counted");
	/* drained: it takes records again */
	make(buf, n, &size);
	mt_ringq__push(q, buf, size);
	ASSERT_EQ(mt_ringq__process(q, 0, -1, check, &s), 1, "a record after the drain");
	ASSERT_EQ(s.bad, 0, "that record");
	mt_ringq__free(q);
}

TEST(ringq_error_keeps_the_rest)
{
	struct mt_ringq *q = mt_ringq__new(MT_RINGQ_MAX);
	struct seen s = { .stop_at = 10 };
	char buf[512];
	size_t size;

	if (!ASSERT_TRUE(q != NULL, "queue made"))
		return;
	for (int i = 0; i < 20; i++) {
		make(buf, i, &size);
		mt_ringq__push(q, buf, size);
	}
	ASSERT_EQ(mt_ringq__process(q, 0, -1, check, &s), -EPIPE, "the callback's error");
	s.stop_at = 0;
	s.n = 11;	/* the record refused is gone, the rest come */
	ASSERT_EQ(mt_ringq__process(q, 0, -1, check, &s), 9, "the rest");
	ASSERT_EQ(s.bad, 0, "in order");
	mt_ringq__free(q);
}
