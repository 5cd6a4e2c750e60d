// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
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

static const char *const reason_names[] = {
	[MT_REASON_NONE] = "none",
	[MT_REASON_RISK_PRIVATE_ORIGINAL] = "private_copy_of_private_original",
	[MT_REASON_RISK_MADE_PRIVATE] = "copy_made_private",
	[MT_REASON_RISK_OTHER_GROUP] = "copy_in_other_peer_group",
	[MT_REASON_LEAK_UNREACHED] = "umount_did_not_reach_copy",
	[MT_REASON_LEAK_PRIVATE_COPY] = "copy_private",
	[MT_REASON_LEAK_PRIVATE_ORIGINAL] = "original_private",
	[MT_REASON_LEAK_OTHER_GROUP] = "copy_outside_peer_group",
	[MT_REASON_LEAK_NOT_MOUNTED_HERE] = "not_mounted_in_caller_namespace",
	[MT_REASON_BUSY_HERE] = "busy_in_caller_namespace",
	[MT_REASON_BUSY_COPY] = "propagated_copy_busy",
	[MT_REASON_BUSY_UNKNOWN] = "busy_no_user_found",
	[MT_REASON_RMDIR_MOUNTED_HERE] = "mounted_in_caller_namespace",
	[MT_REASON_RMDIR_MOUNTED_ELSEWHERE] = "mounted_in_other_namespace",
	[MT_REASON_DETACHED_BY_RMDIR] = "rmdir_detached_copies",
	[MT_REASON_UPPER_IN_USE] = "upper_or_work_dir_in_use",
	[MT_REASON_DETACHED_BUSY_BY_LAZY_UMOUNT] = "lazy_umount_detached_busy_copy",
	[MT_REASON_LEAK_ORIGINAL_GONE] = "original_gone",
};

const char *mt_reason_name(enum mt_reason code)
{
	if ((unsigned int)code < sizeof(reason_names) / sizeof(reason_names[0]) &&
	    reason_names[code])
		return reason_names[code];
	return "unknown";
}

/* "httpd (pid 1500, httpd.service)" */
static const char *who(const struct mt_reason_args *a, char *buf, size_t size)
{
	if (!a->creator_known)
		snprintf(buf, size, "a process that predates mnttrace");
	else if (a->creator_unit[0])
		snprintf(buf, size, "%s (pid %u, %s)", a->creator_comm, a->creator_pid,
			 a->creator_unit);
	else
		snprintf(buf, size, "%s (pid %u)", a->creator_comm, a->creator_pid);
	return buf;
}

/* What to stop from making its own mount namespace: the unit, else the comm. */
static const char *service(const struct mt_reason_args *a)
{
	if (a->creator_unit[0])
		return a->creator_unit;
	return a->creator_known ? a->creator_comm : "the service";
}

const char *mt_finding_remedy(const struct mt_finding *f, char *buf, size_t len)
{
	const char *root = f->runtime_root;

	switch (f->runtime_kind) {
	case MT_RT_DOCKER:
		snprintf(buf, len, "keeping Docker's graph root shared (mount --make-rshared %s; "
			 "Docker >= 17.12.1 no longer makes it private, moby#36047)",
			 root ?: "/var/lib/docker");
		break;
	case MT_RT_CONTAINERS_STORAGE:
		/* containers/storage's overlay driver makes its home private each
		 * time it starts unless skip_mount_home: podman on every command
		 * (4.3), CRI-O when the daemon starts */
		snprintf(buf, len, "setting skip_mount_home = \"true\" under "
			 "[storage.options.overlay] in storage.conf, because containers/storage "
			 "makes %s/overlay a private mount again each time it starts (podman: "
			 "every command; CRI-O: every daemon start), so mount --make-shared "
			 "alone does not stick; with it set, the overlays sit on the mount "
			 "above %s, which must be shared (findmnt -o TARGET,PROPAGATION -T %s; "
			 "/ is under systemd)",
			 root ?: "the graph root", root ?: "the graph root", root ?: "<graph root>");
		break;
	case MT_RT_CONTAINERD:
		/* containerd 1.6/1.7 mount.UnmountAll(rootfs, 0): no MNT_DETACH */
		snprintf(buf, len, "keeping the mounts above containerd's dirs (%s) shared "
			 "(findmnt -o TARGET,PROPAGATION shows them; containerd does not make "
			 "them private itself, and its shim's plain umount of the rootfs "
			 "succeeds while a private copy elsewhere just stays)",
			 root ?: "/var/lib/containerd, /run/containerd");
		break;
	default:
		snprintf(buf, len, "keeping the mount the overlay sits on shared (mount "
			 "--make-rshared on its parent mount) before the service starts");
		break;
	}
	return buf;
}

