/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --snapshot and --explain: answer from /proc alone, with no BPF, no
 * tracefs and no BTF. One scan of every mount namespace (nsscan.h) goes
 * into the same model the live tool starts from (model.h), whose rules
 * raise the `risk` findings; the snapshot's own rule (model_view.h) adds
 * the `leak`s that already happened. Then each overlay is printed with
 * its copies and holders (ovl_report.h).
 */
#ifndef MT_SNAPSHOT_CMD_H
#define MT_SNAPSHOT_CMD_H

#include "options.h"

/* Run --snapshot or --explain; the process's exit status. */
int mt_snapshot_cmd(const struct mt_options *opt);

#endif /* MT_SNAPSHOT_CMD_H */
