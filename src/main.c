// SPDX-License-Identifier: GPL-2.0
/*
 * mnttrace: show why a mount will not go away.
 *
 * Lifecycle: parse options -> check the host -> load and attach (loader.c)
 * -> poll the ring buffer, decode, filter, print -> detach and summarize.
 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "fatal.h"
#include "filter.h"
#include "linebuf.h"
#include "loader.h"
#include "model.h"
#include "mp_names.h"
#include "nsscan.h"
#include "options.h"
#include "output.h"
#include "paths.h"
#include "procinfo.h"
#include "record.h"
#include "recorder.h"
#include "replay.h"
#include "ringq.h"
#include "snapshot_cmd.h"
#include "sysenv.h"

#define MT_TRIM_S 30	/* seconds between malloc_trim()s while tracing */

static volatile sig_atomic_t exiting;	/* the signal that ends the trace */
static volatile sig_atomic_t marker_asked;	/* SIGUSR1: a marker in the recording */

static void on_signal(int sig)
{
	exiting = sig;
}

static void on_usr1(int sig)
{
	marker_asked = 1;
}

struct app {
	struct mt_options opt;
	struct mt_output out;
	struct mt_filter *filter;
	struct mt_model *model;	/* NULL with --no-findings */
	uint64_t findings;
	uint64_t records;	/* decoded */
	uint64_t incomplete;	/* with a cut or unreadable string, or a cut walk */
	uint64_t shown;
	uint64_t bad;		/* undecodable: counted as user-side drops */
	uint64_t reported_bpf_drops, reported_bad;
	uint64_t unwarned_bpf, unwarned_bad;	/* not said on stderr yet */
	double last_warn;
	uint64_t counters[MT_CNT__MAX];	/* BPF's, as last read */
	int write_err;
	bool stdout_closed;	/* the reader went away: a normal end */
	struct mt_recorder *rec;	/* --record, else NULL */
	struct mt_ringq *q;	/* live: the ring buffer's records, read by a thread */
	struct mt_replay *replay;	/* during --replay */
	struct mt_mp_names *mp;	/* live, with findings and without --all-removals */
};

static void on_finding(void *ctx, const struct mt_finding *f)
{
	struct app *app = ctx;
	int err;

	/* the filters select a finding by the call that raised it */
	if (app->opt.path_prefix && f->path && !mt_path_under(f->path, app->opt.path_prefix))
		return;
	/* -p names pids as seen where mnttrace runs, as events do (hdr.ns_pid) */
	if ((app->opt.pid && f->ns_pid != app->opt.pid) ||
	    (app->opt.comm && strncmp(f->comm, app->opt.comm, sizeof(f->comm)) != 0) ||
	    (app->opt.mntns && f->mnt_ns != app->opt.mntns))
		return;
	app->findings++;
	if (app->opt.json) {
		err = mt_finding_json(&app->out.j, f, app->out.wall_offset_ns);
		err = err < 0 && err != -EINVAL ? err : 0;
	} else {
		err = mt_finding_text_styled(app->out.f, f, app->out.wall_offset_ns,
					     &app->out.term, app->opt.verbose > 0);
	}
	if (err && !app->write_err)
		app->write_err = err;
	mt_recorder__finding(app->rec, f);
	if (app->rec && mt_evidence_wanted(f))
		mt_evidence_write(app->rec, f);
}

static void count_where(void *ctx, __u32 mnt_ns, __u32 mnt_id, const char *mountpoint)
{
}

/* The --overlay lens also knows the overlays of the start-up snapshot. */
static void learn_from_model(struct app *app, const struct mt_record *rec)
{
	char full[MT_STR_MAX * 2 + 2];

	if (!app->model || !app->opt.overlay || rec->hdr->type != MT_EV_SYSCALL)
		return;
	mt_record_full_path(rec, full, sizeof(full));
	if (full[0] == '/' && mt_model__where(app->model, full, count_where, NULL) > 0)
		mt_filter__add_overlay_path(app->filter, full);
}

