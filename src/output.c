// SPDX-License-Identifier: GPL-2.0
/*
 * Each record is described once, as a list of fields, through a small sink
 * that either appends "key=value" to the text line or a JSON member.
 * In text, a field goes to one of three parts (field_part()): the main
 * fields a user acts on, the extra ones (-v, --wide) and the path, last.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>		/* MS_*, MOVE_MOUNT_*, FSCONFIG_* (glibc >= 2.36) */
#include <time.h>
#include <linux/sched.h>	/* CLONE_NEWNS, CSIGNAL */

#include "escape.h"
#include "linebuf.h"
#include "mountinfo.h"
#include "names.h"
#include "output.h"

/* room for every string of the largest record, quoted and escaped */
#define TEXT_MAX (MT_ESC_MAX_PER_BYTE * MT_RECORD_MAX + 1024)
#define FIELDS_MAX 32	/* a part's fields a line may break between */
#define ELLIPSIS "\u2026"	/* "…": where a cut value lost its part */

enum part { PART_MAIN, PART_EXTRA, PART_PATH, PART__MAX };

struct sink {
	struct mt_output *o;
	char text[PART__MAX][TEXT_MAX];
	size_t pos[PART__MAX];
	size_t field_at[PART__MAX][FIELDS_MAX];	/* where each " key=value" starts */
	int nr_fields[PART__MAX];
	bool minor;		/* the next field says nothing a user acts on: extra */
	bool path_is_full;	/* full_path is the path shown; path is extra */
	bool data_is_path;	/* fsconfig: the value is what a user reads */
	const char *demoted[2];	/* keys that say again what the line says */
	/* JSON names of the fields that are incomplete / could not be read */
	const char *cut[MT_REC_NSTR + 1];
	const char *unreadable[MT_REC_NSTR];
	int ncut, nunreadable;
};

/* Fields a user rarely acts on: shown with -v or --wide. */
static const char *const extra_fields[] = {
	"mnt_id", "mnt_id_unique", "parent_id", "parent_propagation", "src_mnt_id",
	"src_ns", "dest_mnt_id", "dev", "upperdir", "workdir", "lowerdir", "walk_seq",
	"emitted", "trigger", "dfd", "from_dfd", "to_dfd", "fd", "aux", "userns_fd",
	"size", "data",
};

static enum part field_part(const struct sink *s, const char *key)
{
	if (strcmp(key, "full_path") == 0)
		return PART_PATH;
	if (strcmp(key, "path") == 0)
		return s->path_is_full ? PART_EXTRA : PART_PATH;
	if (strcmp(key, "data") == 0 && s->data_is_path)
		return PART_PATH;
	for (size_t i = 0; i < sizeof(s->demoted) / sizeof(s->demoted[0]); i++)
		if (s->demoted[i] && strcmp(key, s->demoted[i]) == 0)
			return PART_EXTRA;
	for (size_t i = 0; i < sizeof(extra_fields) / sizeof(extra_fields[0]); i++)
		if (strcmp(key, extra_fields[i]) == 0)
			return PART_EXTRA;
	return s->minor ? PART_EXTRA : PART_MAIN;
}

