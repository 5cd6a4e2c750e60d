// SPDX-License-Identifier: GPL-2.0
/*
 * crc32 by carry-less multiplication (crc32.h).
 *
 * In the reflected bit order a 16-byte block V = [L | H] (L its first 8
 * bytes) stands for L(x)·x^64 + H(x), and clmul(a, b) for x·a(x)·b(x).
 * Folding V over the next block N, 128 bits on:
 *   V' = clmul(L, x^191 mod P) ^ clmul(H, x^127 mod P) ^ N
 * keeps the message's value mod P, so its crc too. Four such chains
 * side by side, each folded 512 bits on (x^575 and x^511), keep four
 * multiplications in flight instead of waiting on one; they are folded
 * into one at the end. The last V is reduced by tables (last16). The unit
 * test compares with zlib at many lengths and alignments.
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
/* x^575 and x^511 mod P: 512 bits on */
#define FOLD4_L 0x653d982200000000ull
#define FOLD4_H 0xcad38e8f00000000ull

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

/* @v moved on by the distance @k stands for, plus @next */
__attribute__((target("pclmul,sse4.1")))
static __m128i fold_by(__m128i v, __m128i k, __m128i next)
{
	return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(v, k, 0x00),
					   _mm_clmulepi64_si128(v, k, 0x11)), next);
}

__attribute__((target("pclmul,sse4.1")))
static __m128i load(const unsigned char *p)
{
	return _mm_loadu_si128((const __m128i *)p);
}

__attribute__((target("pclmul,sse4.1")))
static __m128i fold(__m128i v, const unsigned char *next)
{
	return fold_by(v, _mm_set_epi64x((long long)FOLD_H, (long long)FOLD_L), load(next));
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
	v = fold(load(first), first + 16);
	p += head;
	len -= head;
	if (len >= 128) {
		const __m128i k4 = _mm_set_epi64x((long long)FOLD4_H, (long long)FOLD4_L);
		const __m128i k1 = _mm_set_epi64x((long long)FOLD_H, (long long)FOLD_L);
		__m128i v0 = fold(v, p), v1 = load(p + 16), v2 = load(p + 32), v3 = load(p + 48);

		/* the message so far is v0·x^384 + v1·x^256 + v2·x^128 + v3 */
		for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
			v0 = fold_by(v0, k4, load(p));
			v1 = fold_by(v1, k4, load(p + 16));
			v2 = fold_by(v2, k4, load(p + 32));
			v3 = fold_by(v3, k4, load(p + 48));
		}
		v = fold_by(fold_by(fold_by(v0, k1, v1), k1, v2), k1, v3);
	}
	for (; len; p += 16, len -= 16)
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
