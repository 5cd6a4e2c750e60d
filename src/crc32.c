// SPDX-License-Identifier: GPL-2.0
/*
 * crc32 by carry-less multiplication (crc32.h).
 *
 * In the reflected bit order a 16-byte block V = [L | H] (L its first 8
 * bytes) stands for L(x)·x^64 + H(x), and clmul(a, b) for x·a(x)·b(x).
 * Folding V over the next block N, 128 bits on:
 *   V' = clmul(L, x^191 mod P) ^ clmul(H, x^127 mod P) ^ N
 * keeps the message's value mod P, so its crc too. The last V is
 * reduced by tables (last16). The unit test compares with zlib at
 * many lengths and alignments.
 */
#include <zlib.h>

#include "crc32.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

/* x^191 and x^127 mod P (P = the gzip polynomial, 0x104c11db7), reflected
 * into the top 32 bits of a u64: bit 63 - i holds the coefficient of x^i */
#define FOLD_L 0x65673b4600000000ull
#define FOLD_H 0x9ba54c6f00000000ull

/*
 * The crc from a zero state of a 16-byte block is linear in its bytes:
 * the XOR of last16[i][byte i], each entry the crc of one byte at place i
 * among zeros (filled from zlib on first use).
 */
static uint32_t last16[16][256];

static void last16_init(void)
{
	for (int i = 0; i < 16; i++)
		for (int v = 0; v < 256; v++) {
			unsigned char b[16] = {};

			b[i] = (unsigned char)v;
			last16[i][v] = ~(uint32_t)crc32(0xffffffffu, b, sizeof(b));
		}
}

__attribute__((target("pclmul,sse4.1")))
static __m128i fold(__m128i v, const unsigned char *next)
{
	const __m128i k = _mm_set_epi64x((long long)FOLD_H, (long long)FOLD_L);

	return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(v, k, 0x00),
					   _mm_clmulepi64_si128(v, k, 0x11)),
			     _mm_loadu_si128((const __m128i *)next));
}

__attribute__((target("pclmul,sse4.1")))
static uint32_t crc32_clmul(uint32_t crc, const unsigned char *p, size_t len)
{
	size_t head = len % 16 < 4 ? len % 16 + 16 : len % 16;
	unsigned char first[32] = {}, last[16];
	uint32_t init = ~crc;
	__m128i v;

	/*
	 * Zeros in front of a message leave its crc from a zero state as it
	 * is: pad the first bytes in front to whole blocks, with the start
	 * value in the message's first 4 bytes, so that no block is partial.
	 */
	memcpy(first + 32 - head, p, head);
	for (int i = 0; i < 4; i++)
		first[32 - head + (size_t)i] ^= (unsigned char)(init >> (8 * i));
	v = fold(_mm_loadu_si128((const __m128i *)first), first + 16);
	for (p += head, len -= head; len; p += 16, len -= 16)
		v = fold(v, p);
	memcpy(last, &v, sizeof(last));
	crc = 0;
	for (int i = 0; i < 16; i++)
		crc ^= last16[i][last[i]];
	return ~crc;
}

uint32_t mt_crc32(uint32_t crc, const void *buf, size_t len)
{
	static int clmul = -1;

	if (clmul < 0) {
		__builtin_cpu_init();	/* we may run before libgcc's constructor */
		if (__builtin_cpu_supports("pclmul"))
			last16_init();
		clmul = __builtin_cpu_supports("pclmul");
	}
	/* below a few blocks the tables are as fast */
	if (clmul && len >= 64)
		return crc32_clmul(crc, buf, len);
	return len ? (uint32_t)crc32(crc, buf, (uInt)len) : crc;
}

#else

uint32_t mt_crc32(uint32_t crc, const void *buf, size_t len)
{
	return len ? (uint32_t)crc32(crc, buf, (uInt)len) : crc;
}

#endif
