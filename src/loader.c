// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "mnttrace.skel.h"
#include "perf_release.h"
#include "sysenv.h"

/*
 * The kernel functions we hook, with their programs. "Required" hooks make
 * a mode worth choosing; without the others we lose one kind of record.
 * Existence checked on 6.1, 6.12 (Debian, qemu) and 6.18 (kallsyms).
 */
struct hook {
	const char *func;
	const char *module;	/* BTF lives in this module when not built in */
	bool required;
	const char *fentry;	/* fentry or fexit program */
	const char *kprobe;
	const char *kretprobe;	/* NULL: no return value needed */
	const char *fentry_entry;	/* an extra fentry before the fexit, or NULL */
	const char *lost;	/* what is not seen without it */
};

#define HOOK(fn, req, fe, kp, krp, what) \
	{ .func = fn, .required = req, .fentry = fe, .kprobe = kp, .kretprobe = krp, .lost = what }

static const struct hook hooks[] = {
	HOOK("copy_mnt_ns", true, "fx_copy_mnt_ns", "kp_copy_mnt_ns", "krp_copy_mnt_ns",
	     "namespace copies"),
	HOOK("clone_mnt", true, "fx_clone_mnt", "kp_clone_mnt", "krp_clone_mnt",
	     "original->copy pairing"),
	HOOK("umount_tree", true, "fe_umount_tree", "kp_umount_tree", NULL,
	     "umounts done by the kernel, namespace teardown"),
	{ .func = "propagate_umount", .fentry = "fx_propagate_umount",
	  .fentry_entry = "fe_propagate_umount", .kprobe = "kp_propagate_umount",
	  .kretprobe = "krp_propagate_umount", .lost = "umounts propagated to other namespaces" },
	HOOK("change_mnt_propagation", false, "fx_change_mnt_propagation",
	     "kp_change_mnt_propagation", "krp_change_mnt_propagation", "propagation changes"),
	{ .func = "propagate_mnt", .fentry = "fx_propagate_mnt", .fentry_entry = "fe_propagate_mnt",
	  .kprobe = "kp_propagate_mnt", .kretprobe = "krp_propagate_mnt",
	  .lost = "mounts propagated to peers and slaves" },
	HOOK("__detach_mounts", false, "fe_detach_mounts", "kp_detach_mounts", NULL,
	     "rmdir's lazy detach"),
	HOOK("propagate_mount_busy", false, "fx_propagate_mount_busy", "kp_propagate_mount_busy",
	     "krp_propagate_mount_busy", "busy propagated copies"),
	HOOK("__is_local_mountpoint", false, "fx_is_local_mountpoint", "kp_is_local_mountpoint",
	     "krp_is_local_mountpoint", "rmdir's local mountpoint check"),
	{ .func = "ovl_inuse_trylock", .module = "overlay", .fentry = "fx_ovl_inuse_trylock",
	  .kprobe = "kp_ovl_inuse_trylock", .kretprobe = "krp_ovl_inuse_trylock",
	  .lost = "overlay upper/workdir in use" },
};
#define NHOOKS (sizeof(hooks) / sizeof(hooks[0]))

#define MAX_LINKS 64

struct mt_loader {
	struct mnttrace_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	enum mt_attach_mode mode;
	char blind[512];
	int verbose;
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

static struct bpf_program *prog(const struct mt_loader *l, const char *name)
{
	return name ? bpf_object__find_program_by_name(l->skel->obj, name) : NULL;
}

/* kallsyms names we may kprobe, exact only: a .isra/.constprop clone may
 * take different arguments. Lines are "ADDR TYPE NAME[\t[MODULE]]"; split
 * by hand: sscanf() on 120,000 lines was a third of this under TCG. */
static void kallsyms_find(bool found[NHOOKS])
{
	char line[512], *sym, *end;
	FILE *f = fopen("/proc/kallsyms", "re");

	memset(found, 0, sizeof(bool) * NHOOKS);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		sym = strchr(line, ' ');
		sym = sym ? strchr(sym + 1, ' ') : NULL;
		if (!sym)
			continue;
		sym++;
		end = sym + strcspn(sym, " \t\n");
		*end = '\0';
		for (size_t i = 0; i < NHOOKS; i++)
			if (!found[i] && strcmp(sym, hooks[i].func) == 0)
				found[i] = true;
	}
	fclose(f);
}

/*
 * Does the kernel refuse every fentry program? Lockdown (or a missing
 * CAP_SYS_ADMIN) answers EPERM, and learning that from the object's load
 * costs another vmlinux BTF parse and its maps: 0.15 s of a 0.6 s start
 * (6.18 host, tracepoint mode). A two-instruction program on function
 * @btf_id answers at once; any answer but EPERM leaves it to that load.
 */
static bool fentry_refused(int btf_id)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = btf_id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &o);

	if (fd >= 0)
		close(fd);
	return fd == -EPERM;
}

