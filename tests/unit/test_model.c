// SPDX-License-Identifier: GPL-2.0
/*
 * The model driven by synthetic record streams and fake /proc trees: the
 * four BACKGROUND.md scenarios in tracepoint-only and in fentry-style
 * record streams, and the cases that must stay quiet.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "testlib.h"
#include "model.h"
#include "nsscan.h"
#include "../fixtures/fixture.h"
#include "../fixtures/records.h"

#define HOST 4026531841u
#define SVC 4026532500u
#define SVC2 4026532700u
#define OLDD 4026532800u	/* the old daemon's namespace (scenario 4) */
#define NEWD 4026532900u
#define DEV 52u			/* 0:52 */
#define CID "3f2a9c0d1e5b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"
#define LAYER "/home/docker_rt/overlay2/" CID
#define MERGED LAYER "/merged"
#define UPPER LAYER "/diff"
#define WORK LAYER "/work"
#define LOWER "/home/docker_rt/overlay2/l/ABC:/home/docker_rt/overlay2/l/DEF"

/* ---- what the model reported ---- */

struct got_holder {
	__u32 ns;
	char prop[64], pprop[64];
	bool has_cr, gone, initial;
	__u32 cr_pid;
	char cr_comm[16];
	char cr_call[16];
	int nr_pids, total;
	__u32 pid0;
	char comm0[16], holds0[16];
};

struct got {
	enum mt_finding_kind kind;
	__u64 id, leak_id;
	char op[16];
	int err;
	char path[256], reason[1024], ctr[80], upper[256], release[1024];
	enum mt_reason code;
	enum mt_incomplete incomplete;
	int nr_holders;
	struct got_holder h[4];
	char json[8192];
	char text[8192];
};

struct env {
	char *root;
	struct mt_model *m;
	struct fx_sink s;
	struct got got[16];
	int n;
};

static void copy(char *dst, const char *src, size_t n)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static void collect(void *ctx, const struct mt_finding *f)
{
	struct env *e = ctx;
	struct got *g;
	struct mt_json j;
	FILE *mem;

	if (e->n == 16)
		return;
	g = &e->got[e->n++];
	memset(g, 0, sizeof(*g));
	g->kind = f->kind;
	g->id = f->id;
	g->leak_id = f->leak_id;
	copy(g->op, f->op, sizeof(g->op));
	g->err = f->err;
	copy(g->path, f->path, sizeof(g->path));
	mt_finding_reason(f, g->reason, sizeof(g->reason));
	mt_finding_release(f, g->release, sizeof(g->release));
	g->code = f->reason_code;
	g->incomplete = f->incomplete;
	copy(g->ctr, f->container_id, sizeof(g->ctr));
	copy(g->upper, f->upperdir, sizeof(g->upper));
	g->nr_holders = f->nr_holders;
	for (int i = 0; i < f->nr_holders && i < 4; i++) {
		const struct mt_finding_holder *h = &f->holders[i];
		struct got_holder *gh = &g->h[i];

		gh->ns = h->mnt_ns;
		copy(gh->prop, h->propagation, sizeof(gh->prop));
		copy(gh->pprop, h->parent_propagation, sizeof(gh->pprop));
		gh->has_cr = h->has_creator;
		gh->gone = h->gone;
		gh->initial = h->initial_ns;
		gh->cr_pid = h->created_by.pid;
		copy(gh->cr_comm, h->created_by.comm, sizeof(gh->cr_comm));
		copy(gh->cr_call, h->created_by.call, sizeof(gh->cr_call));
		gh->nr_pids = h->nr_pids;
		gh->total = h->total_pids;
		if (h->nr_pids) {
			gh->pid0 = h->pids[0].pid;
			copy(gh->comm0, h->pids[0].comm, sizeof(gh->comm0));
			copy(gh->holds0, h->pids[0].holds, sizeof(gh->holds0));
		}
	}
	mt_json_init_buf(&j, g->json, sizeof(g->json));
	mt_finding_json(&j, f, 0);
	mem = fmemopen(g->text, sizeof(g->text) - 1, "w");
	if (mem) {
		mt_finding_text(mem, f, 0);
		fclose(mem);
	}
}

/* as main.c does: a compact walk record is joined first */
static int feed(void *ctx, const struct mt_record *rec)
{
	static char joined[sizeof(struct mt_mount) + 4 * MT_STR_MAX + MT_DATA_MAX];
	struct mt_record r = *rec;

	mt_model__join(ctx, &r, joined, sizeof(joined));
	return mt_model__feed(ctx, &r);
}

static bool env_init(struct env *e, bool internals, bool no_rescan)
{
	memset(e, 0, sizeof(*e));
	e->root = fx_tmpdir();
	if (!e->root)
		return false;
	e->m = mt_model__new(&(struct mt_model_opts){
		.proc_root = e->root, .self_ns = HOST, .internals = internals,
		.no_rescan = no_rescan, .on_finding = collect, .ctx = e });
	e->s = (struct fx_sink){ .feed = feed, .ctx = e->m, .clock = 1000000 };
	return e->m != NULL;
}

static bool env_load(struct env *e)
{
	struct mt_snapshot *snap = mt_snapshot__new(e->root, &(struct mt_snap_opts){
		.mnttab_flags = MT_MNTTAB_OVERLAY_ONLY });
	int err;

	if (!snap)
		return false;
	err = mt_model__load(e->m, snap);
	mt_snapshot__free(snap);
	return err == 0;
}

static void env_fini(struct env *e)
{
	mt_model__free(e->m);
	fx_rmtree(e->root);
}

static int count(const struct env *e, enum mt_finding_kind kind)
{
	int n = 0;

	for (int i = 0; i < e->n; i++)
		n += e->got[i].kind == kind;
	return n;
}

static const struct got *find(const struct env *e, enum mt_finding_kind kind)
{
	for (int i = 0; i < e->n; i++)
		if (e->got[i].kind == kind)
			return &e->got[i];
	return NULL;
}

static void dump(const struct env *e)
{
	for (int i = 0; i < e->n; i++)
		mt_test_log("%s", e->got[i].json);
}

/* The host: systemd and dockerd; the overlay under a private graph root
 * (Docker 1.13) or under the shared /home (Docker 18.06). */
static void host_proc(struct env *e, bool shared)
{
	fx_proc(e->root, 1, "systemd", HOST, "/init.scope", NULL);
	fx_proc(e->root, 812, "dockerd", HOST, "/system.slice/docker.service", NULL);
	if (!shared) {
		fx_copy(e->root, "1/mountinfo", "mountinfo/docker-1.13-host.txt");
		return;
	}
	fx_write(e->root, "1/mountinfo", "%s",
		 "22 1 253:0 / / rw,relatime shared:1 - xfs /dev/root rw\n"
		 "61 22 253:2 / /home rw,relatime shared:30 - xfs /dev/home rw\n"
		 "240 61 0:52 / " MERGED " rw,relatime shared:109 - overlay overlay "
		 "rw,lowerdir=" LOWER ",upperdir=" UPPER ",workdir=" WORK "\n");
}

/* A model over a fake /proc with the host loaded (see host_proc). */
static bool host_env(struct env *e, bool internals, bool no_rescan, bool shared)
{
	if (!env_init(e, internals, no_rescan))
		return false;
	host_proc(e, shared);
	return env_load(e);
}

/* A model with .defer_work, as main.c runs it: /proc is read by
 * mt_model__work() only; the host loaded (private graph root). */
static bool deferred_env(struct env *e, mt_rescan_fn rescan)
{
	memset(e, 0, sizeof(*e));
	e->root = fx_tmpdir();
	if (!ASSERT_TRUE(e->root != NULL, "tmpdir"))
		return false;
	e->m = mt_model__new(&(struct mt_model_opts){
		.proc_root = e->root, .self_ns = HOST, .defer_work = true,
		.rescan = rescan, .on_finding = collect, .ctx = e });
	e->s = (struct fx_sink){ .feed = feed, .ctx = e->m, .clock = 1000000 };
	host_proc(e, false);
	return ASSERT_TRUE(env_load(e), "load");
}

/* What the service namespace's mountinfo shows now. */
static void svc_mountinfo(struct env *e, const char *ovl_line)
{
	fx_write(e->root, "1500/mountinfo",
		 "301 300 253:0 / / rw,relatime shared:120 master:1 - xfs /dev/root rw\n%s",
		 ovl_line ? ovl_line : "");
}

#define PRIVATE_COPY "312 311 0:52 / " MERGED " rw,relatime - overlay overlay " \
	"rw,lowerdir=" LOWER ",upperdir=" UPPER ",workdir=" WORK "\n"
#define SLAVE_COPY "312 310 0:52 / " MERGED " rw,relatime shared:122 master:109 - " \
	"overlay overlay rw,lowerdir=" LOWER ",upperdir=" UPPER ",workdir=" WORK "\n"

/* One overlay copy seen by a namespace walk, then the walk's end. */
struct walk {
	__u32 pid;
	const char *comm;
	__u32 ns;
	__u64 ns_id;
	__u32 mnt_id, group, master, pgroup, seq, trigger;
};

static void walk1(struct env *e, const struct walk *w)
{
	struct fx_hdr_args h = { .pid = w->pid, .comm = w->comm, .ns = w->ns,
				 .ns_id = w->ns_id };

	MNT(&e->s, .h = h, .op = MT_MNT_WALK, .mnt_ns = w->ns, .mnt_ns_id = w->ns_id,
	    .mnt_id = w->mnt_id, .parent_id = 311, .dev = DEV, .group = w->group,
	    .master = w->master, .pgroup = w->pgroup, .path = MERGED, .upper = UPPER,
	    .work = WORK, .lower = LOWER, .walk_seq = w->seq);
	NSREC(&e->s, .h = h, .op = MT_NS_WALK_DONE, .ns = w->ns, .ns_id = w->ns_id,
	      .walk_seq = w->seq, .trigger = w->trigger);
}

