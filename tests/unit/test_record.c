// SPDX-License-Identifier: GPL-2.0
/* Decoding raw records exactly as the ring buffer delivers them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "record.h"
#include "testlib.h"

struct builder {
	char buf[MT_RECORD_MAX];
	size_t len;
};

/* A syscall record with strings in slot order; NULL leaves a slot empty. */
static struct mt_syscall *build_syscall(struct builder *b, unsigned call, long long ret,
					const char *strs[MT_SC_NSTR])
{
	struct mt_syscall *sc = (void *)b->buf;

	memset(b, 0, sizeof(*b));
	sc->hdr.type = MT_EV_SYSCALL;
	sc->hdr.pid = 100;
	sc->hdr.tid = 101;
	sc->hdr.mntns = 4026531841u;
	sc->hdr.ts_ns = 2000;
	sc->enter_ns = 1500;
	memcpy(sc->hdr.comm, "dockerd", 8);
	sc->call = call;
	sc->ret = ret;
	b->len = sizeof(*sc);
	for (int i = 0; i < MT_SC_NSTR; i++) {
		if (!strs || !strs[i])
			continue;
		sc->str_len[i] = strlen(strs[i]) + 1;
		memcpy(b->buf + b->len, strs[i], sc->str_len[i]);
		b->len += sc->str_len[i];
	}
	sc->hdr.size = b->len;
	return sc;
}

TEST(record_decodes_syscall_strings)
{
	const char *strs[MT_SC_NSTR] = { [MT_SC_PATH] = "merged", [MT_SC_BASE] = "/var/lib/x" };
	struct builder b;
	struct mt_record rec;
	char full[256];

	build_syscall(&b, MT_CALL_UNLINKAT, -EBUSY, strs);
	if (!ASSERT_EQ(mt_record_decode(b.buf, b.len, &rec), 0, "decode"))
		return;
	ASSERT_EQ(rec.sc->ret, -EBUSY, "ret");
	ASSERT_STREQ(mt_record_str(&rec, MT_SC_PATH), "merged", "path");
	ASSERT_TRUE(rec.str[MT_SC_SRC] == NULL, "absent source");
	mt_record_full_path(&rec, full, sizeof(full));
	ASSERT_STREQ(full, "/var/lib/x/merged", "full path");
}

TEST(record_full_path_cases)
{
	static const char *const cases[][3] = {
		{ "/abs/path", "/ignored", "/abs/path" },
		{ "./m", "/base", "/base/m" },
		{ "m", "/", "/m" },
		{ ".", "/base", "/base" },
		{ "m/", "/base/", "/base/m" },
		{ "..", "/a/b", "/a" },
		{ "", "/dirfd", "/dirfd" },
		{ "m", NULL, "m" },
	};
	struct builder b;
	struct mt_record rec;
	char full[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *strs[MT_SC_NSTR] = { [MT_SC_PATH] = cases[i][0],
						 [MT_SC_BASE] = cases[i][1] };

		build_syscall(&b, MT_CALL_RMDIR, 0, strs);
		ASSERT_EQ(mt_record_decode(b.buf, b.len, &rec), 0, cases[i][0]);
		mt_record_full_path(&rec, full, sizeof(full));
		ASSERT_STREQ(full, cases[i][2], cases[i][0]);
	}
}

TEST(record_rejects_malformed)
{
	const char *strs[MT_SC_NSTR] = { [MT_SC_PATH] = "/x" };
	struct builder b;
	struct mt_record rec;
	struct mt_syscall *sc;

	sc = build_syscall(&b, MT_CALL_MOUNT, 0, strs);
	ASSERT_EQ(mt_record_decode(b.buf, 10, &rec), -EINVAL, "shorter than a header");
	ASSERT_EQ(mt_record_decode(b.buf, b.len - 1, &rec), -EINVAL, "size beyond the bytes");
	sc->str_len[MT_SC_PATH] = 200;
	ASSERT_EQ(mt_record_decode(b.buf, b.len, &rec), -EINVAL, "string beyond the record");
	sc = build_syscall(&b, MT_CALL_MOUNT, 0, strs);
	b.buf[b.len - 1] = 'x';
	ASSERT_EQ(mt_record_decode(b.buf, b.len, &rec), -EINVAL, "string without NUL");
	sc = build_syscall(&b, MT_CALL__MAX, 0, NULL);
	ASSERT_EQ(mt_record_decode(b.buf, b.len, &rec), -EINVAL, "unknown call");
	sc = build_syscall(&b, MT_CALL_MOUNT, 0, NULL);
	sc->hdr.type = 99;
	ASSERT_EQ(mt_record_decode(b.buf, b.len, &rec), -EPROTO, "unknown type");
	sc->hdr.type = MT_EV_MOUNT;
	sc->hdr.size = sizeof(struct mt_mount) - 1;
	ASSERT_EQ(mt_record_decode(b.buf, b.len, &rec), -EINVAL, "short mount record");
}