const char *mt_finding_prevention(const struct mt_finding *f, char *buf, size_t len)
{
	const struct mt_reason_args *a = &f->why;
	char remedy[512];

	switch (f->reason_code) {
	case MT_REASON_RISK_PRIVATE_ORIGINAL:
	case MT_REASON_LEAK_ORIGINAL_GONE:
		snprintf(buf, len, "%s or by keeping %s from creating its own mount namespace "
			 "(PrivateTmp=, ProtectSystem=, MountFlags=)",
			 mt_finding_remedy(f, remedy, sizeof(remedy)), service(a));
		break;
	case MT_REASON_RISK_MADE_PRIVATE:
		snprintf(buf, len, "making %s's mounts slaves (MS_SLAVE) rather than private",
			 service(a));
		break;
	case MT_REASON_RISK_OTHER_GROUP:
		snprintf(buf, len, "making the copy a slave of the original's group (MS_SLAVE after "
			 "the copy) or by keeping %s from creating its own mount namespace",
			 service(a));
		break;
	default:
		if (f->kind != MT_FIND_LEAK && !(f->kind == MT_FIND_DETACHED && f->leak_id))
			return NULL;
		mt_finding_remedy(f, buf, len);
		break;
	}
	return buf;
}

/* The risk reasons end in "; prevent it by <prevention>.", a leak found
 * by a snapshot in "; prevent the next one by <prevention>." */
static const char *with_prevention(const struct mt_finding *f, char *buf, size_t len)
{
	bool gone = f->reason_code == MT_REASON_LEAK_ORIGINAL_GONE;
	char prevent[768];
	size_t n = strlen(buf);

	if ((f->kind != MT_FIND_RISK && !gone) ||
	    !mt_finding_prevention(f, prevent, sizeof(prevent)) || !n || buf[n - 1] != '.')
		return buf;
	snprintf(buf + n - 1, len - (n - 1), "; prevent %s by %s.", gone ? "the next one" : "it",
		 prevent);
	return buf;
}

const char *mt_finding_reason(const struct mt_finding *f, char *buf, size_t len)
{
	return with_prevention(f, (char *)mt_finding_why(f, buf, len), len);
}

