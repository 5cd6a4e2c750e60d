// SPDX-License-Identifier: GPL-2.0
/* Evidence bundles for --record (evidence.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "procinfo.h"
#include "recfile.h"

#define PROC "/proc"
#define MAX_PROCS 64		/* processes (holders and ancestors) described */
#define PIDS_PER_HOLDER 8
#define SYSTEMCTL_TIMEOUT_MS 2000

bool mt_evidence_wanted(const struct mt_finding *f)
{
	return f->kind == MT_FIND_EBUSY || f->kind == MT_FIND_LEAK ||
	       f->kind == MT_FIND_DETACHED;
}

/* A small file's contents, NULs (cmdline) as spaces, no trailing newline. */
static int slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	/* one line per fact: argument breaks become spaces, controls '?' */
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
		else if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	return (int)n;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* ---- host facts ---- */

static void host_facts(FILE *o)
{
	static const char *const ovl[] = { "index", "redirect_dir", "metacopy", "xino_auto" };
	struct utsname u = {};
	char v[256];

	uname(&u);
	fprintf(o, "host: kernel %s, hostname %s\n", u.release, u.nodename);
	/* RHEL/CentOS 7 kernels only; upstream detaches on rmdir since 3.18 */
	if (slurp(PROC "/sys/fs/may_detach_mounts", v, sizeof(v)) >= 0)
		fprintf(o, "host: fs.may_detach_mounts = %s\n", v);
	else
		fprintf(o, "host: fs.may_detach_mounts absent (an upstream kernel: rmdir "
			"detaches mounts in other namespaces since 3.18)\n");
	for (size_t i = 0; i < sizeof(ovl) / sizeof(ovl[0]); i++) {
		char path[128];

		snprintf(path, sizeof(path), "/sys/module/overlay/parameters/%s", ovl[i]);
		if (slurp(path, v, sizeof(v)) >= 0)
			fprintf(o, "host: overlay module default %s = %s\n", ovl[i], v);
		else
			fprintf(o, "host: overlay module default %s unknown (%s unreadable: "
				"overlay not loaded yet?)\n", ovl[i], path);
	}
}

/* ---- holders ---- */

/* The lines of @pid's mountinfo for mount @mnt_id or mountpoint @path. */
static void mountinfo_lines(FILE *o, __u32 pid, __u32 mnt_id, const char *path)
{
	char fname[64], *line = NULL, id[16];
	size_t cap = 0;
	FILE *f;

	snprintf(fname, sizeof(fname), PROC "/%u/mountinfo", pid);
	f = fopen(fname, "re");
	if (!f) {
		fprintf(o, "  mountinfo of pid %u unreadable: %s\n", pid, strerror(errno));
		return;
	}
	snprintf(id, sizeof(id), "%u ", mnt_id);
	while (getline(&line, &cap, f) > 0) {
		char mp[4096] = "";

		line[strcspn(line, "\n")] = '\0';
		sscanf(line, "%*s %*s %*s %*s %4095s", mp);
		if ((mnt_id && strncmp(line, id, strlen(id)) == 0) ||
		    (path && strcmp(mp, path) == 0))
			fprintf(o, "  mountinfo (pid %u): %s\n", pid, line);
	}
	free(line);
	fclose(f);
}

struct procs {
	__u32 pid[MAX_PROCS];
	int nr;
};

static void add_with_ancestors(struct procs *ps, __u32 pid)
{
	for (int depth = 0; pid > 0 && depth < 32; depth++) {
		__u32 ppid = 0;
		bool seen = false;

		for (int i = 0; i < ps->nr; i++)
			seen |= ps->pid[i] == pid;
		if (seen || ps->nr == MAX_PROCS)
			return;
		ps->pid[ps->nr++] = pid;
		if (mt_proc_ppid(PROC, pid, &ppid))
			return;
		pid = ppid;
	}
}

static void describe_proc(FILE *o, __u32 pid, __u64 now)
{
	char comm[64], cmdline[1024], cg[1024], path[64];
	struct mt_cg_ident id = {};
	__u32 ppid = 0;
	__u64 start = 0;

	if (mt_proc_comm(PROC, pid, comm, sizeof(comm))) {
		fprintf(o, "process %u: gone\n", pid);
		return;
	}
	mt_proc_ppid(PROC, pid, &ppid);
	snprintf(path, sizeof(path), PROC "/%u/cmdline", pid);
	slurp(path, cmdline, sizeof(cmdline));
	if (mt_proc_cgroup(PROC, pid, cg, sizeof(cg)))
		cg[0] = '\0';
	mt_cgroup_ident(cg, &id);
	fprintf(o, "process %u: ppid %u, comm %s, cmdline \"%s\", cgroup %s", pid, ppid, comm,
		cmdline, cg[0] ? cg : "?");
	if (id.unit[0])
		fprintf(o, ", unit %s", id.unit);
	if (id.container_id[0])
		fprintf(o, ", container %s (%s)", id.container_id, id.runtime ? id.runtime : "?");
	if (!mt_proc_start_ns(PROC, pid, &start))
		fprintf(o, ", started %.1f s ago", (double)(now - start) / 1e9);
	fputc('\n', o);
}

