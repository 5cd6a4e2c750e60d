// SPDX-License-Identifier: GPL-2.0
/*
 * A module's hooks while mnttrace traces (checked on Debian 6.1, 6.12 and
 * 7.2 guests, where overlay is a module):
 *
 * - A module loaded after mnttrace started: its functions had no BTF or
 *   kallsyms entry at load time, so its hooks were switched off. libbpf
 *   resolves a fentry target's module BTF once per object load, so the
 *   hooks load in a second instance of the skeleton, with only their
 *   programs, sharing every map of the first (ring buffer, counters,
 *   stashes, global data) so that their records are the first's.
 * - fentry holds the module while attached: the trampoline takes a module
 *   reference at attach (5.11 to 6.3, bpf_trampoline_module_get()), the
 *   verifier at load from 6.4 on ("bpf: Fix attaching fentry/fexit/fmod_ret/
 *   lsm to modules", prog->aux->mod, until the program is freed). rmmod
 *   then fails with EAGAIN until mnttrace exits: said in one line.
 * - kprobes hold nothing: on unload the kernel marks them gone
 *   (kprobes_module_callback() -> kill_kprobe()) and a perf kprobe never
 *   comes back (trace_kprobe_module_callback() re-registers only tracefs
 *   "MOD:func" events). So an unload is said, and the next load attaches
 *   again. A module unloaded and loaded between two looks is a new
 *   /sys/module/NAME directory (a new inode).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hook_table.h"
#include "latemod.h"
#include "mnttrace.skel.h"

#define MAX_MODS 4
#define MAX_LATE_LINKS 8

struct watched {
	const char *name;
	ino_t ino;		/* of /sys/module/NAME when last seen live, else 0 */
	bool attached;		/* its hooks are attached, by either instance */
	struct mnttrace_bpf *skel;	/* the later instance, or NULL */
	struct bpf_link *links[MAX_LATE_LINKS];
	int nlinks;
	char lost[256];		/* what its hooks see */
	char late_lost[256];	/* what a late load does not bring back */
};

struct mt_latemod {
	struct mnttrace_bpf *main;
	enum mt_attach_mode mode;
	struct timespec last;
	struct watched mods[MAX_MODS];
	int nmods;
};

/* The module's sysfs directory inode if it is loaded and live, else 0. */
static ino_t module_live(const char *name)
{
	char path[128], state[16] = "";
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (stat(path, &st))
		return 0;
	/* a built-in module has no initstate: never loaded nor unloaded */
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	return strncmp(state, "live", 4) == 0 ? st.st_ino : 0;
}

static bool of_module(const struct watched *m, const struct mt_hook *h)
{
	return h->module && strcmp(h->module, m->name) == 0;
}

static void say(const struct watched *m, const char *fmt, const char *what)
{
	fprintf(stderr, "mnttrace: the %s module ", m->name);
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
}

static void say_pinned(const struct mt_latemod *lm, const struct watched *m)
{
	if (lm->mode == MT_ATTACH_FENTRY)
		fprintf(stderr, "mnttrace: fentry holds the %s module while mnttrace traces: "
			"rmmod %s fails until mnttrace exits\n", m->name, m->name);
}

static void drop_late(struct watched *m)
{
	for (int i = 0; i < m->nlinks; i++)
		bpf_link__destroy(m->links[i]);
	m->nlinks = 0;
	mnttrace_bpf__destroy(m->skel);
	m->skel = NULL;
}

static int keep_link(struct watched *m, struct bpf_link *link)
{
	if (!link)
		return -errno;
	if (m->nlinks == MAX_LATE_LINKS) {
		bpf_link__destroy(link);
		return -E2BIG;
	}
	m->links[m->nlinks++] = link;
	return 0;
}

/* Every map of @late is @main's: one ring buffer, one set of stashes. */
static int share_maps(struct bpf_object *main, struct bpf_object *late)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, late) {
		struct bpf_map *src = bpf_object__find_map_by_name(main, bpf_map__name(map));
		int fd = src ? bpf_map__fd(src) : -1;

		if (fd < 0) {
			bpf_map__set_autocreate(map, false);
			continue;
		}
		if (bpf_map__reuse_fd(map, fd))
			return -errno;
	}
	return 0;
}

static int attach_late_progs(struct mt_latemod *lm, struct watched *m)
{
	struct bpf_program *p;
	int err;

	if (lm->mode == MT_ATTACH_FENTRY) {
		bpf_object__for_each_program(p, m->skel->obj) {
			if (!bpf_program__autoload(p))
				continue;
			err = keep_link(m, bpf_program__attach(p));
			if (err)
				return err;
		}
		return 0;
	}
	for (size_t i = 0; i < mt_nhooks; i++) {
		struct bpf_link *kl[2];

		if (!of_module(m, &mt_hooks[i]))
			continue;
		err = mt_hook_attach_kprobe(m->skel->obj, &mt_hooks[i], kl);
		if (!err && (err = keep_link(m, kl[0])))
			bpf_link__destroy(kl[1]);
		else if (!err && kl[1])
			err = keep_link(m, kl[1]);
		if (err)
			return err;
	}
	return 0;
}

