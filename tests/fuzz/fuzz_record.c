// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: arbitrary ring-buffer bytes through the decoder and both
 * writers, as a BPF bug or a version mismatch could deliver them. Text
 * output must stay one line per record.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "record.h"

static void render(const struct mt_record *rec, bool json)
{
	static struct mt_output out;
	char *text = NULL;
	size_t len = 0, lines = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	mt_output_init(&out, f, json, true);
	out.header_done = true;
	mt_output_record(&out, rec);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (lines != 1) {
		fprintf(stderr, "%s output of one record is %zu lines:\n%s\n",
			json ? "JSON" : "text", lines, text);
		abort();
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the ring buffer hands out 8-byte aligned records */
	uint64_t *buf = malloc(size + 8);
	struct mt_record rec;
	char full[MT_STR_MAX * 2 + 2];

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (mt_record_decode(buf, size, &rec) == 0) {
		mt_record_full_path(&rec, full, sizeof(full));
		render(&rec, false);
		render(&rec, true);
	}
	free(buf);
	return 0;
}
