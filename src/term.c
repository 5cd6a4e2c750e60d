// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "escape.h"
#include "term.h"

/* SGR codes: bold, red, yellow, green (ECMA-48). */
static const char *const style_on[MT_ST__MAX] = {
	[MT_ST_NONE] = "",
	[MT_ST_HEADER] = "\033[1m",
	[MT_ST_ERROR] = "\033[31m",
	[MT_ST_RISK] = "\033[1;33m",
	[MT_ST_HARM] = "\033[1;31m",
	[MT_ST_FIX] = "\033[32m",
};

void mt_term_init(struct mt_term *t, int fd, enum mt_color_when when, bool wide)
{
	const char *no_color = getenv("NO_COLOR");
	bool tty = isatty(fd);
	struct winsize ws;

	t->color = when == MT_COLOR_ALWAYS ||
		   (when == MT_COLOR_AUTO && tty && !(no_color && *no_color));
	t->tty = tty;
	t->width = MT_TERM_WIDTH;
	if (tty && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col) {
		t->width = ws.ws_col;
		if (t->width > MT_TERM_WIDTH_MAX)
			t->width = MT_TERM_WIDTH_MAX;
		if (t->width < MT_TERM_WIDTH_MIN)
			t->width = MT_TERM_WIDTH_MIN;
	}
	if (wide)
		t->width = 0;
}

int mt_color_parse(const char *s, enum mt_color_when *out)
{
	static const char *const names[] = { "auto", "always", "never" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum mt_color_when)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *mt_term_on(const struct mt_term *t, enum mt_style style)
{
	return t && t->color ? style_on[style] : "";
}

const char *mt_term_off(const struct mt_term *t, enum mt_style style)
{
	return t && t->color && style != MT_ST_NONE ? "\033[0m" : "";
}

/* The escaping of control characters is for the lead to plug in here. */
const char *mt_term_value(const char *val, char *buf, size_t len)
{
	if (!val)
		return "";
	mt_escape(buf, len, val, strlen(val), 0);
	return buf;
}

int mt_term_cols(const char *s, size_t len)
{
	int cols = 0;

	for (size_t i = 0; i < len && s[i]; i++)
		cols += ((unsigned char)s[i] & 0xc0) != 0x80;
	return cols;
}

bool mt_term_breaks(const struct mt_term *t, int col, int indent, int cols, bool path)
{
	if (!t->width || col <= indent || col + cols <= t->width)
		return false;
	return !path || indent + cols <= t->width;
}

void mt_term_wrap(FILE *f, const struct mt_term *t, int first_cols, int indent,
		  const char *text, const char *end, enum mt_wrap how)
{
	int col = first_cols;
	bool line_empty = true;

	while (*text) {
		size_t word = strcspn(text, " ");
		int cols = mt_term_cols(text, word);

		if (word == 0) {
			text++;
			continue;
		}
		if (!line_empty && t->width && col + 1 + cols > t->width &&
		    !(how == MT_WRAP_COMMAND && *text == '/')) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			line_empty = true;
		}
		if (!line_empty) {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, word, f);
		col += cols;
		line_empty = false;
		text += word;
	}
	fprintf(f, "%s\n", end);
}