/* Load and attach @m's hooks in a second instance; -errno with @why. */
static int attach_late(struct mt_latemod *lm, struct watched *m, char *why, size_t len)
{
	bool found[MT_MAX_HOOKS];
	struct bpf_program *p;
	int err;

	mt_hooks_find(lm->mode, found);
	m->skel = mnttrace_bpf__open();
	if (!m->skel) {
		err = -errno;
		snprintf(why, len, "opening the BPF object failed: %s", strerror(-err));
		return err;
	}
	bpf_object__for_each_program(p, m->skel->obj)
		bpf_program__set_autoload(p, false);
	for (size_t i = 0; i < mt_nhooks; i++) {
		if (!of_module(m, &mt_hooks[i]))
			continue;
		if (!found[i]) {
			snprintf(why, len, "the kernel has no %s %s", lm->mode == MT_ATTACH_FENTRY ?
				 "BTF function" : "kprobe-able symbol", mt_hooks[i].func);
			return -ENOENT;
		}
		mt_hook_select(m->skel->obj, &mt_hooks[i], lm->mode, true);
	}
	err = share_maps(lm->main->obj, m->skel->obj);
	if (err) {
		snprintf(why, len, "sharing the maps failed: %s", strerror(-err));
		return err;
	}
	err = mnttrace_bpf__load(m->skel);
	if (err) {
		snprintf(why, len, "loading them failed: %s (rerun with -v for the verifier log)",
			 strerror(-err));
		return err;
	}
	err = attach_late_progs(lm, m);
	if (err)
		snprintf(why, len, "attaching them failed: %s", strerror(-err));
	return err;
}

static void loaded(struct mt_latemod *lm, struct watched *m)
{
	char why[320];
	int err;

	err = attach_late(lm, m, why, sizeof(why));
	mt_hooks_release();	/* the events of hooks not attached here */
	if (err) {
		drop_late(m);
		fprintf(stderr, "mnttrace: the %s module was loaded, but its hooks could not attach "
			"(%s): still not seen: %s\n", m->name, why, m->lost);
		return;
	}
	m->attached = true;
	say(m, "was loaded: its hooks are attached: %s is seen now", m->lost);
	if (m->late_lost[0])
		fprintf(stderr, "mnttrace: still not seen: %s\n", m->late_lost);
	say_pinned(lm, m);
}

static void unloaded(struct watched *m)
{
	drop_late(m);
	m->attached = false;
	say(m, "was unloaded: not seen until it is loaded again: %s", m->lost);
}

static void append(char *list, size_t size, const char *item)
{
	size_t off = strlen(list);

	snprintf(list + off, size - off, "%s%s", off ? ", " : "", item);
}

static bool hook_on(const struct mnttrace_bpf *skel, const struct mt_hook *h,
		    enum mt_attach_mode mode)
{
	const char *name = mode == MT_ATTACH_FENTRY ? h->fentry : h->kprobe;

	return bpf_program__autoload(bpf_object__find_program_by_name(skel->obj, name));
}

struct mt_latemod *mt_latemod__new(struct mnttrace_bpf *main, enum mt_attach_mode mode)
{
	struct mt_latemod *lm;

	if (mode != MT_ATTACH_FENTRY && mode != MT_ATTACH_KPROBE)
		return NULL;
	lm = calloc(1, sizeof(*lm));
	if (!lm)
		return NULL;
	lm->main = main;
	lm->mode = mode;
	clock_gettime(CLOCK_MONOTONIC, &lm->last);
	for (size_t i = 0; i < mt_nhooks; i++) {
		const struct mt_hook *h = &mt_hooks[i];
		struct watched *m = NULL;

		if (!h->module)
			continue;
		for (int j = 0; j < lm->nmods && !m; j++)
			if (of_module(&lm->mods[j], h))
				m = &lm->mods[j];
		if (!m && lm->nmods == MAX_MODS)
			continue;
		if (!m) {
			m = &lm->mods[lm->nmods++];
			m->name = h->module;
			m->ino = module_live(m->name);
			m->attached = true;
		}
		m->attached &= hook_on(main, h, mode);
		append(m->lost, sizeof(m->lost), h->lost);
		/* only a module absent at start: present, it resolved for the walks */
		if (h->late_lost && !module_live(m->name))
			append(m->late_lost, sizeof(m->late_lost), h->late_lost);
	}
	for (int j = 0; j < lm->nmods; j++)
		if (lm->mods[j].attached)
			say_pinned(lm, &lm->mods[j]);
	if (!lm->nmods) {
		free(lm);
		return NULL;
	}
	return lm;
}

void mt_latemod__tick(struct mt_latemod *lm)
{
	struct timespec now;

	if (!lm)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - lm->last.tv_sec < 1)
		return;
	lm->last = now;
	for (int j = 0; j < lm->nmods; j++) {
		struct watched *m = &lm->mods[j];
		ino_t ino = module_live(m->name);

		if (ino == m->ino)
			continue;
		/* gone, or gone and back: the old hooks see nothing any more */
		if (m->ino && m->attached)
			unloaded(m);
		m->ino = ino;
		if (ino && !m->attached)
			loaded(lm, m);
	}
}

void mt_latemod__free(struct mt_latemod *lm)
{
	if (!lm)
		return;
	for (int j = 0; j < lm->nmods; j++)
		drop_late(&lm->mods[j]);
	free(lm);
}
