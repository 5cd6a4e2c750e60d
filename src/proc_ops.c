// SPDX-License-Identifier: GPL-2.0
/* The live /proc look-ups of proc_ops.h. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "proc_ops.h"

static int live_ns_alive(void *ctx, __u32 ino, __u64 id, struct mt_ns_keepers *out)
{
	return mt_ns_alive(ctx, ino, id, out);
}

static int live_cgroup(void *ctx, __u32 pid, char *buf, size_t size)
{
	return mt_proc_cgroup(ctx, pid, buf, size);
}

static bool live_pid_exists(void *ctx, __u32 pid)
{
	char path[4096 + 16];

	snprintf(path, sizeof(path), "%s/%u", (const char *)ctx, pid);
	return access(path, F_OK) == 0;
}

static int live_uses(void *ctx, __u32 pid, const char *dir, __u32 dev, struct mt_use *uses,
		     int max)
{
	return mt_proc_uses(ctx, pid, dir, dev, uses, max);
}

static int live_start_ns(void *ctx, __u32 pid, __u64 *ns)
{
	return mt_proc_start_ns(ctx, pid, ns);
}

static bool live_is_kthread(void *ctx, __u32 pid)
{
	return mt_proc_is_kthread(ctx, pid);
}

static __u64 live_now_ns(void *ctx)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec;
}

static bool live_owner(void *ctx, struct mt_runtime_meta *rm, const char *merged,
		       const char *upper, struct mt_ctr_meta *out)
{
	return mt_runtime_meta__resolve(rm, merged, upper, out);
}

static int live_lower_layers(void *ctx, struct mt_runtime_meta *rm, const char *lowerdir,
			     const char *upper, char ***out)
{
	return mt_lower_layers(rm, lowerdir, upper, out);
}

const struct mt_proc_ops mt_proc_live = {
	.ns_alive = live_ns_alive,
	.cgroup = live_cgroup,
	.pid_exists = live_pid_exists,
	.uses = live_uses,
	.start_ns = live_start_ns,
	.is_kthread = live_is_kthread,
	.now_ns = live_now_ns,
	.owner = live_owner,
	.lower_layers = live_lower_layers,
};
