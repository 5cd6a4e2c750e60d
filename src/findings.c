// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "findings.h"
#include "names.h"
#include "output.h"

static const char *const kind_names[] = {
	[MT_FIND_RISK] = "risk",
	[MT_FIND_LEAK] = "leak",
	[MT_FIND_EBUSY] = "ebusy",
	[MT_FIND_DETACHED] = "detached",
	[MT_FIND_INUSE] = "inuse",
};

const char *mt_finding_kind_name(enum mt_finding_kind kind)
{
	if ((unsigned int)kind < sizeof(kind_names) / sizeof(kind_names[0]) &&
	    kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

static void wall_time(__u64 ts_ns, __s64 off, char *buf, size_t len)
{
	struct mt_output o = { .wall_offset_ns = off };

	mt_output_time(&o, ts_ns, buf, len);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static void json_pid(struct mt_json *j, const struct mt_finding_pid *p)
{
	mt_json_obj_begin(j, NULL);
	mt_json_uint(j, "pid", p->pid);
	mt_json_str(j, "comm", p->comm);
	mt_json_str(j, "unit", nonempty(p->unit));
	mt_json_str(j, "container_id", nonempty(p->container_id));
	mt_json_str(j, "holds", nonempty(p->holds));
	mt_json_str(j, "holds_path", nonempty(p->holds_path));
	mt_json_obj_end(j);
}

static void json_holder(struct mt_json *j, const struct mt_finding_holder *h,
			__s64 off)
{
	char tbuf[32];

	mt_json_obj_begin(j, NULL);
	mt_json_uint(j, "mnt_ns", h->mnt_ns);
	if (h->mnt_ns_id)
		mt_json_uint(j, "mnt_ns_id", h->mnt_ns_id);
	if (h->mnt_id)
		mt_json_uint(j, "mnt_id", h->mnt_id);
	mt_json_str(j, "mount_path", h->path);
	mt_json_str(j, "propagation", h->propagation);
	mt_json_str(j, "parent_propagation", nonempty(h->parent_propagation));
	if (h->gone)
		mt_json_bool(j, "detached", true);
	if (h->has_creator) {
		wall_time(h->created_by.ts_ns, off, tbuf, sizeof(tbuf));
		mt_json_obj_begin(j, "created_by");
		mt_json_uint(j, "pid", h->created_by.pid);
		mt_json_str(j, "comm", h->created_by.comm);
		mt_json_str(j, "time", tbuf);
		mt_json_uint(j, "ts_ns", h->created_by.ts_ns);
		mt_json_str(j, "call", h->created_by.call);
		mt_json_str(j, "unit", nonempty(h->created_by.unit));
		if (h->created_by.inferred)
			mt_json_bool(j, "inferred", true);
		mt_json_obj_end(j);
	}
	mt_json_arr_begin(j, "pids");
	for (int i = 0; i < h->nr_pids; i++)
		json_pid(j, &h->pids[i]);
	mt_json_arr_end(j);
	mt_json_uint(j, "nr_pids", (unsigned int)h->total_pids);
	mt_json_obj_end(j);
}

int mt_finding_json(struct mt_json *j, const struct mt_finding *f,
		    __s64 wall_offset_ns)
{
	char tbuf[32];

	wall_time(f->ts_ns, wall_offset_ns, tbuf, sizeof(tbuf));
	mt_json_begin(j);
	mt_json_str(j, "type", "finding");
	mt_json_uint(j, "id", f->id);
	mt_json_str(j, "kind", mt_finding_kind_name(f->kind));
	if (f->leak_id)
		mt_json_uint(j, "leak_id", f->leak_id);
	mt_json_uint(j, "ts_ns", f->ts_ns);
	mt_json_str(j, "time", tbuf);
	if (f->pid) {
		mt_json_uint(j, "pid", f->pid);
		mt_json_str(j, "comm", f->comm);
	}
	mt_json_uint(j, "mnt_ns", f->mnt_ns);
	mt_json_str(j, "path", f->path ? f->path : "");
	mt_json_str(j, "op", f->op);
	mt_json_int(j, "ret", -f->err);
	if (f->err)
		mt_json_str(j, "errno", mt_errno_name(f->err) ?: "?");
	mt_json_obj_begin(j, "overlay");
	mt_json_str(j, "upperdir", f->upperdir);
	mt_json_str(j, "workdir", f->workdir);
	mt_json_str(j, "lowerdir", f->lowerdir);
	mt_json_str(j, "container_id", f->container_id);
	mt_json_str(j, "runtime", f->runtime);
	mt_json_obj_end(j);
	mt_json_arr_begin(j, "holders");
	for (int i = 0; i < f->nr_holders; i++)
		json_holder(j, &f->holders[i], wall_offset_ns);
	mt_json_arr_end(j);
	mt_json_str(j, "reason", f->reason);
	return mt_json_end_line(j);
}

static void text_holder(FILE *out, const struct mt_finding_holder *h, __s64 off)
{
	char tbuf[32];

	fprintf(out, "mnt:[%u] (%s%s%s%s)", h->mnt_ns, h->gone ? "detached, " : "",
		h->propagation, h->parent_propagation[0] ? ", parent " : "",
		h->parent_propagation);
	if (h->has_creator) {
		wall_time(h->created_by.ts_ns, off, tbuf, sizeof(tbuf));
		if (h->created_by.inferred)
			fprintf(out, ", made before mnttrace started (oldest process %s pid "
				"%u%s%s%s, started at %s)", h->created_by.comm,
				h->created_by.pid, h->created_by.unit[0] ? ", " : "",
				h->created_by.unit, "", tbuf);
		else
			fprintf(out, ", created by %s pid %u%s%s%s via %s at %s",
				h->created_by.comm, h->created_by.pid,
				h->created_by.unit[0] ? " (" : "", h->created_by.unit,
				h->created_by.unit[0] ? ")" : "", h->created_by.call ?: "?", tbuf);
	}
	if (!h->total_pids) {
		fprintf(out, ", no process left in it");
		return;
	}
	fprintf(out, ", %d process%s:", h->total_pids, h->total_pids == 1 ? "" : "es");
	for (int i = 0; i < h->nr_pids; i++) {
		const struct mt_finding_pid *p = &h->pids[i];

		fprintf(out, " %u %s", p->pid, p->comm);
		if (p->holds[0])
			fprintf(out, " (%s %s)", p->holds, p->holds_path);
	}
	if (h->nr_pids < h->total_pids)
		fprintf(out, " ...");
}

int mt_finding_text(FILE *out, const struct mt_finding *f, __s64 wall_offset_ns)
{
	char tbuf[32];

	wall_time(f->ts_ns, wall_offset_ns, tbuf, sizeof(tbuf));
	fprintf(out, "\n*** FINDING #%llu %s", (unsigned long long)f->id,
		mt_finding_kind_name(f->kind));
	if (f->leak_id)
		fprintf(out, " (follows leak #%llu)", (unsigned long long)f->leak_id);
	fprintf(out, " at %s: %s\n    %s", tbuf, f->path ? f->path : "?", f->reason);
	if (f->pid)
		fprintf(out, " [%s by %s pid %u in mnt:[%u]", f->op ?: "?", f->comm,
			f->pid, f->mnt_ns);
	else
		fprintf(out, " [%s, original in mnt:[%u]", f->op ?: "?", f->mnt_ns);
	if (f->err)
		fprintf(out, " -> %s", mt_errno_name(f->err) ?: "error");
	fprintf(out, "]");
	if (f->container_id)
		fprintf(out, " Container %s (%s).", f->container_id, f->runtime ?: "?");
	if (f->upperdir)
		fprintf(out, " upperdir %s, workdir %s.", f->upperdir, f->workdir ?: "?");
	for (int i = 0; i < f->nr_holders; i++) {
		fprintf(out, i ? "; " : " Held in: ");
		text_holder(out, &f->holders[i], wall_offset_ns);
	}
	fprintf(out, "%s\n\n", f->nr_holders ? "." : "");
	if (fflush(out) || ferror(out))
		return -EIO;
	return 0;
}