#define WALK(e, ...) walk1((e), &(struct walk){ __VA_ARGS__ })

/* httpd starts with PrivateTmp: unshare, then the walk of its namespace. */
static void httpd_unshare(struct env *e, __u32 group, __u32 master, __u32 pgroup)
{
	fx_proc(e->root, 1500, "httpd", SVC, "/system.slice/httpd.service", NULL);
	svc_mountinfo(e, group || master ? SLAVE_COPY : PRIVATE_COPY);
	SC(&e->s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST },
	   .call = MT_CALL_UNSHARE, .args = { 0x20000 }, .new_ns = SVC);
	WALK(e, .pid = 1500, .comm = "httpd", .ns = SVC, .mnt_id = 312, .group = group,
	     .master = master, .pgroup = pgroup, .seq = 1, .trigger = MT_CALL_UNSHARE);
}

/* An unrelated namespace copied from @from, its copy a slave of @master. */
static void other_unshare(struct env *e, __u32 pid, const char *comm, __u32 from,
			  __u32 ns, __u32 mnt_id, __u32 master, __u32 seq)
{
	SC(&e->s, .h = { .pid = pid, .comm = comm, .ns = from }, .call = MT_CALL_UNSHARE,
	   .new_ns = ns);
	WALK(e, .pid = pid, .comm = comm, .ns = ns, .mnt_id = mnt_id, .master = master,
	     .seq = seq, .trigger = MT_CALL_UNSHARE);
}

static void dockerd_umount(struct env *e, long long ret, __u64 flags)
{
	SC(&e->s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST },
	   .call = MT_CALL_UMOUNT2, .ret = ret, .path = MERGED, .args = { 0, flags });
}

/* ---- scenario 1: private graph root (Docker 1.13) ---- */

/* Scenario 1 up to the copy: a private graph root, httpd's private copy. */
static bool private_copy_env(struct env *e, bool internals, bool no_rescan)
{
	if (!host_env(e, internals, no_rescan, false))
		return false;
	httpd_unshare(e, 0, 0, 0);
	return true;
}

TEST(model_scenario1_private_root_tracepoint)
{
	const struct got *risk, *leak, *det;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, false, false), "env"))
		return;
	ASSERT_EQ(e.n, 0, "nothing at start-up");

	httpd_unshare(&e, 0, 0, 0);
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "one risk at copy time");
	risk = find(&e, MT_FIND_RISK);
	if (risk) {
		ASSERT_STREQ(risk->op, "unshare", "risk op");
		ASSERT_STREQ(risk->path, MERGED, "risk path");
		ASSERT_STREQ(risk->ctr, CID, "container id");
		ASSERT_EQ(risk->h[0].ns, SVC, "holder ns");
		ASSERT_STREQ(risk->h[0].prop, "private", "copy private");
		ASSERT_EQ(risk->h[0].cr_pid, 1500, "creator pid");
		ASSERT_STREQ(risk->h[0].cr_comm, "httpd", "creator comm");
		ASSERT_EQ(risk->code, MT_REASON_RISK_PRIVATE_ORIGINAL, "reason code");
		ASSERT_TRUE(strstr(risk->reason, "httpd.service") != NULL, "names the unit");
	}

	/* systemd turns the namespace into slaves: re-walk, no second risk */
	SC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = SVC }, .call = MT_CALL_MOUNT,
	   .path = "/", .args = { 0, 0, 0, 0x4000 | 0x80000 });
	WALK(&e, .pid = 1500, .comm = "httpd", .ns = SVC, .mnt_id = 312, .seq = 2,
	     .trigger = MT_CALL_MOUNT);
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "once per (namespace, overlay)");

	dockerd_umount(&e, 0, 2 /* MNT_DETACH */);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "exactly one leak");
	leak = find(&e, MT_FIND_LEAK);
	if (leak && ASSERT_EQ(leak->nr_holders, 1, "one holder")) {
		ASSERT_STREQ(leak->op, "umount2", "op");
		ASSERT_EQ(leak->err, 0, "umount succeeded");
		ASSERT_EQ(leak->h[0].ns, SVC, "holder namespace");
		ASSERT_STREQ(leak->h[0].prop, "private", "propagation");
		ASSERT_STREQ(leak->h[0].pprop, "private", "parent propagation");
		ASSERT_EQ(leak->h[0].cr_pid, 1500, "created_by pid");
		ASSERT_STREQ(leak->h[0].cr_call, "unshare", "created_by call");
		ASSERT_EQ(leak->h[0].pid0, 1500, "pids");
		ASSERT_STREQ(leak->h[0].comm0, "httpd", "pid comm");
		ASSERT_EQ(leak->code, MT_REASON_LEAK_PRIVATE_COPY, "reason code");
		ASSERT_STREQ(leak->upper, UPPER, "upperdir");
		ASSERT_STREQ(leak->release, "nsenter -t 1500 -m umount " MERGED,
			     "the command that releases the copy");
		ASSERT_TRUE(strstr(leak->text, "    fix:     nsenter -t 1500 -m umount " MERGED "\n")
			    != NULL, "the text's fix line");
		ASSERT_TRUE(strstr(leak->json, "\"release\":\"nsenter -t 1500") != NULL, "JSON too");
	}

	/* modern kernel: rmdir succeeds and detaches the leaked copy */
	svc_mountinfo(&e, NULL);
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_UNLINKAT,
	   .path = "merged", .base = LAYER, .args = { (__u64)-100, 0, 0x200 });
	ASSERT_EQ(count(&e, MT_FIND_DETACHED), 1, "detached");
	det = find(&e, MT_FIND_DETACHED);
	if (det && leak) {
		ASSERT_EQ(det->leak_id, leak->id, "tied to the leak");
		ASSERT_STREQ(det->op, "unlinkat", "op");
		ASSERT_EQ(det->h[0].ns, SVC, "detached from the service ns");
		ASSERT_TRUE(det->h[0].gone, "marked detached");
		ASSERT_STREQ(det->release, "nothing to release in mnt:[4026532500]", "nothing to do");
		/* httpd's cwd and root are "/": it never used the copy */
		ASSERT_TRUE(strstr(det->reason, "no process there was using") != NULL,
			    "says the copy was unused");
		ASSERT_TRUE(strstr(det->reason, "lost that container rootfs") == NULL,
			    "no lost rootfs");
	}
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_scenario1_old_kernel_ebusy_rmdir)
{
	const struct got *leak, *busy;
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, false), "env"))
		return;
	dockerd_umount(&e, 0, 2);
	/* Linux 3.10 / may_detach_mounts=0: EBUSY, the copy stays */
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_RMDIR,
	   .ret = -EBUSY, .path = MERGED);
	leak = find(&e, MT_FIND_LEAK);
	busy = find(&e, MT_FIND_EBUSY);
	if (ASSERT_TRUE(leak && busy, "leak then ebusy")) {
		ASSERT_EQ(busy->leak_id, leak->id, "ebusy tied to the leak");
		ASSERT_STREQ(busy->op, "rmdir", "op");
		ASSERT_EQ(busy->err, EBUSY, "errno");
		ASSERT_EQ(busy->h[0].ns, SVC, "the leaked copy's namespace");
		ASSERT_EQ(busy->code, MT_REASON_RMDIR_MOUNTED_ELSEWHERE, "reason code");
		ASSERT_TRUE(strstr(busy->json, "\"errno\":\"EBUSY\"") != NULL, "json errno");
	}
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_scenario1_predicted_without_rescan)
{
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, true), "env"))
		return;
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "risk");
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "leak predicted from propagation");
	env_fini(&e);
}

/* ---- scenario 2: shared graph root (Docker >= 18.02): quiet ---- */

TEST(model_scenario2_shared_root_quiet)
{
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, false, true), "env"))
		return;
	/* at unshare exit the copy is a peer of shared:109 */
	httpd_unshare(&e, 109, 0, 30);
	/* systemd's MS_REC|MS_SLAVE: a slave of 109 */
	WALK(&e, .pid = 1500, .comm = "httpd", .ns = SVC, .mnt_id = 312, .group = 122,
	     .master = 109, .seq = 2, .trigger = MT_CALL_MOUNT);
	/* the kernel propagates the umount: the copy is gone */
	svc_mountinfo(&e, NULL);
	dockerd_umount(&e, 0, 2);
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_RMDIR,
	   .path = MERGED);
	ASSERT_EQ(e.n, 0, "no risk, no leak, nothing detached");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_scenario2_slave_predicted_quiet)
{
	struct env e;

	/* no rescans at all: the prediction alone must stay quiet */
	if (!ASSERT_TRUE(host_env(&e, false, true, true), "env"))
		return;
	httpd_unshare(&e, 122, 109, 121);
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(e.n, 0, "slave of the original's group: reached");
	env_fini(&e);
}

