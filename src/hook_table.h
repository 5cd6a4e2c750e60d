/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel functions mnttrace hooks in fentry and kprobe modes, with
 * their programs (bpf/hooks.h), shared by the loader and by the late
 * attach of a module's hooks (latemod.c).
 */
#ifndef MT_HOOK_TABLE_H
#define MT_HOOK_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

struct bpf_object;
struct bpf_link;

struct mt_hook {
	const char *func;
	const char *module;	/* BTF and code live in this module when not built in */
	bool required;		/* a mode without it is not worth choosing */
	const char *fentry;	/* fentry or fexit program */
	const char *kprobe;
	const char *kretprobe;	/* NULL: no return value needed */
	const char *fentry_entry;	/* an extra fentry before the fexit, or NULL */
	const char *lost;	/* what is not seen without it */
	const char *late_lost;	/* what a late module load still leaves unseen, or NULL */
};

extern const struct mt_hook mt_hooks[];
extern const size_t mt_nhooks;

#define MT_MAX_HOOKS 16

/* Which hooks this kernel offers in @mode: BTF functions (fentry, module
 * BTF included) or exact names the kprobe PMU opens an event on (kept
 * for mt_hook_attach_kprobe; kallsyms without the PMU). True when the kernel
 * refuses fentry programs outright (EPERM: lockdown). */
bool mt_hooks_find(enum mt_attach_mode mode, bool found[MT_MAX_HOOKS]);

/* Close the kprobe events mt_hooks_find() opened and no attach took. */
void mt_hooks_release(void);

/* Turn @h's programs for @mode on or off in @obj (autoload, fentry target). */
void mt_hook_select(struct bpf_object *obj, const struct mt_hook *h, enum mt_attach_mode mode,
		    bool on);

/* Attach @h's kprobe and kretprobe, loaded in @obj, by function name.
 * links[1] is NULL without a kretprobe; 0 or -errno (nothing attached). */
int mt_hook_attach_kprobe(struct bpf_object *obj, const struct mt_hook *h,
			  struct bpf_link *links[2]);

#endif /* MT_HOOK_TABLE_H */
