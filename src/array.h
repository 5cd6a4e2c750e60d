/* SPDX-License-Identifier: GPL-2.0 */
/* Growing arrays: the one realloc pattern the model modules share. */
#ifndef MT_ARRAY_H
#define MT_ARRAY_H

#include <errno.h>
#include <stdlib.h>

/*
 * Make room for element @nr of the array at *@arrp, which has room for
 * *@cap elements of @size bytes: doubles it (starting at @first) when full.
 * Returns 0 or -ENOMEM (the array is left as it was).
 */
static inline int mt_array_grow(void *arrp, int nr, int *cap, size_t size, int first)
{
	void **arr = arrp;
	int ncap;
	void *n;

	if (nr < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : first;
	n = realloc(*arr, (size_t)ncap * size);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}

#endif /* MT_ARRAY_H */