const char *mt_finding_why(const struct mt_finding *f, char *buf, size_t len)
{
	const struct mt_reason_args *a = &f->why;
	const char *path = a->path ? a->path : "the path";
	char whom[200];

	who(a, whom, sizeof(whom));
	switch (f->reason_code) {
	case MT_REASON_RISK_PRIVATE_ORIGINAL:
		snprintf(buf, len, "%s made mnt:[%u] with a copy of this overlay that is private, "
			 "because the original in mnt:[%u] is private%s, so the runtime's "
			 "umount will not reach the copy and it will leak.", whom, a->copy_ns,
			 a->orig_ns,
			 a->orig_private_parent ? " under a private parent (a private graph root)" : "");
		break;
	case MT_REASON_RISK_MADE_PRIVATE:
		snprintf(buf, len, "%s holds a private copy of this overlay in mnt:[%u] although the "
			 "original in mnt:[%u] is %s (the copy was made private, MS_PRIVATE), "
			 "so the runtime's umount will not reach it.",
			 whom, a->copy_ns, a->orig_ns, a->orig_prop);
		break;
	case MT_REASON_RISK_OTHER_GROUP:
		snprintf(buf, len, "%s holds a copy of this overlay in mnt:[%u] that is %s, a peer "
			 "group the original (%s in mnt:[%u]) does not propagate to, so the "
			 "runtime's umount will not reach it.",
			 whom, a->copy_ns, a->copy_prop, a->orig_prop, a->orig_ns);
		break;
	case MT_REASON_LEAK_UNREACHED:
		snprintf(buf, len, "the umount in mnt:[%u] did not reach the copy in mnt:[%u] "
			 "(made by %s), which is still mounted.", a->caller_ns, a->copy_ns, whom);
		break;
	case MT_REASON_LEAK_PRIVATE_COPY:
		snprintf(buf, len, "the copy in mnt:[%u] (made by %s) is private, so the umount in "
			 "mnt:[%u] could not propagate to it%s.", a->copy_ns, whom, a->caller_ns,
			 a->orig_private ? " (the unmounted original was private too)" : "");
		break;
	case MT_REASON_LEAK_PRIVATE_ORIGINAL:
		snprintf(buf, len, "the unmounted mount in mnt:[%u] was private, so its umount "
			 "propagated nowhere and the copy in mnt:[%u] (%s, made by %s) stays.",
			 a->caller_ns, a->copy_ns, a->copy_prop, whom);
		break;
	case MT_REASON_LEAK_OTHER_GROUP:
		snprintf(buf, len, "the copy in mnt:[%u] (made by %s) is %s, outside the peer group "
			 "(%s) that the umount in mnt:[%u] propagated to.", a->copy_ns, whom,
			 a->copy_prop, a->orig_prop, a->caller_ns);
		break;
	case MT_REASON_LEAK_NOT_MOUNTED_HERE:
		snprintf(buf, len, "%s is not mounted in the caller's namespace mnt:[%u], but the "
			 "overlay is still mounted in mnt:[%u] (made by %s), which an umount "
			 "from here cannot reach (e.g. a daemon restarted into a new mount "
			 "namespace lost sight of it).", path, a->caller_ns, a->copy_ns, whom);
		break;
	case MT_REASON_LEAK_ORIGINAL_GONE:
		snprintf(buf, len, "%s is no longer mounted in mnt:[%u] (the runtime's namespace), "
			 "which still sees its directory, but mnt:[%u] (made by %s) holds a copy "
			 "that is %s, so the umount did not reach it and it leaked before mnttrace "
			 "looked.", path, a->orig_ns, a->copy_ns, whom, a->copy_prop);
		break;
	case MT_REASON_BUSY_HERE:
		snprintf(buf, len, "%s is busy in the caller's own namespace mnt:[%u]: pid %u (%s) "
			 "has its %s at %s.", path, a->caller_ns, a->user_pid, a->user_comm,
			 a->user_what, a->user_path ? a->user_path : "?");
		break;
	case MT_REASON_BUSY_COPY:
		snprintf(buf, len, "the umount of %s in mnt:[%u] must also remove its propagated "
			 "copy in mnt:[%u] (%s), and that copy is busy: pid %u (%s) has its %s "
			 "at %s.", path, a->caller_ns, a->copy_ns, a->copy_prop, a->user_pid,
			 a->user_comm, a->user_what, a->user_path ? a->user_path : "?");
		break;
	case MT_REASON_BUSY_UNKNOWN:
		snprintf(buf, len, "%s or one of its %d propagated copies is busy, but no process "
			 "has its cwd, root or an open file below it (a submount, or a "
			 "process that has gone since).", path, a->count);
		break;
	case MT_REASON_RMDIR_MOUNTED_HERE:
		snprintf(buf, len, "%s is still mounted in the caller's own namespace mnt:[%u] "
			 "(mount id %u): unmount it before removing the directory.",
			 path, a->caller_ns, a->mnt_id);
		break;
	case MT_REASON_RMDIR_MOUNTED_ELSEWHERE:
		snprintf(buf, len, "%s is still mounted in mnt:[%u] (a copy that leaked there), and "
			 "this kernel refuses to remove a mountpoint of any namespace "
			 "(Linux < 3.18, or RHEL 7 with fs.may_detach_mounts=0).", path, a->copy_ns);
		break;
	case MT_REASON_DETACHED_BY_RMDIR: {
		char lost[400];

		/* what was really lost: a copy in use, or one nobody used */
		if (a->user_pid)
			snprintf(lost, sizeof(lost), "pid %u (%s) had its %s there (%s) and is "
				 "now left in a detached tree", a->user_pid, a->user_comm,
				 a->user_what, a->user_path ? a->user_path : "?");
		else
			snprintf(lost, sizeof(lost), "no process there was using that copy, so "
				 "only the leaked mount went");
		snprintf(buf, len, "%s of %s in mnt:[%u] succeeded and the kernel lazily unmounted "
			 "the overlay still mounted there in %d other namespace%s (Linux >= 3.18 "
			 "detaches mounts on a removed directory): %s.", f->op ? f->op : "rmdir",
			 path, a->caller_ns, a->count, a->count == 1 ? "" : "s", lost);
		break;
	}
	case MT_REASON_DETACHED_BUSY_BY_LAZY_UMOUNT:
		snprintf(buf, len, "the lazy umount (MNT_DETACH) of %s in mnt:[%u] propagated to the "
			 "copy in mnt:[%u] (%s) although it was busy: pid %u (%s) had its %s there "
			 "(%s)%s and is now left in a detached tree (its path reads \"/\", new "
			 "files there are lost with it); a non-lazy umount would have failed with "
			 "EBUSY instead.", path, a->caller_ns, a->copy_ns, a->copy_prop, a->user_pid,
			 a->user_comm, a->user_what, a->user_path ? a->user_path : "?",
			 a->count > 1 ? ", with other processes" : "");
		break;
	case MT_REASON_UPPER_IN_USE:
		snprintf(buf, len, "upperdir/workdir %s is still in use by the overlay mounted at %s "
			 "in mnt:[%u]%s; %s", a->dir ? a->dir : "?", path, a->copy_ns,
			 a->copy_leaked ? " (a leaked copy)" : "",
			 f->err ? "with index=on overlayfs refuses a second mount on it." :
			 "with index=off overlayfs only warns, and two overlays sharing an "
			 "upper/workdir is undefined behaviour.");
		break;
	default:
		snprintf(buf, len, "(no reason recorded)");
		break;
	}
	return buf;
}

