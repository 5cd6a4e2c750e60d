/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zlib's crc32 (the gzip polynomial, reflected), the same values, faster:
 * on x86-64 with PCLMULQDQ the data is folded 16 bytes at a time by
 * carry-less multiplication (~10x zlib 1.2.13's tables); elsewhere it is
 * zlib's. A recording's frames are checked with it (recfile.h).
 */
#ifndef MT_CRC32_H
#define MT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* As zlib's crc32(crc, buf, len): start from 0, chain calls. */
uint32_t mt_crc32(uint32_t crc, const void *buf, size_t len);

#endif /* MT_CRC32_H */