TEST(model_slave_of_slave_is_reached)
{
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, true, true), "env"))
		return;
	httpd_unshare(&e, 122, 109, 121);
	/* a namespace made from httpd's: a slave of 122, itself a slave of 109 */
	other_unshare(&e, 1600, "helper", SVC, SVC2, 412, 122, 3);
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(e.n, 0, "master chain 122 -> 109 reaches the original");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_private_copy_of_shared_original)
{
	const struct got *risk;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, true, true), "env"))
		return;
	httpd_unshare(&e, 109, 0, 30);
	ASSERT_EQ(e.n, 0, "peer at unshare exit: quiet");
	/* the service makes everything private (MS_REC|MS_PRIVATE) */
	WALK(&e, .pid = 1500, .comm = "httpd", .ns = SVC, .mnt_id = 312, .seq = 2,
	     .trigger = MT_CALL_MOUNT);
	risk = find(&e, MT_FIND_RISK);
	if (ASSERT_TRUE(risk != NULL, "risk once it turned private"))
		ASSERT_EQ(risk->code, MT_REASON_RISK_MADE_PRIVATE, "reason code");
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "and it leaks");
	env_fini(&e);
}

/* ---- scenario 3: a busy slave copy ---- */

TEST(model_scenario3_busy_slave_copy)
{
	const struct got *busy;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, false, true), "env"))
		return;
	httpd_unshare(&e, 122, 109, 121);
	fx_proc(e.root, 1501, "bash", SVC, "/system.slice/httpd.service", NULL);
	fx_link(e.root, "1501/cwd", MERGED "/var/www");
	dockerd_umount(&e, -EBUSY, 0);
	busy = find(&e, MT_FIND_EBUSY);
	if (ASSERT_TRUE(busy != NULL, "ebusy") && ASSERT_EQ(busy->nr_holders, 1, "one holder")) {
		ASSERT_STREQ(busy->op, "umount2", "op");
		ASSERT_EQ(busy->h[0].ns, SVC, "the busy copy's namespace");
		ASSERT_EQ(busy->h[0].pid0, 1501, "the busy process");
		ASSERT_STREQ(busy->h[0].comm0, "bash", "its comm");
		ASSERT_STREQ(busy->h[0].holds0, "cwd", "what it holds");
		ASSERT_EQ(busy->code, MT_REASON_BUSY_COPY, "reason code");
		ASSERT_EQ(busy->leak_id, 0, "no leak behind it");
	}
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 0, "no leak");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* httpd's slave copy, with bash's cwd in it. */
static void busy_slave(struct env *e)
{
	httpd_unshare(e, 122, 109, 121);
	fx_proc(e->root, 1501, "bash", SVC, "/system.slice/httpd.service", NULL);
	fx_link(e->root, "1501/cwd", MERGED "/var/www");
}

/* busy_slave(), then dockerd unmounts with @flags. */
static void busy_slave_umount(struct env *e, __u64 flags)
{
	busy_slave(e);
	dockerd_umount(e, 0, flags);
	svc_mountinfo(e, NULL);
}

/* Defect 4 of issue 8: umount -l took the busy slave copy with it. */
TEST(model_lazy_umount_detaches_busy_slave_copy)
{
	const struct got *det;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, false, true), "env"))
		return;
	busy_slave_umount(&e, 2 /* MNT_DETACH */);
	ASSERT_EQ(count(&e, MT_FIND_DETACHED), 1, "detached");
	det = find(&e, MT_FIND_DETACHED);
	if (det && ASSERT_EQ(det->nr_holders, 1, "one holder")) {
		ASSERT_EQ(det->code, MT_REASON_DETACHED_BUSY_BY_LAZY_UMOUNT, "reason code");
		ASSERT_STREQ(det->op, "umount2", "op");
		ASSERT_EQ(det->h[0].ns, SVC, "the copy's namespace");
		ASSERT_TRUE(det->h[0].gone, "marked detached");
		ASSERT_EQ(det->h[0].nr_pids, 1, "only the process that used it");
		ASSERT_EQ(det->h[0].pid0, 1501, "the process that lost its cwd");
		ASSERT_STREQ(det->h[0].holds0, "cwd", "what it lost");
		ASSERT_TRUE(strstr(det->reason, "pid 1501 (bash)") != NULL, "named in the words");
		ASSERT_STREQ(det->release, "systemctl restart httpd.service (pid 1501 bash)",
			     "restart what lost its cwd");
		ASSERT_TRUE(strstr(det->json, "\"lazy_umount_detached_busy_copy\"") != NULL,
			    "reason code in JSON");
	}
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 0, "no leak: the copy went");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* The same umount -l with nobody in the copy, or a plain umount: quiet. */
TEST(model_lazy_umount_of_unused_copy_is_quiet)
{
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, false, true), "env"))
		return;
	httpd_unshare(&e, 122, 109, 121);
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(e.n, 0, "nothing used the copy");
	env_fini(&e);

	if (!ASSERT_TRUE(host_env(&e, false, false, true), "env"))
		return;
	busy_slave_umount(&e, 0);
	ASSERT_EQ(e.n, 0, "a non-lazy umount that succeeded took nothing busy");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* fentry/kprobe: propagate_umount named the busy copy it took. */
TEST(model_internals_lazy_umount_detaches_busy_copy)
{
	const struct got *det;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, true, false, true), "env"))
		return;
	busy_slave(&e);
	MNT(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .op = MT_MNT_UMOUNT,
	    .mnt_ns = HOST, .mnt_id = 240, .dev = DEV, .aux = 3, .path = MERGED);
	MNT(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .op = MT_MNT_UMOUNT_PROP,
	    .mnt_ns = SVC, .mnt_id = 312, .dev = DEV, .path = MERGED);
	dockerd_umount(&e, 0, 2);
	svc_mountinfo(&e, NULL);
	det = find(&e, MT_FIND_DETACHED);
	if (ASSERT_TRUE(det != NULL, "detached") && ASSERT_EQ(det->nr_holders, 1, "one")) {
		ASSERT_EQ(det->code, MT_REASON_DETACHED_BUSY_BY_LAZY_UMOUNT, "reason code");
		ASSERT_EQ(det->h[0].pid0, 1501, "the process that lost its cwd");
	}
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 0, "no leak");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* ---- scenario 4: a restarted daemon in a fresh namespace ---- */

/* A host without the overlay; the old daemon's namespace, kept alive by the
 * shim, holds it. */
static void old_daemon_proc(struct env *e)
{
	fx_proc(e->root, 1, "systemd", HOST, "/init.scope", NULL);
	fx_write(e->root, "1/mountinfo", "22 1 253:0 / / rw shared:1 - xfs /dev/root rw\n");
	fx_proc(e->root, 700, "containerd-shim", OLDD, "/system.slice/docker.service", NULL);
	fx_write(e->root, "700/mountinfo", "%s",
		 "500 400 0:52 / " MERGED " rw master:1 - overlay overlay rw,lowerdir="
		 LOWER ",upperdir=" UPPER ",workdir=" WORK "\n");
}

