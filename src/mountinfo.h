/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parser for /proc/PID/mountinfo (proc(5)):
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)     (10)       (11)
 *
 * The kernel escapes ' ', '\t', '\n' and '\\' in paths as \ooo octal
 * (seq_path/mangle); overlay prints its layer options through
 * seq_show_option(), which also escapes ',' and '=' (checked on 6.18:
 * "lowerdir=/mnt/l\040a\134\054b\134:c"). The layer names themselves keep
 * overlay's own backslash escapes ("\:" and "\,"), so a lowerdir list is
 * split on ':' that no backslash precedes.
 */
#ifndef MT_MOUNTINFO_H
#define MT_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

struct mt_mntent {
	__u32 mnt_id;		/* reused as soon as the mount is gone */
	__u64 mnt_id_unique;	/* never reused (statmount, 6.11+; nsid.h); 0 = unknown */
	__u32 parent_id;
	/* the 0-based line of the file it came from: on 6.8+ (checked on 6.18) mountinfo and
	 * listmount both walk the namespace's mounts in unique-id order, so
	 * it is also its index in listmount's answer (nsid.c checks it) */
	__u32 line;
	__u32 major, minor;
	char *root;		/* root of the mount within its filesystem */
	char *mountpoint;	/* as seen from the reader's root */
	char *opts;		/* per-mount options */
	char *fstype;
	char *source;
	char *super_opts;	/* as printed (still escaped) */
	__u32 shared;		/* shared:N, 0 = not shared */
	__u32 master;		/* master:N, 0 = not a slave */
	__u32 propagate_from;	/* propagate_from:N, 0 = absent */
	bool unbindable;
	/* Overlay layers, unescaped; NULL when absent or not an overlay.
	 * lowerdir is the whole lower list as one lowerdir= value, ':'
	 * separated, '\', ':' and ',' in a layer escaped with '\', also for
	 * lowerdir+=/datadir+= overlays (mt_ovl_opts__lower_str). */
	char *lowerdir;
	char *upperdir;
	char *workdir;
	/* Filled by mt_mnttab_link(): the parent's propagation. */
	bool has_parent;
	__u32 parent_shared;
	__u32 parent_master;
	/* private: the unescaped overlay options (freed with the table) */
	char *ovl_buf;
};

/* Kernel dev_t of an entry (major << 20 | minor), as BPF reports sb_dev. */
static inline __u32 mt_mntent_dev(const struct mt_mntent *e)
{
	return e->major << 20 | e->minor;
}

static inline bool mt_mntent_is_overlay(const struct mt_mntent *e)
{
	return e->fstype && strcmp(e->fstype, "overlay") == 0;
}

/*
 * Parse one mountinfo line in place: @line is modified and @e points into
 * it. Overlay layer options are unescaped into e->ovl_buf, which the caller
 * frees with mt_mntent_release(). Returns 0 or -EINVAL.
 */
int mt_mountinfo_parse_line(char *line, struct mt_mntent *e);
void mt_mntent_release(struct mt_mntent *e);

/* Undo the kernel's \ooo escaping in place; returns @s. */
char *mt_unescape_octal(char *s);
/* Undo overlay's own escaping (a backslash makes the next character
 * literal) in place; returns @s. */
char *mt_unescape_backslash(char *s);

/*
 * Split an overlay lowerdir list (ovl_options.h): copies layer @idx (0-based,
 * top first, data layers last), with overlay's backslash escapes removed,
 * into @buf. Returns the layer's length, or -ENOENT past the last layer,
 * -ENAMETOOLONG if @buf is too small, -ENOMEM.
 */
int mt_ovl_lower_layer(const char *lowerdir, int idx, char *buf, size_t size);

/*
 * An nsfs bind mount of a mount namespace (`unshare --mount=FILE`, or
 * `mount --bind /proc/PID/ns/mnt FILE`): mountinfo shows fstype "nsfs" and
 * root "mnt:[INODE]" (checked on 6.1 and 6.18). It keeps that namespace
 * alive with no process in it.
 */
struct mt_ns_pin {
	__u32 mnt_id;		/* the bind mount's own id */
	__u32 ns_ino;		/* the namespace it keeps */
	char *mountpoint;	/* unescaped, as the table's reader sees it */
};

/* true and the inode when @e is such a pin of a mount namespace */
bool mt_mntent_ns_pin(const struct mt_mntent *e, __u32 *ns_ino);

/* A parsed mount table: the whole file and its entries. */
struct mt_mnttab {
	struct mt_mntent *ents;
	int nr;
	int cap;
	int nr_bad;		/* malformed lines skipped */
	__u32 nr_lines;		/* lines read, kept or not (mt_mntent.line counts them) */
	/* every mount-namespace pin of the table, whatever the flags keep */
	struct mt_ns_pin *pins;
	int nr_pins;
	int cap_pins;
	char *buf;		/* file contents, ents point into it */
	size_t len;
};

enum mt_mnttab_flags {
	/* Keep only overlay mounts; parent propagation is resolved first. */
	MT_MNTTAB_OVERLAY_ONLY = 1 << 0,
};

/*
 * Read and parse a mountinfo file. Malformed lines are counted in nr_bad
 * and skipped. Returns 0 or a negative errno (the file could not be read).
 */
int mt_mnttab_read(struct mt_mnttab *tab, const char *path, unsigned int flags);
/* The same from an open file (read to its end; the caller closes it). */
int mt_mnttab_read_fd(struct mt_mnttab *tab, int fd, unsigned int flags);
/* The same over @len bytes at @buf (malloc'ed, with room for one more byte
 * for a NUL); the table takes ownership of @buf, even on error. */
int mt_mnttab_parse(struct mt_mnttab *tab, char *buf, size_t len, unsigned int flags);
void mt_mnttab_free(struct mt_mnttab *tab);
/* Fill has_parent/parent_shared/parent_master from the table itself. */
void mt_mnttab_link(struct mt_mnttab *tab);
struct mt_mntent *mt_mnttab_find(const struct mt_mnttab *tab, __u32 mnt_id);

/*
 * Format propagation as docs/json.md does: "private", or the tags
 * ("shared:12", "master:3", "shared:12 master:3", plus "unbindable").
 */
const char *mt_propagation_str(__u32 shared, __u32 master, bool unbindable,
			       char *buf, size_t size);

#endif /* MT_MOUNTINFO_H */