static int on_record(void *ctx, const void *data, size_t size)
{
	/* a compact walk record made whole (mt_model__join) */
	static char joined[sizeof(struct mt_mount) + 4 * MT_STR_MAX + MT_DATA_MAX];
	struct app *app = ctx;
	struct mt_record rec;

	mt_recorder__record(app->rec, data, size);
	if (mt_record_decode(data, size, &rec)) {
		app->bad++;
		return 0;
	}
	app->records++;
	if (app->model)
		mt_model__join(app->model, &rec, joined, sizeof(joined));
	if (mt_record_incomplete(&rec))
		app->incomplete++;
	learn_from_model(app, &rec);
	mt_filter__learn(app->filter, &rec);
	if (!app->opt.findings_only && mt_filter__match(app->filter, &rec) &&
	    mt_output_wants(&app->out, &rec)) {
		app->shown++;
		app->write_err = mt_output_record(&app->out, &rec);
	}
	/* after the record: a finding reads best below the event that raised it */
	if (app->model && mt_model__feed(app->model, &rec) == -ENOMEM && !app->write_err)
		app->write_err = -ENOMEM;
	/* stdout is gone (closed pipe, full disk): stop, keep what was written */
	return app->write_err ? app->write_err : 0;
}

/* The model's rescans, logged by --record or answered by --replay. */
static struct mt_snapshot *rescan(void *ctx, const __u32 *ns, int nr)
{
	struct app *app = ctx;

