/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kprobe or kretprobe perf event on a function, by exact name, from the
 * kprobe PMU (4.17+). The kernel looks the name up itself, so opening one
 * both says whether the function can be probed and is the event a BPF
 * program attaches to: no /proc/kallsyms read (1 s of a 7.2 TCG start).
 */
#ifndef MT_KPROBE_PMU_H
#define MT_KPROBE_PMU_H

#include <stdbool.h>

/* The PMU's type and retprobe bit; false without the kprobe PMU. */
bool mt_kprobe_pmu(int *type, int *retprobe_bit);

/* A disabled perf event on @func's entry (@ret: its return); fd or -errno. */
int mt_kprobe_open(int type, int retprobe_bit, const char *func, bool ret);

#endif /* MT_KPROBE_PMU_H */
