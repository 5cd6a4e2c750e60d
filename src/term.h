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
	bool tty;		/* a terminal: event lines wrap at width too */
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
 * A value (path, comm, option string) as text: escaped into @buf
 * (escape.h), so one finding line stays one line and no control sequence
 * reaches the terminal. Returns @buf ("" for NULL).
 */
const char *mt_term_value(const char *val, char *buf, size_t len);

/* How mt_term_wrap() treats a path ('/...'): */
enum mt_wrap {
	MT_WRAP_PROSE,		/* too long for the line: whole on a line of its own */
	MT_WRAP_COMMAND,	/* never after a break: a command stays copyable */
};

/*
 * Print @text word-wrapped at t->width, then @end (a colour's end, or "")
 * and a newline. The first line continues one already @first_cols columns
 * wide; the next ones are indented by @indent spaces. A word longer than a
 * line (a path) is printed whole, where @how says. Columns are counted in
 * characters, not bytes (an ellipsis is one).
 */
void mt_term_wrap(FILE *f, const struct mt_term *t, int first_cols, int indent,
		  const char *text, const char *end, enum mt_wrap how);

/* Columns of the first @len bytes of @s: UTF-8 characters, not bytes
 * (a wide East Asian character counts one: only paths and user strings
 * carry them, and those are never cut). */
int mt_term_cols(const char *s, size_t len);

/*
 * Break the line before a piece @cols wide, at column @col? Only on a
 * line that has something (@col > @indent) and when the piece would pass
 * the width; a @path piece only when that makes it fit (a longer path stays,
 * whole, where it is). Never with width 0.
 */
bool mt_term_breaks(const struct mt_term *t, int col, int indent, int cols, bool path);

#endif /* MT_TERM_H */