	return app->replay ? mt_replay__rescan(app->replay, ns, nr) :
			     mt_recorder__rescan(app->rec, ns, nr);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * mp_names (src/mp_names.h) from the start-up scan: what was mounted before
 * BPF could see it. Until it is seeded BPF sends every removal.
 */
static void seed_mp_names(struct app *app, const struct mt_snapshot *snap)
{
	if (!app->mp)
		return;
	for (int i = 0; i < snap->nr_ns; i++)
		for (int j = 0; j < snap->ns[i].mounts.nr; j++)
			mt_mp_names__want(app->mp, snap->ns[i].mounts.ents[j].mountpoint);
	mt_mp_names__seed(app->mp);
}

/* Rebuild mp_names from the model now and then: mounts come and go. */
static void sweep_mp_names(struct app *app, double *last)
{
	if (!app->mp || !app->model || now_s() - *last < MT_MP_SWEEP_S)
		return;
	mt_model__each_mountpoint(app->model, mt_mp_names__want, app->mp);
	mt_mp_names__sweep(app->mp);
	*last = now_s();
}

/*
 * The model starts from what is mounted now, read after attaching so that
 * nothing falls between the snapshot and the first record.
 */
static int start_model(struct app *app, enum mt_attach_mode mode)
{
	struct mt_model_opts mo = {
		.internals = mode != MT_ATTACH_TRACEPOINT,
		.defer_work = true,	/* /proc is read after the poll, not in it */
		.on_finding = on_finding,
		.ctx = app,
		.rescan = app->rec ? rescan : NULL,
		.proc_ops = app->rec ? &mt_recorder_proc_ops : NULL,
		.proc_ctx = app->rec,
	};
	struct mt_snap_opts so = { .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY };
	struct mt_snapshot *snap;
	int err;

	double t0 = now_s();

	app->model = mt_model__new(&mo);
	if (!app->model)
		return -errno;
	snap = mt_snapshot__new(NULL, &so);
	if (!snap) {
		err = -errno;
		fprintf(stderr, "mnttrace: error: reading the mount namespaces in /proc failed: %s "
			"(is /proc mounted?)\n", strerror(-err));
		return err;
	}
	mt_recorder__snapshot(app->rec, snap);
	err = mt_model__load(app->model, snap);
	seed_mp_names(app, snap);
	mt_snapshot__free(snap);
	if (app->opt.verbose)
		fprintf(stderr, "mnttrace: start-up snapshot read in %.0f ms\n",
			(now_s() - t0) * 1e3);
	if (err)
		fprintf(stderr, "mnttrace: error: loading the start-up snapshot failed: %s\n",
			strerror(-err));
	return err;
}

/* Lost records, on stderr, in the stream and to the model (live or replayed). */
static void lost(struct app *app, uint64_t bpf, uint64_t bad)
{
	/* at once, then at most once a second in a lasting overflow (the
	 * stream's "lost" records and the summary have every count) */
	app->unwarned_bpf += bpf;
	app->unwarned_bad += bad;
	if (now_s() - app->last_warn >= 1.0) {
		fflush(stdout);	/* a batched replay's lines before it */
		fprintf(stderr, "mnttrace: warning: lost %llu records in BPF (ring buffer or stash "
			"full) and %llu undecodable (narrow the trace, e.g. --overlay or -p PID)\n",
			(unsigned long long)app->unwarned_bpf, (unsigned long long)app->unwarned_bad);
		app->unwarned_bpf = app->unwarned_bad = 0;
		app->last_warn = now_s();
	}
	mt_recorder__drops(app->rec, bpf, bad);
	mt_output_lost(&app->out, bpf, bad);
	/* the model missed something: let it re-read what it holds (after
	 * this poll round, with the rest of its work) */
	if (app->model) {
		struct mt_record rec = { .hdr = &(struct mt_hdr){ .type = MT_EV_LOST } };

		mt_model__feed(app->model, &rec);
	}
}

/* Say so at once when records were lost. */
static void report_drops(struct app *app, struct mt_loader *l, uint64_t counters[MT_CNT__MAX])
{
	uint64_t bpf, user = app->bad + mt_ringq__dropped(app->q);

	if (mt_loader__counters(l, counters))
		return;
	bpf = counters[MT_CNT_RB_DROP] + counters[MT_CNT_STASH_DROP] + counters[MT_CNT_EXIT_MISSED];
	if (bpf == app->reported_bpf_drops && user == app->reported_bad)
		return;
	lost(app, bpf - app->reported_bpf_drops, user - app->reported_bad);
	app->reported_bpf_drops = bpf;
	app->reported_bad = user;
}

/*
 * The model's /proc work (rescans, process lookups, findings) runs here,
 * between polls: at most every WORK_INTERVAL_S while records stream in,
 * so a storm costs one /proc scan per interval, not one per finding.
 */
#define WORK_INTERVAL_S 0.05

static void model_work(struct app *app, struct mt_loader *l, double *last, bool now)
{
	if (!app->model || !mt_model__pending(app->model))
		return;
	if (!now && now_s() - *last < WORK_INTERVAL_S)
		return;
	/* a loss is heard before the work on the records read around it:
	 * their findings say they may be incomplete (model_rescan.c) */
	if (l)
		report_drops(app, l, app->counters);
	mt_recorder__work(app->rec);
	if (mt_model__work(app->model) == -ENOMEM && !app->write_err)
		app->write_err = -ENOMEM;
	*last = now_s();
}

/*
 * The reader of our stdout went away (`mnttrace -j | head -n 1`). A write
 * would say so with EPIPE, but only at the next record: an idle trace
 * would hold its BPF links on for nobody. A pipe's write end polls
 * POLLERR once no reader is left, a socket's POLLHUP (6.18 pipe_poll).
 */
static bool stdout_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/* The read cycle's lines out, a block at a time (linebuf.h): a reader
 * waits at most one cycle for a line. */
static void flush_output(struct app *app)
{
	int err = mt_linebuf_flush(stdout);

	if (err && !app->write_err)
		app->write_err = err;
}

static int trace(struct app *app, struct mt_loader *l)
{
	uint64_t *counters = app->counters;
	double start = now_s(), last_check = start, last_work = 0, last_trim = start;
	double last_sweep = start;
	int err = 0;

	fprintf(stderr, "mnttrace: tracing in %s mode%s. Ctrl-C to end.\n",
		mt_attach_mode_name(mt_loader__mode(l)), app->opt.overlay ? " (--overlay)" : "");
	while (!exiting) {
		/* the queued records, or a wait for them; at most a poll
		 * interval's worth, so the work and the flush still come */
		err = mt_ringq__process(app->q, MT_POLL_MS, MT_POLL_MS, on_record, app);
		mt_loader__tick(l);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err < 0)
			break;
		/* an idle poll (0 records) is a good moment for the work */
		model_work(app, l, &last_work, err == 0);
		flush_output(app);
		err = 0;
		if (app->write_err)
			break;
		if (marker_asked) {
			marker_asked = 0;
			mt_recorder__marker(app->rec, "SIGUSR1");
			fprintf(stderr, "mnttrace: marker written (SIGUSR1)\n");
		}
		mt_recorder__flush(app->rec);
		if (now_s() - last_check >= 1.0) {
			report_drops(app, l, counters);
			last_check = now_s();
		}
		sweep_mp_names(app, &last_sweep);
		/* a storm's rescans and findings leave free pages all over the
		 * heap, touched one by one later: give them back now and then */
		if (now_s() - last_trim >= MT_TRIM_S) {
			malloc_trim(0);
			last_trim = now_s();
		}
		if (app->opt.duration && now_s() - start >= app->opt.duration)
			break;
		if (stdout_gone()) {
			app->stdout_closed = true;
			break;
		}
	}
	/* drain what is already queued and in the ring buffer: nothing
	 * captured is lost */
	mt_ringq__stop(app->q);
	if (!app->write_err && mt_loader__poll(l, 0) >= 0)
		mt_ringq__process(app->q, 0, -1, on_record, app);
	report_drops(app, l, counters);
	model_work(app, l, &last_work, true);
	flush_output(app);
	if (app->write_err == -EPIPE || (app->stdout_closed && !app->write_err)) {
		app->stdout_closed = true;
		fprintf(stderr, "mnttrace: stdout was closed (the pipe's reader exited): tracing "
			"stopped\n");
		return 0;
	}
	if (app->write_err) {
		fprintf(stderr, "mnttrace: error: writing the output failed: %s "
			"(check the disk or the pipe reader)\n", strerror(-app->write_err));
		return app->write_err;
	}
	if (err < 0)
		fprintf(stderr, "mnttrace: error: reading the ring buffer failed: %s "
			"(report it with the output of mnttrace -vv)\n", strerror(-err));
	if (exiting)
		fprintf(stderr, "mnttrace: %s: detaching\n", strsignal(exiting));
	return err;
}