TEST(model_scenario4_restarted_daemon)
{
	const struct got *leak, *det;
	struct env e;

	if (!ASSERT_TRUE(env_init(&e, false, false), "env"))
		return;
	old_daemon_proc(&e);
	fx_proc(e.root, 900, "dockerd", NEWD, "/system.slice/docker.service", NULL);
	fx_write(e.root, "900/mountinfo", "600 1 253:0 / / rw master:1 - xfs /dev/root rw\n");
	env_load(&e);
	ASSERT_EQ(e.n, 0, "nothing at start-up");

	SC(&e.s, .h = { .pid = 900, .comm = "dockerd", .ns = NEWD }, .call = MT_CALL_UMOUNT2,
	   .ret = -EINVAL, .path = MERGED, .args = { 0, 2 });
	leak = find(&e, MT_FIND_LEAK);
	if (ASSERT_TRUE(leak != NULL, "leak") && ASSERT_EQ(leak->nr_holders, 1, "one holder")) {
		ASSERT_EQ(leak->err, EINVAL, "errno");
		ASSERT_EQ(leak->h[0].ns, OLDD, "the old daemon's namespace holds it");
		ASSERT_EQ(leak->h[0].pid0, 700, "kept alive by the shim");
		ASSERT_STREQ(leak->h[0].comm0, "containerd-shim", "shim comm");
		ASSERT_EQ(leak->code, MT_REASON_LEAK_NOT_MOUNTED_HERE, "reason code");
		/* made before mnttrace started: its oldest process stands in */
		ASSERT_TRUE(leak->h[0].has_cr, "created_by inferred");
		ASSERT_EQ(leak->h[0].cr_pid, 700, "the shim");
		ASSERT_TRUE(strstr(leak->json, "\"inferred\":true") != NULL, "marked inferred");
	}
	fx_write(e.root, "700/mountinfo", "%s", "");
	SC(&e.s, .h = { .pid = 900, .comm = "dockerd", .ns = NEWD }, .call = MT_CALL_RMDIR,
	   .path = MERGED);
	det = find(&e, MT_FIND_DETACHED);
	if (ASSERT_TRUE(det != NULL, "detached") && leak)
		ASSERT_EQ(det->leak_id, leak->id, "tied to the leak");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* Defect 5 of issue 8: the host's namespace as a holder, without noise. */
TEST(model_host_holder_is_initial_ns_and_lists_users_first)
{
	const struct got *leak;
	char rel[64];
	struct env e;

	if (!ASSERT_TRUE(env_init(&e, false, false), "env"))
		return;
	host_proc(&e, true);
	fx_proc(e.root, 2, "kthreadd", HOST, "/", NULL);
	fx_write(e.root, "2/stat", "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 1\n");
	fx_proc(e.root, (unsigned int)getpid(), "mnttrace", HOST, "/user.slice", NULL);
	for (unsigned int pid = 1600; pid < 1620; pid++) {
		snprintf(rel, sizeof(rel), "worker%u", pid);
		fx_proc(e.root, pid, rel, HOST, "/user.slice", NULL);
	}
	fx_proc(e.root, 1700, "sh", HOST, "/user.slice", NULL);
	fx_link(e.root, "1700/cwd", MERGED "/etc");
	fx_proc(e.root, 900, "dockerd", NEWD, "/system.slice/docker.service", NULL);
	fx_write(e.root, "900/mountinfo", "600 1 253:0 / / rw master:1 - xfs /dev/root rw\n");
	env_load(&e);
	SC(&e.s, .h = { .pid = 900, .comm = "dockerd", .ns = NEWD }, .call = MT_CALL_UMOUNT2,
	   .ret = -EINVAL, .path = MERGED, .args = { 0, 2 });
	leak = find(&e, MT_FIND_LEAK);
	if (ASSERT_TRUE(leak != NULL, "leak") && ASSERT_EQ(leak->nr_holders, 1, "one holder")) {
		ASSERT_EQ(leak->h[0].ns, HOST, "held in the host's namespace");
		ASSERT_TRUE(leak->h[0].initial, "the initial namespace");
		ASSERT_TRUE(!leak->h[0].has_cr, "no inferred creator");
		ASSERT_TRUE(strstr(leak->json, "kthreadd") == NULL, "kthreadd not named");
		ASSERT_TRUE(strstr(leak->json, "\"initial_namespace\":true") != NULL, "JSON says so");
		ASSERT_TRUE(strstr(leak->text, "the host's initial mount namespace") != NULL,
			    "text says so");
		ASSERT_EQ(leak->h[0].pid0, 1700, "the process in the overlay comes first");
		ASSERT_STREQ(leak->h[0].holds0, "cwd", "with what it holds");
		ASSERT_EQ(leak->h[0].nr_pids, 16, "capped");
		ASSERT_EQ(leak->h[0].total, 23, "systemd, dockerd, 20 workers, sh; not mnttrace");
		ASSERT_TRUE(strstr(leak->json, "\"mnttrace\"") == NULL, "mnttrace not listed");
		ASSERT_TRUE(strstr(leak->text, "and 7 more") != NULL, "the rest counted");
		ASSERT_STREQ(leak->release, "kill 1700 (sh), which has its cwd there, then umount "
			     MERGED " in mnt:[4026531841]", "stop the user, then a plain umount");
	}
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* ---- fentry/kprobe record streams ---- */

static void internals_copy_and_umount(bool rescans)
{
	const struct got *risk, *leak, *det;
	struct env e;

	if (!ASSERT_TRUE(env_init(&e, true, !rescans), "env"))
		return;
	host_proc(&e, false);
	env_load(&e);
	fx_proc(e.root, 1500, "httpd", SVC, "/system.slice/httpd.service", NULL);
	svc_mountinfo(&e, PRIVATE_COPY);
	/* clone_mnt copies (no namespace yet), then copy_mnt_ns, then the exit */
	MNT(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST }, .op = MT_MNT_COPY,
	    .mnt_id = 312, .src_mnt_id = 240, .aux = HOST, .dev = DEV, .path = MERGED,
	    .upper = UPPER, .work = WORK, .lower = LOWER);
	NSREC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST }, .op = MT_NS_COPY,
	      .ns = SVC, .ns_id = 77, .old_ns = HOST, .old_ns_id = 1);
	SC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST }, .call = MT_CALL_UNSHARE,
	   .new_ns = SVC, .new_ns_id = 77);
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "risk from the COPY record");
	risk = find(&e, MT_FIND_RISK);
	if (risk)
		ASSERT_EQ(risk->h[0].cr_pid, 1500, "creator");

	/* umount_tree of the original, nothing propagated */
	MNT(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .op = MT_MNT_UMOUNT,
	    .mnt_ns = HOST, .mnt_id = 240, .dev = DEV, .aux = 3, .path = MERGED);
	dockerd_umount(&e, 0, 2);
	leak = find(&e, MT_FIND_LEAK);
	if (ASSERT_TRUE(leak != NULL, "leak from the kernel's records"))
		ASSERT_EQ(leak->h[0].ns, SVC, "holder");
	svc_mountinfo(&e, NULL);

	/* rmdir: __detach_mounts unmounts the copy (UMOUNT_CONNECTED) */
	MNT(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .op = MT_MNT_UMOUNT,
	    .mnt_ns = SVC, .mnt_ns_id = 77, .mnt_id = 312, .dev = DEV,
	    .aux = MT_UMOUNT_CONNECTED, .path = MERGED);
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_RMDIR,
	   .path = MERGED);
	det = find(&e, MT_FIND_DETACHED);
	if (ASSERT_TRUE(det != NULL, "detached") && leak) {
		ASSERT_EQ(det->leak_id, leak->id, "linked");
		ASSERT_EQ(det->h[0].pid0, 1500, "who lost the rootfs");
	}
	ASSERT_EQ(e.n, 3, "risk, leak, detached");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_internals_copy_and_umount)
{
	internals_copy_and_umount(false);
}

TEST(model_internals_copy_and_umount_with_rescans)
{
	internals_copy_and_umount(true);
}

TEST(model_internals_propagated_umount_quiet)
{
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, true, true, true), "env"))
		return;
	MNT(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST }, .op = MT_MNT_COPY,
	    .mnt_id = 312, .src_mnt_id = 240, .aux = HOST, .dev = DEV, .group = 109,
	    .path = MERGED, .upper = UPPER, .work = WORK);
	NSREC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST }, .op = MT_NS_COPY,
	      .ns = SVC, .old_ns = HOST);
	SC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST }, .call = MT_CALL_UNSHARE,
	   .new_ns = SVC);
	MNT(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .op = MT_MNT_UMOUNT,
	    .mnt_ns = HOST, .mnt_id = 240, .dev = DEV, .aux = 3);
	MNT(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .op = MT_MNT_UMOUNT_PROP,
	    .mnt_ns = SVC, .mnt_id = 312, .dev = DEV);
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(e.n, 0, "peer copy removed by propagation: no finding");
	env_fini(&e);
}

/* ---- namespace inode reuse ---- */

TEST(model_inode_reuse_by_ns_id)
{
	const struct got *leak;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, true, false), "env"))
		return;
	/* namespace SVC (id 5) made by httpd holds a private copy */
	SC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST }, .call = MT_CALL_UNSHARE,
	   .new_ns = SVC, .new_ns_id = 5);
	WALK(&e, .pid = 1500, .comm = "httpd", .ns = SVC, .ns_id = 5, .mnt_id = 312,
	     .seq = 1, .trigger = MT_CALL_UNSHARE);
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "risk in the first namespace");
	/* it dies unseen; a new namespace (id 9) gets the same inode */
	SC(&e.s, .h = { .pid = 2222, .comm = "sshd", .ns = SVC, .ns_id = 9 },
	   .call = MT_CALL_MOUNT, .path = "/tmp", .fstype = "tmpfs", .src = "tmpfs");
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 0, "the dead namespace's copy is gone with it");
	if (mt_test_failed())
		dump(&e);
	mt_model__free(e.m);
	e.n = 0;

	/* the same without ids: a namespace created after the copy was seen */
	e.m = mt_model__new(&(struct mt_model_opts){ .proc_root = e.root, .self_ns = HOST,
		.no_rescan = true, .on_finding = collect, .ctx = &e });
	e.s.ctx = e.m;
	env_load(&e);
	httpd_unshare(&e, 0, 0, 0);
	SC(&e.s, .h = { .pid = 2222, .comm = "sshd", .ns = HOST }, .call = MT_CALL_UNSHARE,
	   .new_ns = SVC);
	NSREC(&e.s, .h = { .pid = 2222, .comm = "sshd", .ns = SVC }, .op = MT_NS_WALK_DONE,
	      .ns = SVC, .walk_seq = 7, .trigger = MT_CALL_UNSHARE);
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 0, "successor without ids is not confused");
	leak = find(&e, MT_FIND_LEAK);
	if (leak)
		dump(&e);
	env_fini(&e);
}

TEST(model_successor_holds_its_own_copy)
{
	const struct got *leak;
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, true), "env"))
		return;
	/* the inode comes back for sshd's namespace, which copies it again */
	other_unshare(&e, 2222, "sshd", HOST, SVC, 333, 0, 8);
	ASSERT_EQ(count(&e, MT_FIND_RISK), 2, "a risk for each namespace");
	dockerd_umount(&e, 0, 2);
	leak = find(&e, MT_FIND_LEAK);
	if (ASSERT_TRUE(leak != NULL, "leak") && ASSERT_EQ(leak->nr_holders, 1, "one holder")) {
		ASSERT_EQ(leak->h[0].cr_pid, 2222, "created by the successor's creator");
		ASSERT_STREQ(leak->h[0].cr_comm, "sshd", "not httpd");
	}
	env_fini(&e);
}

/* ---- overlays on a pinned upper/workdir ---- */