static void holder(FILE *o, const struct mt_finding *f, const struct mt_finding_holder *h,
		   struct procs *ps, __u64 now)
{
	__u64 oldest = 0;

	fprintf(o, "holder mnt:[%u] mount %u at %s, %s (parent %s)%s\n", h->mnt_ns, h->mnt_id,
		h->path ? h->path : f->path, h->propagation,
		h->parent_propagation[0] ? h->parent_propagation : "?",
		h->gone ? ", no longer mounted" : "");
	for (int i = 0; i < h->nr_pids; i++) {
		__u64 ts;

		if (!mt_proc_start_ns(PROC, h->pids[i].pid, &ts) && (!oldest || ts < oldest))
			oldest = ts;
	}
	if (h->has_creator && !h->created_by.inferred)
		fprintf(o, "  age: %.1f s (made by %s pid %u)\n",
			(double)(now - h->created_by.ts_ns) / 1e9, h->created_by.comm,
			h->created_by.pid);
	else if (oldest)
		fprintf(o, "  age: at least %.1f s (its oldest listed process started then)\n",
			(double)(now - oldest) / 1e9);
	else
		fprintf(o, "  age: unknown (no process of it readable)\n");
	if (h->nr_pids)
		mountinfo_lines(o, h->pids[0].pid, h->mnt_id, h->path ? h->path : f->path);
	for (int i = 0; i < h->nr_kept_by; i++)
		fprintf(o, "  kept by %s\n", h->kept_by[i].is_fd ? "an open fd" : "an nsfs mount");
	for (int i = 0; i < h->nr_pids && i < PIDS_PER_HOLDER; i++)
		add_with_ancestors(ps, h->pids[i].pid);
}

/* ---- systemd units ---- */

/* `systemctl show UNIT -p ...`, never through a shell, at most 2 s. */
static void unit_settings(FILE *o, const char *unit)
{
	char *argv[] = { "systemctl", "show", "--no-pager", "-p", "MountFlags", "-p",
			 "PrivateTmp", "-p", "ProtectSystem", "-p", "PrivateMounts", "--",
			 (char *)unit, NULL };
	char out[1024];
	size_t len = 0;
	int pfd[2], status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(pfd[1], 1);
		if (null >= 0)
			dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	while (pid > 0 && len < sizeof(out) - 1) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, SYSTEMCTL_TIMEOUT_MS) <= 0)
			break;
		n = read(pfd[0], out + len, sizeof(out) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pfd[0]);
	out[len] = '\0';
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	for (char *s = out; *s; s++)
		if (*s == '\n' && s[1])
			*s = ' ';
	out[strcspn(out, "\n")] = '\0';
	fprintf(o, "unit %s: %s\n", unit, out[0] ? out : "(systemctl show gave nothing)");
}

static void units(FILE *o, const struct mt_finding *f)
{
	const char *seen[32];
	int nr = 0;

	if (access("/run/systemd/system", F_OK)) {
		fprintf(o, "units: systemd is not running (no /run/systemd/system): "
			"MountFlags=/PrivateTmp=/ProtectSystem=/PrivateMounts= not read\n");
		return;
	}
	for (int i = 0; i < f->nr_holders; i++)
		for (int k = 0; k < f->holders[i].nr_pids; k++) {
			const char *u = f->holders[i].pids[k].unit;
			bool dup = false;

			for (int j = 0; j < nr; j++)
				dup |= strcmp(seen[j], u) == 0;
			if (!u[0] || dup || nr == 32)
				continue;
			seen[nr++] = u;
			unit_settings(o, u);
		}
	if (!nr)
		fprintf(o, "units: no holder process belongs to a systemd unit\n");
}

void mt_evidence_write(struct mt_recorder *r, const struct mt_finding *f)
{
	struct procs ps = { .nr = 0 };
	struct mt_buf b = {};
	__u64 now = mono_ns();
	char *text = NULL;
	size_t len = 0;
	FILE *o;

	if (!r || !(o = open_memstream(&text, &len)))
		return;
	{
		time_t t = time(NULL);
		char when[64];

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
		fprintf(o, "finding #%llu %s %s, gathered %s\n", (unsigned long long)f->id,
			mt_finding_kind_name(f->kind), f->path ? f->path : "", when);
	}
	host_facts(o);
	for (int i = 0; i < f->nr_holders; i++)
		holder(o, f, &f->holders[i], &ps, now);
	for (int i = 0; i < ps.nr; i++)
		describe_proc(o, ps.pid[i], now);
	units(o, f);
	fclose(o);
	mt_buf_u64(&b, f->id);
	mt_buf_str(&b, mt_finding_kind_name(f->kind));
	mt_buf_str(&b, text);
	mt_recorder__frame(r, MT_FR_EVIDENCE, b.p, b.len);
	mt_buf_free(&b);
	free(text);
}
