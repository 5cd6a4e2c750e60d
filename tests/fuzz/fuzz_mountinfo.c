// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: /proc/PID/mountinfo text as a hostile mount namespace could shape it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_mnttab tab = { 0 };
	char *buf = malloc(size + 1);
	char layer[256];

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	/* the first byte picks the flags, so both paths are fuzzed */
	mt_mnttab_parse(&tab, buf, size, size && (data[0] & 1) ? MT_MNTTAB_OVERLAY_ONLY : 0);
	mt_mnttab_link(&tab);
	for (int i = 0; i < tab.nr; i++) {
		const struct mt_mntent *e = &tab.ents[i];
		__u32 ino;

		mt_mntent_ns_pin(e, &ino);
		mt_mnttab_find(&tab, e->parent_id);
		for (int k = 0; e->lowerdir && k < 64; k++)
			if (mt_ovl_lower_layer(e->lowerdir, k, layer, sizeof(layer)) < 0)
				break;
	}
	mt_mnttab_free(&tab);
	return 0;
}
