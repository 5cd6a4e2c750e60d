// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "sysenv.h"

#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"
#define TRACEFS_MAGIC_NR 0x74726163

static const char *tracefs = TRACEFS;

static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

int mt_check_privileges(void)
{
	/* CAP_BPF and CAP_PERFMON (5.8+) suffice; CAP_SYS_ADMIN covers both */
	bool bpf = has_cap(CAP_BPF), perfmon = has_cap(CAP_PERFMON);

	if (has_cap(CAP_SYS_ADMIN) || (bpf && perfmon))
		return 0;
	/* name what is missing: a user with one of the two asks why */
	fprintf(stderr, "mnttrace: error: not enough privileges to load BPF programs: missing "
		"%s%s%s, and no CAP_SYS_ADMIN (run as root: sudo mnttrace, or grant CAP_BPF, "
		"CAP_PERFMON and CAP_SYS_ADMIN)\n", bpf ? "" : "CAP_BPF",
		!bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	return -EPERM;
}

int mt_check_btf(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0)
		return 0;
	fprintf(stderr, "mnttrace: error: this kernel has no BTF (/sys/kernel/btf/vmlinux: %s) "
		"(use a kernel built with CONFIG_DEBUG_INFO_BTF=y, as Debian's are since 5.10)\n",
		strerror(errno));
	return -ENOENT;
}

static bool is_tracefs(const char *dir)
{
	struct statfs st;
	char events[256];

	snprintf(events, sizeof(events), "%s/events", dir);
	return statfs(dir, &st) == 0 && (unsigned long)st.f_type == TRACEFS_MAGIC_NR &&
	       access(events, F_OK) == 0;
}

int mt_ensure_tracefs(int verbose)
{
	if (is_tracefs(TRACEFS)) {
		tracefs = TRACEFS;
		return 0;
	}
	/* libbpf looks here first when debugfs is mounted */
	if (is_tracefs(DEBUGFS_TRACING)) {
		tracefs = DEBUGFS_TRACING;
		return 0;
	}
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL)) {
		int err = -errno;

		fprintf(stderr, "mnttrace: error: tracefs is not mounted and mounting it on %s failed: %s "
			"(mount it: mount -t tracefs nodev %s)\n", TRACEFS, strerror(-err), TRACEFS);
		return err;
	}
	if (verbose)
		fprintf(stderr, "mnttrace: mounted tracefs on %s (syscall tracepoints need it)\n",
			TRACEFS);
	tracefs = TRACEFS;
	return 0;
}

const char *mt_tracefs_dir(void)
{
	return tracefs;
}

bool mt_tracepoint_exists(const char *category, const char *event)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs, category, event);
	return access(path, F_OK) == 0;
}

bool mt_kprobes_available(void)
{
	char path[512];

	/* the kprobe PMU (4.17+) or the legacy kprobe_events file */
	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0)
		return true;
	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	return access(path, F_OK) == 0;
}

const char *mt_lockdown_hint(const char *secdir, char *buf, size_t len)
{
	char path[512], state[128] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/lockdown", secdir);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(state, sizeof(state), f))
			state[0] = '\0';
		fclose(f);
		state[strcspn(state, "\n")] = '\0';
		snprintf(buf, len, "%s says \"%s\": the bracketed mode is in force", path,
			 state);
		return buf;
	}
	/* the file lives in securityfs, which not every system mounts (6.18 here) */
	snprintf(buf, len, "%s does not exist, as securityfs is not mounted: mount it "
		 "(mount -t securityfs securityfs %s) and read that file, or look for "
		 "lockdown= in the kernel command line (/proc/cmdline)", path, secdir);
	return buf;
}
