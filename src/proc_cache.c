// SPDX-License-Identifier: GPL-2.0
/* Each /proc look-up of one run made once (proc_cache.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "proc_cache.h"

struct proc {
	struct htab_node node;	/* by pid */
	__u32 pid;
	struct mt_proc_link *links;
	int nr_links;		/* or -errno (the process was gone) */
	bool links_read, start_read, cmdline_read;
	signed char kthread;	/* 1, 0, -1 not read yet */
	int start_err;
	__u64 start_ns;
	char cmdline[MT_PROC_CACHE_CMDLINE];
};

struct mt_proc_cache {
	const char *proc_root;
	struct htab by_pid;
};

struct mt_proc_cache *mt_proc_cache__new(const char *proc_root)
{
	struct mt_proc_cache *c = calloc(1, sizeof(*c));

	if (c)
		c->proc_root = proc_root;
	return c;
}

void mt_proc_cache__free(struct mt_proc_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->by_pid.nb; i++)
		for (struct htab_node *n = c->by_pid.b[i], *next; n; n = next) {
			struct proc *p = container_of(n, struct proc, node);

			next = n->next;
			if (p->nr_links > 0)
				mt_proc_links_free(p->links, p->nr_links);
			free(p);
		}
	htab_free(&c->by_pid);
	free(c);
}

/* @pid's entry, made on first sight; NULL when out of memory. */
static struct proc *proc_of(struct mt_proc_cache *c, __u32 pid)
{
	struct proc *p;

	for (struct htab_node *n = htab_first(&c->by_pid, pid); n; n = htab_next(n, pid))
		if (container_of(n, struct proc, node)->pid == pid)
			return container_of(n, struct proc, node);
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->kthread = -1;
	if (htab_add(&c->by_pid, &p->node, pid)) {
		free(p);
		return NULL;
	}
	return p;
}

int mt_proc_cache__uses(struct mt_proc_cache *c, __u32 pid, const char *dir, __u32 dev,
			struct mt_use *uses, int max)
{
	struct proc *p = proc_of(c, pid);

	if (!p)
		return mt_proc_uses(c->proc_root, pid, dir, dev, uses, max);
	if (!p->links_read) {
		p->nr_links = mt_proc_links(c->proc_root, pid, &p->links);
		if (p->nr_links == -ENOMEM)	/* no answer kept: ask again next time */
			return -ENOMEM;
		p->links_read = true;
	}
	if (p->nr_links < 0)
		return p->nr_links;
	return mt_proc_links_match(c->proc_root, pid, p->links, p->nr_links, dir, dev, uses,
				   max);
}

int mt_proc_cache__start_ns(struct mt_proc_cache *c, __u32 pid, __u64 *ns)
{
	struct proc *p = proc_of(c, pid);

	if (!p)
		return mt_proc_start_ns(c->proc_root, pid, ns);
	if (!p->start_read) {
		p->start_err = mt_proc_start_ns(c->proc_root, pid, &p->start_ns);
		p->start_read = true;
	}
	if (!p->start_err)
		*ns = p->start_ns;
	return p->start_err;
}

bool mt_proc_cache__is_kthread(struct mt_proc_cache *c, __u32 pid)
{
	struct proc *p = proc_of(c, pid);

	if (!p)
		return mt_proc_is_kthread(c->proc_root, pid);
	if (p->kthread < 0)
		p->kthread = mt_proc_is_kthread(c->proc_root, pid);
	return p->kthread;
}

void mt_proc_cache__cmdline(struct mt_proc_cache *c, __u32 pid, char *buf, size_t size)
{
	struct proc *p = size == MT_PROC_CACHE_CMDLINE ? proc_of(c, pid) : NULL;

	/* a shorter cut is not a prefix of the kept one (trailing NULs) */
	if (!p) {
		mt_proc_cmdline(c->proc_root, pid, buf, size);
		return;
	}
	if (!p->cmdline_read) {
		mt_proc_cmdline(c->proc_root, pid, p->cmdline, sizeof(p->cmdline));
		p->cmdline_read = true;
	}
	memcpy(buf, p->cmdline, sizeof(p->cmdline));
}

/* ---- as a proc_ops.h table ---- */

static int cached_uses(void *ctx, __u32 pid, const char *dir, __u32 dev, struct mt_use *uses,
		       int max)
{
	return mt_proc_cache__uses(ctx, pid, dir, dev, uses, max);
}

static int cached_start_ns(void *ctx, __u32 pid, __u64 *ns)
{
	return mt_proc_cache__start_ns(ctx, pid, ns);
}

static bool cached_is_kthread(void *ctx, __u32 pid)
{
	return mt_proc_cache__is_kthread(ctx, pid);
}

static void *live_ctx(void *ctx)
{
	return (void *)((struct mt_proc_cache *)ctx)->proc_root;
}

static int pass_ns_alive(void *ctx, __u32 ino, __u64 id, struct mt_ns_keepers *out)
{
	return mt_proc_live.ns_alive(live_ctx(ctx), ino, id, out);
}

static int pass_cgroup(void *ctx, __u32 pid, char *buf, size_t size)
{
	return mt_proc_live.cgroup(live_ctx(ctx), pid, buf, size);
}

static bool pass_pid_exists(void *ctx, __u32 pid)
{
	return mt_proc_live.pid_exists(live_ctx(ctx), pid);
}

static __u64 pass_now_ns(void *ctx)
{
	return mt_proc_live.now_ns(live_ctx(ctx));
}

static bool pass_owner(void *ctx, struct mt_runtime_meta *rm, const char *merged,
		       const char *upper, struct mt_ctr_meta *out)
{
	return mt_proc_live.owner(live_ctx(ctx), rm, merged, upper, out);
}

static int pass_lower_layers(void *ctx, struct mt_runtime_meta *rm, const char *lowerdir,
			     const char *upper, char ***out)
{
	return mt_proc_live.lower_layers(live_ctx(ctx), rm, lowerdir, upper, out);
}

const struct mt_proc_ops mt_proc_cached = {
	.ns_alive = pass_ns_alive,
	.cgroup = pass_cgroup,
	.pid_exists = pass_pid_exists,
	.uses = cached_uses,
	.start_ns = cached_start_ns,
	.is_kthread = cached_is_kthread,
	.now_ns = pass_now_ns,
	.owner = pass_owner,
	.lower_layers = pass_lower_layers,
};
