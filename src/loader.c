// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "hook_table.h"
#include "latemod.h"
#include "loader.h"
#include "mnttrace.skel.h"
#include "perf_release.h"
#include "sysenv.h"

#define MAX_LINKS 64

struct mt_loader {
	struct mnttrace_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	enum mt_attach_mode mode;
	char blind[512];
	int verbose;
	struct mt_latemod *late;	/* module hooks attached while tracing */
	bool ksys;		/* syscalls on kprobes (bpf/ksyscall.h), not tracepoints */
	volatile const uint64_t *counters;	/* the counters map, mmapped (bpf/emit.h) */
};

/*
 * When a record wakes the reader (bpf/emit.h): a sixteenth of the ring
 * buffer, at most 256 KiB, so a burst is read well before it fills the
 * ring, and a trickle waits at most one poll timeout (MT_POLL_MS).
 */
static __u32 wakeup_bytes(__u32 ring_size)
{
	__u32 b = ring_size / 16;

	return b > 256 * 1024 ? 256 * 1024 : b;
}

static int libbpf_verbosity;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* warnings (and the verifier log on load failure) at -v, debug at -vvv */
	if (level == LIBBPF_DEBUG && libbpf_verbosity < 3)
		return 0;
	if (libbpf_verbosity < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void note(const struct mt_loader *l, const char *fmt, ...)
{
	va_list ap;

	if (l->verbose < 1)
		return;
	fputs("mnttrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * The syscall layer: kprobes on the syscall wrappers (bpf/ksyscall.h) in
 * fentry and kprobe modes, so that unrelated syscalls pay nothing; the
 * syscall tracepoints in tracepoint mode and where kprobes are missing.
 * A call without a tracepoint does not exist on this kernel (open_tree_attr
 * before 6.15): it is switched off in either layer.
 */
static void select_syscalls(struct mt_loader *l, enum mt_attach_mode mode)
{
	bool ksys = mode != MT_ATTACH_TRACEPOINT && mt_kprobes_available();
	struct bpf_program *p;

	if (mode == MT_ATTACH_FENTRY && !ksys)
		note(l, "no kprobes on this kernel: syscalls are traced on their tracepoints");
	else
		note(l, "%s: syscalls traced on %s", mt_attach_mode_name(mode),
		     ksys ? "kprobes on their wrappers" : "their tracepoints");
	l->ksys = ksys;
	bpf_program__set_autoload(l->skel->progs.sys_exit_handler, !ksys);
	bpf_program__set_autoload(l->skel->progs.ksys_exit_handler, ksys);
	bpf_object__for_each_program(p, l->skel->obj) {
		const char *sec = bpf_program__section_name(p), *name;
		bool tp = false, entry = true;
		char event[128];

		if (strncmp(sec, "tp/syscalls/sys_enter_", 22) == 0)
			tp = true, name = sec + 22;
		else if (strncmp(sec, "tp/syscalls/sys_exit_", 21) == 0)
			tp = true, entry = false, name = sec + 21;
		else if (strncmp(sec, "ksyscall/", 9) == 0)
			name = sec + 9;
		else if (strncmp(sec, "kretsyscall/", 12) == 0)
			entry = false, name = sec + 12;
		else
			continue;
		snprintf(event, sizeof(event), "sys_enter_%s", name);
		if (tp == ksys) {
			bpf_program__set_autoload(p, false);
		} else if (!mt_tracepoint_exists("syscalls", event)) {
			bpf_program__set_autoload(p, false);
			if (entry)
				note(l, "syscall %s is missing on this kernel: not traced", name);
		}
	}
}

/* Enable this mode's hook programs; -ENOENT if a required hook is absent. */
static int select_hooks(struct mt_loader *l, enum mt_attach_mode mode, char *why,
			size_t whylen)
{
	bool found[MT_MAX_HOOKS];
	size_t off = 0;

	if (mt_hooks_find(mode, found))
		return -EPERM;	/* try_mode() says why */
	for (size_t i = 0; i < mt_nhooks; i++) {
		const struct mt_hook *h = &mt_hooks[i];

		mt_hook_select(l->skel->obj, h, mode, found[i]);
		if (mode == MT_ATTACH_TRACEPOINT || found[i])
			continue;
		if (h->required) {
			snprintf(why, whylen, "the kernel has no %s %s",
				 mode == MT_ATTACH_FENTRY ? "BTF function" : "kprobe-able symbol",
				 h->func);
			return -ENOENT;
		}
		note(l, "%s: %s is missing on this kernel (%s%s): not seen: %s",
		     mt_attach_mode_name(mode), h->func,
		     h->module ? "or module not loaded: " : "",
		     h->module ? h->module : "inlined", h->lost);
		/* a module's hooks attach when it loads (latemod.c) */
		off += snprintf(l->blind + off, sizeof(l->blind) - off, "%s%s%s%s%s",
				off ? ", " : "", h->lost, h->module ? " (until the " : "",
				h->module ? h->module : "", h->module ? " module is loaded)" : "");
		if (off < sizeof(l->blind) && h->late_lost)
			off += snprintf(l->blind + off, sizeof(l->blind) - off, ", %s", h->late_lost);
		if (off >= sizeof(l->blind))
			off = sizeof(l->blind) - 1;
	}
	return 0;
}

static int add_link(struct mt_loader *l, struct bpf_link *link)
{
	if (!link)
		return -errno;
	if (l->nlinks == MAX_LINKS) {
		bpf_link__destroy(link);
		return -E2BIG;
	}
	l->links[l->nlinks++] = link;
	return 0;
}

static int attach_all(struct mt_loader *l, enum mt_attach_mode mode, char *why,
		      size_t whylen)
{
	struct bpf_program *p;
	int err;

	/*
	 * Tracepoints everywhere; fentry/fexit by their BTF target. Syscall
	 * exits first: then every stashed entry meets its exit, and a stale
	 * stash is a missed exit (MT_CNT_EXIT_MISSED), not our start-up.
	 */
	for (int pass = 0; pass < 2; pass++) {
		bpf_object__for_each_program(p, l->skel->obj) {
			const char *sec = bpf_program__section_name(p);
			bool is_exit = strncmp(sec, "tp/syscalls/sys_exit_", 21) == 0 ||
				       strncmp(sec, "kretsyscall/", 12) == 0;

			/* kprobes attach below by name; bare "tracepoint" is a tail call */
			if (!bpf_program__autoload(p) || is_exit != (pass == 0) ||
			    strncmp(sec, "kprobe", 6) == 0 || strncmp(sec, "kretprobe", 9) == 0 ||
			    strcmp(sec, "tracepoint") == 0)
				continue;
			err = add_link(l, bpf_program__attach(p));
			if (err) {
				snprintf(why, whylen, "attaching %s failed: %s", sec,
					 strerror(-err));
				return err;
			}
		}
	}
	if (mode != MT_ATTACH_KPROBE)
		return 0;
	for (size_t i = 0; i < mt_nhooks; i++) {
		const struct mt_hook *h = &mt_hooks[i];
		struct bpf_link *kl[2];

		if (!bpf_program__autoload(bpf_object__find_program_by_name(l->skel->obj,
									     h->kprobe)))
			continue;
		err = mt_hook_attach_kprobe(l->skel->obj, h, kl);
		if (!err && (err = add_link(l, kl[0])))
			bpf_link__destroy(kl[1]);
		else if (!err && kl[1])
			err = add_link(l, kl[1]);
		if (err) {
			snprintf(why, whylen, "kprobe on %s failed: %s", h->func, strerror(-err));
			return err;
		}
	}
	return 0;
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/*
 * Releasing a link waits for the kernel's grace periods: 35-70 ms per
 * tracepoint link on 6.18 (strace -T of close()), so 31 links one after
 * the other kept an idle mnttrace 1.6 s past Ctrl-C. Released from one
 * thread each, the waits that are not under a global lock overlap (0.75
 * s); the rest is perf event teardown, which mt_loader__free() leaves to
 * perf_release.c. A thread that cannot start leaves its link to this one.
 */
static void detach_all(struct mt_loader *l)
{
	pthread_t tid[MAX_LINKS];
	bool started[MAX_LINKS];
	pthread_attr_t attr;
	bool attr_ok = !pthread_attr_init(&attr);

	if (attr_ok)
		pthread_attr_setstacksize(&attr, 256 * 1024);
	for (int i = 0; i < l->nlinks; i++)
		started[i] = !pthread_create(&tid[i], attr_ok ? &attr : NULL, destroy_link,
					     l->links[i]);
	for (int i = 0; i < l->nlinks; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			bpf_link__destroy(l->links[i]);
	}
	if (attr_ok)
		pthread_attr_destroy(&attr);
	l->nlinks = 0;
}

/*
 * Our pid namespace's inode, for BPF to see pids as we do (getpid(), -p);
 * 0 in the initial pid namespace, where the kernel's tgids are ours.
 */
static __u32 own_pidns_ino(void)
{
	const __u32 initial_pidns_ino = 0xEFFFFFFCU;	/* PROC_PID_INIT_INO */
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) || st.st_ino == initial_pidns_ino)
		return 0;
	return (__u32)st.st_ino;
}

static double ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int count_autoload(const struct mt_loader *l)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, l->skel->obj)
		n += bpf_program__autoload(p);
	return n;
}

