/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Evidence bundles (docs/recording.md): when an ebusy, leak or detached
 * finding fires during --record, what someone analysing the recording
 * later needs and cannot read from it otherwise, read from /proc at that
 * moment: the holders' mountinfo lines, their processes and ancestors,
 * how old each holder namespace is, the host facts that decide the
 * outcome, and the mount settings of the systemd units involved.
 * Written as one MT_FR_EVIDENCE frame: u64 finding id, str kind, str text.
 */
#ifndef MT_EVIDENCE_H
#define MT_EVIDENCE_H

#include <stdbool.h>

#include "findings.h"
#include "recorder.h"

/* Whether @f gets a bundle. */
bool mt_evidence_wanted(const struct mt_finding *f);
/* Gather and write the bundle of @f into @r. */
void mt_evidence_write(struct mt_recorder *r, const struct mt_finding *f);

#endif /* MT_EVIDENCE_H */
