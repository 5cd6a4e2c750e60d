// SPDX-License-Identifier: GPL-2.0
/* The recording format's frames and payload codec (recfile.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crc32.h"
#include "recfile.h"

#define NULL_STR 0xffffffffu
#define WINDOW (256u << 10)

void mt_buf_put(struct mt_buf *b, const void *data, size_t len)
{
	if (b->oom)
		return;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *p;

		while (cap < b->len + len)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* little-endian, whatever the host (memcpy of a native value on x86/arm64) */
static void put_le(struct mt_buf *b, uint64_t v, int bytes)
{
	unsigned char x[8];

	for (int i = 0; i < bytes; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	mt_buf_put(b, x, (size_t)bytes);
}

void mt_buf_u8(struct mt_buf *b, uint8_t v) { put_le(b, v, 1); }
void mt_buf_u16(struct mt_buf *b, uint16_t v) { put_le(b, v, 2); }
void mt_buf_u32(struct mt_buf *b, uint32_t v) { put_le(b, v, 4); }
void mt_buf_u64(struct mt_buf *b, uint64_t v) { put_le(b, v, 8); }

void mt_buf_str(struct mt_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	mt_buf_u32(b, s ? (uint32_t)n : NULL_STR);
	mt_buf_put(b, s, n);
}

void mt_buf_free(struct mt_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* the crc of each type's 4 header bytes, the start of its frames' crc */
static uint32_t type_crc[MT_FR__MAX];

__attribute__((constructor)) static void type_crc_init(void)
{
	for (uint16_t t = 0; t < MT_FR__MAX; t++) {
		unsigned char th[4] = { (unsigned char)t, (unsigned char)(t >> 8), 0, 0 };

		type_crc[t] = mt_crc32(0, th, sizeof(th));
	}
}

static uint32_t frame_crc(uint16_t type, const void *payload, size_t len)
{
	return mt_crc32(type_crc[type], payload, len);
}

void mt_buf_frame(struct mt_buf *b, enum mt_frame_type type, const void *payload, size_t len)
{
	mt_buf_u32(b, (uint32_t)len);
	mt_buf_u16(b, (uint16_t)type);
	mt_buf_u16(b, 0);
	mt_buf_u32(b, frame_crc((uint16_t)type, payload, len));
	mt_buf_put(b, payload, len);
}

void mt_buf_preamble(struct mt_buf *b)
{
	mt_buf_put(b, MT_REC_MAGIC, 8);
	mt_buf_u32(b, MT_REC_FORMAT);
	mt_buf_u32(b, 0);
}

/* ---- reading ---- */

static uint64_t get_le(struct mt_cur *c, int bytes)
{
	uint64_t v = 0;

	if (c->bad || c->len - c->at < (size_t)bytes) {
		c->bad = true;
		return 0;
	}
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)c->p[c->at + i] << (8 * i);
	c->at += (size_t)bytes;
	return v;
}

uint8_t mt_cur_u8(struct mt_cur *c) { return (uint8_t)get_le(c, 1); }
uint16_t mt_cur_u16(struct mt_cur *c) { return (uint16_t)get_le(c, 2); }
uint32_t mt_cur_u32(struct mt_cur *c) { return (uint32_t)get_le(c, 4); }
uint64_t mt_cur_u64(struct mt_cur *c) { return get_le(c, 8); }

bool mt_cur_strview(struct mt_cur *c, const char **s, uint32_t *len)
{
	uint32_t n = mt_cur_u32(c);

	*s = NULL;
	*len = 0;
	if (c->bad || n == NULL_STR)
		return false;
	if (c->len - c->at < n) {
		c->bad = true;
		return false;
	}
	*s = (const char *)c->p + c->at;
	*len = n;
	c->at += n;
	return true;
}

char *mt_cur_strdup(struct mt_cur *c)
{
	const char *s;
	uint32_t n;
	char *d;

	if (!mt_cur_strview(c, &s, &n))
		return NULL;
	d = malloc((size_t)n + 1);
	if (!d) {
		c->bad = true;
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void mt_cur_strcpy(struct mt_cur *c, char *buf, size_t size)
{
	const char *s;
	uint32_t n;

	if (!size)
		return;
	if (!mt_cur_strview(c, &s, &n))
		n = 0;
	if (n >= size)
		n = (uint32_t)size - 1;
	if (n)
		memcpy(buf, s, n);
	buf[n] = '\0';
}

/*
 * Whether the window holds @n bytes from r->offset on, reading more if not.
 * Reads are big (256 KiB, or a bigger frame): a replay reads ~100 MB of
 * frames, most of them ~1 KB. 256 KiB stays in the L2 cache between the
 * kernel's copy and the checksum; 1 MiB did not (decode ~10% slower; an
 * earlier try found mmap slower too). A file still being written is read
 * up to its current end.
 */
static bool have(struct mt_frame_reader *r, size_t n)
{
	ssize_t got;

	if (r->end - r->at >= n)
		return true;
	if (r->at) {	/* keep the part of a frame already read */
		memmove(r->buf, r->buf + r->at, r->end - r->at);
		r->end -= r->at;
		r->at = 0;
	}
	if (n > r->cap || !r->buf) {
		size_t cap = n > WINDOW ? n : WINDOW;
		unsigned char *p = realloc(r->buf, cap);

		if (!p)
			return false;
		r->buf = p;
		r->cap = cap;
	}
	while (r->end < n) {
		got = read(fileno(r->f), r->buf + r->end, r->cap - r->end);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		r->end += (size_t)got;
	}
	return true;
}

int mt_frame_reader_open(struct mt_frame_reader *r, const char *path)
{
	struct mt_cur c;
	uint32_t version;

	memset(r, 0, sizeof(*r));
	r->name = path;
	r->f = fopen(path, "rbe");
	if (!r->f) {
		int err = -errno;

		snprintf(r->err, sizeof(r->err), "cannot open %s: %s", path, strerror(errno));
		return err;
	}
	if (!have(r, MT_REC_PREAMBLE) || memcmp(r->buf, MT_REC_MAGIC, 8)) {
		snprintf(r->err, sizeof(r->err), "%s is not an mnttrace recording "
			 "(no \"MNTTREC\" preamble at byte offset 0)", path);
		return -EPROTO;
	}
	c = (struct mt_cur){ .p = r->buf, .len = MT_REC_PREAMBLE, .at = 8 };
	version = mt_cur_u32(&c);
	if (version > MT_REC_FORMAT) {
		snprintf(r->err, sizeof(r->err), "%s is recording format %u, this mnttrace reads "
			 "format %u and older (upgrade mnttrace)", path, version, MT_REC_FORMAT);
		return -EPROTONOSUPPORT;
	}
	if (version == 0) {
		snprintf(r->err, sizeof(r->err), "%s has format version 0 at byte offset 8 "
			 "(a corrupt preamble)", path);
		return -EPROTO;
	}
	r->at = MT_REC_PREAMBLE;
	r->offset = MT_REC_PREAMBLE;
	return 0;
}

static int bad_frame(struct mt_frame_reader *r, const char *what)
{
	snprintf(r->err, sizeof(r->err), "%s: %s at byte offset %llu, record %llu",
		 r->name, what, (unsigned long long)r->offset,
		 (unsigned long long)r->frame_no + 1);
	return -EBADMSG;
}

int mt_frame_next(struct mt_frame_reader *r, struct mt_frame *fr)
{
	const unsigned char *payload;
	struct mt_cur c;
	uint32_t len, crc;
	uint16_t type, zero;
	bool skip;

	do {
		if (!have(r, MT_REC_FRAME_HDR))
			return r->end == r->at ? 0 : bad_frame(r, "cut frame header");
		c = (struct mt_cur){ .p = r->buf + r->at, .len = MT_REC_FRAME_HDR };
		len = mt_cur_u32(&c);
		type = mt_cur_u16(&c);
		zero = mt_cur_u16(&c);
		crc = mt_cur_u32(&c);
		if (type == 0 || type >= MT_FR__MAX || zero || len > MT_REC_FRAME_MAX)
			return bad_frame(r, "corrupt frame header");
		if (!have(r, MT_REC_FRAME_HDR + (size_t)len))
			return bad_frame(r, MT_REC_FRAME_HDR + (size_t)len > r->cap ?
					 "frame too big for memory" : "cut frame");
		payload = r->buf + r->at + MT_REC_FRAME_HDR;
		skip = r->skip_types & (1u << type);
		if (!skip && frame_crc(type, payload, len) != crc)
			return bad_frame(r, "checksum mismatch");
		fr->type = (enum mt_frame_type)type;
		fr->payload = payload;
		fr->len = len;
		fr->offset = r->offset;
		fr->no = ++r->frame_no;
		r->at += MT_REC_FRAME_HDR + len;
		r->offset += MT_REC_FRAME_HDR + len;
	} while (skip);
	return 1;
}

void mt_frame_reader_close(struct mt_frame_reader *r)
{
	if (r->f)
		fclose(r->f);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}
