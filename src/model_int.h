/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's insides, shared by its files and by nothing else:
 *   model_store.c   namespaces, processes, overlays and mounts; gc
 *   model_strs.c    their strings, small: interned paths, overlay dirs
 *                   kept as what differs from the merged dir
 *   propagation.c   the kernel's propagation rules as pure functions
 *   model_records.c records in ring-buffer order: pending kernel records,
 *                   namespaces and mounts kept current, rules triggered
 *   rules.c         the finding rules: what each kind needs, when it fires
 *   rule_jobs.c     what the rules share: jobs, mount refs, who uses a copy
 *   finding_build.c a finding under construction: holders, creators, pids
 *                   (its strings from a bump arena, arena.c)
 *   model_rescan.c  start-up load, rescans, resync, the deferred work queue
 *   model.c         the public verbs
 *   model_view.c    a read-only view of overlays and copies (model_view.h)
 *   rule_gone.c     the snapshot's rule: copies whose original is gone
 *
 * Identity (checked on 6.18, which reuses a dead namespace's inode at once):
 * a namespace is (inode, unique id); an entry whose id is not known yet
 * (a snapshot on a kernel without NS_GET_MNTNS_ID) is matched to a new
 * sighting of its inode only when something confirms it is the same
 * namespace. A mount is (namespace entry, mount id), checked against the
 * overlay's superblock dev and, where the kernel has it, mnt_id_unique.
 */
#ifndef MT_MODEL_INT_H
#define MT_MODEL_INT_H

#include <stdbool.h>
#include <string.h>
#include <linux/types.h>

#include "htab.h"
#include "pool.h"
#include "model.h"
#include "newapi.h"
#include "slab.h"
#include "strpool.h"

#define MAX_CHAIN 16		/* master chains and copy chains we follow */
#define MAX_PENDING 4096	/* records waiting for their syscall's exit */
#define PENDING_MAX_AGE_NS (5ULL * 1000000000ULL)
#define PROCS_PRUNE_AT 1024	/* processes per namespace before pruning */
#define MAX_NAMESPACES 65536	/* entries, dead ones included */
#define MAX_OVERLAYS 65536

struct proc_entry {
	__u32 pid;
	char comm[16];
	struct mt_cg_ident ident;
	bool ident_known;
	signed char kthread;	/* 1 kernel thread, 0 not, -1 not looked yet */
};

struct ns_entry {
	struct ns_entry *next;	/* every entry, dead ones too */
	struct htab_node by_ino;	/* live entries only */
	__u32 ino;
	__u64 id;		/* ns_id/seq when known, 0 otherwise */
	bool dead;
	int refs;		/* queued jobs that point here */
	__u64 first_ts;
	/* who made it, when an event said so */
	bool has_creator;
	bool creator_ident_known;
	__u32 cr_pid;
	char cr_comm[16];
	const char *cr_call;
	__u64 cr_ts;
	struct ns_entry *cr_from;	/* the namespace it was copied from */
	char cr_unit[MT_UNIT_LEN];
	struct proc_entry *procs;
	int nr_procs, cap_procs;
	/* what keeps it alive without a process, from the last scan */
	struct mt_keeper *keepers;
	int nr_keepers;
	/* the oldest process, looked up for an inferred creator */
	__u32 inf_pid;
	__u64 inf_ts;
	int inf_nr;		/* nr_procs when looked up */
	struct mount_entry *mnts;
	int nr_mnts;		/* in mnts: look-ups walk the shorter list */
	int nr_noid;		/* of them, known only from a syscall (id 0) */
	__u64 mounts_round;	/* the work round that last took its mounts in */
};

struct overlay_entry;

struct mount_entry {
	struct mount_entry *ns_next, *ovl_next;
	struct mount_entry **ns_pprev, **ovl_pprev;	/* O(1) unlink */
	struct htab_node by_id;	/* key: (namespace entry, mount id) */
	struct ns_entry *ns;
	struct overlay_entry *ovl;
	struct mount_entry *orig;	/* the mount this one was copied from */
	int nr_copies;		/* mounts whose orig is this one */
	__u32 id;		/* 0 = not known yet (seen only as a syscall) */
	__u64 uid;
	const char *path;	/* interned (model_strs.c) */
	__u32 group, master, parent_group, parent_master;
	bool prop_known, parent_known;
	bool risk_done;
	__u32 walk_seq;		/* the last namespace walk that showed it */
};

struct overlay_entry {
	struct overlay_entry *next;
	struct htab_node by_dev, by_upper, by_work;
	__u32 dev;		/* superblock dev; 0 = not known yet */
	int refs;		/* queued jobs that point here */
	const char *merged;	/* interned, like the mounts' paths */
	char *dirs;		/* upper, work, lower: see model_strs.c */
	__u64 first_ts;		/* when the model first saw it */
	struct mount_entry *mnts;
	struct mount_entry *home;	/* cached likeliest original, NULL = recompute */
	__u64 leak_id;
	int nr_mnts;		/* in mnts */
};

/* A kernel record that waits for its syscall's exit (same tid). */
struct pending {
	struct pending *next;
	__u32 tid;
	__u32 op;		/* enum mt_mount_op */
	__u32 ns;		/* the mount's namespace, 0 for a fresh copy */
	__u64 ns_id;
	__u32 aux;
	struct mt_mount m;	/* fixed part */
	char *path, *upper, *work, *lower;
};


/* A mount as it was when a rule fired (the entry may be gone by then). */
struct mount_ref {	/* (no padding holes: a storm's jobs hold 100,000s) */
	struct ns_entry *ns;	/* holds a ref */
	const char *path;	/* the mount's, in m->paths: holds a ref */
	__u32 id;
	__u32 group, master, parent_group, parent_master;
	bool prop_known, parent_known;
};

enum job_kind {
	JOB_NONE,		/* cancelled: only its references to drop */
	JOB_RISK,		/* judge a copy now that its facts are in */
	JOB_LEAK,		/* umount2 left copies behind */
	JOB_NOT_MOUNTED_HERE,	/* umount2 EINVAL */
	JOB_UMOUNT_BUSY,	/* umount2 EBUSY */
	JOB_DETACHED,		/* rmdir succeeded, copies elsewhere */
	JOB_LAZY_DETACHED,	/* umount2(MNT_DETACH) reached copies elsewhere */
	JOB_RMDIR_BUSY,		/* rmdir EBUSY */
	JOB_UPPER_IN_USE,	/* an overlay mount on a pinned upper/workdir */
	JOB_CREATOR_IDENT,	/* read a creator's cgroup */
	JOB_CONFIRM_NS,		/* a namespace seen without its unique id */
};

/*
 * Work a record asked for that needs /proc: done after the ring buffer
 * poll returns (mt_model__work), with the rescans of every queued job
 * coalesced into one.
 */
struct job {
	struct job *next;
	enum job_kind kind;
	struct mt_hdr hdr;	/* the record that raised it */
	__u32 call;		/* enum mt_call, 0 = none */
	int err;
	char *path;		/* the path the call named */
	char *upper, *work, *lower;
	struct overlay_entry *ovl;	/* holds a ref */
	struct ns_entry *caller;	/* holds a ref */
	struct mount_ref gone;	/* LEAK: the unmounted mount */
	struct mount_ref orig;	/* LEAK: the original of a copy unmounted */
	struct mount_ref *mounts;	/* RISK: the copy; BUSY/DETACHED: candidates */
	struct mount_ref few[3];	/* mounts, until there are more (RISK: 2 or 3) */
	__u32 dev;		/* LAZY_DETACHED: the overlay's superblock dev */
	int nr_mounts, cap_mounts;
	bool known;		/* LEAK: the kernel said what it removed */
	bool reread_mounts;	/* the rescan must read mounts too */
	bool capped;		/* more candidates than a job keeps */
	const char *op;
	__u64 enter_ns;		/* the call's entry time */
};

/* A buffer that a dir is rebuilt into (ovl_dir). */
struct mt_strbuf {
	char *s;
	size_t cap;
};

enum ovl_dir { OVL_UPPER, OVL_WORK, OVL_LOWER, OVL_NR_DIRS };

struct mt_model {
	struct mt_model_opts o;
	const char *proc_root;
	struct ns_entry *ns;		/* every entry */
	struct htab ns_by_ino;		/* live entries */
	struct htab mnt_by_id;
	struct overlay_entry *ovls;
	struct htab ovl_by_dev, ovl_by_upper, ovl_by_work;
	struct pending *pend;
	int nr_pend;
	struct mt_newapi *newapi;	/* overlay contexts of the new mount API */
	struct job *jobs, **jobs_tail;
	int nr_jobs;
	/* a storm queues jobs by the tens of thousands: one malloc each was
	 * a tenth of a replay's CPU */
	struct mt_pool job_pool;
	__u64 now_ts;			/* the record being fed */
	bool want_resync;		/* records were lost: re-read everything */
	/* records were lost and the re-read that follows has not ended: the
	 * findings raised meanwhile may miss what the lost records said */
	bool loss_open;
	bool rereading;			/* mt_model__resync() is running */
	bool reread_failed;		/* the last one after a loss failed */
	__u64 work_round;
	__u64 next_id;
	__u32 self_ns;
	__u32 self_pid;
	const struct mt_proc_ops *px;	/* /proc look-ups, and their ctx */
	void *px_ctx;
	struct fbuild *fb;
	struct mt_model_stats st;
	struct mt_strpool paths;	/* mount paths and merged dirs */
	struct mt_slab mnt_slab, ovl_slab;
	struct mt_strbuf dirbuf[OVL_NR_DIRS];	/* ovl_dir()'s answers */
};

/* ---- small helpers ---- */
static inline char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static inline bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

void set_str(char **dst, const char *src);
void prop_str(__u32 group, __u32 master, char *buf, size_t n);

/* ---- model_strs.c ---- */
void mnt_set_path(struct mt_model *m, struct mount_entry *mm, const char *path);
/* @o's dir @d, NULL when unknown; valid until the next ovl_dir(m, .., @d) */
const char *ovl_dir(struct mt_model *m, const struct overlay_entry *o, enum ovl_dir d);
bool ovl_has_dir(const struct overlay_entry *o, enum ovl_dir d);
bool ovl_dir_is(const struct overlay_entry *o, enum ovl_dir d, const char *s);
void ovl_set_dirs(struct mt_model *m, struct overlay_entry *o, const char *merged,
		  const char *const dirs[OVL_NR_DIRS]);
void ovl_free_strs(struct mt_model *m, struct overlay_entry *o);

/* ---- model_store.c ---- */
struct ns_entry *ns_find(struct mt_model *m, __u32 ino);
struct ns_entry *ns_new(struct mt_model *m, __u32 ino, __u64 id, __u64 ts);
void ns_kill(struct mt_model *m, struct ns_entry *n);
struct ns_entry *ns_get(struct mt_model *m, __u32 ino, __u64 id, __u64 ts);
struct ns_entry *ns_created(struct mt_model *m, __u32 ino, __u64 id,
			    __u64 enter_ts, __u64 ts);
struct proc_entry *ns_proc(struct ns_entry *n, __u32 pid);
int ns_add_proc(struct mt_model *m, struct ns_entry *n, __u32 pid, const char *comm,
		const struct mt_cg_ident *ident, bool moved);
void ns_set_creator(struct mt_model *m, struct ns_entry *n, const struct mt_hdr *h,
		    const char *call, struct ns_entry *from);
void ns_set_keepers(struct ns_entry *n, const struct mt_keeper *k, int nr);
void ns_put(struct mt_model *m, struct ns_entry *n);

struct overlay_entry *ovl_get(struct mt_model *m, __u32 dev, const char *upper,
			      const char *work, bool create);
void ovl_set_layers(struct mt_model *m, struct overlay_entry *o, const char *path,
		    const char *upper, const char *work, const char *lower, bool self);
struct overlay_entry *ovl_pinning(struct mt_model *m, const char *upper,
				  const char *work, __u64 newer_than);
void ovl_put(struct mt_model *m, struct overlay_entry *o);
static inline bool ovl_live(const struct overlay_entry *o)
{
	return o->mnts != NULL;
}

struct mnt_info {
	__u32 id;
	__u64 uid;
	__u32 dev;
	const char *path, *upper, *work, *lower;
	__u32 group, master, parent_group, parent_master;
	bool prop_known, parent_known;
	bool new_sb;		/* a mount(2) of overlay: always a new superblock */
};
struct mount_entry *mnt_upsert(struct mt_model *m, struct ns_entry *n,
			       const struct mnt_info *in, bool *created);
void mnt_remove(struct mt_model *m, struct mount_entry *mm);
struct mount_entry *ns_mnt(struct mt_model *m, struct ns_entry *n, __u32 id);
struct mount_entry *ns_mnt_at(struct ns_entry *n, const char *path);
struct mount_entry *ns_ovl_first(struct ns_entry *n, const struct overlay_entry *o,
				 bool (*want)(const struct mount_entry *));
void set_orig(struct mount_entry *mm, struct mount_entry *orig);
void gc(struct mt_model *m);
void check_invariants(struct mt_model *m);

/* ---- propagation.c ---- */
struct mount_entry *root_orig(struct mount_entry *mm);
bool reaches(const struct mount_entry *r, const struct mount_entry *c);
bool better_home(__u32 self_ns, const struct mount_entry *a, const struct mount_entry *b);
struct mount_entry *guess_orig(__u32 self_ns, struct mount_entry *mm);
bool container_ns(const struct mount_entry *c);

/* ---- rule_jobs.c: what the rules share ---- */
#define MAX_CANDIDATES 256	/* busy or detached copies looked at per call */
struct job *rule_queue(struct mt_model *m, enum job_kind kind, const struct mt_record *rec,
		       struct overlay_entry *o, struct ns_entry *caller, const char *path);
int job_add_ref(struct job *j, const struct mount_entry *mm);
struct mount_entry *mount_deref(struct mt_model *m, const struct mount_ref *r);
struct mount_entry *pending_mount(struct mt_model *m, const struct pending *p);
void add_all_holders(struct fbuild *b, struct overlay_entry *o, struct ns_entry *except);
int find_users(struct mt_model *m, struct fbuild *b, const struct mount_ref *r,
	       __u32 dev, enum mt_reason code, int found);

/* ---- rules.c: called from records, queue jobs ---- */
void rule_check_risk(struct mt_model *m, struct mount_entry *c, const struct mt_hdr *h,
		     const char *op);
void rule_umount_ok(struct mt_model *m, const struct mt_record *rec,
		    struct ns_entry *caller, const char *path, struct pending *pend);
void rule_umount_einval(struct mt_model *m, const struct mt_record *rec,
			struct ns_entry *caller, const char *path);
void rule_umount_ebusy(struct mt_model *m, const struct mt_record *rec,
		       struct ns_entry *caller, const char *path, struct pending *pend);
void rule_rmdir_ok(struct mt_model *m, const struct mt_record *rec,
		   struct ns_entry *caller, const char *path, struct pending *pend);
void rule_rmdir_ebusy(struct mt_model *m, const struct mt_record *rec,
		      struct ns_entry *caller, const char *path);
void rule_overlay_mounted(struct mt_model *m, const struct mt_record *rec,
			  struct ns_entry *caller, const char *path, const char *upper,
			  const char *work, const char *lower, int err);
/* and, run from the work queue once the rescans are in */
int rule_prepare(struct mt_model *m, struct job *j, struct ns_entry **out, int max,
		 bool *mounts);
void rule_finish(struct mt_model *m, struct job *j);

/* ---- finding_build.c ---- */
struct fbuild *fb_alloc(void);
void fb_free(struct fbuild *b);
struct fbuild *fb_new(struct mt_model *m, enum mt_finding_kind kind,
		      const struct mt_hdr *h, const char *op, int err,
		      const struct overlay_entry *o);
struct mt_finding *fb_finding(struct fbuild *b);
struct mt_finding_holder *fb_holder(struct fbuild *b, struct ns_entry *n,
				    const struct mount_ref *mm, bool list_pids);
struct mt_finding_pid *fb_add_pid(struct fbuild *b, struct mt_finding_holder *h);
const char *fb_str(struct fbuild *b, const char *s);
void fb_creator_args(struct mt_reason_args *a, const struct ns_entry *n);
__u64 fb_emit(struct mt_model *m, struct fbuild *b);
/* @mm's facts, holding its namespace and path (mount_ref_free), or, peeked,
 * holding nothing: for a use that ends before the model changes */
struct mount_ref mount_ref_of(const struct mount_entry *mm);
struct mount_ref mount_ref_peek(const struct mount_entry *mm);
void mount_ref_free(struct mt_model *m, struct mount_ref *r);

/* ---- model_rescan.c ---- */
struct job *job_new(struct mt_model *m, enum job_kind kind, const struct mt_hdr *h);
void jobs_free(struct mt_model *m);
void link_new_mount(struct mt_model *m, struct mount_entry *mm);
int holder_namespaces(struct overlay_entry *o, struct ns_entry *except,
		      struct ns_entry **out, int max);

/* ---- model_records.c ---- */
int model_on_syscall(struct mt_model *m, const struct mt_record *rec);
int model_on_mount(struct mt_model *m, const struct mt_record *rec);
int model_on_ns(struct mt_model *m, const struct mt_record *rec);
void pend_list_free(struct pending *p);

#endif /* MT_MODEL_INT_H */
