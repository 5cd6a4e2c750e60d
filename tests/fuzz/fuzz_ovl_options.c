// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: overlay mount data as any caller of mount(2) can pass it. The
 * lower list must survive its own round trip (ovl_options.h promises it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovl_options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_ovl_opts a = MT_OVL_OPTS_INIT, b = MT_OVL_OPTS_INIT;
	char *s = malloc(size + 1), *lower;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (mt_ovl_opts__parse_data(&a, s) == 0) {
		lower = mt_ovl_opts__lower_str(&a);
		if (lower && mt_ovl_opts__set(&b, "lowerdir", lower) == 1 &&
		    !mt_ovl_opts__same_lower(&a, &b)) {
			fprintf(stderr, "lower list changed in its round trip: %s\n", lower);
			abort();
		}
		free(lower);
	}
	/* the same bytes as one fsconfig value of each layer key */
	mt_ovl_opts__set(&a, "lowerdir+", s);
	mt_ovl_opts__set(&a, "upperdir", s);
	mt_ovl_opts__release(&a);
	mt_ovl_opts__release(&b);
	free(s);
	return 0;
}
