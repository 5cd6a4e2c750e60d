/* SPDX-License-Identifier: GPL-2.0 */
/* What the host must offer before anything loads: privileges, BTF, tracefs. */
#ifndef MT_SYSENV_H
#define MT_SYSENV_H

#include <stdbool.h>
#include <stddef.h>

/* Each check prints one "mnttrace: error:" line and returns -errno on failure. */
int mt_check_privileges(void);
int mt_check_btf(void);
/* Mount tracefs at /sys/kernel/tracing if no tracefs is reachable. */
int mt_ensure_tracefs(int verbose);
/* The tracefs directory in use ("/sys/kernel/tracing"), after mt_ensure_tracefs. */
const char *mt_tracefs_dir(void);

/*
 * How to see whether kernel lockdown is what refused a program: the state
 * in @secdir/lockdown ("/sys/kernel/security" live) when it is there, else
 * how to mount securityfs or read the kernel command line. Returns @buf.
 */
const char *mt_lockdown_hint(const char *secdir, char *buf, size_t len);

bool mt_tracepoint_exists(const char *category, const char *event);
bool mt_kprobes_available(void);

#endif /* MT_SYSENV_H */
