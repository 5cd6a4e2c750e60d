// SPDX-License-Identifier: GPL-2.0
/* Text escaping of hostile values: one event, one line, nothing raw for the terminal. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "findings.h"
#include "output.h"
#include "record.h"
#include "testlib.h"

TEST(escape_table)
{
	static const struct {
		const char *in, *out;
		unsigned int flags;
	} cases[] = {
		{ "/var/lib/docker", "/var/lib/docker", 0 },
		{ "a b", "a b", 0 },
		{ "new\nline", "new\\nline", 0 },
		{ "tab\there", "tab\\there", 0 },
		{ "cr\r", "cr\\r", 0 },
		{ "back\\slash", "back\\\\slash", 0 },
		{ "say \"hi\"", "say \"hi\"", 0 },
		{ "say \"hi\"", "say \\\"hi\\\"", MT_ESC_QUOTE },
		/* the OSC title sequence and a forged line */
		{ "e\033]0;pwned\007\nFORGED", "e\\x1b]0;pwned\\x07\\nFORGED", 0 },
		{ "del\x7f", "del\\x7f", 0 },
		/* well-formed UTF-8 stays readable */
		{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac", 0 },
		/* not UTF-8: each bad byte, and only it */
		{ "a\xff" "b", "a\\xffb", 0 },
		{ "\xe2\x82", "\\xe2\\x82", 0 },
		{ "\xc0\xaf", "\\xc0\\xaf", 0 },
		{ "\xff\xc3\xa9", "\\xff\xc3\xa9", 0 },
		/* UTF-8 C1 CSI (U+009B) and a bidi override (U+202E) */
		{ "x\xc2\x9b" "2J", "x\\xc2\\x9b2J", 0 },
		{ "\xe2\x80\xaegnp.exe", "\\xe2\\x80\\xaegnp.exe", 0 },
		/* text that looks like an escape is not one */
		{ "\\040", "\\\\040", 0 },
		{ "", "", 0 },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = mt_escape(buf, sizeof(buf), cases[i].in, strlen(cases[i].in),
				     cases[i].flags);

		ASSERT_STREQ(buf, cases[i].out, "escaped");
		ASSERT_EQ(n, strlen(cases[i].out), "length needed");
	}
}

/* A short buffer never ends inside an escape or a UTF-8 sequence. */
TEST(escape_truncates_whole_units)
{
	char buf[8];
	size_t n;

	n = mt_escape(buf, sizeof(buf), "ab\ncd\n", 6, 0);
	ASSERT_EQ(n, 8u, "needed");
	ASSERT_STREQ(buf, "ab\\ncd", "cut before the escape that does not fit");
	n = mt_escape(buf, 6, "abcd\xc3\xa9", 6, 0);
	ASSERT_STREQ(buf, "abcd", "cut before a sequence");
	n = mt_escape(buf, 1, "x", 1, 0);
	ASSERT_STREQ(buf, "", "room for the NUL only");
	ASSERT_EQ(mt_escape(NULL, 0, "\x01", 1, 0), 4u, "size only");
}

TEST(escape_utf8_valid)
{
	ASSERT_TRUE(mt_utf8_valid("caf\xc3\xa9", 5), "valid");
	ASSERT_FALSE(mt_utf8_valid("a\xff", 2), "0xff");
	ASSERT_FALSE(mt_utf8_valid("\xed\xa0\x80", 3), "surrogate");
	ASSERT_TRUE(mt_utf8_valid("", 0), "empty");
}

/* A mount record whose path is the reproduction. */
static char *render_hostile(bool json)
{
	static const char path[] = "/tmp/d/e\033]0;pwned\007\nFORGED LINE \"x\" \\ \xff";
	char buf[MT_RECORD_MAX];
	struct mt_syscall *sc = (void *)buf;
	struct mt_output out;
	struct mt_record rec;
	char *text = NULL;
	size_t len = 0, off = sizeof(*sc);
	FILE *f = open_memstream(&text, &len);

	memset(buf, 0, sizeof(buf));
	sc->hdr.type = MT_EV_SYSCALL;
	sc->hdr.pid = 7;
	memcpy(sc->hdr.comm, "ev\033[31mil\n", 11);
	sc->call = MT_CALL_MOUNT;
	sc->str_len[MT_SC_PATH] = sizeof(path);
	memcpy(buf + off, path, sizeof(path));
	off += sizeof(path);
	sc->hdr.size = off;
	if (mt_record_decode(buf, off, &rec) == 0) {
		mt_output_init(&out, f, json, false);
		mt_output_record(&out, &rec);
	}
	fclose(f);
	return text;
}

TEST(escape_text_event_is_one_line)
{
	char *text = render_hostile(false);
	char *line = text ? strchr(text, '\n') : NULL;

	if (!ASSERT_TRUE(line != NULL, "header"))
		goto out;
	line++;
	ASSERT_TRUE(strchr(line, '\n') == line + strlen(line) - 1, "one line for the event");
	ASSERT_TRUE(strchr(text, '\033') == NULL && strchr(text, '\007') == NULL,
		    "no raw control byte");
	ASSERT_TRUE(strstr(line, "ev\\x1b[31mil\\n ") != NULL, line);
	ASSERT_TRUE(strstr(line, "path=\"/tmp/d/e\\x1b]0;pwned\\x07\\nFORGED LINE \\\"x\\\" "
			   "\\\\ \\xff\"") != NULL, line);
out:
	free(text);
}

TEST(escape_json_keeps_bytes)
{
	char *text = render_hostile(true);

	if (!ASSERT_TRUE(text != NULL, "rendered"))
		return;
	ASSERT_TRUE(strstr(text, "\"path\":\"/tmp/d/e\\u001b]0;pwned\\u0007\\nFORGED LINE "
			   "\\\"x\\\" \\\\ \\ufffd\"") != NULL, text);
	/* the exact bytes: ... '\\' ' ' 0xff */
	ASSERT_TRUE(strstr(text, "\"path_hex\":\"2f746d702f642f651b5d303b70776e6564070a464f52"
			   "474544204c494e4520227822205c20ff\"") != NULL, text);
	ASSERT_TRUE(strchr(text, '\n') == text + strlen(text) - 1, "one line");
	free(text);
}

TEST(escape_finding_text)
{
	struct mt_finding f = {
		.id = 1, .kind = MT_FIND_LEAK, .pid = 9, .op = "umount2",
		.path = "/m\nFORGED\033[2J",
		.comm = "a\tb",
		.upperdir = "/u\\p", .workdir = "/w\xff",
	};
	char *text = NULL, *copy, *line, *save = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ASSERT_OK(mt_finding_text_styled(out, &f, 0, NULL, true), "written");
	fclose(out);
	/* the block's own lines only: its headline, or indented under it */
	ASSERT_TRUE(strstr(text, "\n*** FINDING") == text, text);
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ASSERT_TRUE(!strncmp(line, "*** FINDING", 11) || !strncmp(line, "    ", 4), line);
	free(copy);
	ASSERT_TRUE(strchr(text, '\033') == NULL && strchr(text, '\t') == NULL, "no raw controls");
	ASSERT_TRUE(strstr(text, ": /m\\nFORGED\\x1b[2J\n") != NULL, text);
	ASSERT_TRUE(strstr(text, "by a\\tb pid 9") != NULL, text);
	ASSERT_TRUE(strstr(text, "/u\\\\p") != NULL && strstr(text, "/w\\xff") != NULL, text);
	free(text);
}