/* --record: the header says what the run was; mnttrace's own namespace
 * is read once, for the model and the replay alike. */
static int open_recording(struct app *app)
{
	struct mt_rec_info info = {
		.wall_offset_ns = app->out.wall_offset_ns,
		.overlay = app->opt.overlay, .failed_only = app->opt.failed_only,
		.findings_only = app->opt.findings_only, .no_findings = app->opt.no_findings,
		.pid = app->opt.pid, .mntns = app->opt.mntns,
		.comm = app->opt.comm, .path_prefix = app->opt.path_prefix,
		.force = app->opt.force, .max_size = app->opt.max_size,
	};

	mt_proc_mntns("/proc", (__u32)getpid(), &info.self_ns);
	app->rec = mt_recorder__open(app->opt.record, &info);
	/* a write past RLIMIT_FSIZE fails with EFBIG, like a full disk */
	signal(SIGXFSZ, SIG_IGN);
	return app->rec ? 0 : -EINVAL;
}

/* ---- --replay: the recorded run's frames through the same paths ---- */

static int replay_header(void *ctx, struct mt_replay *r, const struct mt_rec_header *h)
{
	struct app *app = ctx;
	struct mt_model_opts mo = {
		.internals = strcmp(h->attach_mode, "tracepoint") != 0,
		.defer_work = true,
		.on_finding = on_finding,
		.ctx = app,
		.rescan = rescan,
		.proc_ops = &mt_replay_proc_ops,
		.proc_ctx = r,
		.self_ns = h->self_ns,
		.self_pid = h->pid,
	};
	struct mt_options *o = &app->opt;

	app->replay = r;
	o->overlay = h->overlay;
	o->failed_only = h->failed_only;
	o->findings_only |= h->findings_only;
	o->no_findings |= h->no_findings;
	o->pid = h->filter_pid;
	o->mntns = h->filter_mntns;
	o->comm = h->comm[0] ? strdup(h->comm) : NULL;
	o->path_prefix = h->path_prefix[0] ? strdup(h->path_prefix) : NULL;
	app->out.wall_offset_ns = h->wall_offset_ns;
	fprintf(stderr, "mnttrace: replaying a recording of %s (kernel %s, %s mode, mnttrace %s)\n",
		h->hostname, h->kernel, h->attach_mode, h->version);
	app->filter = mt_filter__new(o);
	if (!app->filter)
		return -ENOMEM;
	if (o->no_findings)
		return 0;
	app->model = mt_model__new(&mo);
	return app->model ? 0 : -ENOMEM;
}