/* Random bytes must never crash the decoder or yield strings past the end. */
TEST(record_survives_garbage)
{
	struct builder b;
	struct mt_record rec;

	srand(1);
	for (int round = 0; round < 20000; round++) {
		size_t len = rand() % sizeof(b.buf);

		for (size_t i = 0; i < len; i++)
			b.buf[i] = rand();
		if (len >= sizeof(struct mt_hdr) && round % 2) {
			((struct mt_hdr *)b.buf)->type = 1 + rand() % 3;
			((struct mt_hdr *)b.buf)->size = len;
		}
		if (mt_record_decode(b.buf, len, &rec))
			continue;
		for (int i = 0; i < MT_REC_NSTR; i++) {
			if (!rec.str[i])
				continue;
			if (!ASSERT_TRUE(rec.str[i] >= b.buf && rec.str[i] < b.buf + len &&
					 memchr(rec.str[i], 0, b.buf + len - rec.str[i]),
					 "string inside the record"))
				return;
		}
	}
}

/* The JSON line of a syscall record of @call, @ret, on @path (free it). */
static char *json_line(__u32 call, long ret, const char *path)
{
	const char *strs[MT_SC_NSTR] = { [MT_SC_PATH] = path };
	struct mt_output out;
	struct builder b;
	struct mt_record rec;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	build_syscall(&b, call, ret, strs);
	if (mt_record_decode(b.buf, b.len, &rec) || !f) {
		if (f)
			fclose(f);
		free(text);
		return NULL;
	}
	mt_output_init(&out, f, true, false);
	mt_output_record(&out, &rec);
	fclose(f);
	return text;
}

/* What a user reads: the JSON line for an EBUSY rmdir. */
TEST(record_json_line)
{
	char *text = json_line(MT_CALL_RMDIR, -EBUSY, "/var/lib/docker/overlay2/abc/merged");

	if (!ASSERT_TRUE(text != NULL, "decoded and written"))
		return;
	ASSERT_TRUE(strstr(text, "\"type\":\"syscall\"") != NULL, "type");
	ASSERT_TRUE(strstr(text, "\"call\":\"rmdir\"") != NULL, "call");
	ASSERT_TRUE(strstr(text, "\"errno\":\"EBUSY\"") != NULL, "errno");
	ASSERT_TRUE(strstr(text, "\"ret\":-16") != NULL, "ret");
	ASSERT_TRUE(strstr(text, "\"comm\":\"dockerd\"") != NULL, "comm");
	ASSERT_TRUE(strstr(text, "\"mnt_ns\":4026531841") != NULL, "mnt_ns");
	ASSERT_TRUE(strstr(text, "\"full_path\":\"/var/lib/docker/overlay2/abc/merged\"") != NULL,
		    "full_path");
	/* traced at exit only (bpf/removal.h): no entry, no latency */
	ASSERT_TRUE(strstr(text, "\"latency_ns\":0") != NULL, "a removal's latency is 0");
	ASSERT_EQ(text[strlen(text) - 1], '\n', "one line");
	free(text);
}

/* Calls traced at entry and exit say how long they took. */
TEST(record_json_latency)
{
	char *text = json_line(MT_CALL_UMOUNT2, -EBUSY, "/mnt/x");

	if (!ASSERT_TRUE(text != NULL, "decoded and written"))
		return;
	ASSERT_TRUE(strstr(text, "\"latency_ns\":500") != NULL, "latency");
	free(text);
}