/* Every syscall exit tail-calls sys_exit_handler or its kprobe twin. */
static int set_exit_tail(struct mnttrace_bpf *skel, bool ksys)
{
	__u32 slot = 0;
	int fd = bpf_program__fd(ksys ? skel->progs.ksys_exit_handler :
				 skel->progs.sys_exit_handler);
	struct bpf_map *map = ksys ? skel->maps.ksys_exit_tail : skel->maps.exit_tail;

	if (bpf_map_update_elem(bpf_map__fd(map), &slot, &fd, BPF_ANY))
		return -errno;
	return 0;
}

/* One attempt at one mode, from a freshly opened skeleton. */
static int try_mode(struct mt_loader *l, const struct mt_options *opt,
		    enum mt_attach_mode mode, char *why, size_t whylen)
{
	double t0 = ms_now(), t1, t2;
	int err;

	l->skel = mnttrace_bpf__open();
	if (!l->skel) {
		snprintf(why, whylen, "opening the BPF object failed: %s", strerror(errno));
		return -errno;
	}
	l->skel->rodata->self_pid = getpid();
	l->skel->rodata->self_pidns_ino = own_pidns_ino();
	l->skel->rodata->overlay_only = opt->overlay;
	if (opt->ringbuf_size && bpf_map__set_max_entries(l->skel->maps.events, opt->ringbuf_size)) {
		snprintf(why, whylen, "setting the ring buffer size failed: %s", strerror(errno));
		return -errno;
	}
	l->skel->rodata->wakeup_bytes = wakeup_bytes(bpf_map__max_entries(l->skel->maps.events));
	/* -p and --mntns narrow what is shown; the model needs every record
	 * to explain a finding, so BPF filters only when findings are off */
	l->skel->rodata->filter_pid = opt->no_findings ? opt->pid : 0;
	l->skel->rodata->filter_mntns = opt->no_findings ? opt->mntns : 0;
	/* without findings no one seeds mp_names (bpf/removal.h) */
	l->skel->rodata->all_removals = opt->all_removals || opt->no_findings;
	l->blind[0] = '\0';