TEST(model_inuse_and_ebusy_on_pinned_upper)
{
	const struct got *leak, *inuse, *busy;
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, true), "env"))
		return;
	dockerd_umount(&e, 0, 2);
	leak = find(&e, MT_FIND_LEAK);
	/* index=off: the kernel only warns */
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_MOUNT,
	   .src = "overlay", .fstype = "overlay", .path = "/mnt/again",
	   .data = "lowerdir=" LOWER ",upperdir=" UPPER ",workdir=" WORK);
	inuse = find(&e, MT_FIND_INUSE);
	if (ASSERT_TRUE(leak && inuse, "leak and inuse")) {
		ASSERT_EQ(inuse->leak_id, leak->id, "inuse tied to the leak");
		ASSERT_EQ(inuse->err, 0, "success");
		ASSERT_EQ(inuse->h[0].ns, SVC, "pinned by the leaked copy");
		ASSERT_STREQ(inuse->path, "/mnt/again", "the new mount's path");
	}
	/* index=on: EBUSY, through the new mount API */
	SC(&e.s, .h = { .pid = 813, .comm = "mount", .ns = HOST }, .call = MT_CALL_FSOPEN,
	   .fstype = "overlay", .ret = 5);
	SC(&e.s, .h = { .pid = 813, .comm = "mount", .ns = HOST }, .call = MT_CALL_FSCONFIG,
	   .args = { 5, 1 }, .src = "upperdir", .data = UPPER);
	SC(&e.s, .h = { .pid = 813, .comm = "mount", .ns = HOST }, .call = MT_CALL_FSCONFIG,
	   .args = { 5, 1 }, .src = "workdir", .data = WORK);
	SC(&e.s, .h = { .pid = 813, .comm = "mount", .ns = HOST }, .call = MT_CALL_FSCONFIG,
	   .args = { 5, 6 }, .ret = -EBUSY);
	busy = find(&e, MT_FIND_EBUSY);
	if (ASSERT_TRUE(busy != NULL, "ebusy") && leak) {
		ASSERT_STREQ(busy->op, "fsconfig", "op");
		ASSERT_EQ(busy->leak_id, leak->id, "tied to the leak");
		ASSERT_EQ(busy->code, MT_REASON_UPPER_IN_USE, "reason code");
	}
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_rmdir_ebusy_in_own_namespace)
{
	const struct got *busy;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, true, false), "env"))
		return;
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_RMDIR,
	   .ret = -EBUSY, .path = MERGED);
	busy = find(&e, MT_FIND_EBUSY);
	if (ASSERT_TRUE(busy != NULL, "ebusy")) {
		ASSERT_EQ(busy->h[0].ns, HOST, "the caller's namespace");
		ASSERT_EQ(busy->code, MT_REASON_RMDIR_MOUNTED_HERE, "reason code");
	}
	env_fini(&e);
}

TEST(model_snapshot_reports_existing_private_copy)
{
	const struct got *risk;
	struct env e;

	if (!ASSERT_TRUE(env_init(&e, false, true), "env"))
		return;
	host_proc(&e, false);
	fx_proc(e.root, 1500, "httpd", SVC, "/system.slice/httpd.service",
		"mountinfo/docker-1.13-httpd.txt");
	env_load(&e);
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "one risk at start-up");
	risk = find(&e, MT_FIND_RISK);
	if (risk) {
		ASSERT_STREQ(risk->op, "snapshot", "op");
		ASSERT_EQ(risk->h[0].ns, SVC, "holder");
		ASSERT_EQ(risk->h[0].total, 1, "its process");
	}
	env_fini(&e);
}

TEST(model_findings_json_and_text)
{
	const struct got *leak;
	struct env e;
	static const char *fields[] = {
		"\"type\":\"finding\"", "\"kind\":\"leak\"", "\"id\":", "\"path\":\"" MERGED "\"",
		"\"op\":\"umount2\"", "\"ret\":0", "\"overlay\":{\"upperdir\":\"" UPPER "\"",
		"\"container_id\":\"" CID "\"", "\"holders\":[{\"mnt_ns\":4026532500",
		"\"propagation\":\"private\"", "\"parent_propagation\":\"private\"",
		"\"created_by\":{\"pid\":1500,\"comm\":\"httpd\",\"time\":",
		"\"pids\":[{\"pid\":1500,\"comm\":\"httpd\"", "\"reason\":\"",
	};

	if (!ASSERT_TRUE(private_copy_env(&e, false, true), "env"))
		return;
	dockerd_umount(&e, 0, 2);
	leak = find(&e, MT_FIND_LEAK);
	if (ASSERT_TRUE(leak != NULL, "leak")) {
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!ASSERT_TRUE(strstr(leak->json, fields[i]) != NULL, fields[i]))
				mt_test_log("%s", leak->json);
		ASSERT_TRUE(strstr(leak->json, "\"errno\"") == NULL, "no errno on success");
		ASSERT_TRUE(strstr(leak->text, "*** FINDING #") != NULL, "text marker");
		ASSERT_TRUE(strstr(leak->text, "leak") != NULL, "text kind");
		ASSERT_TRUE(strstr(leak->text, "mnt:[4026532500]") != NULL, "text holder");
	}
	env_fini(&e);
}

TEST(model_garbage_records)
{
	struct env e;
	struct mt_model_stats st;

	if (!ASSERT_TRUE(env_init(&e, false, true), "env"))
		return;
	/* records about unknown mounts and namespaces change nothing */
	MNT(&e.s, .h = { .pid = 1, .ns = 1 }, .op = MT_MNT_UMOUNT_PROP, .mnt_ns = 99, .mnt_id = 5);
	MNT(&e.s, .h = { .pid = 1, .ns = 1 }, .op = MT_MNT_BUSY, .mnt_ns = 0, .mnt_id = 5);
	MNT(&e.s, .h = { .pid = 1, .ns = 1 }, .op = MT_MNT_WALK, .mnt_ns = 0, .mnt_id = 5);
	MNT(&e.s, .h = { .pid = 1, .ns = 1 }, .op = MT_MNT_WALK, .magic = 0xef53, .mnt_ns = 7);
	SC(&e.s, .h = { .pid = 1, .ns = 1 }, .call = MT_CALL_UMOUNT2, .path = "relative");
	SC(&e.s, .h = { .pid = 1, .ns = 1 }, .call = MT_CALL_RMDIR, .ret = -EBUSY);
	SC(&e.s, .h = { .pid = 1, .ns = 0 }, .call = MT_CALL_UMOUNT2, .ret = -EBUSY, .path = "/x");
	NSREC(&e.s, .h = { .pid = 1 }, .op = MT_NS_WALK_DONE, .ns = 0);
	ASSERT_EQ(e.n, 0, "no findings");
	ASSERT_EQ(e.s.decode_errors, 0, "records decoded");
	mt_model__stats(e.m, &st);
	ASSERT_EQ(st.mounts, 0, "no mounts");
	ASSERT_EQ(st.records, 8, "records counted");
	env_fini(&e);
}

