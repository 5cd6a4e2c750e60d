/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hooks on a module's functions (overlay's ovl_inuse_trylock) in fentry and
 * kprobe modes, when the module comes and goes while mnttrace traces: they
 * attach when it is loaded, and mnttrace says what it no longer sees when it
 * is unloaded.
 */
#ifndef MT_LATEMOD_H
#define MT_LATEMOD_H

#include "options.h"

struct mnttrace_bpf;
struct mt_latemod;

/* Watch the modules of mt_hooks[] for @main, loaded and attached in @mode.
 * NULL in tracepoint mode, or when no hook lives in a module. */
struct mt_latemod *mt_latemod__new(struct mnttrace_bpf *main, enum mt_attach_mode mode);

/* At most once a second: look at each module, attach or let go of its
 * hooks, and say so on stderr. Safe on NULL. */
void mt_latemod__tick(struct mt_latemod *lm);

/* Detach and free what was attached late. Safe on NULL. */
void mt_latemod__free(struct mt_latemod *lm);

#endif /* MT_LATEMOD_H */