static int replay_snapshot(void *ctx, const struct mt_snapshot *snap)
{
	struct app *app = ctx;

	return app->model ? mt_model__load(app->model, snap) : 0;
}

static int replay_record(void *ctx, const void *data, size_t size)
{
	return on_record(ctx, data, size);
}

static int replay_work(void *ctx)
{
	struct app *app = ctx;

	return app->model ? mt_model__work(app->model) : 0;
}

static int replay_drops(void *ctx, uint64_t bpf, uint64_t bad)
{
	lost(ctx, bpf, bad);
	return 0;
}

/* No root, no BPF: the recording's records and answers, the same model. */
static int replay(struct app *app)
{
	struct mt_replay_cbs cbs = {
		.ctx = app, .header = replay_header, .snapshot = replay_snapshot,
		.record = replay_record, .work = replay_work, .drops = replay_drops,
		.no_model = app->opt.no_findings,
	};
	int err;

	/* into a file or pipe a replay writes in blocks, not a write(2) a
	 * line; each note on stderr flushes stdout first, so 2>&1 keeps the order */
	mt_linebuf_set(stdout, !isatty(STDOUT_FILENO));
	signal(SIGPIPE, SIG_IGN);
	mt_output_init(&app->out, stdout, app->opt.json, app->opt.timestamp);
	app->out.internals = app->opt.internals || app->opt.verbose;
	app->out.verbose = app->opt.verbose;
	app->out.wide = app->opt.wide;
	mt_term_init(&app->out.term, STDOUT_FILENO, app->opt.color, app->opt.wide);
	err = mt_replay__run(app->opt.replay, &cbs);
	if ((fflush(stdout) || ferror(stdout)) && !app->write_err)
		app->write_err = errno ? -errno : -EIO;
	if (!err && app->write_err) {
		fprintf(stderr, "mnttrace: error: writing the output failed: %s "
			"(check the disk or the pipe reader)\n", strerror(-app->write_err));
		err = app->write_err;
	}
	fprintf(stderr, "mnttrace: replayed %llu records, %llu shown, %llu findings\n",
		(unsigned long long)app->records, (unsigned long long)app->shown,
		(unsigned long long)app->findings);
	mt_model__free(app->model);
	mt_filter__free(app->filter);
	free((char *)app->opt.comm);
	free((char *)app->opt.path_prefix);
	return err ? 1 : 0;
}