	if (mode == MT_ATTACH_KPROBE && !mt_kprobes_available()) {
		snprintf(why, whylen, "this kernel has no kprobes (no kprobe PMU and no %s/kprobe_events: "
			 "CONFIG_KPROBE_EVENTS is off)", mt_tracefs_dir());
		return -EOPNOTSUPP;
	}
	select_syscalls(l, mode);
	err = select_hooks(l, mode, why, whylen);
	if (err && err != -EPERM)
		return err;
	t1 = ms_now();
	if (!err)
		err = mnttrace_bpf__load(l->skel);
	t2 = ms_now();
	if (err) {
		char hint[512];

		if (err == -EPERM && mode == MT_ATTACH_FENTRY)
			snprintf(why, whylen, "the kernel refused fentry programs (EPERM): kernel lockdown "
				 "or a missing CAP_SYS_ADMIN forbids them (%s)",
				 mt_lockdown_hint("/sys/kernel/security", hint, sizeof(hint)));
		else
			snprintf(why, whylen, "loading BPF programs failed: %s (rerun with -v for the verifier log)",
				 strerror(-err));
		return err;
	}
	err = set_exit_tail(l->skel, l->ksys);
	if (err) {
		snprintf(why, whylen, "filling the tail-call map failed: %s", strerror(-err));
		return err;
	}
	err = attach_all(l, mode, why, whylen);
	mt_hooks_release();
	/* -v: where a start-up's time goes (seconds each under TCG) */
	note(l, "%s: hooks chosen in %.0f ms, %d programs loaded in %.0f ms, %d links "
	     "attached in %.0f ms", mt_attach_mode_name(mode), t1 - t0, count_autoload(l),
	     t2 - t1, l->nlinks, ms_now() - t2);
	return err;
}