/* Which hooks have a BTF function, and whether fentry is refused outright. */
static void btf_find(bool found[NHOOKS], bool *refused)
{
	struct btf *vmlinux = btf__load_vmlinux_btf(), *mod = NULL;
	int id;

	memset(found, 0, sizeof(bool) * NHOOKS);
	*refused = false;
	if (!vmlinux)
		return;
	for (size_t i = 0; i < NHOOKS; i++) {
		id = btf__find_by_name_kind(vmlinux, hooks[i].func, BTF_KIND_FUNC);
		found[i] = id > 0;
		if (found[i] && hooks[i].required && !*refused && fentry_refused(id))
			*refused = true;
		if (found[i] || !hooks[i].module)
			continue;
		mod = btf__load_module_btf(hooks[i].module, vmlinux);
		if (mod)
			found[i] = btf__find_by_name_kind(mod, hooks[i].func, BTF_KIND_FUNC) > 0;
		btf__free(mod);
	}
	btf__free(vmlinux);
}

/* Syscall tracepoints this kernel lacks are switched off, in pairs. */
static void select_tracepoints(struct mt_loader *l)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, l->skel->obj) {
		const char *sec = bpf_program__section_name(p);
		char event[128];

		if (strncmp(sec, "tp/syscalls/", 12) != 0)
			continue;
		snprintf(event, sizeof(event), "%s", sec + 12);
		if (mt_tracepoint_exists("syscalls", event))
			continue;
		bpf_program__set_autoload(p, false);
		note(l, "tracepoint syscalls/%s is missing on this kernel: not traced", event);
	}
}

/* Enable this mode's hook programs; -ENOENT if a required hook is absent. */
static int select_hooks(struct mt_loader *l, enum mt_attach_mode mode, char *why,
			size_t whylen)
{
	bool found[NHOOKS], refused = false;
	size_t off = 0;

	if (mode == MT_ATTACH_FENTRY)
		btf_find(found, &refused);
	else if (mode == MT_ATTACH_KPROBE)
		kallsyms_find(found);
	else
		memset(found, 0, sizeof(found));
	if (refused)
		return -EPERM;	/* try_mode() says why */

	for (size_t i = 0; i < NHOOKS; i++) {
		const struct hook *h = &hooks[i];
		bool on = found[i];

		bpf_program__set_autoload(prog(l, h->fentry), mode == MT_ATTACH_FENTRY && on);
		bpf_program__set_autoload(prog(l, h->kprobe), mode == MT_ATTACH_KPROBE && on);
		if (h->kretprobe)
			bpf_program__set_autoload(prog(l, h->kretprobe),
						  mode == MT_ATTACH_KPROBE && on);
		if (h->fentry_entry)
			bpf_program__set_autoload(prog(l, h->fentry_entry),
						  mode == MT_ATTACH_FENTRY && on);
		if (mode == MT_ATTACH_FENTRY && on)
			bpf_program__set_attach_target(prog(l, h->fentry), 0, h->func);
		if (mode == MT_ATTACH_TRACEPOINT || on)
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
		off += snprintf(l->blind + off, sizeof(l->blind) - off, "%s%s",
				off ? ", " : "", h->lost);
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

	/* tracepoints everywhere; fentry/fexit by their BTF target */
	bpf_object__for_each_program(p, l->skel->obj) {
		const char *sec = bpf_program__section_name(p);

		/* kprobes attach below by name; bare "tracepoint" is a tail call */
		if (!bpf_program__autoload(p) || strncmp(sec, "kprobe", 6) == 0 ||
		    strncmp(sec, "kretprobe", 9) == 0 || strcmp(sec, "tracepoint") == 0)
			continue;
		err = add_link(l, bpf_program__attach(p));
		if (err) {
			snprintf(why, whylen, "attaching %s failed: %s", sec, strerror(-err));
			return err;
		}
	}
	if (mode != MT_ATTACH_KPROBE)
		return 0;
	for (size_t i = 0; i < NHOOKS; i++) {
		const struct hook *h = &hooks[i];

		if (!bpf_program__autoload(prog(l, h->kprobe)))
			continue;
		err = add_link(l, bpf_program__attach_kprobe(prog(l, h->kprobe), false, h->func));
		if (!err && h->kretprobe)
			err = add_link(l, bpf_program__attach_kprobe(prog(l, h->kretprobe), true,
								     h->func));
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
	l->blind[0] = '\0';

	if (mode == MT_ATTACH_KPROBE && !mt_kprobes_available()) {
		snprintf(why, whylen, "this kernel has no kprobes (no kprobe PMU and no %s/kprobe_events: "
			 "CONFIG_KPROBE_EVENTS is off)", mt_tracefs_dir());
		return -EOPNOTSUPP;
	}
	select_tracepoints(l);
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
	err = attach_all(l, mode, why, whylen);
	/* -v: where a start-up's time goes (seconds each under TCG) */
	note(l, "%s: hooks chosen in %.0f ms, %d programs loaded in %.0f ms, %d links "
	     "attached in %.0f ms", mt_attach_mode_name(mode), t1 - t0, count_autoload(l),
	     t2 - t1, l->nlinks, ms_now() - t2);
	return err;
}

static void undo_mode(struct mt_loader *l)
{
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
	char why[3][320] = { "", "", "" };
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
	/* records sent without a wake-up (bpf/emit.h: wakeup_bytes) */
	more = ring_buffer__consume(l->rb);
	return more < 0 ? more : n + more;
}

int mt_loader__counters(struct mt_loader *l, uint64_t out[MT_CNT__MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(l->skel->maps.counters);
	uint64_t *vals;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < MT_CNT__MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
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
	ring_buffer__free(l->rb);
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