TEST(model_service_unmounting_its_copy_is_no_leak)
{
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, true), "env"))
		return;
	/* the service cleans up its own copy: the original stays, that is fine */
	SC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = SVC }, .call = MT_CALL_UMOUNT2,
	   .path = MERGED, .args = { 0, 2 });
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 0, "no leak");
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 0, "nothing left behind either");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_container_runtime_copies_are_quiet)
{
	struct env e;

	if (!ASSERT_TRUE(env_init(&e, false, true), "env"))
		return;
	host_proc(&e, false);
	/* a running container: its overlay is its namespace's root */
	fx_proc(e.root, 3000, "nginx", SVC2, "/system.slice/docker-" CID ".scope", NULL);
	fx_write(e.root, "3000/mountinfo", "%s",
		 "900 800 0:52 / / rw,relatime - overlay overlay rw,lowerdir=" LOWER
		 ",upperdir=" UPPER ",workdir=" WORK "\n");
	env_load(&e);
	ASSERT_EQ(e.n, 0, "a container's own root is no risk");
	/* runc's init copies every overlay before pivot_root */
	SC(&e.s, .h = { .pid = 3100, .comm = "runc:[1:CHILD]", .ns = HOST },
	   .call = MT_CALL_UNSHARE, .new_ns = SVC);
	WALK(&e, .pid = 3100, .comm = "runc:[1:CHILD]", .ns = SVC, .mnt_id = 312, .seq = 1,
	     .trigger = MT_CALL_UNSHARE);
	ASSERT_EQ(e.n, 0, "runc's transient copies are no risk");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_inuse_without_a_known_leak)
{
	const struct got *inuse;
	struct env e;

	if (!ASSERT_TRUE(env_init(&e, false, false), "env"))
		return;
	old_daemon_proc(&e);
	env_load(&e);
	/* index=off: a second overlay on the same layers mounts, with a warning */
	SC(&e.s, .h = { .pid = 900, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_MOUNT,
	   .src = "overlay", .fstype = "overlay", .path = LAYER "/merged2",
	   .data = "lowerdir=" LOWER ",upperdir=" UPPER ",workdir=" WORK);
	inuse = find(&e, MT_FIND_INUSE);
	if (ASSERT_TRUE(inuse != NULL, "inuse") && ASSERT_EQ(inuse->nr_holders, 1, "holders")) {
		ASSERT_EQ(inuse->h[0].ns, OLDD, "the old daemon's namespace pins it");
		ASSERT_EQ(inuse->h[0].pid0, 700, "the shim");
		ASSERT_STREQ(inuse->path, LAYER "/merged2", "the new mount");
	}
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* The integration tests' shape: a private test namespace made after start,
 * the overlay mounted there (a placeholder until the walk that follows). */
TEST(model_overlay_mounted_after_start_in_test_ns)
{
	const __u32 T = 4026533000u;
	const struct got *risk, *leak;
	struct mt_model_stats st;
	struct env e;

	if (!ASSERT_TRUE(env_init(&e, false, false), "env"))
		return;
	fx_proc(e.root, 1, "systemd", HOST, "/init.scope", NULL);
	fx_write(e.root, "1/mountinfo", "22 1 253:0 / / rw shared:1 - xfs /dev/root rw\n");
	env_load(&e);
	fx_proc(e.root, 4000, "itest", T, "/user.slice/session-1.scope", NULL);
	fx_copy(e.root, "4000/mountinfo", "mountinfo/docker-1.13-host.txt");
	SC(&e.s, .h = { .pid = 4000, .comm = "itest", .ns = HOST }, .call = MT_CALL_UNSHARE,
	   .new_ns = T);
	NSREC(&e.s, .h = { .pid = 4000, .comm = "itest", .ns = T }, .op = MT_NS_WALK_DONE,
	      .ns = T, .walk_seq = 1, .trigger = MT_CALL_UNSHARE);
	SC(&e.s, .h = { .pid = 4000, .comm = "itest", .ns = T }, .call = MT_CALL_MOUNT,
	   .src = "overlay", .fstype = "overlay", .path = MERGED,
	   .data = "lowerdir=" LOWER ",upperdir=" UPPER ",workdir=" WORK);
	WALK(&e, .pid = 4000, .comm = "itest", .ns = T, .mnt_id = 240, .seq = 2,
	     .trigger = MT_CALL_MOUNT);
	ASSERT_EQ(e.n, 0, "an overlay mount alone is no finding");
	mt_model__stats(e.m, &st);
	ASSERT_EQ(st.mounts, 1, "the walk gave the placeholder its id");
	ASSERT_EQ(st.vanished, 0, "no process vanished yet");

	/* a process that exits while a rescan lists /proc: counted, quietly */
	fx_write(e.root, "1400/comm", "gone\n");

	/* the service is forked from the test namespace */
	fx_proc(e.root, 1500, "svc", SVC, "/user.slice/session-1.scope", NULL);
	svc_mountinfo(&e, PRIVATE_COPY);
	other_unshare(&e, 1500, "svc", T, SVC, 312, 0, 3);
	risk = find(&e, MT_FIND_RISK);
	if (ASSERT_TRUE(risk != NULL, "risk"))
		ASSERT_EQ(risk->h[0].ns, SVC, "holder");
	SC(&e.s, .h = { .pid = 4000, .comm = "itest", .ns = T }, .call = MT_CALL_UMOUNT2,
	   .path = MERGED, .args = { 0, 2 });
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "one leak");
	leak = find(&e, MT_FIND_LEAK);
	if (leak && ASSERT_EQ(leak->nr_holders, 1, "one holder")) {
		ASSERT_EQ(leak->h[0].ns, SVC, "the service namespace");
		ASSERT_EQ(leak->h[0].cr_pid, 1500, "creator");
		ASSERT_STREQ(leak->path, MERGED, "path");
	}
	mt_model__stats(e.m, &st);
	if (ASSERT_TRUE(st.rescans > 0, "the leak's holders were looked up"))
		ASSERT_TRUE(st.vanished > 0, "pid 1400 without ns/mnt counted as gone");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_one_leak_per_overlay)
{
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, true), "env"))
		return;
	other_unshare(&e, 1600, "helper", HOST, SVC2, 412, 0, 3);
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "one leak, two holders");
	if (find(&e, MT_FIND_LEAK))
		ASSERT_EQ(find(&e, MT_FIND_LEAK)->nr_holders, 2, "both namespaces");
	/* one holder cleans up; the other copy is the same leak */
	SC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = SVC }, .call = MT_CALL_UMOUNT2,
	   .path = MERGED);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "not told twice");
	env_fini(&e);
}

/* mnttrace reads /proc after the kernel moved on: by the time the umount
 * record is handled, the rmdir that follows may have detached the copy. */
TEST(model_rescan_ahead_of_the_records)
{
	const struct got *leak, *det;
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, false), "env"))
		return;
	svc_mountinfo(&e, NULL);	/* already detached by the rmdir */
	dockerd_umount(&e, 0, 2);
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_RMDIR,
	   .path = MERGED);
	leak = find(&e, MT_FIND_LEAK);
	det = find(&e, MT_FIND_DETACHED);
	if (ASSERT_TRUE(leak != NULL, "the leak still counts") &&
	    ASSERT_TRUE(det != NULL, "and the detach")) {
		ASSERT_EQ(leak->h[0].ns, SVC, "holder");
		ASSERT_EQ(leak->h[0].pid0, 1500, "its process");
		ASSERT_EQ(det->leak_id, leak->id, "tied");
	}
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_exited_processes_are_pruned)
{
	const struct got *busy;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, true, false), "env"))
		return;
	/* short-lived processes that never show in /proc again */
	for (__u32 pid = 10000; pid < 11100; pid++)
		SC(&e.s, .h = { .pid = pid, .comm = "mount", .ns = HOST },
		   .call = MT_CALL_UMOUNT2, .ret = -EINVAL, .path = "/nothing");
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_RMDIR,
	   .ret = -EBUSY, .path = MERGED);
	busy = find(&e, MT_FIND_EBUSY);
	if (ASSERT_TRUE(busy != NULL, "ebusy"))
		ASSERT_TRUE(busy->h[0].total < 200, "the gone pids were dropped");
	env_fini(&e);
}

/* A namespace copy walked in tracepoint mode comes as compact records
 * (MT_MNT_WALK_COPY, no strings): joined with the host's mount 240, the
 * copy is judged as if it had come whole. */
TEST(model_compact_walk_copy_joined)
{
	struct fx_hdr_args h = { .pid = 1500, .comm = "httpd", .ns = SVC };
	const struct got *risk;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, false, false), "env"))
		return;
	fx_proc(e.root, 1500, "httpd", SVC, "/system.slice/httpd.service", NULL);
	SC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST },
	   .call = MT_CALL_UNSHARE, .args = { 0x20000 }, .new_ns = SVC);
	MNT(&e.s, .h = h, .op = MT_MNT_WALK_COPY, .mnt_ns = SVC, .mnt_id = 312,
	    .parent_id = 311, .dev = DEV, .src_mnt_id = 240, .aux = HOST, .src_mnt_ns_id = 1,
	    .walk_seq = 1);
	NSREC(&e.s, .h = h, .op = MT_NS_WALK_DONE, .ns = SVC, .walk_seq = 1,
	      .trigger = MT_CALL_UNSHARE);
	risk = find(&e, MT_FIND_RISK);
	if (ASSERT_TRUE(risk != NULL, "the copy is a risk")) {
		ASSERT_STREQ(risk->path, MERGED, "path from the original");
		ASSERT_STREQ(risk->upper, UPPER, "upperdir from the original");
		ASSERT_EQ(risk->h[0].ns, SVC, "holder");
	}
	ASSERT_EQ(mt_model__where(e.m, MERGED, NULL, NULL), 2, "original and copy");

	/* /proc no longer shows the copy, but a walk that counts it as sent
	 * before and unchanged is believed: /proc is not read */
	svc_mountinfo(&e, NULL);
	NSREC(&e.s, .h = h, .op = MT_NS_WALK_DONE, .ns = SVC, .walk_seq = 2,
	      .unchanged = 1, .digest = mt_mnt_digest(312));
	ASSERT_EQ(mt_model__where(e.m, MERGED, NULL, NULL), 2, "copy kept");
	/* one that counts another mount makes the model re-read /proc */
	NSREC(&e.s, .h = h, .op = MT_NS_WALK_DONE, .ns = SVC, .walk_seq = 3,
	      .unchanged = 1, .digest = mt_mnt_digest(313));
	ASSERT_EQ(mt_model__where(e.m, MERGED, NULL, NULL), 1, "copy gone after resync");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* A compact record whose original the model does not hold: /proc is read. */
TEST(model_compact_walk_copy_unknown_original)
{
	struct fx_hdr_args h = { .pid = 1500, .comm = "httpd", .ns = SVC };
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, false, false), "env"))
		return;
	fx_proc(e.root, 1500, "httpd", SVC, "/system.slice/httpd.service", NULL);
	svc_mountinfo(&e, PRIVATE_COPY);
	MNT(&e.s, .h = h, .op = MT_MNT_WALK_COPY, .mnt_ns = SVC, .mnt_id = 312,
	    .parent_id = 311, .dev = DEV, .src_mnt_id = 999, .aux = HOST, .src_mnt_ns_id = 1,
	    .walk_seq = 1);
	ASSERT_EQ(mt_model__where(e.m, MERGED, NULL, NULL), 2, "the copy, from /proc");
	env_fini(&e);
}

TEST(model_lost_records_resync)
{
	const struct got *risk;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, false, false), "env"))
		return;
	/* httpd's unshare and walk were lost with the ring buffer full */
	fx_proc(e.root, 1500, "httpd", SVC, "/system.slice/httpd.service", NULL);
	svc_mountinfo(&e, PRIVATE_COPY);
	fx_lost(&e.s, 12);
	risk = find(&e, MT_FIND_RISK);
	if (ASSERT_TRUE(risk != NULL, "the copy is found again")) {
		ASSERT_EQ(risk->h[0].ns, SVC, "holder");
		/* who made the copy was in the lost records */
		ASSERT_EQ(risk->incomplete, MT_INCOMPLETE_REREAD, "found by the re-read");
		ASSERT_TRUE(strstr(risk->json, "\"incomplete\":true,\"incomplete_reason\":\"") != NULL,
			    "said in JSON");
		ASSERT_TRUE(strstr(risk->text, "(may be incomplete)") != NULL, "said in text");
	}
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "and its leak");
	if (e.n > 1) {
		/* raised after the re-read, from records that all came */
		ASSERT_EQ(e.got[e.n - 1].incomplete, MT_INCOMPLETE_NO, "the leak is whole");
		ASSERT_TRUE(strstr(e.got[e.n - 1].json, "incomplete") == NULL, "no key");
		ASSERT_TRUE(strstr(e.got[e.n - 1].text, "incomplete") == NULL, "no mark");
	}
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* Random record streams over a small world: nothing may crash or leak
 * (run under ASan to make that mean something). */