static void undo_mode(struct mt_loader *l)
{
	mt_hooks_release();
	detach_all(l);
	mnttrace_bpf__destroy(l->skel);
	l->skel = NULL;
}

static const char tracepoint_blind[] =
	"clone_mnt's original->copy pairing (re-derived from walks), umounts propagated to "
	"other namespaces, rmdir's lazy detach and namespace teardown (the model rescans /proc)";

struct mt_loader *mt_loader__start(const struct mt_options *opt, mt_record_fn fn, void *ctx)
{
	static const enum mt_attach_mode order[] = {
		MT_ATTACH_FENTRY, MT_ATTACH_KPROBE, MT_ATTACH_TRACEPOINT,
	};
	char why[3][768] = { "", "", "" };
	struct mt_loader *l;
	int err = -ENOENT;

	libbpf_verbosity = opt->verbose;
	libbpf_set_print(print_libbpf);
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->verbose = opt->verbose;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum mt_attach_mode mode = order[i];

		if (opt->attach != MT_ATTACH_AUTO && opt->attach != mode)
			continue;
		err = try_mode(l, opt, mode, why[i], sizeof(why[i]));
		if (!err) {
			l->mode = mode;
			break;
		}
		undo_mode(l);
		if (opt->attach == MT_ATTACH_AUTO)
			note(l, "attach mode %s unavailable: %s", mt_attach_mode_name(mode), why[i]);
	}
	if (err) {
		if (opt->attach == MT_ATTACH_AUTO)
			fprintf(stderr, "mnttrace: error: no attach mode works on this kernel: %s "
				"(rerun with -v for details)\n", why[2]);
		else
			fprintf(stderr, "mnttrace: error: --attach %s is not possible here: %s "
				"(try --attach auto)\n", mt_attach_mode_name(opt->attach),
				why[opt->attach - MT_ATTACH_FENTRY]);
		free(l);
		errno = -err;
		return NULL;
	}

	if (l->mode == MT_ATTACH_TRACEPOINT)
		snprintf(l->blind, sizeof(l->blind), "%s", tracepoint_blind);
	if (opt->attach == MT_ATTACH_AUTO && l->mode != MT_ATTACH_FENTRY)
		fprintf(stderr, "mnttrace: attach mode %s (fentry: %s%s%s)\n",
			mt_attach_mode_name(l->mode), why[0],
			l->mode == MT_ATTACH_TRACEPOINT ? "; kprobe: " : "",
			l->mode == MT_ATTACH_TRACEPOINT ? why[1] : "");
	else
		fprintf(stderr, "mnttrace: attach mode %s\n", mt_attach_mode_name(l->mode));
	if (l->blind[0])
		fprintf(stderr, "mnttrace: not seen in this mode: %s\n", l->blind);

	if (opt->check)
		return l;
	l->late = mt_latemod__new(l->skel, l->mode);
	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.events),
				 (ring_buffer_sample_fn)fn, ctx, NULL);
	if (!l->rb) {
		err = -errno;
		fprintf(stderr, "mnttrace: error: creating the ring buffer reader failed: %s "
			"(is /proc/sys/kernel/unprivileged_bpf_disabled in the way?)\n", strerror(-err));
		mt_loader__free(l);
		errno = -err;
		return NULL;
	}
	return l;
}