/* What the --overlay lens held and let go: its state is bounded. */
static void report_lens(const struct app *app)
{
	struct mt_filter_stats st;

	if (!app->opt.overlay)
		return;
	mt_filter__stats(app->filter, &st);
	fprintf(stderr, "mnttrace: --overlay lens: %zu overlay paths held, %llu evicted, "
		"%llu forgotten; new mount API: %zu contexts held, %llu mounted, %llu failed, "
		"%llu closed, %llu expired, %llu evicted\n", st.paths,
		(unsigned long long)st.paths_evicted, (unsigned long long)st.paths_forgotten,
		st.newapi.tracked, (unsigned long long)st.newapi.mounted,
		(unsigned long long)st.newapi.failed, (unsigned long long)st.newapi.closed,
		(unsigned long long)st.newapi.expired, (unsigned long long)st.newapi.evicted);
}

/*
 * A fatal error: its line is on stderr already; under -j the stream also
 * ends with it as JSON (fatal.h). Returns @code for main's return.
 */
static int fatal(bool json, const char *fallback, int code)
{
	if (json)
		mt_fatal_json(stdout, fallback, code);
	return code;
}

/* Is there a mount namespace with inode @ino (any process's ns/mnt)? */
static bool mntns_exists(uint32_t ino)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	if (!d)
		return true;	/* cannot tell: say nothing */
	while (!found && (e = readdir(d))) {
		char path[300];
		struct stat st;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/mnt", e->d_name);
		found = stat(path, &st) == 0 && st.st_ino == ino;
	}
	closedir(d);
	return found;
}

/* A filter that selects nothing now is legal (the process may come), but say so. */
static void warn_empty_filters(const struct mt_options *opt)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%u", opt->pid);
	if (opt->pid && access(path, F_OK))
		fprintf(stderr, "mnttrace: warning: no process %u here now: -p traces it only if "
			"a process gets that pid (pids as seen where mnttrace runs)\n", opt->pid);
	if (opt->mntns && !mntns_exists(opt->mntns))
		fprintf(stderr, "mnttrace: warning: no process is in mount namespace %u now: "
			"--mntns traces nothing unless one enters it (see ls -lL /proc/PID/ns/mnt)\n",
			opt->mntns);
}

