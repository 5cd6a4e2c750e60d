/* SPDX-License-Identifier: GPL-2.0 */
/* Printing decoded records: fixed-width text columns, or JSON Lines. */
#ifndef MT_OUTPUT_H
#define MT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "record.h"
#include "term.h"

struct mt_output {
	FILE *f;
	bool json;
	bool timestamp;
	bool header_done;
	/* text only (JSON has every record and field): */
	bool internals;		/* walks, walk_done, propagation bookkeeping */
	bool verbose;		/* the extra fields, on a line below the event */
	bool wide;		/* the extra fields on the event's own line */
	struct mt_term term;	/* colour, set by the caller (default: none) */
	int64_t wall_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct mt_json j;
};

void mt_output_init(struct mt_output *o, FILE *f, bool json, bool timestamp);

/* Would mt_output_record() print @rec? Text leaves internal records out
 * unless o->internals. */
bool mt_output_wants(const struct mt_output *o, const struct mt_record *rec);

/* One line for one record. Returns 0 or -errno of a failed write. */
int mt_output_record(struct mt_output *o, const struct mt_record *rec);

/* Records lost since the last report. */
int mt_output_lost(struct mt_output *o, uint64_t bpf_drops, uint64_t user_drops);

/* "HH:MM:SS.uuuuuu" wall-clock time of a CLOCK_MONOTONIC timestamp. */
void mt_output_time(const struct mt_output *o, uint64_t ts_ns, char *buf, size_t len);

#endif /* MT_OUTPUT_H */
