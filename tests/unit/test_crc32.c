// SPDX-License-Identifier: GPL-2.0
/* mt_crc32 gives zlib's crc32, at every length, alignment and start value. */
#include <zlib.h>

#include "testlib.h"
#include "crc32.h"

TEST(crc32_equals_zlib)
{
	static unsigned char buf[4096 + 64];
	uint32_t seed = 12345, bad = 0;

	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)(seed >> 16);
	}
	for (size_t len = 0; len <= 600; len++)
		for (size_t off = 0; off < 16; off++) {
			uint32_t start = len % 3 ? (uint32_t)crc32(0, buf + 4000, 7) : 0;

			if (mt_crc32(start, buf + off, len) !=
			    (uint32_t)crc32(start, buf + off, (uInt)len))
				bad++;
		}
	ASSERT_EQ(bad, 0u, "lengths 0-600 at 16 alignments");
	ASSERT_EQ(mt_crc32(0, buf, 4096 + 33), (uint32_t)crc32(0, buf, 4096 + 33), "4 KiB");
	ASSERT_EQ(mt_crc32(mt_crc32(0, buf, 100), buf + 100, 1000),
		  (uint32_t)crc32(0, buf, 1100), "chained");
	ASSERT_EQ(mt_crc32(0, "123456789", 9), 0xcbf43926u, "the check value");
}