TEST(model_random_streams)
{
	static const __u32 nss[] = { HOST, SVC, SVC2, OLDD };
	static const char *paths[] = { MERGED, LAYER "/merged2", "/", "/mnt" };
	static const __u32 calls[] = { MT_CALL_UNSHARE, MT_CALL_CLONE, MT_CALL_SETNS,
				       MT_CALL_UMOUNT2, MT_CALL_RMDIR, MT_CALL_UNLINKAT,
				       MT_CALL_MOUNT, MT_CALL_FSOPEN, MT_CALL_FSCONFIG,
				       MT_CALL_FSMOUNT, MT_CALL_MOVE_MOUNT };
	static const long long rets[] = { 0, 0, -EBUSY, -EINVAL, 5 };
	const char *env_rounds = getenv("MT_RANDOM_ROUNDS");
	int rounds = env_rounds ? atoi(env_rounds) : 4;

	for (unsigned int round = 1; round <= (unsigned int)rounds; round++) {
	unsigned int seed = round;
	bool internals = round % 2 == 0;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, internals, round % 4 == 3, false), "env"))
		return;
	fx_proc(e.root, 1500, "httpd", SVC, "/system.slice/httpd.service",
		"mountinfo/docker-1.13-httpd.txt");
	for (int i = 0; i < 5000; i++) {
#define PICK(a) (a)[rand_r(&seed) % (sizeof(a) / sizeof((a)[0]))]
		struct fx_hdr_args h = { .pid = 1500 + rand_r(&seed) % 4, .comm = "x",
					 .ns = PICK(nss), .ns_id = rand_r(&seed) % 3 };
		__u32 kind = rand_r(&seed) % 3;

		if (i == 2500)
			fx_lost(&e.s, 1);
		if (kind == 0) {
			SC(&e.s, .h = h, .call = PICK(calls), .ret = PICK(rets),
			   .path = PICK(paths), .fstype = rand_r(&seed) % 2 ? "overlay" : NULL,
			   .src = rand_r(&seed) % 2 ? "upperdir" : "workdir",
			   .data = rand_r(&seed) % 2 ? UPPER : "upperdir=" UPPER ",workdir=" WORK,
			   .args = { rand_r(&seed) % 8, rand_r(&seed) % 8, 0x200 },
			   .new_ns = rand_r(&seed) % 2 ? PICK(nss) : 0,
			   .new_ns_id = rand_r(&seed) % 3);
		} else if (kind == 1) {
			MNT(&e.s, .h = h, .op = 1 + rand_r(&seed) % (MT_MNT_OP__MAX - 1),
			    .mnt_ns = rand_r(&seed) % 4 ? PICK(nss) : 0,
			    .mnt_ns_id = rand_r(&seed) % 3, .mnt_id = 300 + rand_r(&seed) % 5,
			    .src_mnt_id = 240 + rand_r(&seed) % 3, .aux = rand_r(&seed) % 2 ?
			    PICK(nss) : (__u32)(rand_r(&seed) % 8 | (rand_r(&seed) % 2 ? 0x100 : 0)),
			    .dev = 50 + rand_r(&seed) % 3, .group = rand_r(&seed) % 3,
			    .master = rand_r(&seed) % 3, .path = PICK(paths),
			    .upper = UPPER, .work = WORK, .walk_seq = rand_r(&seed) % 4);
		} else {
			NSREC(&e.s, .h = h, .op = 1 + rand_r(&seed) % 2, .ns = PICK(nss),
			      .ns_id = rand_r(&seed) % 3, .old_ns = PICK(nss),
			      .walk_seq = rand_r(&seed) % 4, .trigger = PICK(calls),
			      .truncated = rand_r(&seed) % 5 == 0);
		}
#undef PICK
	}
	ASSERT_EQ(e.s.decode_errors, 0, "records decoded");
	mt_test_log("round %u: %d findings", round, e.n);
	env_fini(&e);
	}
}

TEST(model_slave_of_another_group_is_a_risk)
{
	const struct got *risk, *leak;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, true, true), "env"))
		return;
	/* the copy follows peer group 5, not the original's 109 */
	httpd_unshare(&e, 122, 5, 121);
	risk = find(&e, MT_FIND_RISK);
	if (ASSERT_TRUE(risk != NULL, "risk")) {
		ASSERT_STREQ(risk->h[0].prop, "shared:122 master:5", "propagation");
		ASSERT_EQ(risk->code, MT_REASON_RISK_OTHER_GROUP, "reason code");
	}
	dockerd_umount(&e, 0, 2);
	leak = find(&e, MT_FIND_LEAK);
	if (ASSERT_TRUE(leak != NULL, "leak")) {
		ASSERT_EQ(leak->code, MT_REASON_LEAK_OTHER_GROUP, "reason code");
		ASSERT_TRUE(strstr(leak->reason, "shared:109") != NULL,
			    "names the group the umount reached");
	}
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

TEST(model_mount_data_escapes)
{
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, true, false), "env"))
		return;
	/* mount(8) escapes a comma in a layer path; mountinfo shows it plain */
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_MOUNT,
	   .src = "overlay", .fstype = "overlay", .path = "/mnt/m",
	   .data = "lowerdir=/l\\:a:/l2,upperdir=/up\\,per,workdir=/w,index=on");
	ASSERT_EQ(mt_model__where(e.m, "/up,per", NULL, NULL), 1, "upperdir unescaped");
	ASSERT_EQ(mt_model__where(e.m, "/w", NULL, NULL), 1, "workdir");
	ASSERT_EQ(mt_model__where(e.m, "/mnt/m", NULL, NULL), 1, "mountpoint");
	env_fini(&e);
}

/* A walk's upper and work dirs come as the kernel keeps them, "\," in */
TEST(model_walk_dirs_escapes)
{
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, true, false), "env"))
		return;
	MNT(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .op = MT_MNT_WALK,
	    .mnt_ns = HOST, .mnt_id = 400, .parent_id = 311, .dev = DEV + 10, .path = "/mnt/e",
	    .upper = "/up\\,e", .work = "/w\\\\e", .lower = "/l", .walk_seq = 1);
	MNT(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .op = MT_MNT_WALK,
	    .mnt_ns = HOST, .mnt_id = 401, .parent_id = 311, .dev = DEV + 11, .path = "/mnt/p",
	    .upper = "/up/p", .work = "/w/p", .lower = "/l", .walk_seq = 1);
	ASSERT_EQ(mt_model__where(e.m, "/up,e", NULL, NULL), 1, "upperdir unescaped");
	ASSERT_EQ(mt_model__where(e.m, "/w\\e", NULL, NULL), 1, "workdir unescaped");
	ASSERT_EQ(mt_model__where(e.m, "/up/p", NULL, NULL), 1, "a dir without escapes as is");
	ASSERT_EQ(mt_model__where(e.m, "/w/p", NULL, NULL), 1, "and its workdir");
	env_fini(&e);
}

/* ---- identity under namespace churn ---- */

/*
 * The issue's reproduction: httpd holds a private copy; httpd exits, unseen
 * in tracepoint mode; ssh.service gets a new namespace with the same inode
 * (unseen too); dockerd unmounts. The rescan shows sshd in that inode and
 * no copy there: the old namespace died with its copy, so there is no leak
 * (before: "created by httpd pid 1500 ... 1 process: 2222 sshd").
 */
TEST(model_recycled_inode_without_ids_is_no_leak)
{
	char dir[4096];
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, false), "env"))
		return;
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "httpd's copy is a risk");
	snprintf(dir, sizeof(dir), "%s/1500", e.root);
	fx_rm_r(dir);
	fx_proc(e.root, 2222, "sshd", SVC, "/system.slice/ssh.service", NULL);
	fx_write(e.root, "2222/mountinfo", "%s",
		 "401 400 253:0 / / rw,relatime shared:120 master:1 - xfs /dev/root rw\n");
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 0, "no leak blamed on sshd's namespace");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* The same with never-reused ids in the records: the walk of the new
 * namespace carries another id, so the old entry dies at once. */
TEST(model_recycled_inode_with_ids_is_a_new_namespace)
{
	struct mt_model_stats st;
	struct env e;

	if (!ASSERT_TRUE(host_env(&e, false, true, false), "env"))
		return;
	SC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST }, .call = MT_CALL_UNSHARE,
	   .new_ns = SVC, .new_ns_id = 7);
	WALK(&e, .pid = 1500, .comm = "httpd", .ns = SVC, .ns_id = 7, .mnt_id = 312, .seq = 1,
	     .trigger = MT_CALL_UNSHARE);
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "httpd's copy is a risk");
	/* a record from sshd in namespace (SVC, 9): httpd's (SVC, 7) is gone */
	SC(&e.s, .h = { .pid = 2222, .comm = "sshd", .ns = SVC, .ns_id = 9 },
	   .call = MT_CALL_MOUNT, .ret = -EINVAL, .path = "/x");
	dockerd_umount(&e, 0, 2);
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 0, "no leak");
	mt_model__stats(e.m, &st);
	ASSERT_EQ(st.mounts, 0, "httpd's copy went with its namespace");
	env_fini(&e);
}