/* Text columns: the errno name in RESULT, the event name in EVENT. */
TEST(record_text_line)
{
	const char *strs[MT_SC_NSTR] = { [MT_SC_PATH] = "/m" };
	struct mt_output out;
	struct builder b;
	struct mt_record rec;
	char *text = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	build_syscall(&b, MT_CALL_UMOUNT2, -EBUSY, strs);
	((struct mt_syscall *)b.buf)->args[1] = 2;	/* MNT_DETACH */
	mt_record_decode(b.buf, b.len, &rec);
	mt_output_init(&out, f, false, false);
	mt_output_record(&out, &rec);
	fclose(f);
	line = strchr(text, '\n');
	if (!ASSERT_TRUE(line != NULL, "header line"))
		goto out;
	ASSERT_TRUE(strncmp(text, "COMM", 4) == 0, "header first");
	ASSERT_TRUE(strstr(line, "umount2") && strstr(line, "EBUSY") &&
		    strstr(line, "flags=MNT_DETACH") && strstr(line, "path=/m"), line);
out:
	free(text);
}

/* One record as the user reads it: a JSON line (@json) or a text line. */
static char *render(const struct builder *b, bool json)
{
	struct mt_output out;
	struct mt_record rec;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (mt_record_decode(b->buf, b->len, &rec) == 0) {
		mt_output_init(&out, f, json, false);
		out.wide = true;	/* every field, on one line */
		mt_output_record(&out, &rec);
	}
	fclose(f);
	return text;
}

TEST(record_decodes_incomplete_strings)
{
	const char *strs[MT_SC_NSTR] = { [MT_SC_PATH] = "/lo", [MT_SC_DATA] = "x" };
	struct builder b;
	struct mt_record rec;
	struct mt_syscall *sc = build_syscall(&b, MT_CALL_MOUNT, 0, strs);

	sc->hdr.flags = MT_F_TRUNC(MT_SC_PATH) | MT_F_STR_FAULT | MT_F_FAULT(MT_SC_SRC);
	if (!ASSERT_EQ(mt_record_decode(b.buf, b.len, &rec), 0, "decode"))
		return;
	ASSERT_EQ(rec.str_cut, 1u << MT_SC_PATH, "cut slots");
	ASSERT_EQ(rec.str_fault, 1u << MT_SC_SRC, "unreadable slots");
	ASSERT_TRUE(mt_record_incomplete(&rec), "incomplete");
	sc->hdr.flags = 0;
	mt_record_decode(b.buf, b.len, &rec);
	ASSERT_TRUE(!mt_record_incomplete(&rec), "complete");
}

/* A cut target: JSON names it (and full_path, made from it), text marks the end. */
TEST(record_shows_cut_user_string)
{
	const char *strs[MT_SC_NSTR] = { [MT_SC_SRC] = "none", [MT_SC_PATH] = "/long/tar" };
	struct builder b;
	char *text;

	build_syscall(&b, MT_CALL_MOUNT, 0, strs)->hdr.flags = MT_F_TRUNC(MT_SC_PATH);
	text = render(&b, true);
	ASSERT_TRUE(strstr(text, "\"truncated\":[\"path\",\"full_path\"]") != NULL, text);
	free(text);
	text = render(&b, false);
	ASSERT_TRUE(strstr(text, " path=/long/tar\u2026\n") != NULL, text);
	ASSERT_TRUE(strstr(text, " source=none ") != NULL, text);
	free(text);
}

/* A cwd deeper than PATH_MAX: its deepest part, never an absolute-looking path. */
TEST(record_shows_cut_base_dir)
{
	const char *strs[MT_SC_NSTR] = { [MT_SC_PATH] = "x", [MT_SC_BASE] = "LLL/MMM" };
	struct builder b;
	char *text;

	build_syscall(&b, MT_CALL_UMOUNT2, 0, strs)->hdr.flags = MT_F_TRUNC(MT_SC_BASE);
	text = render(&b, true);
	ASSERT_TRUE(strstr(text, "\"full_path\":\"LLL/MMM/x\"") != NULL, text);
	ASSERT_TRUE(strstr(text, "\"truncated\":[\"full_path\"]") != NULL, text);
	ASSERT_TRUE(strstr(text, "\"path\":\"x\"") != NULL, text);
	free(text);
	text = render(&b, false);
	ASSERT_TRUE(strstr(text, " full_path=\u2026LLL/MMM/x") != NULL, text);
	free(text);
}

