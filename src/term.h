/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How text output looks on a terminal: colour (ls/grep's
 * --color=auto|always|never, NO_COLOR), the width prose wraps at, and the
 * one function every value printed as text goes through.
 */
#ifndef MT_TERM_H
#define MT_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum mt_color_when {
	MT_COLOR_AUTO,		/* on a terminal, unless NO_COLOR is set */
	MT_COLOR_ALWAYS,
	MT_COLOR_NEVER,
};

/* What a piece of text is; its colour is chosen here, once. */
enum mt_style {
	MT_ST_NONE,
	MT_ST_HEADER,		/* column titles, a finding's labels */
	MT_ST_ERROR,		/* a failed call's errno */
	MT_ST_RISK,		/* a finding that has not hurt yet */
	MT_ST_HARM,		/* a leak, EBUSY, detached or in-use finding */
	MT_ST_FIX,		/* what to run */
	MT_ST__MAX,
};

struct mt_term {
	bool color;
	int width;		/* prose wraps here; 0 = never wrap (--wide) */
};

/* Default prose width off a terminal, and the widest kept on one. */
#define MT_TERM_WIDTH 100
#define MT_TERM_WIDTH_MAX 120
#define MT_TERM_WIDTH_MIN 60

/*
 * Colour for @fd: "always" or "never" as said; "auto" only on a terminal
 * and only without NO_COLOR (no-color.org: set and non-empty). @wide turns
 * wrapping off; else the width is the terminal's, within [MIN, MAX].
 */
void mt_term_init(struct mt_term *t, int fd, enum mt_color_when when, bool wide);

/* Parse "auto", "always", "never" (ls also takes yes/no, tty...: we don't). */
int mt_color_parse(const char *s, enum mt_color_when *out);

/* The escape that starts / ends @style ("" without colour). */
const char *mt_term_on(const struct mt_term *t, enum mt_style style);
const char *mt_term_off(const struct mt_term *t, enum mt_style style);

/*
 * A value (path, comm, option string) as text. Every value printed in text
 * output goes through here, so escaping it for a terminal is one change.
 * Returns @val, or @buf when it had to rewrite it.
 */
const char *mt_term_value(const char *val, char *buf, size_t len);

/*
 * Print @text word-wrapped at t->width, then @end (a colour's end, or "")
 * and a newline. The first line continues one already @first_cols columns
 * wide; the next ones are indented by @indent spaces. A word longer than a
 * line (a path) is printed whole on a line of its own.
 */
void mt_term_wrap(FILE *f, const struct mt_term *t, int first_cols, int indent,
		  const char *text, const char *end);

#endif /* MT_TERM_H */
