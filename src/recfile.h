/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recording file format (docs/recording.md): a preamble, then frames.
 *
 *   preamble: "MNTTREC\n" | u32 format version | u32 0
 *   frame:    u32 payload length | u16 type | u16 0 | u32 crc32 | payload
 *
 * The crc32 (zlib's) covers type, the zero and the payload. Integers are
 * little-endian (x86 and arm64, the hosts mnttrace builds for); records
 * keep their ring-buffer bytes (include/mnttrace.h). Payloads are built
 * and read with the codec below: fixed-width integers and strings as
 * u32 length + bytes (no NUL), 0xffffffff for NULL.
 */
#ifndef MT_RECFILE_H
#define MT_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MT_REC_MAGIC "MNTTREC\n"
#define MT_REC_FORMAT 1			/* bump when a reader would misread */
#define MT_REC_PREAMBLE 16
#define MT_REC_FRAME_HDR 12
#define MT_REC_FRAME_MAX (64u << 20)	/* a snapshot of a very big host */

enum mt_frame_type {
	MT_FR_HEADER = 1,	/* who recorded what, where (recorder.c) */
	MT_FR_SNAPSHOT,		/* the start-up (or segment) snapshot */
	MT_FR_RECORD,		/* one ring-buffer record, as delivered */
	MT_FR_WORK,		/* the model's queued work ran here */
	MT_FR_DROPS,		/* records lost: u64 in BPF, u64 undecodable */
	MT_FR_ANSWER,		/* a /proc look-up and its answer (proc_ops.h) */
	MT_FR_FINDING,		/* a finding shown live, as its JSON line */
	MT_FR_MARKER,		/* SIGUSR1: "the incident was here" */
	MT_FR_EVIDENCE,		/* an evidence bundle (evidence.c) */
	MT_FR_END,		/* mnttrace stopped cleanly */
	MT_FR__MAX,
};

/* What an MT_FR_ANSWER frame answers: its payload starts with this u16. */
enum mt_answer_kind {
	MT_ANS_RESCAN = 1,	/* u32 nr, u32 ino[nr]; u32 -errno or 0, snapshot */
	MT_ANS_NS_ALIVE,	/* u32 ino, u64 id; u32 ret, keepers */
	MT_ANS_CGROUP,		/* u32 pid; u32 ret, str */
	MT_ANS_PID_EXISTS,	/* u32 pid; u8 */
	MT_ANS_USES,		/* u32 pid, str dir, u32 dev, u32 max; u32 ret, uses */
	MT_ANS_START_NS,	/* u32 pid; u32 ret, u64 ns */
	MT_ANS_KTHREAD,		/* u32 pid; u8 */
	MT_ANS_NOW,		/* u64 ns */
	MT_ANS_OWNER,		/* str merged, str upper; u8 found, metadata */
	MT_ANS_LOWER_LAYERS,	/* str lowerdir, str upper; u32 ret, str[ret] */
	MT_ANS__MAX,
};

/* ---- building a payload ---- */
struct mt_buf {
	unsigned char *p;
	size_t len, cap;
	bool oom;		/* a put failed: the payload is incomplete */
};

void mt_buf_put(struct mt_buf *b, const void *data, size_t len);
void mt_buf_u8(struct mt_buf *b, uint8_t v);
void mt_buf_u16(struct mt_buf *b, uint16_t v);
void mt_buf_u32(struct mt_buf *b, uint32_t v);
void mt_buf_u64(struct mt_buf *b, uint64_t v);
void mt_buf_str(struct mt_buf *b, const char *s);	/* NULL allowed */
void mt_buf_free(struct mt_buf *b);

/* Append one whole frame (header, crc, payload) to @b. */
void mt_buf_frame(struct mt_buf *b, enum mt_frame_type type, const void *payload, size_t len);
/* Write the preamble into @b. */
void mt_buf_preamble(struct mt_buf *b);

/* ---- reading a payload ---- */
struct mt_cur {
	const unsigned char *p;
	size_t len, at;
	bool bad;		/* read past the end, or a malformed value */
};

uint8_t mt_cur_u8(struct mt_cur *c);
uint16_t mt_cur_u16(struct mt_cur *c);
uint32_t mt_cur_u32(struct mt_cur *c);
uint64_t mt_cur_u64(struct mt_cur *c);
/* A string of the payload, malloc'ed (NULL for a NULL string or on error:
 * check c->bad). */
char *mt_cur_strdup(struct mt_cur *c);
/* Copy a string into @buf (cut to fit; "" for NULL). */
void mt_cur_strcpy(struct mt_cur *c, char *buf, size_t size);
/* Length and bytes of the next string, without copying; false for NULL. */
bool mt_cur_strview(struct mt_cur *c, const char **s, uint32_t *len);

/* ---- reading frames from a file ---- */
struct mt_frame_reader {
	FILE *f;		/* read with read(2) on its fd, not stdio */
	const char *name;
	uint64_t offset;	/* of the next frame */
	uint64_t frame_no;	/* frames read, the preamble not counted */
	/* a window of the file: buf[at, end) are the bytes from offset on */
	unsigned char *buf;
	size_t cap, at, end;
	/* frame types (bit 1 << type) the caller passes over: counted, not
	 * returned, their payload not checksummed (set after open) */
	uint32_t skip_types;
	char err[512];		/* why the last read failed */
};

struct mt_frame {
	enum mt_frame_type type;
	const unsigned char *payload;	/* valid until the next read */
	size_t len;
	uint64_t offset;	/* where the frame starts */
	uint64_t no;		/* 1-based */
};

/*
 * Open @path and check its preamble. 0, or -errno / -EPROTO (not a
 * recording) / -EPROTONOSUPPORT (a newer format) with r->err set.
 */
int mt_frame_reader_open(struct mt_frame_reader *r, const char *path);
/*
 * The next frame not in r->skip_types: 1, 0 at a clean end of file, or
 * -EBADMSG (a cut or corrupt frame) with r->err naming its byte offset
 * and frame number. A file that grows while it is read (a recording
 * still being written) is read to its current end.
 */
int mt_frame_next(struct mt_frame_reader *r, struct mt_frame *fr);
void mt_frame_reader_close(struct mt_frame_reader *r);

#endif /* MT_RECFILE_H */