/* A string the kernel never faulted in: named, never shown as "" or absent. */
TEST(record_shows_unreadable_string)
{
	const char *strs[MT_SC_NSTR] = { 0 };
	struct builder b;
	char *text;

	build_syscall(&b, MT_CALL_MOUNT_SETATTR, 0, strs)->hdr.flags =
		MT_F_STR_FAULT | MT_F_FAULT(MT_SC_PATH);
	text = render(&b, true);
	ASSERT_TRUE(strstr(text, "\"unreadable\":[\"path\"]") != NULL, text);
	ASSERT_TRUE(strstr(text, "\"path\":") == NULL, text);
	ASSERT_TRUE(strstr(text, "\"truncated\"") == NULL, text);
	free(text);
	text = render(&b, false);
	ASSERT_TRUE(strstr(text, " path=<unreadable>") != NULL, text);
	free(text);
}

/* struct mount_attr as strace -X verbose shows it. */
TEST(record_shows_mount_attr)
{
	const char *strs[MT_SC_NSTR] = { [MT_SC_PATH] = "" };
	struct builder b;
	struct mt_syscall *sc = build_syscall(&b, MT_CALL_MOUNT_SETATTR, 0, strs);
	char *text;

	sc->args[0] = 3;
	sc->args[2] = 0x1000 | 0x8000;	/* AT_EMPTY_PATH | AT_RECURSIVE */
	sc->args[4] = 32;
	sc->attr_size = 32;
	sc->attr_set = 0x1 | 0x100000;	/* MOUNT_ATTR_RDONLY | MOUNT_ATTR_IDMAP */
	sc->attr_clr = 0x70;		/* MOUNT_ATTR__ATIME */
	sc->extra = 1 << 20;		/* MS_SHARED */
	sc->userns_fd = 7;
	text = render(&b, true);
	ASSERT_TRUE(strstr(text, "\"attr_set\":\"MOUNT_ATTR_RDONLY|MOUNT_ATTR_IDMAP\",\"attr_set_raw\":1048577") != NULL, text);
	ASSERT_TRUE(strstr(text, "\"attr_clr\":\"MOUNT_ATTR__ATIME\"") != NULL, text);
	ASSERT_TRUE(strstr(text, "\"propagation\":\"MS_SHARED\"") != NULL, text);
	ASSERT_TRUE(strstr(text, "\"userns_fd\":7") != NULL, text);
	ASSERT_TRUE(strstr(text, "\"size\":32") != NULL, text);
	free(text);
	text = render(&b, false);
	ASSERT_TRUE(strstr(text, " flags=AT_EMPTY_PATH|AT_RECURSIVE attr_set=MOUNT_ATTR_RDONLY|MOUNT_ATTR_IDMAP"
			   " attr_clr=MOUNT_ATTR__ATIME propagation=MS_SHARED dfd=3 userns_fd=7 size=32 path=\"\"\n") != NULL, text);
	free(text);
	sc->attr_size = 0;	/* unreadable struct: no fields made up */
	text = render(&b, true);
	ASSERT_TRUE(strstr(text, "attr_set") == NULL && strstr(text, "\"size\":32"), text);
	free(text);
}

/* fsconfig's cmd is a string for known and unknown commands alike. */
TEST(record_fsconfig_cmd_is_a_string)
{
	struct builder b;
	struct mt_syscall *sc = build_syscall(&b, MT_CALL_FSCONFIG, -EOPNOTSUPP, NULL);
	char *text;

	sc->args[1] = 42;
	text = render(&b, true);
	ASSERT_TRUE(strstr(text, "\"cmd\":\"42\",\"cmd_raw\":42") != NULL, text);
	free(text);
	sc->args[1] = 6;	/* FSCONFIG_CMD_CREATE */
	text = render(&b, true);
	ASSERT_TRUE(strstr(text, "\"cmd\":\"FSCONFIG_CMD_CREATE\",\"cmd_raw\":6") != NULL, text);
	free(text);
}

