/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text-mode escaping of values that come from the traced system (paths,
 * options, task names): anyone who can mount or name a task chooses those
 * bytes, and root reads them on a terminal. Escaped as findmnt and
 * mountinfo readers expect, so one event stays one line and no control
 * sequence reaches the terminal raw:
 *
 *	\\  \n  \t  \r   backslash and the common controls
 *	\"               a double quote, with MT_ESC_QUOTE (inside key="value")
 *	\xNN             any other control byte (C0, DEL), every byte that is
 *	                 not well-formed UTF-8, and the bytes of UTF-8-encoded
 *	                 C1 controls (U+0080..U+009F) and bidi overrides
 *	                 (U+202A..U+202E, U+2066..U+2069)
 *
 * The mapping is reversible: every backslash in the output starts an escape.
 */
#ifndef MT_ESCAPE_H
#define MT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MT_ESC_QUOTE 1u		/* also escape '"' */

/* The longest output of one input byte ("\xNN"). */
#define MT_ESC_MAX_PER_BYTE 4

/*
 * Escape @len bytes of @s into @dst (@size bytes, always NUL-terminated
 * when @size > 0; an escape is never cut in half). Returns the length the
 * whole escaped string needs, without the NUL, like snprintf().
 */
size_t mt_escape(char *dst, size_t size, const char *s, size_t len, unsigned int flags);

/* Write @s escaped to @f. Returns 0 or -EIO. */
int mt_escape_fputs(FILE *f, const char *s, unsigned int flags);

/* Length of the well-formed UTF-8 sequence at @s (RFC 3629), 0 if none. */
size_t mt_utf8_len(const unsigned char *s, size_t n);

/* Whether @len bytes of @s are all well-formed UTF-8. */
bool mt_utf8_valid(const char *s, size_t len);

#endif /* MT_ESCAPE_H */