static void text_append(struct sink *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* " key=<fmt>" into the part @key belongs to. */
static void text_append(struct sink *s, const char *key, const char *fmt, ...)
{
	enum part p = field_part(s, key);
	char *buf = s->text[p];
	size_t *pos = &s->pos[p];
	va_list ap;
	int n;

	if (*pos >= TEXT_MAX - 1)
		return;
	if (s->nr_fields[p] < FIELDS_MAX)
		s->field_at[p][s->nr_fields[p]++] = *pos;
	n = snprintf(buf + *pos, TEXT_MAX - *pos, " %s=", key);
	if (n > 0)
		*pos += n;
	if (*pos >= TEXT_MAX - 1) {
		*pos = TEXT_MAX - 1;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, TEXT_MAX - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += n;
	if (*pos > TEXT_MAX - 1)
		*pos = TEXT_MAX - 1;
}

/* A string field; in text, "…" marks the @front and/or the end that was cut. */
static void put_str_cut(struct sink *s, const char *key, const char *val, bool front, bool end)
{
	static char shown[MT_ESC_MAX_PER_BYTE * MT_STR_MAX * 2 + 1];
	const char *q;

	if (!val)
		return;
	if (s->o->json) {
		mt_json_str(&s->o->j, key, val);
		return;
	}
	/* escape what could end the line, the quotes or reach the terminal
	 * (escape.h); quote what a reader could not split on spaces */
	mt_escape(shown, sizeof(shown), val, strlen(val), MT_ESC_QUOTE);
	val = shown;
	q = !*val || strpbrk(val, " \t\n\"=") ? "\"" : "";
	text_append(s, key, "%s%s%s%s%s", q, front ? ELLIPSIS : "", val, end ? ELLIPSIS : "", q);
}

static void put_str(struct sink *s, const char *key, const char *val)
{
	put_str_cut(s, key, val, false, false);
}

static void note_field(const char **list, int *n, int max, const char *key)
{
	if (*n < max)
		list[(*n)++] = key;
}

/*
 * String slot @slot as field @key. A cut user string lost its end; a cut
 * walked path (@walked) lost its start. A string that could not be read is
 * left out of JSON and named in "unreadable".
 */
static void put_slot_as(struct sink *s, const struct mt_record *rec, int slot, const char *key,
			bool walked, const char *val)
{
	bool cut = rec->str_cut & (1u << slot);

	if (rec->str_fault & (1u << slot)) {
		note_field(s->unreadable, &s->nunreadable, MT_REC_NSTR, key);
		if (!s->o->json)
			text_append(s, key, "<unreadable>");
		return;
	}
	if (cut)
		note_field(s->cut, &s->ncut, MT_REC_NSTR + 1, key);
	if (rec->str[slot] || cut)
		put_str_cut(s, key, val ? val : "", cut && walked, cut && !walked);
}

static void put_slot(struct sink *s, const struct mt_record *rec, int slot, const char *key,
		     bool walked)
{
	put_slot_as(s, rec, slot, key, walked, rec->str[slot]);
}

/*
 * An overlay upper or work dir as the directory it names. The kernel keeps
 * the option as given, with overlay's backslash escapes ("u\,p"), and
 * unescapes a copy to look it up (6.18 fs/overlayfs/params.c:
 * ovl_parse_param_upperdir, ovl_mount_dir). The lowerdir list keeps its
 * escapes: "\:" inside a layer differs from the ':' between layers.
 */
static void put_overlay_dir(struct sink *s, const struct mt_record *rec, int slot,
			    const char *key)
{
	char dir[MT_STR_MAX];

	snprintf(dir, sizeof(dir), "%s", mt_record_str(rec, slot));
	put_slot_as(s, rec, slot, key, false, mt_unescape_backslash(dir));
}

static void put_field_list(struct sink *s, const char *key, const char **list, int n)
{
	if (!n)
		return;
	mt_json_arr_begin(&s->o->j, key);
	for (int i = 0; i < n; i++)
		mt_json_str(&s->o->j, NULL, list[i]);
	mt_json_arr_end(&s->o->j);
}

static void put_int(struct sink *s, const char *key, long long v)
{
	if (s->o->json)
		mt_json_int(&s->o->j, key, v);
	else
		text_append(s, key, "%lld", v);
}

static void put_uint(struct sink *s, const char *key, unsigned long long v)
{
	if (s->o->json)
		mt_json_uint(&s->o->j, key, v);
	else
		text_append(s, key, "%llu", v);
}

static void put_flags(struct sink *s, const char *key, unsigned long long v,
		      const struct mt_flag_name *table)
{
	char buf[512], raw[64];
	bool minor = s->minor;

	mt_flags_format(buf, sizeof(buf), v, table);
	s->minor |= v == 0;	/* no flag set: -v says so */
	put_str(s, key, buf);
	s->minor = minor;
	if (s->o->json) {
		snprintf(raw, sizeof(raw), "%s_raw", key);
		mt_json_uint(&s->o->j, raw, v);
	}
}

static void put_fd(struct sink *s, const char *key, long long fd)
{
	if (s->o->json || (int)fd != AT_FDCWD)
		put_int(s, key, (int)fd);
	else
		put_str(s, key, "AT_FDCWD");
}

/* struct mount_attr, as strace shows it; absent when unreadable */
static void put_mount_attr(struct sink *s, const struct mt_syscall *sc)
{
	if (sc->attr_size) {
		put_flags(s, "attr_set", sc->attr_set, mt_mount_attr_flags);
		put_flags(s, "attr_clr", sc->attr_clr, mt_mount_attr_flags);
		put_flags(s, "propagation", sc->extra, mt_propagation_types);
		put_uint(s, "userns_fd", sc->userns_fd);
	}
	put_uint(s, "size", sc->args[4]);
}

void mt_output_init(struct mt_output *o, FILE *f, bool json, bool timestamp)
{
	struct timespec rt, mono;

	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
	o->timestamp = timestamp;
	o->term.width = MT_TERM_WIDTH;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	o->wall_offset_ns = (rt.tv_sec - mono.tv_sec) * 1000000000LL +
			    (rt.tv_nsec - mono.tv_nsec);
	if (json)
		mt_json_init_file(&o->j, f);
}

void mt_output_time(const struct mt_output *o, uint64_t ts_ns, char *buf, size_t len)
{
	/* unsigned: a garbage stamp wraps instead of overflowing (fuzz_record) */
	int64_t wall = (int64_t)(ts_ns + (uint64_t)o->wall_offset_ns);
	time_t sec;
	struct tm tm;

	/* the clock time of the last second asked for: records come many a
	 * second, and localtime_r() and a printf are most of a line's cost */
	static __thread time_t last_sec = -1;
	static __thread char hms[9];
	char t[16];
	int us;

	if (wall < 0)
		wall = 0;
	sec = wall / 1000000000LL;
	us = (int)(wall % 1000000000LL / 1000);
	if (sec != last_sec) {
		localtime_r(&sec, &tm);
		snprintf(hms, sizeof(hms), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
		last_sec = sec;
	}
	memcpy(t, hms, 8);
	t[8] = '.';
	for (int i = 14; i > 8; i--, us /= 10)
		t[i] = (char)('0' + us % 10);
	t[15] = '\0';
	if (len) {	/* cut to fit, as snprintf would */
		size_t n = len - 1 < 15 ? len - 1 : 15;

		memcpy(buf, t, n);
		buf[n] = '\0';
	}
}

/* The errno name of a return value, NULL unless it is -1..-4095 (MAX_ERRNO):
 * negating any other value may overflow (fuzz_record: LLONG_MIN). */
static const char *ret_errno(long long ret)
{
	return ret < 0 && ret >= -4095 ? mt_errno_name((int)-ret) : NULL;
}

/*
 * Slots mount(2) does not read for its flags: a remount or a propagation
 * change reads neither source nor fstype, a bind or a move no fstype
 * (fs/namespace.c path_mount(); checked on 6.18: each succeeds with a
 * source and an fstype that do not exist). Text leaves them to -v.
 */
static bool mount_ignores(const struct mt_syscall *sc, int slot)
{
	__u64 flags = sc->args[3];

	if (sc->call != MT_CALL_MOUNT)
		return false;
	if (flags & (MS_REMOUNT | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
		return true;
	return slot == MT_SC_FSTYPE && (flags & (MS_BIND | MS_MOVE));
}

/* A new mount namespace, and flags (or an nstype) that say only that:
 * "new_mnt_ns=" says it all, the flags are for -v. */
static bool only_newns(const struct mt_syscall *sc, __u64 flags)
{
	return sc->new_mntns && flags == CLONE_NEWNS;
}

static void describe_syscall(struct sink *s, const struct mt_record *rec)
{
	const struct mt_syscall *sc = rec->sc;
	const __u64 *a = sc->args;
	char full[MT_STR_MAX * 2 + 2];
	bool base_cut = rec->str_cut & (1u << MT_SC_BASE);
	bool path_cut = rec->str_cut & (1u << MT_SC_PATH);
	char cmd[32];

	/* text shows the errno in the RESULT column */
	if (s->o->json && ret_errno(sc->ret))
		put_str(s, "errno", ret_errno(sc->ret));
	/* BASE has no field of its own: it shows in full_path, which text
	 * then shows as the path (the relative one only with -v) */
	mt_record_full_path(rec, full, sizeof(full));
	s->path_is_full = full[0] && rec->str[MT_SC_BASE];
	s->data_is_path = sc->call == MT_CALL_FSCONFIG;
	/* "source=overlay fstype=overlay" says it twice: once will do */
	if (rec->str[MT_SC_SRC] && rec->str[MT_SC_FSTYPE] &&
	    strcmp(rec->str[MT_SC_SRC], rec->str[MT_SC_FSTYPE]) == 0)
		s->demoted[0] = "source";
	if (sc->call != MT_CALL_FSCONFIG) {
		s->minor = mount_ignores(sc, MT_SC_SRC) ||
			   (sc->call == MT_CALL_MOVE_MOUNT && (a[4] & MOVE_MOUNT_F_EMPTY_PATH) &&
			    rec->str[MT_SC_SRC] && !rec->str[MT_SC_SRC][0]);
		put_slot(s, rec, MT_SC_SRC, "source", false);
		s->minor = false;
	}
	put_slot(s, rec, MT_SC_PATH, "path", false);
	if (full[0] && (s->o->json || rec->str[MT_SC_BASE])) {
		if (base_cut || path_cut)
			note_field(s->cut, &s->ncut, MT_REC_NSTR + 1, "full_path");
		put_str_cut(s, "full_path", full, base_cut, path_cut);
	}
	s->minor = mount_ignores(sc, MT_SC_FSTYPE);
	put_slot(s, rec, MT_SC_FSTYPE, "fstype", false);
	s->minor = false;

	switch (sc->call) {
	case MT_CALL_MOUNT:
		put_flags(s, "flags", a[3], mt_mount_flags);
		break;
	case MT_CALL_UMOUNT2:
		put_flags(s, "flags", a[1], mt_umount_flags);
		break;
	case MT_CALL_MOVE_MOUNT:
		put_fd(s, "from_dfd", (int)a[0]);
		put_fd(s, "to_dfd", (int)a[2]);
		put_flags(s, "flags", a[4], mt_move_mount_flags);
		break;
	case MT_CALL_FSOPEN:
		put_flags(s, "flags", a[1], mt_fsopen_flags);
		break;
	case MT_CALL_FSCONFIG:
		put_int(s, "fd", (int)a[0]);
		/* always a string: the name, or the number of an unknown command;
		 * text leaves SET_STRING to -v ("key=upperdir data=/u" says it) */
		s->minor = a[1] == FSCONFIG_SET_STRING && rec->str[MT_SC_SRC];
		put_str(s, "cmd", mt_value_format(cmd, sizeof(cmd), (unsigned int)a[1],
						  mt_fsconfig_cmds));
		s->minor = false;
		if (s->o->json)
			put_uint(s, "cmd_raw", (unsigned int)a[1]);
		put_slot(s, rec, MT_SC_SRC, "key", false);
		put_int(s, "aux", (int)a[4]);
		break;
	case MT_CALL_FSMOUNT:
		put_int(s, "fd", (int)a[0]);
		put_flags(s, "flags", a[1], mt_fsmount_flags);
		put_flags(s, "attr_flags", a[2], mt_mount_attr_flags);
		break;
	case MT_CALL_OPEN_TREE:
		put_fd(s, "dfd", (int)a[0]);
		put_flags(s, "flags", a[2], mt_open_tree_flags);
		break;
	case MT_CALL_OPEN_TREE_ATTR:
		put_fd(s, "dfd", (int)a[0]);
		put_flags(s, "flags", a[2], mt_open_tree_flags);
		put_mount_attr(s, sc);
		break;
	case MT_CALL_MOUNT_SETATTR:
		put_fd(s, "dfd", (int)a[0]);
		put_flags(s, "flags", a[2], mt_mount_setattr_flags);
		put_mount_attr(s, sc);
		break;
	case MT_CALL_UNSHARE:
		s->minor = only_newns(sc, a[0]);
		put_flags(s, "flags", a[0], mt_unshare_flags);
		break;
	case MT_CALL_CLONE:
		s->minor = only_newns(sc, a[0] & ~(__u64)CSIGNAL);
		put_flags(s, "flags", a[0], mt_clone_flags);
		break;
	case MT_CALL_CLONE3:
		s->minor = only_newns(sc, sc->extra);
		put_flags(s, "flags", sc->extra, mt_unshare_flags);
		break;
	case MT_CALL_SETNS:
		put_int(s, "fd", (int)a[0]);
		s->minor = only_newns(sc, a[1]);
		put_flags(s, "nstype", a[1], mt_setns_flags);
		break;
	case MT_CALL_UNLINKAT:
		put_fd(s, "dfd", (int)a[0]);
		put_flags(s, "flags", a[2], mt_unlinkat_flags);
		break;
	}
	s->minor = false;
	/* fsconfig's value travels in the DATA slot */
	put_slot(s, rec, MT_SC_DATA, "data", false);
	if (sc->new_mntns) {
		put_uint(s, "new_mnt_ns", sc->new_mntns);
		if (s->o->json)
			put_uint(s, "new_mnt_ns_id", sc->new_mntns_id);
	}
	/* removals are traced at exit only (bpf/removal.h): no entry time */
	if (s->o->json)
		put_uint(s, "latency_ns", sc->call == MT_CALL_RMDIR || sc->call == MT_CALL_UNLINKAT ?
					  0 : sc->hdr.ts_ns - sc->enter_ns);
}

/* Records about a directory rather than a mount (no mount id). */
static bool is_dir_record(const struct mt_record *rec)
{
	unsigned int op = rec->mnt->op;

	return rec->hdr->type == MT_EV_MOUNT &&
	       (op == MT_MNT_DETACH || op == MT_MNT_LOCAL_MP || op == MT_MNT_OVL_INUSE);
}

static void describe_mount(struct sink *s, const struct mt_record *rec)
{
	const struct mt_mount *m = rec->mnt;
	const char *fstype;
	char buf[64];

	if (is_dir_record(rec)) {
		/* only the directory's name chain inside its filesystem is known */
		put_slot(s, rec, MT_MS_PATH, "path", true);
		return;
	}
	/* the mount's fstype is in its mount line; here it would push the
	 * path of "mnt:umount_propagated" past 120 columns (-v shows it) */
	s->demoted[1] = "fstype";
	put_uint(s, "mnt_id", m->mnt_id);
	if (m->mnt_id_unique)
		put_uint(s, "mnt_id_unique", m->mnt_id_unique);
	if (m->mnt_ns) {
		put_uint(s, "ns", m->mnt_ns);
		if (s->o->json)
			put_uint(s, "ns_id", m->mnt_ns_id);
	}
	put_uint(s, "parent_id", m->parent_id);
	put_slot(s, rec, MT_MS_PATH, "path", true);
	put_str(s, "propagation", mt_propagation_str(m->group_id, m->master_id, false,
						     buf, sizeof(buf)));
	put_str(s, "parent_propagation", mt_propagation_str(m->parent_group_id,
							    m->parent_master_id, false,
							    buf, sizeof(buf)));
	if (m->op == MT_MNT_COPY || m->op == MT_MNT_PROP_COPY || m->src_mnt_ns_id) {
		put_uint(s, "src_mnt_id", m->src_mnt_id);
		if (m->aux)
			put_uint(s, "src_ns", m->aux);
	}
	snprintf(buf, sizeof(buf), "%u:%u", m->sb_dev >> 20, m->sb_dev & 0xfffff);
	put_str(s, "dev", buf);
	fstype = mt_fstype_from_magic(m->sb_magic);
	if (!fstype) {
		snprintf(buf, sizeof(buf), "0x%x", m->sb_magic);
		fstype = buf;
	}
	put_str(s, "fstype", fstype);
	put_overlay_dir(s, rec, MT_MS_UPPER, "upperdir");
	put_overlay_dir(s, rec, MT_MS_WORK, "workdir");
	put_slot(s, rec, MT_MS_LOWER, "lowerdir", false);
	if (m->op == MT_MNT_UMOUNT) {
		put_flags(s, "umount_flags", m->aux & ~MT_UMOUNT_NS_ROOT, mt_umount_tree_flags);
		if (m->aux & MT_UMOUNT_NS_ROOT)
			put_str(s, "ns_teardown", "yes");
	}
	if (m->op == MT_MNT_PROPAGATION)
		put_flags(s, "change", m->aux, mt_propagation_types);
	if (m->op == MT_MNT_PROPAGATE)
		put_uint(s, "dest_mnt_id", m->aux);
	if (m->op == MT_MNT_WALK || m->op == MT_MNT_WALK_COPY)
		put_uint(s, "walk_seq", m->walk_seq);
}

static void describe_ns(struct sink *s, const struct mt_record *rec)
{
	const struct mt_ns *n = rec->ns;

	if (n->ns == rec->hdr->mntns)
		s->demoted[0] = "ns";	/* the MNTNS column has it */
	put_uint(s, "ns", n->ns);
	if (s->o->json)
		put_uint(s, "ns_id", n->ns_id);
	if (n->op == MT_NS_COPY) {
		put_uint(s, "old_ns", n->old_ns);
		if (s->o->json)
			put_uint(s, "old_ns_id", n->old_ns_id);
		s->minor = n->flags == CLONE_NEWNS;	/* what a copy is */
		put_flags(s, "flags", n->flags, mt_unshare_flags);
		s->minor = false;
		return;
	}
	put_uint(s, "walk_seq", n->walk_seq);
	put_uint(s, "mounts", n->nr_mounts);
	put_uint(s, "emitted", n->nr_emitted);
	if (n->nr_unchanged)
		put_uint(s, "unchanged", n->nr_unchanged);
	if (s->o->json)
		mt_json_bool(&s->o->j, "truncated", n->truncated);
	else if (n->truncated)
		put_str(s, "truncated", "yes");
	if (n->trigger && mt_call_name(n->trigger))
		put_str(s, "trigger", mt_call_name(n->trigger));
}

static const char *type_name(const struct mt_record *rec)
{
	switch (rec->hdr->type) {
	case MT_EV_SYSCALL: return "syscall";
	case MT_EV_MOUNT: return is_dir_record(rec) ? "dir" : "mount";
	case MT_EV_NS: return "ns";
	default: return "lost";
	}
}

/* The EVENT column: the call, or "mnt:<op>" / "ns:<op>" */
static void event_name(const struct mt_record *rec, char *buf, size_t len)
{
	const char *n;

	switch (rec->hdr->type) {
	case MT_EV_SYSCALL:
		n = mt_call_name(rec->sc->call);
		snprintf(buf, len, "%s", n ? n : "?");
		break;
	case MT_EV_MOUNT:
		n = mt_mount_op_name(rec->mnt->op);
		snprintf(buf, len, "%s:%s", is_dir_record(rec) ? "dir" : "mnt", n ? n : "?");
		break;
	case MT_EV_NS:
		n = mt_ns_op_name(rec->ns->op);
		snprintf(buf, len, "ns:%s", n ? n : "?");
		break;
	default:
		snprintf(buf, len, "?");
	}
}

/* Internal records: how the model learns, not what a user acts on. */
static bool is_internal(const struct mt_record *rec)
{
	switch (rec->hdr->type) {
	case MT_EV_MOUNT:
		switch (rec->mnt->op) {
		case MT_MNT_WALK:
		case MT_MNT_COPY:
		case MT_MNT_UMOUNT:	/* the umount2 call says it */
		case MT_MNT_PROPAGATE:
		case MT_MNT_PROP_COPY:
			return true;
		}
		return false;
	case MT_EV_NS:
		return rec->ns->op == MT_NS_WALK_DONE;
	}
	return false;
}

bool mt_output_wants(const struct mt_output *o, const struct mt_record *rec)
{
	return o->json || o->internals || !is_internal(rec);
}

#define COL_COMM 15
#define COL_PID 7
#define COL_NS 10
#define COL_EVENT 14
#define COL_RESULT 6

#define COL_INDENT (COL_COMM + 1)	/* a continued line starts under PID */

/* Where the fields start: the width of the columns before them. */
static int prefix_cols(const struct mt_output *o)
{
	return (o->timestamp ? 16 : 0) + COL_COMM + COL_PID + COL_NS + COL_EVENT + COL_RESULT + 4;
}

/*
 * Print the fields of @part from column *@col, *@pad spaces owed before
 * the first; both move on. On a terminal (not --wide) a
 * field that would pass its width starts a continued line, so each line
 * fits but for its path; a field too wide for any line ("flags=" of five
 * namespaces) breaks after a '|'. Off a terminal an event stays one line
 * for grep and awk (-j is for programs).
 */
static void print_fields(struct mt_output *o, const struct sink *s, enum part part, int *col,
			 int *pad)
{
	const struct mt_term *t = &o->term;
	const struct mt_term plain = { 0 };

	if (!t->tty || o->wide)
		t = &plain;
	for (int i = 0; i < s->nr_fields[part]; i++) {
		const char *f = s->text[part] + s->field_at[part][i];
		size_t to = i + 1 < s->nr_fields[part] ? s->field_at[part][i + 1] : s->pos[part];
		size_t len = to - s->field_at[part][i];
		bool split = part != PART_PATH && t->width &&
			     COL_INDENT + mt_term_cols(f, len) > t->width;

		while (len) {
			const char *bar = split ? memchr(f, '|', len) : NULL;
			size_t piece = bar ? (size_t)(bar - f) + 1 : len;
			int cols = mt_term_cols(f, piece);

			if (mt_term_breaks(t, *col + *pad, COL_INDENT, cols, part == PART_PATH)) {
				*col = COL_INDENT + (*f != ' ');
				fprintf(o->f, "\n%*s", *col, "");
				*pad = 0;
			}
			fprintf(o->f, "%*s", *pad, "");
			fwrite(f, 1, piece, o->f);
			*col += *pad + cols;
			*pad = 0;
			f += piece;
			len -= piece;
		}
	}
}

static void print_header(struct mt_output *o)
{
	fputs(mt_term_on(&o->term, MT_ST_HEADER), o->f);
	if (o->timestamp)
		fprintf(o->f, "%-15s ", "TIME");
	fprintf(o->f, "%-*s %-*s %-*s %-*s %-*s DETAILS", COL_COMM, "COMM", COL_PID, "PID",
		COL_NS, "MNTNS", COL_EVENT, "EVENT", COL_RESULT, "RESULT");
	fprintf(o->f, "%s\n", mt_term_off(&o->term, MT_ST_HEADER));
	o->header_done = true;
}

static int flush_line(struct mt_output *o)
{
	if (o->json) {
		int n = mt_json_end_line(&o->j);

		/* -EINVAL (our misuse) still wrote a valid line */
		return n < 0 && n != -EINVAL ? n : 0;
	}
	return mt_linebuf_end(o->f);
}

int mt_output_record(struct mt_output *o, const struct mt_record *rec)
{
	static struct sink s;	/* 32 KiB: kept off the stack */
	const struct mt_hdr *h = rec->hdr;
	char tbuf[32], ev[32], res[24], comm[MT_COMM_LEN + 1], shown[4 * MT_COMM_LEN + 1];
	bool failed;
	int col, pad;

	errno = 0;	/* flush_line() reads what a failed write left */
	s.o = o;
	for (int p = 0; p < PART__MAX; p++) {
		s.pos[p] = 0;
		s.text[p][0] = '\0';
		s.nr_fields[p] = 0;
	}
	s.minor = false;
	s.path_is_full = s.data_is_path = false;
	s.demoted[0] = s.demoted[1] = NULL;
	snprintf(comm, sizeof(comm), "%.*s", MT_COMM_LEN, h->comm);
	s.ncut = 0;
	s.nunreadable = 0;
	mt_output_time(o, h->ts_ns, tbuf, sizeof(tbuf));
	event_name(rec, ev, sizeof(ev));

	if (o->json) {
		mt_json_begin(&o->j);
		mt_json_str(&o->j, "type", type_name(rec));
		if (h->type == MT_EV_SYSCALL)
			mt_json_str(&o->j, "call", ev);
		else	/* "?" has no ':' (fuzz_record: a record of no known type) */
			mt_json_str(&o->j, "op", strchr(ev, ':') ? strchr(ev, ':') + 1 : ev);
		mt_json_uint(&o->j, "ts_ns", h->ts_ns);
		mt_json_str(&o->j, "time", tbuf);
		mt_json_uint(&o->j, "pid", h->pid);
		mt_json_uint(&o->j, "tid", h->tid);
		mt_json_str_n(&o->j, "comm", h->comm, strnlen(h->comm, MT_COMM_LEN));
		mt_json_uint(&o->j, "mnt_ns", h->mntns);
		mt_json_uint(&o->j, "mnt_ns_id", h->mntns_id);
		if (h->type == MT_EV_SYSCALL)
			mt_json_int(&o->j, "ret", rec->sc->ret);
	}
	switch (h->type) {
	case MT_EV_SYSCALL:
		describe_syscall(&s, rec);
		break;
	case MT_EV_MOUNT:
		describe_mount(&s, rec);
		break;
	case MT_EV_NS:
		describe_ns(&s, rec);
		break;
	}
	if (o->json) {
		put_field_list(&s, "truncated", s.cut, s.ncut);
		put_field_list(&s, "unreadable", s.unreadable, s.nunreadable);
		return flush_line(o);
	}

	if (!o->header_done)
		print_header(o);
	failed = h->type == MT_EV_SYSCALL && rec->sc->ret < 0;
	if (failed && ret_errno(rec->sc->ret))
		snprintf(res, sizeof(res), "%s", ret_errno(rec->sc->ret));
	else if (h->type == MT_EV_SYSCALL)
		snprintf(res, sizeof(res), "%lld", (long long)rec->sc->ret);
	else
		snprintf(res, sizeof(res), "-");
	if (o->timestamp)
		fprintf(o->f, "%-15s ", tbuf);
	/* RESULT's padding is owed to the first field: no trailing blanks
	 * when that field starts a continued line */
	fprintf(o->f, "%-*.*s %-*u %-*u %-*s %s%s%s", COL_COMM, COL_COMM,
		mt_term_value(comm, shown, sizeof(shown)), COL_PID, h->pid, COL_NS, h->mntns,
		COL_EVENT, ev, mt_term_on(&o->term, failed ? MT_ST_ERROR : MT_ST_NONE),
		res, mt_term_off(&o->term, failed ? MT_ST_ERROR : MT_ST_NONE));
	pad = COL_RESULT > (int)strlen(res) ? COL_RESULT - (int)strlen(res) : 0;
	col = prefix_cols(o) - pad;
	/* short fields first, the path last and whole; the extras (-v, --wide)
	 * between them on one line, or below it */
	print_fields(o, &s, PART_MAIN, &col, &pad);
	if (o->wide)
		print_fields(o, &s, PART_EXTRA, &col, &pad);
	print_fields(o, &s, PART_PATH, &col, &pad);
	fputc('\n', o->f);
	if (o->verbose && !o->wide && s.pos[PART_EXTRA]) {
		col = COL_INDENT;
		pad = 0;
		fprintf(o->f, "%*s", COL_INDENT, "");
		print_fields(o, &s, PART_EXTRA, &col, &pad);
		fputc('\n', o->f);
	}
	return flush_line(o);
}

int mt_output_lost(struct mt_output *o, uint64_t bpf_drops, uint64_t user_drops)
{
	if (!o->json)
		return 0;	/* text mode reports losses on stderr only */
	mt_json_begin(&o->j);
	mt_json_str(&o->j, "type", "lost");
	mt_json_uint(&o->j, "bpf_drops", bpf_drops);
	mt_json_uint(&o->j, "user_drops", user_drops);
	return flush_line(o);
}