enum mt_attach_mode mt_loader__mode(const struct mt_loader *l)
{
	return l->mode;
}

int mt_loader__poll(struct mt_loader *l, int timeout_ms)
{
	int n = ring_buffer__poll(l->rb, timeout_ms), more;

	if (n < 0)
		return n;
	mt_latemod__tick(l->late);
	/* records sent without a wake-up (bpf/emit.h: wakeup_bytes) */
	more = ring_buffer__consume(l->rb);
	return more < 0 ? more : n + more;
}

struct ring_buffer *mt_loader__ring(struct mt_loader *l)
{
	return l->rb;
}

void mt_loader__tick(struct mt_loader *l)
{
	mt_latemod__tick(l->late);
}

int mt_loader__mp_names(struct mt_loader *l, volatile uint32_t **ready,
			volatile uint32_t **full)
{
	*ready = &l->skel->bss->mp_names_ready;
	*full = &l->skel->bss->mp_names_full;
	return bpf_map__fd(l->skel->maps.mp_names);
}

/* Read through a mapping, not a lookup syscall: bpf/emit.h says why. */
int mt_loader__counters(struct mt_loader *l, uint64_t out[MT_CNT__MAX])
{
	if (!l->counters) {
		void *p = mmap(NULL, MT_CNT__MAX * sizeof(uint64_t), PROT_READ, MAP_SHARED,
			       bpf_map__fd(l->skel->maps.counters), 0);

		if (p == MAP_FAILED)
			return -errno;
		l->counters = p;
	}
	for (int k = 0; k < MT_CNT__MAX; k++)
		out[k] = __atomic_load_n(&l->counters[k], __ATOMIC_RELAXED);
	return 0;
}

/*
 * Every BPF link and program is gone on return. The perf events under the
 * tracepoint and kprobe links are held across the detach and released by
 * perf_release.c, so that their serialized teardown (~20 ms each on 6.18)
 * does not keep mnttrace from exiting.
 */
void mt_loader__free(struct mt_loader *l)
{
	int link_fds[MAX_LINKS], held[MAX_LINKS], nheld = 0;

	if (!l)
		return;
	/* before the release child forks: it must not keep the map */
	if (l->counters)
		munmap((void *)l->counters, MT_CNT__MAX * sizeof(uint64_t));
	ring_buffer__free(l->rb);
	mt_latemod__free(l->late);
	/* without the kprobe PMU (before 4.17) libbpf made each kprobe in
	 * kprobe_events and removes it there at detach: that fails while the
	 * event is held, and the kprobe would stay */
	if (l->skel && (l->mode != MT_ATTACH_KPROBE ||
			!access("/sys/bus/event_source/devices/kprobe/type", F_OK))) {
		for (int i = 0; i < l->nlinks; i++)
			link_fds[i] = bpf_link__fd(l->links[i]);
		nheld = mt_perf_hold(link_fds, l->nlinks, held, MAX_LINKS);
	}
	if (l->skel)
		undo_mode(l);
	mt_perf_release_later(held, nheld);
	free(l);
}
