// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_funcs.h"
#include "hook_table.h"
#include "kprobe_pmu.h"

/*
 * "Required" hooks make a mode worth choosing; without the others we lose
 * one kind of record. Existence checked on 6.1, 6.12 (Debian, qemu) and
 * 6.18 (kallsyms).
 */
#define HOOK(fn, req, fe, kp, krp, what) \
	{ .func = fn, .required = req, .fentry = fe, .kprobe = kp, .kretprobe = krp, .lost = what }

const struct mt_hook mt_hooks[] = {
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
	  .lost = "overlay upper/workdir in use",
	  /* bpf/mounts.h reads them through overlay's BTF types, which the
	   * first instance resolved at start, without the module */
	  .late_lost = "overlay upper/work/lower dirs in namespace walks (until mnttrace restarts)" },
};
const size_t mt_nhooks = sizeof(mt_hooks) / sizeof(mt_hooks[0]);

_Static_assert(sizeof(mt_hooks) / sizeof(mt_hooks[0]) <= MT_MAX_HOOKS, "raise MT_MAX_HOOKS");

/* kallsyms names we may kprobe, exact only: a .isra/.constprop clone may
 * take different arguments. Lines are "ADDR TYPE NAME[\t[MODULE]]"; split
 * by hand: sscanf() on 120,000 lines was a third of this under TCG. */
static void kallsyms_find(bool found[MT_MAX_HOOKS])
{
	char line[512], *sym, *end;
	FILE *f = fopen("/proc/kallsyms", "re");

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
		for (size_t i = 0; i < mt_nhooks; i++)
			if (!found[i] && strcmp(sym, mt_hooks[i].func) == 0)
				found[i] = true;
	}
	fclose(f);
}

/*
 * kprobe mode with the kprobe PMU: a hook is found when its events open,
 * and they are kept for the attach (mt_hook_attach_kprobe), so the kernel
 * registers each kprobe once. held[i][0..1] are fd + 1 (0: none).
 */
static int held[MT_MAX_HOOKS][2];

void mt_hooks_release(void)
{
	for (size_t i = 0; i < MT_MAX_HOOKS; i++)
		for (int k = 0; k < 2; k++) {
			if (held[i][k])
				close(held[i][k] - 1);
			held[i][k] = 0;
		}
}

static bool pmu_find(bool found[MT_MAX_HOOKS])
{
	int type, bit, fd;

	if (!mt_kprobe_pmu(&type, &bit))
		return false;
	mt_hooks_release();
	for (size_t i = 0; i < mt_nhooks; i++) {
		fd = mt_kprobe_open(type, bit, mt_hooks[i].func, false);
		held[i][0] = fd >= 0 ? fd + 1 : 0;
		if (fd >= 0 && mt_hooks[i].kretprobe) {
			fd = mt_kprobe_open(type, bit, mt_hooks[i].func, true);
			held[i][1] = fd >= 0 ? fd + 1 : 0;
		}
		found[i] = fd >= 0;
	}
	return true;
}

/*
 * Does the kernel refuse every fentry program? Lockdown (or a missing
 * CAP_SYS_ADMIN) answers EPERM, and learning that from the object's load
 * costs another vmlinux BTF parse and its maps: 0.15 s of a 0.6 s start
 * (6.18 host, tracepoint mode). A two-instruction program on function
 * @btf_id answers at once; any answer but EPERM leaves it to that load.
 * With @btf_id 0 the 6.18 host's lockdown still answers EPERM, before the
 * verifier's "must provide btf_id" EINVAL, so that probe needs no BTF.
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

/* The libbpf way, for BTF that btf_funcs.c cannot read (a new kind). */
static void btf_find_libbpf(bool found[MT_MAX_HOOKS], __u32 ids[MT_MAX_HOOKS])
{
	struct btf *vmlinux = btf__load_vmlinux_btf(), *mod;
	int id;

	if (!vmlinux)
		return;
	for (size_t i = 0; i < mt_nhooks; i++) {
		id = btf__find_by_name_kind(vmlinux, mt_hooks[i].func, BTF_KIND_FUNC);
		found[i] = id > 0;
		ids[i] = id > 0 ? id : 0;
		if (found[i] || !mt_hooks[i].module)
			continue;
		mod = btf__load_module_btf(mt_hooks[i].module, vmlinux);
		if (mod)
			found[i] = btf__find_by_name_kind(mod, mt_hooks[i].func, BTF_KIND_FUNC) > 0;
		btf__free(mod);
	}
	btf__free(vmlinux);
}

