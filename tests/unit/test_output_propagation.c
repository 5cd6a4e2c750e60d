// SPDX-License-Identifier: GPL-2.0
/* A mount record's propagation, as mountinfo spells it. */
#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "testlib.h"
#include "../fixtures/records.h"

static int write_json(void *ctx, const struct mt_record *rec)
{
	return mt_output_record(ctx, rec);
}

TEST(output_mount_propagation_fields)
{
	struct mt_output out;
	struct fx_sink s = { .feed = write_json, .ctx = &out, .clock = 1000 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	mt_output_init(&out, f, true, false);
	MNT(&s, .h = { .pid = 1 }, .op = MT_MNT_WALK, .mnt_id = 300, .mnt_ns = 4026532500u,
	    .group = 12, .master = 3, .pgroup = 0, .pmaster = 0, .path = "/m");
	MNT(&s, .h = { .pid = 1 }, .op = MT_MNT_WALK, .mnt_id = 301, .mnt_ns = 4026532500u,
	    .master = 7, .pgroup = 5, .path = "/n");
	fclose(f);
	ASSERT_TRUE(strstr(text, "\"propagation\":\"shared:12 master:3\"") != NULL, "shared and slave");
	ASSERT_TRUE(strstr(text, "\"parent_propagation\":\"private\"") != NULL, "private");
	ASSERT_TRUE(strstr(text, "\"propagation\":\"master:7\"") != NULL, "slave only");
	ASSERT_TRUE(strstr(text, "\"parent_propagation\":\"shared:5\"") != NULL, "shared only");
	free(text);
}
