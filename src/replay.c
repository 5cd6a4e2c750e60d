// SPDX-License-Identifier: GPL-2.0
/* --replay: a recording's frames, in order, to the caller (replay.h). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mnttrace.h"
#include "reccodec.h"
#include "recfile.h"
#include "replay.h"

struct mt_replay {
	struct mt_frame_reader fr;
	const struct mt_replay_cbs *cbs;
	struct mt_rec_header h;
	bool started;		/* the first header and snapshot are in */
	bool ended;		/* the file read last had an end frame */
	/* replaying from a later segment: answers are matched, not followed */
	bool tolerant;
	__u32 first_seq;
	__u64 snap_taken_ns;	/* CLOCK_MONOTONIC when the first snapshot began */
	uint64_t older;		/* records skipped as older than it */
	uint64_t unanswered, unasked;
	/* a frame read ahead and given back (tolerant mode) */
	bool held;
	struct mt_frame held_frame;
	unsigned char *held_buf;
	size_t held_cap;
	struct mt_buf q;	/* the question being asked, its buffer reused */
	int err;		/* first error; the replay stops */
	char msg[768];
};

static void set_err(struct mt_replay *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(struct mt_replay *r, int err, const char *fmt, ...)
{
	va_list ap;

	if (r->err)
		return;
	r->err = err;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

static bool get_header(struct mt_replay *r, const struct mt_frame *f)
{
	struct mt_cur c = { .p = f->payload, .len = f->len };
	struct mt_rec_header *h = &r->h;

	memset(h, 0, sizeof(*h));
	h->abi = mt_cur_u32(&c);
	mt_cur_strcpy(&c, h->version, sizeof(h->version));
	mt_cur_strcpy(&c, h->kernel, sizeof(h->kernel));
	mt_cur_strcpy(&c, h->hostname, sizeof(h->hostname));
	mt_cur_strcpy(&c, h->boot_id, sizeof(h->boot_id));
	mt_cur_strcpy(&c, h->attach_mode, sizeof(h->attach_mode));
	h->start_real_ns = mt_cur_u64(&c);
	h->wall_offset_ns = (__s64)mt_cur_u64(&c);
	h->pid = mt_cur_u32(&c);
	h->self_ns = mt_cur_u32(&c);
	h->seq = mt_cur_u32(&c);
	h->overlay = mt_cur_u8(&c);
	h->failed_only = mt_cur_u8(&c);
	h->findings_only = mt_cur_u8(&c);
	h->no_findings = mt_cur_u8(&c);
	h->filter_pid = mt_cur_u32(&c);
	h->filter_mntns = mt_cur_u32(&c);
	mt_cur_strcpy(&c, h->comm, sizeof(h->comm));
	mt_cur_strcpy(&c, h->path_prefix, sizeof(h->path_prefix));
	/* later fields of a format-1 header, if any, are for newer readers */
	if (c.bad) {
		set_err(r, -EBADMSG, "%s: corrupt header at byte offset %llu, record %llu",
			r->fr.name, (unsigned long long)f->offset, (unsigned long long)f->no);
		return false;
	}
	if (h->abi != MT_ABI_VERSION) {
		set_err(r, -EPROTONOSUPPORT, "%s: its records are ABI %u, this mnttrace reads "
			"ABI %u (replay it with mnttrace %s, which recorded it)", r->fr.name,
			h->abi, MT_ABI_VERSION, h->version);
		return false;
	}
	return true;
}

/* Frames a reader passes over wherever they come. */
static bool passive(const struct mt_frame *f)
{
	return f->type == MT_FR_FINDING || f->type == MT_FR_MARKER ||
	       f->type == MT_FR_EVIDENCE;
}

static void print_marker(const struct mt_replay *r, const struct mt_frame *f)
{
	struct mt_cur c = { .p = f->payload, .len = f->len };
	char note[256];

	mt_cur_u64(&c);
	mt_cur_u64(&c);
	mt_cur_strcpy(&c, note, sizeof(note));
	fflush(stdout);	/* the lines before it first (a batched replay) */
	fprintf(stderr, "mnttrace: marker at byte offset %llu of %s: %s\n",
		(unsigned long long)f->offset, r->fr.name, note);
}

/* Give frame @f back: the next read returns it again. */
static void hold(struct mt_replay *r, const struct mt_frame *f)
{
	if (f->len > r->held_cap) {
		unsigned char *p = realloc(r->held_buf, f->len);

		if (!p) {
			set_err(r, -ENOMEM, "out of memory");
			return;
		}
		r->held_buf = p;
		r->held_cap = f->len;
	}
	memcpy(r->held_buf, f->payload, f->len);
	r->held_frame = *f;
	r->held_frame.payload = r->held_buf;
	r->held = true;
}

/* An evidence bundle, on stderr: the words someone analysing it reads. */
static void print_evidence(const struct mt_frame *f)
{
	struct mt_cur c = { .p = f->payload, .len = f->len };
	const char *text;
	uint32_t len;

	mt_cur_u64(&c);
	mt_cur_strview(&c, &text, &len);
	fflush(stdout);
	if (mt_cur_strview(&c, &text, &len))
		fprintf(stderr, "mnttrace: evidence recorded at byte offset %llu:\n%.*s",
			(unsigned long long)f->offset, (int)len, text);
}

/* The next frame that is not passive; false at the end or on error. */
static bool next_active(struct mt_replay *r, struct mt_frame *f, bool *eof)
{
	int ret;

	*eof = false;
	if (r->held) {
		r->held = false;
		*f = r->held_frame;
		return true;
	}
	while ((ret = mt_frame_next(&r->fr, f)) > 0) {
		if (f->type == MT_FR_MARKER)
			print_marker(r, f);
		if (f->type == MT_FR_EVIDENCE)
			print_evidence(f);
		if (!passive(f))
			return true;
	}
	if (ret < 0)
		set_err(r, ret, "%s", r->fr.err);
	else
		*eof = true;
	return false;
}

/* ---- answers for the model ---- */

static const char *const ans_names[MT_ANS__MAX] = {
	[MT_ANS_RESCAN] = "rescan", [MT_ANS_NS_ALIVE] = "namespace check",
	[MT_ANS_CGROUP] = "cgroup", [MT_ANS_PID_EXISTS] = "process check",
	[MT_ANS_USES] = "cwd/root/fd look-up", [MT_ANS_START_NS] = "start time",
	[MT_ANS_KTHREAD] = "kernel-thread check", [MT_ANS_NOW] = "clock",
	[MT_ANS_OWNER] = "container metadata", [MT_ANS_LOWER_LAYERS] = "lower layers",
};

/* A new question, in the replay's one buffer (a malloc and free each
 * were ~100,000 in a storm's replay). */
static struct mt_buf *question(struct mt_replay *r, enum mt_answer_kind kind)
{
	r->q.len = 0;
	r->q.oom = false;
	mt_buf_u16(&r->q, (uint16_t)kind);
	return &r->q;
}

/*
 * The answer to question @q (kind and arguments, encoded as the recorder
 * did), with @c just past the question. From the start of a run, the
 * model asks what it asked live, in the same order: anything else is a
 * damaged recording or another model, and stops the replay. From a
 * later segment the model starts from that segment's snapshot and may
 * ask other things: an answer that does not fit waits for a question it
 * fits, and this one gets none (false, no error).
 */
static bool next_answer(struct mt_replay *r, struct mt_buf *q, struct mt_cur *c)
{
	enum mt_answer_kind kind = (enum mt_answer_kind)(q->p[0] | q->p[1] << 8);
	struct mt_frame f;
	bool eof, fits;

	if (r->err || q->oom) {
		return false;
	}
	if (!next_active(r, &f, &eof)) {
		if (eof && !r->tolerant)
			set_err(r, -EBADMSG, "%s: ends at byte offset %llu, record %llu, where the "
				"model asks for a %s (a cut recording)", r->fr.name,
				(unsigned long long)r->fr.offset,
				(unsigned long long)r->fr.frame_no + 1, ans_names[kind]);
		return false;
	}
	fits = f.type == MT_FR_ANSWER && f.len >= q->len && !memcmp(f.payload, q->p, q->len);
	if (!fits && r->tolerant) {
		hold(r, &f);
		r->unanswered++;
	} else if (!fits) {
		set_err(r, -EBADMSG, "%s: the replay went another way than the recording at "
			"byte offset %llu, record %llu: the model asks for a %s (a recording of "
			"another mnttrace version, or a corrupt one)", r->fr.name,
			(unsigned long long)f.offset, (unsigned long long)f.no, ans_names[kind]);
	}
	*c = (struct mt_cur){ .p = f.payload, .len = f.len, .at = q->len };
	return fits;
}

static bool answer_ok(struct mt_replay *r, struct mt_cur *c)
{
	if (c->bad)
		set_err(r, -EBADMSG, "%s: a corrupt answer before byte offset %llu, record %llu",
			r->fr.name, (unsigned long long)r->fr.offset,
			(unsigned long long)r->fr.frame_no);
	return !c->bad;
}

struct mt_snapshot *mt_replay__rescan(struct mt_replay *r, const __u32 *ns, int nr)
{
	struct mt_buf *q = question(r, MT_ANS_RESCAN);
	struct mt_snapshot *snap = NULL;
	struct mt_cur c;
	uint32_t err;

	mt_buf_u32(q, (uint32_t)nr);
	for (int i = 0; i < nr; i++)
		mt_buf_u32(q, ns[i]);
	if (!next_answer(r, q, &c)) {
		errno = EIO;
		return NULL;
	}
	err = mt_cur_u32(&c);
	if (!err)
		snap = mt_get_snapshot(&c);
	if (!answer_ok(r, &c))
		err = EIO;
	errno = (int)err;
	return snap;
}

/* Questions about one pid. */
static bool ask_pid(void *ctx, enum mt_answer_kind kind, __u32 pid, struct mt_cur *c)
{
	struct mt_buf *q = question(ctx, kind);

	mt_buf_u32(q, pid);
	return next_answer(ctx, q, c);
}

static int rp_ns_alive(void *ctx, __u32 ino, __u64 id, struct mt_ns_keepers *out)
{
	struct mt_buf *q = question(ctx, MT_ANS_NS_ALIVE);
	struct mt_ns_keepers ks;
	struct mt_cur c;
	int ret;

	mt_buf_u32(q, ino);
	mt_buf_u64(q, id);
	if (!next_answer(ctx, q, &c))
		return -EIO;	/* unknown: the model keeps the namespace */
	ret = (int)mt_cur_u32(&c);
	if (!mt_get_keepers(&c, &ks) || !answer_ok(ctx, &c))
		return -EIO;
	if (out)
		*out = ks;
	else
		mt_keepers_free(&ks);
	return ret;
}

static int rp_cgroup(void *ctx, __u32 pid, char *buf, size_t size)
{
	struct mt_cur c;
	int ret;

	if (!ask_pid(ctx, MT_ANS_CGROUP, pid, &c))
		return -EIO;
	ret = (int)mt_cur_u32(&c);
	mt_cur_strcpy(&c, buf, size);
	return answer_ok(ctx, &c) ? ret : -EIO;
}

static bool rp_flag(void *ctx, enum mt_answer_kind kind, __u32 pid, bool unknown)
{
	struct mt_cur c;
	bool ret;

	if (!ask_pid(ctx, kind, pid, &c))
		return unknown;
	ret = mt_cur_u8(&c);
	return answer_ok(ctx, &c) && ret;
}

static bool rp_pid_exists(void *ctx, __u32 pid)
{
	return rp_flag(ctx, MT_ANS_PID_EXISTS, pid, true);
}

static bool rp_is_kthread(void *ctx, __u32 pid)
{
	return rp_flag(ctx, MT_ANS_KTHREAD, pid, false);
}

static int rp_uses(void *ctx, __u32 pid, const char *dir, __u32 dev, struct mt_use *uses,
		   int max)
{
	struct mt_buf *q = question(ctx, MT_ANS_USES);
	struct mt_cur c;
	int ret;

	mt_buf_u32(q, pid);
	mt_buf_str(q, dir);
	mt_buf_u32(q, dev);
	mt_buf_u32(q, (uint32_t)max);
	if (!next_answer(ctx, q, &c))
		return -EIO;
	ret = (int)mt_cur_u32(&c);
	for (int i = 0; i < ret && i < max && !c.bad; i++) {
		uses[i].pid = mt_cur_u32(&c);
		uses[i].fd = (int)mt_cur_u32(&c);
		mt_cur_strcpy(&c, uses[i].what, sizeof(uses[i].what));
		mt_cur_strcpy(&c, uses[i].path, sizeof(uses[i].path));
	}
	return answer_ok(ctx, &c) ? ret : -EIO;
}

static int rp_start_ns(void *ctx, __u32 pid, __u64 *ns)
{
	struct mt_cur c;
	int ret;

	if (!ask_pid(ctx, MT_ANS_START_NS, pid, &c))
		return -EIO;
	ret = (int)mt_cur_u32(&c);
	*ns = mt_cur_u64(&c);
	return answer_ok(ctx, &c) ? ret : -EIO;
}

static __u64 rp_now_ns(void *ctx)
{
	struct mt_buf *q = question(ctx, MT_ANS_NOW);
	struct mt_cur c;
	__u64 now;

	if (!next_answer(ctx, q, &c))
		return 0;
	now = mt_cur_u64(&c);
	return answer_ok(ctx, &c) ? now : 0;
}

/* Questions about an overlay's two paths. */
static bool ask_paths(void *ctx, enum mt_answer_kind kind, const char *a, const char *b,
		      struct mt_cur *c)
{
	struct mt_buf *q = question(ctx, kind);

	mt_buf_str(q, a);
	mt_buf_str(q, b);
	return next_answer(ctx, q, c);
}

static bool rp_owner(void *ctx, struct mt_runtime_meta *rm, const char *merged,
		     const char *upper, struct mt_ctr_meta *out)
{
	struct mt_cur c;
	bool found;

	if (!ask_paths(ctx, MT_ANS_OWNER, merged, upper, &c))
		return false;
	found = mt_cur_u8(&c);
	if (found && !mt_get_ctr_meta(&c, out))
		found = false;
	return answer_ok(ctx, &c) && found;
}

static int rp_lower_layers(void *ctx, struct mt_runtime_meta *rm, const char *lowerdir,
			   const char *upper, char ***out)
{
	struct mt_cur c;
	char **v = NULL;
	int ret;

	*out = NULL;
	if (!ask_paths(ctx, MT_ANS_LOWER_LAYERS, lowerdir, upper, &c))
		return 0;
	ret = (int)mt_cur_u32(&c);
	if (ret > 0 && !c.bad && (size_t)ret <= c.len)
		v = calloc((size_t)ret, sizeof(*v));
	if (ret > 0 && !v) {
		c.bad = true;
		ret = 0;
	}
	for (int i = 0; i < ret; i++)
		v[i] = mt_cur_strdup(&c);
	if (!answer_ok(ctx, &c)) {
		mt_lower_layers_free(v, ret);
		return 0;
	}
	*out = v;
	return ret;
}

const struct mt_proc_ops mt_replay_proc_ops = {
	.ns_alive = rp_ns_alive,
	.cgroup = rp_cgroup,
	.pid_exists = rp_pid_exists,
	.uses = rp_uses,
	.start_ns = rp_start_ns,
	.is_kthread = rp_is_kthread,
	.now_ns = rp_now_ns,
	.owner = rp_owner,
	.lower_layers = rp_lower_layers,
};

/* ---- the replay loop ---- */

static int dispatch(struct mt_replay *r, const struct mt_frame *f)
{
	const struct mt_replay_cbs *cb = r->cbs;
	struct mt_cur c = { .p = f->payload, .len = f->len };
	struct mt_snapshot *snap;
	uint64_t bpf, bad;
	int err = 0;

	switch (f->type) {
	case MT_FR_SNAPSHOT:
		if (r->started)
			return 0;	/* a later segment's: the model carries on */
		r->started = true;
		snap = mt_get_snapshot(&c);
		if (!snap)
			break;
		r->snap_taken_ns = mt_cur_u64(&c);	/* 0 if absent */
		err = cb->snapshot(cb->ctx, snap);
		mt_snapshot__free(snap);
		return err;
	case MT_FR_RECORD:
		/* from a later segment: what happened before its snapshot is in it
		 * (records of a busy ring buffer follow a snapshot taken meanwhile) */
		if (r->tolerant && f->len >= sizeof(struct mt_hdr) &&
		    ((const struct mt_hdr *)f->payload)->ts_ns < r->snap_taken_ns) {
			r->older++;
			return 0;
		}
		return cb->record(cb->ctx, f->payload, f->len);
	case MT_FR_WORK:
		return cb->work(cb->ctx);
	case MT_FR_DROPS:
		bpf = mt_cur_u64(&c);
		bad = mt_cur_u64(&c);
		if (!c.bad)
			return cb->drops(cb->ctx, bpf, bad);
		break;
	case MT_FR_END:
		r->ended = true;
		return 0;
	case MT_FR_ANSWER:
		if (cb->no_model)
			return 0;
		if (r->tolerant) {
			r->unasked++;	/* the live model asked; this one did not */
			return 0;
		}
		/* fall through */
	default:
		set_err(r, -EBADMSG, "%s: an unexpected %s frame at byte offset %llu, record %llu",
			r->fr.name, f->type == MT_FR_ANSWER ? "answer" : "header",
			(unsigned long long)f->offset, (unsigned long long)f->no);
		return r->err;
	}
	set_err(r, -EBADMSG, "%s: corrupt frame at byte offset %llu, record %llu", r->fr.name,
		(unsigned long long)f->offset, (unsigned long long)f->no);
	return r->err;
}

/* One file (or segment); @expect_seq is the segment that must follow, or -1. */
static int replay_file(struct mt_replay *r, const char *path, long long expect_seq)
{
	struct mt_frame f;
	bool eof;
	int err;

	r->ended = false;
	err = mt_frame_reader_open(&r->fr, path);
	if (err) {
		set_err(r, err, "%s", r->fr.err);
		return err;
	}
	/* the recorded findings are for other readers: a replay draws its own
	 * (their bytes, most of a recording's, are not even checksummed) */
	r->fr.skip_types = 1u << MT_FR_FINDING;
	if (r->cbs->no_model)
		r->fr.skip_types |= 1u << MT_FR_ANSWER;
	if (!next_active(r, &f, &eof) || f.type != MT_FR_HEADER) {
		if (!r->err)
			set_err(r, -EBADMSG, "%s: no header at byte offset %d, record 1", path,
				MT_REC_PREAMBLE);
		return r->err;
	}
	if (!get_header(r, &f))
		return r->err;
	if (expect_seq >= 0 && r->h.seq != expect_seq) {
		set_err(r, -EBADMSG, "%s: segment %u follows segment %lld (one is missing)",
			path, r->h.seq, expect_seq - 1);
		return r->err;
	}
	if (!r->started) {
		/* a later segment: the live model knew more than its snapshot */
		r->tolerant = r->h.seq > 0;
		r->first_seq = r->h.seq;
		if ((err = r->cbs->header(r->cbs->ctx, r, &r->h)))
			return err;
	}
	while (!r->err && next_active(r, &f, &eof)) {
		err = dispatch(r, &f);
		if (err && !r->err)
			set_err(r, err, "%s: replaying record %llu at byte offset %llu failed: %s",
				path, (unsigned long long)f.no, (unsigned long long)f.offset,
				strerror(-err));
	}
	if (r->held && !r->err)
		r->unasked++;
	r->held = false;
	mt_frame_reader_close(&r->fr);
	return r->err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The segments of @dir, oldest first (their names sort by number). */
static int replay_dir(struct mt_replay *r, const char *dir)
{
	char **names = NULL, path[4096 + 64];
	int nr = 0, cap = 0, err = 0;
	long long seq = -1;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		set_err(r, -errno, "cannot open %s: %s", dir, strerror(errno));
		return r->err;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "mnttrace-", 9) || !strstr(de->d_name, ".rec"))
			continue;
		if (nr == cap) {
			char **n = realloc(names, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*n));

			if (!n)
				break;
			names = n;
		}
		names[nr++] = strdup(de->d_name);
	}
	closedir(d);
	if (!nr)
		set_err(r, -ENOENT, "%s holds no recording (no mnttrace-NNNNNN.rec)", dir);
	qsort(names, (size_t)nr, sizeof(*names), cmp_str);
	for (int i = 0; i < nr && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i] ? names[i] : "");
		err = replay_file(r, path, seq);
		seq = (long long)r->h.seq + 1;
	}
	for (int i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return r->err;
}

int mt_replay__run(const char *path, const struct mt_replay_cbs *cbs)
{
	struct mt_replay r = { .cbs = cbs };
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		replay_dir(&r, path);
	else
		replay_file(&r, path, -1);
	mt_frame_reader_close(&r.fr);
	fflush(stdout);
	if (r.err)
		fprintf(stderr, "mnttrace: error: %s\n", r.msg);
	else if (!r.ended)
		fprintf(stderr, "mnttrace: warning: %s has no end frame: the mnttrace that "
			"recorded it was killed or is still running (replayed to its last "
			"whole record)\n", path);
	if (r.tolerant)
		fprintf(stderr, "mnttrace: note: the replay starts at segment %u, not at the start "
			"of the run: the model started from that segment's snapshot, %llu of its "
			"look-ups had no recorded answer, %llu recorded answers went unasked and "
			"%llu records older than the snapshot were skipped (findings about what "
			"began before the segment may differ from the live run's)\n", r.first_seq,
			(unsigned long long)r.unanswered, (unsigned long long)r.unasked,
			(unsigned long long)r.older);
	free(r.held_buf);
	mt_buf_free(&r.q);
	return r.err;
}
