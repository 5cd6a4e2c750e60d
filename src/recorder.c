// SPDX-License-Identifier: GPL-2.0
/* --record: the live side of recordings (recorder.h, docs/recording.md). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "mnttrace.h"
#include "reccodec.h"
#include "recorder.h"
#include "version.h"

#define FLUSH_AT (1u << 20)	/* write at once past this much in memory */
/*
 * A directory holds about this many segments. A segment ends at the
 * first flush (after a poll) past max/SEGMENTS, or, in a storm that
 * keeps one poll busy (the ring buffer holds 4 MiB), at the first record
 * past twice that: a segment never passes max/4 by more than a write.
 */
#define SEGMENTS 8		/* and the directory holds 5 to 8 of them */
#define MIN_SEGMENT (32u << 10)
#define MAX_KEPT 4096		/* segments remembered for deletion */

struct mt_recorder {
	struct mt_rec_info info;
	char *path;
	int fd;			/* the file, or the current segment */
	int dirfd;		/* -1 for one file */
	uint32_t seq;		/* current segment */
	uint64_t seg_bytes;	/* written to the current file */
	uint64_t seg_limit;	/* start a new segment past this */
	size_t flush_at;	/* write what is collected past this */
	uint64_t kept_bytes;	/* older segments still on disk */
	struct { uint32_t seq; uint64_t bytes; } kept[MAX_KEPT];
	int nr_kept;
	struct mt_buf out;	/* frames not yet written */
	bool failed;		/* a write failed: recording stopped */
	bool begun;		/* the header is out */
};

/* ---- writing ---- */

static void fail(struct mt_recorder *r, int err, const char *what)
{
	if (r->failed)
		return;
	r->failed = true;
	fprintf(stderr, "mnttrace: warning: recording to %s stopped: %s: %s (free some space "
		"or pick another --record path; live output and findings carry on)\n",
		r->path, what, strerror(err));
	/* a cut frame would read as corruption: end the file at the last whole one */
	if (r->fd >= 0 && ftruncate(r->fd, (off_t)r->seg_bytes) == 0)
		lseek(r->fd, (off_t)r->seg_bytes, SEEK_SET);
	r->out.len = 0;
}

static void write_out(struct mt_recorder *r)
{
	size_t done = 0;

	if (r->out.oom)
		fail(r, ENOMEM, "collecting frames");
	while (!r->failed && done < r->out.len) {
		ssize_t n = write(r->fd, r->out.p + done, r->out.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fail(r, n < 0 ? errno : ENOSPC, "writing");
			return;
		}
		done += (size_t)n;
	}
	r->seg_bytes += done;
	r->out.len = 0;
}

static void frame(struct mt_recorder *r, enum mt_frame_type type, const struct mt_buf *b)
{
	if (r->failed)
		return;
	if (b->oom) {
		fail(r, ENOMEM, "building a frame");
		return;
	}
	mt_buf_frame(&r->out, type, b->p, b->len);
	if (r->out.len >= r->flush_at)
		write_out(r);
}

void mt_recorder__frame(struct mt_recorder *r, int type, const void *payload, size_t len)
{
	struct mt_buf b = {};

	if (!r)
		return;
	mt_buf_put(&b, payload, len);
	frame(r, (enum mt_frame_type)type, &b);
	mt_buf_free(&b);
}

/* ---- the header ---- */

static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