/* An overlay's upperdir is the directory it names, not the escaped option;
 * a cut mountpoint walk shows where it lost its start. */
TEST(record_mount_overlay_dirs)
{
	static const char *const strs[MT_MS_NSTR] = { "deep/m", "/o/u\\,p", "/o/w\\\\x", "/l\\:1:/l2" };
	struct builder b;
	struct mt_mount *m = (void *)b.buf;
	char *text;

	memset(&b, 0, sizeof(b));
	m->hdr.type = MT_EV_MOUNT;
	m->hdr.flags = MT_F_TRUNC(MT_MS_PATH);
	m->op = MT_MNT_WALK;
	m->sb_magic = MT_OVERLAYFS_MAGIC;
	b.len = sizeof(*m);
	for (int i = 0; i < MT_MS_NSTR; i++) {
		m->str_len[i] = strlen(strs[i]) + 1;
		memcpy(b.buf + b.len, strs[i], m->str_len[i]);
		b.len += m->str_len[i];
	}
	m->hdr.size = b.len;
	text = render(&b, true);
	ASSERT_TRUE(strstr(text, "\"upperdir\":\"/o/u,p\"") != NULL, text);
	ASSERT_TRUE(strstr(text, "\"workdir\":\"/o/w\\\\x\"") != NULL, text);
	/* the lowerdir list keeps "\:" apart from the ':' between layers */
	ASSERT_TRUE(strstr(text, "\"lowerdir\":\"/l\\\\:1:/l2\"") != NULL, text);
	ASSERT_TRUE(strstr(text, "\"truncated\":[\"path\"]") != NULL, text);
	free(text);
	text = render(&b, false);
	ASSERT_TRUE(strstr(text, " path=\u2026deep/m\n") != NULL, text);
	ASSERT_TRUE(strstr(text, " upperdir=/o/u,p ") != NULL, text);
	free(text);
}

/* Found by fuzz_record: a garbage stamp overflowed the wall-clock sum (UBSan). */
TEST(record_time_of_garbage_stamp)
{
	static const uint64_t stamps[] = { 7596499275552905175ULL, UINT64_MAX, 0 };
	struct mt_output o = { .wall_offset_ns = 1796207216427772572LL };
	char buf[32];

	for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
		mt_output_time(&o, stamps[i], buf, sizeof(buf));
		ASSERT_EQ(strlen(buf), 15u, buf);
		ASSERT_TRUE(buf[2] == ':' && buf[5] == ':' && buf[8] == '.', buf);
	}
}

/* Found by fuzz_record: a "lost" record from the ring buffer made the JSON
 * writer read address 1 (its event name has no ':'). */
TEST(record_lost_type_from_ring)
{
	struct builder b;
	struct mt_lost *l = (void *)b.buf;
	char *text;

	memset(&b, 0, sizeof(b));
	l->hdr.type = MT_EV_LOST;
	l->hdr.size = sizeof(*l);
	b.len = sizeof(*l);
	text = render(&b, true);
	ASSERT_TRUE(text && strstr(text, "\"type\":\"lost\",\"op\":\"?\"") != NULL,
		    text ? text : "(nothing)");
	free(text);
}

/* Found by fuzz_record: ret = LLONG_MIN was negated to look its errno up. */
TEST(record_ret_llong_min)
{
	struct builder b;
	char *text[2];

	build_syscall(&b, MT_CALL_MOUNT, INT64_MIN, NULL);
	text[0] = render(&b, false);
	text[1] = render(&b, true);
	ASSERT_TRUE(text[0] && strstr(text[0], "-9223372036854775808"), "text shows the number");
	ASSERT_TRUE(text[1] && strstr(text[1], "\"ret\":-9223372036854775808") &&
		    !strstr(text[1], "\"errno\""), "JSON: the number, no errno");
	free(text[0]);
	free(text[1]);
}