/* Is @func a BTF function of loaded module @module (split BTF on @base)? */
static bool module_has_func(const char *module, const char *func, const struct mt_btf_blob *base)
{
	const char *names[1] = { func };
	struct mt_btf_blob b;
	char path[128];
	__u32 id = 0;
	size_t len;
	void *raw;

	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
	raw = mt_btf_read_file(path, &len);
	if (raw && !mt_btf_blob_open(&b, raw, len))
		mt_btf_find_funcs(&b, base, names, 1, &id);
	free(raw);
	return id > 0;
}

/* Which hooks have a BTF function, and whether fentry is refused outright. */
static void btf_find(bool found[MT_MAX_HOOKS], bool *refused)
{
	const char *names[MT_MAX_HOOKS];
	__u32 ids[MT_MAX_HOOKS] = { 0 };
	struct mt_btf_blob vmlinux;
	size_t len = 0;
	void *raw = mt_btf_read_file("/sys/kernel/btf/vmlinux", &len);

	for (size_t i = 0; i < mt_nhooks; i++)
		names[i] = mt_hooks[i].func;
	if (!raw || mt_btf_blob_open(&vmlinux, raw, len) ||
	    mt_btf_find_funcs(&vmlinux, NULL, names, mt_nhooks, ids)) {
		free(raw);
		btf_find_libbpf(found, ids);
		raw = NULL;
	} else {
		for (size_t i = 0; i < mt_nhooks; i++)
			found[i] = ids[i] ||
				   (mt_hooks[i].module &&
				    module_has_func(mt_hooks[i].module, names[i], &vmlinux));
	}
	for (size_t i = 0; i < mt_nhooks && !*refused; i++)
		if (ids[i] && mt_hooks[i].required && fentry_refused((int)ids[i]))
			*refused = true;
	free(raw);
}

bool mt_hooks_find(enum mt_attach_mode mode, bool found[MT_MAX_HOOKS])
{
	bool refused = false;

	memset(found, 0, sizeof(bool) * MT_MAX_HOOKS);
	/* refused at once: skip the vmlinux BTF parse (0.15 s, 6.18 host) */
	if (mode == MT_ATTACH_FENTRY && fentry_refused(0))
		return true;
	if (mode == MT_ATTACH_FENTRY)
		btf_find(found, &refused);
	else if (mode == MT_ATTACH_KPROBE && !pmu_find(found))
		kallsyms_find(found);	/* legacy kprobe_events: libbpf names them */
	return refused;
}

static struct bpf_program *prog(struct bpf_object *obj, const char *name)
{
	return name ? bpf_object__find_program_by_name(obj, name) : NULL;
}

void mt_hook_select(struct bpf_object *obj, const struct mt_hook *h, enum mt_attach_mode mode,
		    bool on)
{
	bool fentry = mode == MT_ATTACH_FENTRY && on, kprobe = mode == MT_ATTACH_KPROBE && on;

	bpf_program__set_autoload(prog(obj, h->fentry), fentry);
	bpf_program__set_autoload(prog(obj, h->kprobe), kprobe);
	if (h->kretprobe)
		bpf_program__set_autoload(prog(obj, h->kretprobe), kprobe);
	if (h->fentry_entry)
		bpf_program__set_autoload(prog(obj, h->fentry_entry), fentry);
	if (fentry)
		bpf_program__set_attach_target(prog(obj, h->fentry), 0, h->func);
}

/* @h's event @k (0: entry, 1: return) opened by pmu_find, attached to @p. */
static struct bpf_link *attach_held(struct bpf_program *p, const struct mt_hook *h, int k)
{
	size_t i = (size_t)(h - mt_hooks);
	struct bpf_link *link;
	int fd = held[i][k] - 1;

	held[i][k] = 0;
	link = bpf_program__attach_perf_event(p, fd);	/* the link owns fd */
	if (!link) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return link;
}

static struct bpf_link *attach_one(struct bpf_object *obj, const struct mt_hook *h, int k)
{
	struct bpf_program *p = prog(obj, k ? h->kretprobe : h->kprobe);
	size_t i = (size_t)(h - mt_hooks);

	if (i < mt_nhooks && held[i][k])
		return attach_held(p, h, k);
	return bpf_program__attach_kprobe(p, k, h->func);
}

int mt_hook_attach_kprobe(struct bpf_object *obj, const struct mt_hook *h,
			  struct bpf_link *links[2])
{
	int err;

	links[1] = NULL;
	links[0] = attach_one(obj, h, 0);
	if (!links[0])
		return -errno;
	if (!h->kretprobe)
		return 0;
	links[1] = attach_one(obj, h, 1);
	if (links[1])
		return 0;
	err = -errno;
	bpf_link__destroy(links[0]);
	links[0] = NULL;
	return err;
}
