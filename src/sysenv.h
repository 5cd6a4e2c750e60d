/* SPDX-License-Identifier: GPL-2.0 */
/* What the host must offer before anything loads: privileges, BTF, tracefs. */
#ifndef MT_SYSENV_H
#define MT_SYSENV_H

#include <stdbool.h>

/* Each check prints one "mnttrace: error:" line and returns -errno on failure. */
int mt_check_privileges(void);
int mt_check_btf(void);
/* Mount tracefs at /sys/kernel/tracing if no tracefs is reachable. */
int mt_ensure_tracefs(int verbose);
/* The tracefs directory in use ("/sys/kernel/tracing"), after mt_ensure_tracefs. */
const char *mt_tracefs_dir(void);

bool mt_tracepoint_exists(const char *category, const char *event);
bool mt_kprobes_available(void);

#endif /* MT_SYSENV_H */
