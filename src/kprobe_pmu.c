// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <linux/perf_event.h>

#include "kprobe_pmu.h"

#define PMU_DIR "/sys/bus/event_source/devices/kprobe"

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok = f && fgets(buf, (int)len, f);

	if (f)
		fclose(f);
	return ok;
}

bool mt_kprobe_pmu(int *type, int *retprobe_bit)
{
	char buf[64];

	/* format/retprobe reads "config:0" (6.1, 6.12, 7.2) */
	return read_line(PMU_DIR "/type", buf, sizeof(buf)) && sscanf(buf, "%d", type) == 1 &&
	       read_line(PMU_DIR "/format/retprobe", buf, sizeof(buf)) &&
	       sscanf(buf, "config:%d", retprobe_bit) == 1 && *retprobe_bit >= 0 &&
	       *retprobe_bit < 64;
}

int mt_kprobe_open(int type, int retprobe_bit, const char *func, bool ret)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = (__u32)type;
	attr.config = ret ? 1ULL << retprobe_bit : 0;
	attr.config1 = (__u64)(uintptr_t)func;	/* kprobe_func */
	attr.disabled = 1;	/* the BPF attach enables it */
	/* as libbpf opens them: every task, one cpu (the probe fires on all) */
	fd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}