int main(int argc, char **argv)
{
	struct app app = { .opt = MT_OPTIONS_DEFAULT };
	struct sigaction sa = { .sa_handler = on_signal };
	enum mt_attach_mode mode;
	struct mt_loader *l;
	bool json = mt_argv_wants_json(argc, argv);
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* under -j, stderr remembers the error line for the JSON error object */
	if (json)
		mt_fatal_capture();
	err = mt_options_parse(argc, argv, &app.opt);
	if (err > 0)
		return MT_EXIT_OK;
	if (err)
		return fatal(json, "invalid arguments", MT_EXIT_USAGE);
	json = app.opt.json;
	/* answers from /proc alone: no privileges, BTF or tracefs needed */
	if (app.opt.snapshot || app.opt.explain)
		return mt_snapshot_cmd(&app.opt);
	if (app.opt.replay)
		return replay(&app);
	if (mt_check_privileges() || mt_check_btf() || mt_ensure_tracefs(app.opt.verbose))
		return fatal(json, "this host cannot run mnttrace", MT_EXIT_FAILURE);
	if (!app.opt.check)
		warn_empty_filters(&app.opt);

	/* a closed stdout is an EPIPE to handle, not a death */
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);	/* the terminal closed: detach all the same */

	/* into a file or pipe in blocks, flushed at each read cycle's end */
	mt_linebuf_set(stdout, !isatty(STDOUT_FILENO));
	mt_output_init(&app.out, stdout, app.opt.json, app.opt.timestamp);
	app.out.internals = app.opt.internals || app.opt.verbose;
	app.out.verbose = app.opt.verbose;
	app.out.wide = app.opt.wide;
	mt_term_init(&app.out.term, STDOUT_FILENO, app.opt.color, app.opt.wide);
	app.filter = mt_filter__new(&app.opt);
	if (!app.filter) {
		fprintf(stderr, "mnttrace: error: out of memory (free some memory and retry)\n");
		return fatal(json, "out of memory", MT_EXIT_FAILURE);
	}
	/* a recording that cannot be made is refused before BPF loads */
	if (app.opt.record && open_recording(&app)) {
		mt_filter__free(app.filter);
		return fatal(json, "the recording could not be made", MT_EXIT_FAILURE);
	}
	app.q = mt_ringq__new(MT_RINGQ_MAX);
	l = app.q ? mt_loader__start(&app.opt, mt_ringq__push, app.q) : NULL;
	if (!l) {
		mt_ringq__free(app.q);
		mt_recorder__close(app.rec);
		mt_filter__free(app.filter);
		return fatal(json, "loading or attaching the BPF programs failed",
			     MT_EXIT_FAILURE);
	}
	mode = mt_loader__mode(l);
	if (app.opt.check) {
		printf("%s\n", mt_attach_mode_name(mode));
		mt_loader__free(l);
		mt_ringq__free(app.q);
		mt_filter__free(app.filter);
		return 0;
	}

	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_usr1 }, NULL);
	mt_recorder__begin(app.rec, mt_attach_mode_name(mode));
	/* from now on, records wait in memory, not in the ring: the
	 * start-up snapshot below takes a while on a busy host */
	err = mt_ringq__start(app.q, mt_loader__ring(l));
	if (err)
		fprintf(stderr, "mnttrace: error: starting the ring buffer reader failed: %s "
			"(check the process limits, ulimit -u)\n", strerror(-err));
	if (!err && !app.opt.no_findings && !app.opt.all_removals) {
		volatile uint32_t *ready, *full;
		int fd = mt_loader__mp_names(l, &ready, &full);

		app.mp = mt_mp_names__new(&mt_mp_bpf_map_ops, (void *)(intptr_t)fd, ready, full);
	}
	if (!err && !app.opt.no_findings)
		err = start_model(&app, mode);
	if (!err)
		err = trace(&app, l);
	mt_ringq__stop(app.q);	/* its thread reads the ring until here */
	mt_loader__free(l);	/* detaches every link before we report */
	mt_recorder__close(app.rec);
	report_lens(&app);
	fprintf(stderr, "mnttrace: %llu records, %llu shown, %llu truncated, %llu findings, "
		"%llu lost in BPF, %llu undecodable, %llu dropped from a full queue; namespace walks: %llu done, %llu skipped, "
		"%llu truncated; attach mode %s\n",
		(unsigned long long)app.records, (unsigned long long)app.shown,
		(unsigned long long)app.incomplete, (unsigned long long)app.findings,
		(unsigned long long)app.reported_bpf_drops, (unsigned long long)app.bad,
		(unsigned long long)mt_ringq__dropped(app.q),
		(unsigned long long)app.counters[MT_CNT_WALK_DONE],
		(unsigned long long)app.counters[MT_CNT_WALK_SKIP],
		(unsigned long long)app.counters[MT_CNT_WALK_TRUNC], mt_attach_mode_name(mode));
	if (app.model) {
		struct mt_model_stats st;

		mt_model__stats(app.model, &st);
		fprintf(stderr, "mnttrace: model: %d namespaces, %d overlay mounts; %llu rescans "
			"took %.1f ms in all, %.1f ms at most (%llu processes gone before they "
			"were read); %llu evicted, %llu recycled namespace inodes\n",
			st.namespaces, st.mounts, (unsigned long long)st.rescans,
			st.rescan_ns_total / 1e6, st.rescan_ns_max / 1e6,
			(unsigned long long)st.vanished, (unsigned long long)st.evicted,
			(unsigned long long)st.recycled_inodes);
	}
	mt_model__free(app.model);
	mt_mp_names__free(app.mp);
	mt_filter__free(app.filter);
	mt_ringq__free(app.q);
	if (err && !app.stdout_closed)
		return fatal(json, "tracing failed", MT_EXIT_FAILURE);
	return MT_EXIT_OK;
}