static void header(struct mt_recorder *r)
{
	const struct mt_rec_info *i = &r->info;
	struct mt_buf b = {};
	struct utsname u = {};
	struct timespec now;
	char boot_id[64];

	uname(&u);
	read_line("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	clock_gettime(CLOCK_REALTIME, &now);
	mt_buf_u32(&b, MT_ABI_VERSION);
	mt_buf_str(&b, MT_VERSION);
	mt_buf_str(&b, u.release);
	mt_buf_str(&b, u.nodename);
	mt_buf_str(&b, boot_id);
	mt_buf_str(&b, i->attach_mode);
	mt_buf_u64(&b, (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec);
	mt_buf_u64(&b, (uint64_t)i->wall_offset_ns);
	mt_buf_u32(&b, (uint32_t)getpid());
	mt_buf_u32(&b, i->self_ns);
	mt_buf_u32(&b, r->seq);
	mt_buf_u8(&b, i->overlay);
	mt_buf_u8(&b, i->failed_only);
	mt_buf_u8(&b, i->findings_only);
	mt_buf_u8(&b, i->no_findings);
	mt_buf_u32(&b, i->pid);
	mt_buf_u32(&b, i->mntns);
	mt_buf_str(&b, i->comm);
	mt_buf_str(&b, i->path_prefix);
	frame(r, MT_FR_HEADER, &b);
	mt_buf_free(&b);
}

/* ---- files ---- */

/* 0600, never through a symlink, never over a file without --force */
static int create_at(int dirfd, const char *name, bool force)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
			(force ? O_TRUNC : O_EXCL), 0600);

	if (fd >= 0 && fchmod(fd, 0600) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void segment_name(uint32_t seq, char *buf, size_t size)
{
	snprintf(buf, size, "mnttrace-%06u.rec", seq);
}

/* Create file or segment @r->seq. 0 or -errno. */
static int create_file(struct mt_recorder *r)
{
	char name[64];

	if (r->dirfd >= 0) {
		segment_name(r->seq, name, sizeof(name));
		r->fd = create_at(r->dirfd, name, true);
	} else {
		r->fd = create_at(AT_FDCWD, r->path, r->info.force);
	}
	if (r->fd < 0)
		return -errno;
	r->seg_bytes = 0;
	return 0;
}

void mt_recorder__begin(struct mt_recorder *r, const char *attach_mode)
{
	if (!r)
		return;
	r->info.attach_mode = attach_mode;
	r->begun = true;
	mt_buf_preamble(&r->out);
	header(r);
}

static bool is_segment(const char *name, uint32_t *seq)
{
	unsigned int n;
	int len = 0;

	return sscanf(name, "mnttrace-%6u.rec%n", &n, &len) == 1 && name[len] == '\0' &&
	       (*seq = n, true);
}

/* A directory for segments: made 0700, or one that holds none (or --force). */
static int open_dir(struct mt_recorder *r)
{
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *d;

	if (mkdir(r->path, 0700) < 0 && errno != EEXIST)
		return -errno;
	r->dirfd = open(r->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r->dirfd < 0)
		return errno == ELOOP || errno == ENOTDIR ? -ENOTDIR : -errno;
	if (fstat(r->dirfd, &st) == 0 && (st.st_mode & 0077))
		fchmod(r->dirfd, st.st_mode & 0700);
	d = fdopendir(dup(r->dirfd));
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		uint32_t seq;

		if (!is_segment(de->d_name, &seq))
			continue;
		found = true;
		if (r->info.force)
			unlinkat(r->dirfd, de->d_name, 0);
	}
	closedir(d);
	return found && !r->info.force ? -EEXIST : 0;
}

struct mt_recorder *mt_recorder__open(const char *path, const struct mt_rec_info *info)
{
	struct mt_recorder *r = calloc(1, sizeof(*r));
	int err;

	if (!r || !(r->path = strdup(path))) {
		free(r);
		fprintf(stderr, "mnttrace: error: out of memory\n");
		return NULL;
	}
	r->info = *info;
	r->fd = r->dirfd = -1;
	r->flush_at = FLUSH_AT;
	if (info->max_size) {
		r->seg_limit = info->max_size / SEGMENTS;
		if (r->seg_limit < MIN_SEGMENT)
			r->seg_limit = MIN_SEGMENT;
		r->flush_at = r->seg_limit / 4;
		err = open_dir(r);
	} else {
		err = 0;
	}
	if (!err)
		err = create_file(r);
	if (err) {
		if (err == -EEXIST)
			fprintf(stderr, "mnttrace: error: --record %s: it already exists (pick "
				"another path, or add --force to replace it)\n", path);
		else if (err == -ELOOP || err == -ENOTDIR)
			fprintf(stderr, "mnttrace: error: --record %s: a symbolic link or not a "
				"%s (mnttrace never writes through a link; give a real path)\n",
				path, info->max_size ? "directory" : "file");
		else
			fprintf(stderr, "mnttrace: error: --record %s: %s (check the path and "
				"its directory)\n", path, strerror(-err));
		if (r->dirfd >= 0)
			close(r->dirfd);
		free(r->path);
		free(r);
		return NULL;
	}
	return r;
}

/* ---- what the run saw ---- */

void mt_recorder__snapshot(struct mt_recorder *r, const struct mt_snapshot *snap)
{
	struct mt_buf b = {};

	struct timespec now;

	if (!r)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	mt_put_snapshot(&b, snap);
	/* when the scan began: a replay from this segment skips older records */
	mt_buf_u64(&b, (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec -
		       snap->elapsed_ns);
	frame(r, MT_FR_SNAPSHOT, &b);
	mt_buf_free(&b);
	/* on disk at once: a run that cannot write more still has its start */
	write_out(r);
}

static void rotate(struct mt_recorder *r);

void mt_recorder__record(struct mt_recorder *r, const void *data, size_t size)
{
	if (!r || r->failed)
		return;
	/* only before a record: a replay reads segments whole at its top
	 * level, never in the middle of the model's work */
	if (r->dirfd >= 0 && r->seg_bytes + r->out.len >= 2 * r->seg_limit) {
		write_out(r);
		rotate(r);
	}
	mt_buf_frame(&r->out, MT_FR_RECORD, data, size);
	if (r->out.len >= r->flush_at)
		write_out(r);
}

void mt_recorder__work(struct mt_recorder *r)
{
	struct mt_buf b = {};

	if (r)
		frame(r, MT_FR_WORK, &b);
}

void mt_recorder__drops(struct mt_recorder *r, uint64_t bpf, uint64_t bad)
{
	struct mt_buf b = {};

	if (!r)
		return;
	mt_buf_u64(&b, bpf);
	mt_buf_u64(&b, bad);
	frame(r, MT_FR_DROPS, &b);
	mt_buf_free(&b);
}

void mt_recorder__finding(struct mt_recorder *r, const struct mt_finding *f)
{
	struct mt_json j;
	char *line = NULL;
	size_t len = 0;
	FILE *mem;

	if (!r || r->failed || !(mem = open_memstream(&line, &len)))
		return;
	mt_json_init_file(&j, mem);
	mt_finding_json(&j, f, r->info.wall_offset_ns);
	fclose(mem);
	mt_recorder__frame(r, MT_FR_FINDING, line, len);
	free(line);
}

void mt_recorder__marker(struct mt_recorder *r, const char *note)
{
	struct mt_buf b = {};
	struct timespec mono, real;

	if (!r)
		return;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	mt_buf_u64(&b, (uint64_t)mono.tv_sec * 1000000000ULL + (uint64_t)mono.tv_nsec);
	mt_buf_u64(&b, (uint64_t)real.tv_sec * 1000000000ULL + (uint64_t)real.tv_nsec);
	mt_buf_str(&b, note);
	frame(r, MT_FR_MARKER, &b);
	mt_buf_free(&b);
	write_out(r);
	if (!r->failed)
		fdatasync(r->fd);
}

/* ---- segments ---- */

/*
 * Keep the directory within max_size, counting the current segment at
 * the size it may still grow to before the next rotation (records are
 * written from the ring-buffer callback, between two checks here).
 */
static void drop_oldest(struct mt_recorder *r, bool closing)
{
	uint64_t room = 2 * r->seg_limit + r->flush_at + MT_RECORD_MAX;
	char name[64];

	if (room < r->seg_bytes || closing)
		room = r->seg_bytes;
	while (r->nr_kept && (r->kept_bytes + room > r->info.max_size ||
			      r->nr_kept == MAX_KEPT)) {
		segment_name(r->kept[0].seq, name, sizeof(name));
		unlinkat(r->dirfd, name, 0);
		r->kept_bytes -= r->kept[0].bytes;
		memmove(&r->kept[0], &r->kept[1], (size_t)--r->nr_kept * sizeof(r->kept[0]));
	}
}

/* A new segment: header and a fresh snapshot, so that it replays alone. */
static void rotate(struct mt_recorder *r)
{
	if (r->failed)
		return;
	struct mt_snap_opts so = { .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY };
	struct mt_snapshot *snap;

	close(r->fd);
	r->kept[r->nr_kept].seq = r->seq;
	r->kept[r->nr_kept++].bytes = r->seg_bytes;
	r->kept_bytes += r->seg_bytes;
	r->seq++;
	if (create_file(r) < 0) {
		r->fd = -1;
		fail(r, errno, "starting a new segment");
		return;
	}
	mt_recorder__begin(r, r->info.attach_mode);
	snap = mt_snapshot__new(NULL, &so);
	if (snap)
		mt_recorder__snapshot(r, snap);
	mt_snapshot__free(snap);
	write_out(r);
	drop_oldest(r, false);
}

void mt_recorder__flush(struct mt_recorder *r)
{
	if (!r || r->failed)
		return;
	write_out(r);
	if (r->dirfd >= 0 && !r->failed && r->seg_bytes >= r->seg_limit)
		rotate(r);
	else if (r->dirfd >= 0)
		drop_oldest(r, false);
}

void mt_recorder__close(struct mt_recorder *r)
{
	struct mt_buf b = {};
	char name[64];

	if (!r)
		return;
	if (r->begun) {
		frame(r, MT_FR_END, &b);
		write_out(r);
		if (r->dirfd >= 0)
			drop_oldest(r, true);
	} else if (r->dirfd >= 0) {
		segment_name(r->seq, name, sizeof(name));
		unlinkat(r->dirfd, name, 0);	/* made for a run that never started */
	} else {
		unlink(r->path);
	}
	if (r->fd >= 0)
		close(r->fd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	mt_buf_free(&r->out);
	free(r->path);
	free(r);
}

/* ---- the model's look-ups, logged ---- */

static void answer(struct mt_recorder *r, struct mt_buf *b)
{
	frame(r, MT_FR_ANSWER, b);
	mt_buf_free(b);
}

static struct mt_buf ask(enum mt_answer_kind kind)
{
	struct mt_buf b = {};

	mt_buf_u16(&b, (uint16_t)kind);
	return b;
}

struct mt_snapshot *mt_recorder__rescan(struct mt_recorder *r, const __u32 *ns, int nr)
{
	struct mt_snap_opts so = { .only_ns = ns, .nr_only = nr,
				   .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY };
	struct mt_snapshot *snap = mt_snapshot__new(NULL, &so);
	struct mt_buf b = ask(MT_ANS_RESCAN);
	int err = snap ? 0 : errno;

	mt_buf_u32(&b, (uint32_t)nr);
	for (int i = 0; i < nr; i++)
		mt_buf_u32(&b, ns[i]);
	mt_buf_u32(&b, (uint32_t)err);
	if (snap)
		mt_put_snapshot(&b, snap);
	answer(r, &b);
	errno = err;
	return snap;
}

static int rec_ns_alive(void *ctx, __u32 ino, __u64 id, struct mt_ns_keepers *out)
{
	struct mt_ns_keepers none = {};
	int ret = mt_proc_live.ns_alive("/proc", ino, id, out);
	struct mt_buf b = ask(MT_ANS_NS_ALIVE);

	mt_buf_u32(&b, ino);
	mt_buf_u64(&b, id);
	mt_buf_u32(&b, (uint32_t)ret);
	mt_put_keepers(&b, out ? out : &none);
	answer(ctx, &b);
	return ret;
}

static int rec_cgroup(void *ctx, __u32 pid, char *buf, size_t size)
{
	int ret = mt_proc_live.cgroup("/proc", pid, buf, size);
	struct mt_buf b = ask(MT_ANS_CGROUP);

	mt_buf_u32(&b, pid);
	mt_buf_u32(&b, (uint32_t)ret);
	mt_buf_str(&b, ret == 0 ? buf : NULL);
	answer(ctx, &b);
	return ret;
}

static bool rec_pid_exists(void *ctx, __u32 pid)
{
	bool ret = mt_proc_live.pid_exists("/proc", pid);
	struct mt_buf b = ask(MT_ANS_PID_EXISTS);

	mt_buf_u32(&b, pid);
	mt_buf_u8(&b, ret);
	answer(ctx, &b);
	return ret;
}

static int rec_uses(void *ctx, __u32 pid, const char *dir, __u32 dev, struct mt_use *uses,
		    int max)
{
	int ret = mt_proc_live.uses("/proc", pid, dir, dev, uses, max);
	struct mt_buf b = ask(MT_ANS_USES);

	mt_buf_u32(&b, pid);
	mt_buf_str(&b, dir);
	mt_buf_u32(&b, dev);
	mt_buf_u32(&b, (uint32_t)max);
	mt_buf_u32(&b, (uint32_t)ret);
	for (int i = 0; i < ret && i < max; i++) {
		mt_buf_u32(&b, uses[i].pid);
		mt_buf_u32(&b, (uint32_t)uses[i].fd);
		mt_buf_str(&b, uses[i].what);
		mt_buf_str(&b, uses[i].path);
	}
	answer(ctx, &b);
	return ret;
}

static int rec_start_ns(void *ctx, __u32 pid, __u64 *ns)
{
	int ret = mt_proc_live.start_ns("/proc", pid, ns);
	struct mt_buf b = ask(MT_ANS_START_NS);

	mt_buf_u32(&b, pid);
	mt_buf_u32(&b, (uint32_t)ret);
	mt_buf_u64(&b, ret ? 0 : *ns);
	answer(ctx, &b);
	return ret;
}

static bool rec_is_kthread(void *ctx, __u32 pid)
{
	bool ret = mt_proc_live.is_kthread("/proc", pid);
	struct mt_buf b = ask(MT_ANS_KTHREAD);

	mt_buf_u32(&b, pid);
	mt_buf_u8(&b, ret);
	answer(ctx, &b);
	return ret;
}

static __u64 rec_now_ns(void *ctx)
{
	__u64 now = mt_proc_live.now_ns("/proc");
	struct mt_buf b = ask(MT_ANS_NOW);

	mt_buf_u64(&b, now);
	answer(ctx, &b);
	return now;
}

static bool rec_owner(void *ctx, struct mt_runtime_meta *rm, const char *merged,
		      const char *upper, struct mt_ctr_meta *out)
{
	bool ret = mt_proc_live.owner("/proc", rm, merged, upper, out);
	struct mt_buf b = ask(MT_ANS_OWNER);

	mt_buf_str(&b, merged);
	mt_buf_str(&b, upper);
	mt_buf_u8(&b, ret);
	if (ret)
		mt_put_ctr_meta(&b, out);
	answer(ctx, &b);
	return ret;
}

static int rec_lower_layers(void *ctx, struct mt_runtime_meta *rm, const char *lowerdir,
			    const char *upper, char ***out)
{
	int ret = mt_proc_live.lower_layers("/proc", rm, lowerdir, upper, out);
	struct mt_buf b = ask(MT_ANS_LOWER_LAYERS);

	mt_buf_str(&b, lowerdir);
	mt_buf_str(&b, upper);
	mt_buf_u32(&b, (uint32_t)ret);
	for (int i = 0; i < ret; i++)
		mt_buf_str(&b, (*out)[i]);
	answer(ctx, &b);
	return ret;
}

const struct mt_proc_ops mt_recorder_proc_ops = {
	.ns_alive = rec_ns_alive,
	.cgroup = rec_cgroup,
	.pid_exists = rec_pid_exists,
	.uses = rec_uses,
	.start_ns = rec_start_ns,
	.is_kthread = rec_is_kthread,
	.now_ns = rec_now_ns,
	.owner = rec_owner,
	.lower_layers = rec_lower_layers,
};