/*
 * A reader behind the kernel (two mnttrace at once on one CPU, 6.1 TCG
 * guest): the first record with an id for a namespace the start-up scan
 * saw without one (6.1 has no NS_GET_MNTNS_ID) queues a check that it is
 * the same namespace. That check reads /proc when the work runs, which may
 * be after dockerd's umount although its record is still to come: it must
 * not take the mounts from that read, or the overlay is gone from the
 * model before its umount record arrives, and the leak is never told.
 */
TEST(model_identity_check_keeps_mounts_records_still_name)
{
	const struct got *leak;
	struct env e;

	if (!deferred_env(&e, NULL))
		goto out;
	/* dockerd's first record names the host namespace with its id */
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST, .ns_id = 1 },
	   .call = MT_CALL_MOUNT, .ret = -EINVAL, .path = "/x");
	/* meanwhile the kernel went on: httpd unshared, dockerd unmounted */
	fx_proc(e.root, 1500, "httpd", SVC, "/system.slice/httpd.service", NULL);
	svc_mountinfo(&e, PRIVATE_COPY);
	fx_write(e.root, "1/mountinfo", "%s",
		 "22 1 253:0 / / rw,relatime shared:1 - xfs /dev/root rw\n");
	mt_model__work(e.m);
	/* the records of what happened meanwhile, then the work */
	SC(&e.s, .h = { .pid = 1500, .comm = "httpd", .ns = HOST, .ns_id = 1 },
	   .call = MT_CALL_UNSHARE, .args = { 0x20000 }, .new_ns = SVC, .new_ns_id = 7);
	WALK(&e, .pid = 1500, .comm = "httpd", .ns = SVC, .ns_id = 7, .mnt_id = 312, .seq = 1,
	     .trigger = MT_CALL_UNSHARE);
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST, .ns_id = 1 },
	   .call = MT_CALL_UMOUNT2, .path = MERGED, .args = { 0, 2 });
	mt_model__work(e.m);
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "httpd's copy is a risk");
	leak = find(&e, MT_FIND_LEAK);
	if (ASSERT_TRUE(leak != NULL, "the leak is told")) {
		ASSERT_EQ(leak->h[0].ns, SVC, "held in httpd's namespace");
		ASSERT_EQ(leak->h[0].cr_pid, 1500, "made by httpd");
	}
	if (mt_test_failed())
		dump(&e);
out:
	env_fini(&e);
}

/* A namespace whose inode comes back, seen by a scan that gives no id:
 * still the same namespace while its copy is still there. */
TEST(model_same_inode_kept_by_its_mounts)
{
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, false), "env"))
		return;
	/* httpd's pid changed (a re-exec under another pid), its copy stays */
	{
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s/1500", e.root);
		fx_rm_r(dir);
	}
	fx_proc(e.root, 1501, "httpd", SVC, "/system.slice/httpd.service", NULL);
	fx_write(e.root, "1501/mountinfo",
		 "301 300 253:0 / / rw,relatime shared:120 master:1 - xfs /dev/root rw\n%s",
		 PRIVATE_COPY);
	dockerd_umount(&e, 0, 2);
	if (ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "the leak")) {
		const struct got *leak = find(&e, MT_FIND_LEAK);

		ASSERT_EQ(leak->h[0].ns, SVC, "held in httpd's namespace");
		ASSERT_EQ(leak->h[0].cr_pid, 1500, "made by httpd, as the records said");
		ASSERT_EQ(leak->h[0].pid0, 1501, "living there now");
	}
	env_fini(&e);
}

static int scans;

static struct mt_snapshot *counting_rescan(void *ctx, const __u32 *ns, int nr)
{
	struct env *e = ctx;

	scans++;
	return mt_snapshot__new(e->root, &(struct mt_snap_opts){
		.only_ns = ns, .nr_only = nr, .mnttab_flags = MT_MNTTAB_OVERLAY_ONLY });
}

/* With .defer_work, records never read /proc: the work does, in one scan
 * for all the jobs queued, and the findings come out then. */
TEST(model_deferred_work_reads_proc_once)
{
	struct env e;

	if (!deferred_env(&e, counting_rescan))
		goto out;
	httpd_unshare(&e, 0, 0, 0);
	ASSERT_EQ(e.n, 0, "no finding inside feed");
	scans = 0;
	dockerd_umount(&e, 0, 2);
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_RMDIR,
	   .path = MERGED);
	ASSERT_EQ(scans, 0, "no rescan inside feed");
	ASSERT_TRUE(mt_model__pending(e.m) > 0, "work queued");
	svc_mountinfo(&e, NULL);	/* the rmdir detached the copy */
	ASSERT_EQ(mt_model__work(e.m), 0, "work");
	ASSERT_EQ(scans, 1, "one scan for every queued job");
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "the risk");
	ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "the leak, as the umount left it");
	ASSERT_EQ(count(&e, MT_FIND_DETACHED), 1, "then the detach");
	ASSERT_EQ(mt_model__pending(e.m), 0, "nothing left");
	if (mt_test_failed())
		dump(&e);
out:
	env_fini(&e);
}

/*
 * No process is left in httpd's namespace, but a bind mount of its nsfs
 * file (unshare --mount=FILE) keeps it, and with it the copy: the leak is
 * real, and the holder says what keeps it alive.
 */
TEST(model_namespace_kept_by_nsfs_mount_still_holds)
{
	char dir[4096];
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, false), "env"))
		return;
	snprintf(dir, sizeof(dir), "%s/1500", e.root);
	fx_rm_r(dir);
	fx_write(e.root, "1/mountinfo",
		 "22 1 253:0 / / rw,relatime shared:1 - xfs /dev/root rw\n"
		 "92 22 0:4 mnt:[%u] /run/pins/httpd rw - nsfs nsfs rw\n", SVC);
	dockerd_umount(&e, 0, 2);
	if (ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "a leak: the namespace lives on")) {
		const struct got *leak = find(&e, MT_FIND_LEAK);

		ASSERT_EQ(leak->h[0].ns, SVC, "held in httpd's namespace");
		ASSERT_EQ(leak->h[0].total, 0, "no process in it");
		ASSERT_TRUE(strstr(leak->json, "\"kept_by\":[{\"kind\":\"nsfs_mount\","
				   "\"path\":\"/run/pins/httpd\"") != NULL, "kept by the nsfs mount");
	}
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}

/* The release command quotes a path the shell would split. */
TEST(findings_release_quotes_paths)
{
	struct mt_finding_pid pid = { .pid = 5, .comm = "sleep" };
	struct mt_finding_holder h = { .mnt_ns = 9, .path = "/a b'c", .pids = &pid,
				       .nr_pids = 1, .total_pids = 1 };
	struct mt_finding f = { .kind = MT_FIND_LEAK, .holders = &h, .nr_holders = 1 };
	char buf[256];

	ASSERT_STREQ(mt_finding_release(&f, buf, sizeof(buf)),
		     "nsenter -t 5 -m umount '/a b'\\''c'", "quoted");
	h.nr_pids = 0;
	ASSERT_STREQ(mt_finding_release(&f, buf, sizeof(buf)),
		     "nothing to run: no process left in mnt:[9]", "no process");
}

/*
 * With .defer_work (live mnttrace), the loss is noticed after the poll
 * round whose records queued work: the findings of that work, done after
 * the re-read, may miss what the lost records said; those of the next
 * round do not.
 */
TEST(model_findings_around_a_loss_are_incomplete)
{
	const struct got *leak;
	struct env e;

	if (!deferred_env(&e, counting_rescan))
		goto out;
	httpd_unshare(&e, 0, 0, 0);
	ASSERT_EQ(mt_model__work(e.m), 0, "work");
	ASSERT_EQ(count(&e, MT_FIND_RISK), 1, "the risk");
	ASSERT_EQ(e.got[0].incomplete, MT_INCOMPLETE_NO, "before any loss: whole");

	dockerd_umount(&e, 0, 2);	/* read in the round that overflowed */
	fx_lost(&e.s, 3);
	ASSERT_EQ(mt_model__work(e.m), 0, "work");
	leak = find(&e, MT_FIND_LEAK);
	if (ASSERT_TRUE(leak != NULL, "the leak"))
		ASSERT_EQ(leak->incomplete, MT_INCOMPLETE_LOST, "raised around the loss");

	/* the next round: the re-read is done, nothing was lost since */
	SC(&e.s, .h = { .pid = 812, .comm = "dockerd", .ns = HOST }, .call = MT_CALL_RMDIR,
	   .path = MERGED);
	svc_mountinfo(&e, NULL);
	ASSERT_EQ(mt_model__work(e.m), 0, "work");
	if (ASSERT_EQ(count(&e, MT_FIND_DETACHED), 1, "the detach"))
		ASSERT_EQ(find(&e, MT_FIND_DETACHED)->incomplete, MT_INCOMPLETE_NO,
			  "after the re-read: whole");
	if (mt_test_failed())
		dump(&e);
out:
	env_fini(&e);
}

/* Without a re-read (no_rescan) a loss never closes. */
TEST(model_loss_without_reread_stays_open)
{
	struct env e;

	if (!ASSERT_TRUE(private_copy_env(&e, false, true), "env"))
		return;
	fx_lost(&e.s, 1);
	dockerd_umount(&e, 0, 2);
	if (ASSERT_EQ(count(&e, MT_FIND_LEAK), 1, "the leak, predicted"))
		ASSERT_EQ(find(&e, MT_FIND_LEAK)->incomplete, MT_INCOMPLETE_NO_REREAD,
			  "incomplete for good");
	if (mt_test_failed())
		dump(&e);
	env_fini(&e);
}