/* @s for a shell: as is when plain, else in single quotes. */
static const char *shell_word(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-:+,@=")] == '\0')
		return s;
	buf[o++] = '\'';
	for (; *s && o + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			buf[o++] = *s;
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* The first listed process of @h that has something below the copy. */
static const struct mt_finding_pid *user_of(const struct mt_finding_holder *h)
{
	for (int i = 0; i < h->nr_pids; i++)
		if (h->pids[i].holds[0])
			return &h->pids[i];
	return NULL;
}

/* Stop process @p: its unit when it has one, else the pid. */
static int stop_cmd(const struct mt_finding_pid *p, char *buf, size_t len)
{
	if (p->unit[0])
		return snprintf(buf, len, "systemctl restart %s (pid %u %s)", p->unit, p->pid,
				p->comm);
	return snprintf(buf, len, "kill %u (%s)", p->pid, p->comm);
}

/*
 * What releases holder @h's copy now. A plain umount, not umount -l: with
 * a process still in the copy it fails with EBUSY instead of leaving that
 * process in a detached tree (issue 8, defect 4).
 */
static int holder_release(const struct mt_finding *f, const struct mt_finding_holder *h,
			  char *buf, size_t len)
{
	const struct mt_finding_pid *user = user_of(h);
	char q[600];
	const char *path;

	if (h->gone) {
		/* detached already: what is left to do is for who lost it */
		if (!user)
			return snprintf(buf, len, "nothing to release in mnt:[%u]", h->mnt_ns);
		return stop_cmd(user, buf, len);
	}
	path = shell_word(h->path ? h->path : (f->path ? f->path : "?"), q, sizeof(q));
	if (user) {
		int n = stop_cmd(user, buf, len);

		if (n < 0 || (size_t)n >= len)
			return n;
		return n + snprintf(buf + n, len - (size_t)n, ", which has its %s there, then "
				    "umount %s in mnt:[%u]", user->holds, path, h->mnt_ns);
	}
	if (h->initial_ns)
		return snprintf(buf, len, "umount %s", path);
	if (h->nr_pids)
		return snprintf(buf, len, "nsenter -t %u -m umount %s", h->pids[0].pid, path);
	for (int i = 0; i < h->nr_kept_by; i++) {
		const struct mt_keeper *k = &h->kept_by[i];

		if (!k->is_fd)
			return snprintf(buf, len, "umount %s in mnt:[%u] (the nsfs mount that "
					"keeps mnt:[%u] alive)", k->path, k->mnt_ns, h->mnt_ns);
		return snprintf(buf, len, "close fd %d of pid %u %s (or kill %u), which keeps "
				"mnt:[%u] alive", k->fd, k->pid, k->comm, k->pid, h->mnt_ns);
	}
	return snprintf(buf, len, "nothing to run: no process left in mnt:[%u]", h->mnt_ns);
}

const char *mt_finding_release_one(const struct mt_finding *f, int i, char *buf, size_t len)
{
	buf[0] = '\0';
	if (i >= 0 && i < f->nr_holders)
		holder_release(f, &f->holders[i], buf, len);
	return buf;
}

const char *mt_finding_release(const struct mt_finding *f, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < f->nr_holders && o + 3 < len; i++) {
		int n;

		if (i) {
			memcpy(buf + o, "; ", 3);
			o += 2;
		}
		n = holder_release(f, &f->holders[i], buf + o, len - o);
		if (n < 0)
			break;
		o += (size_t)n < len - o ? (size_t)n : len - o - 1;
	}
	return buf;
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

void mt_keeper_json(struct mt_json *j, const struct mt_keeper *k)
{
	mt_json_obj_begin(j, NULL);
	if (k->is_fd) {
		mt_json_str(j, "kind", "fd");
		mt_json_uint(j, "pid", k->pid);
		mt_json_str(j, "comm", nonempty(k->comm));
		mt_json_int(j, "fd", k->fd);
	} else {
		mt_json_str(j, "kind", "nsfs_mount");
		mt_json_str(j, "path", k->path);
		mt_json_uint(j, "mnt_ns", k->mnt_ns);
	}
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
	if (h->initial_ns)
		mt_json_bool(j, "initial_namespace", true);
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
	if (h->nr_kept_by) {
		mt_json_arr_begin(j, "kept_by");
		for (int i = 0; i < h->nr_kept_by; i++)
			mt_keeper_json(j, &h->kept_by[i]);
		mt_json_arr_end(j);
	}
	mt_json_obj_end(j);
}

const char *mt_incomplete_reason(enum mt_incomplete why)
{
	switch (why) {
	case MT_INCOMPLETE_LOST:
		return "records were lost (ring buffer or stash full) around the event that "
		       "raised it: what they said is missing from these facts";
	case MT_INCOMPLETE_REREAD:
		return "found by the re-read of /proc after records were lost: the calls "
		       "that led here, and who made a namespace, may be among them";
	case MT_INCOMPLETE_NO_REREAD:
		return "records were lost before it and /proc could not be re-read since";
	default:
		return NULL;
	}
}

int mt_finding_json(struct mt_json *j, const struct mt_finding *f,
		    __s64 wall_offset_ns)
{
	char tbuf[32], reason[1024];

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
	if (f->nr_lower_layers) {
		mt_json_arr_begin(j, "lower_layers");
		for (int i = 0; i < f->nr_lower_layers; i++)
			mt_json_str(j, NULL, f->lower_layers[i]);
		mt_json_arr_end(j);
	}
	mt_json_str(j, "container_id", f->container_id);
	mt_json_str(j, "layer_id", f->layer_id);
	mt_json_str(j, "id_source", f->id_source);
	mt_json_str(j, "container_name", f->container_name);
	mt_json_str(j, "image", f->image);
	mt_json_str(j, "runtime", f->runtime);
	mt_json_obj_end(j);
	mt_json_arr_begin(j, "holders");
	for (int i = 0; i < f->nr_holders; i++)
		json_holder(j, &f->holders[i], wall_offset_ns);
	mt_json_arr_end(j);
	if (f->holders_truncated)
		mt_json_bool(j, "holders_truncated", true);
	mt_json_str(j, "reason_code", mt_reason_name(f->reason_code));
	mt_json_str(j, "reason", mt_finding_reason(f, reason, sizeof(reason)));
	if (f->nr_holders)
		mt_json_str(j, "release", mt_finding_release(f, reason, sizeof(reason)));
	if (f->incomplete) {
		mt_json_bool(j, "incomplete", true);
		mt_json_str(j, "incomplete_reason", mt_incomplete_reason(f->incomplete));
	}
	return mt_json_end_line(j);
}
