/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every name mnttrace prints for a number: flag sets, enum-like values,
 * errno, superblock magics. The tables are built from the system headers'
 * own constants, so a name cannot drift from its value (bcc mountsnoop's
 * bit-indexed table printed MS_BIND as MS_MOVE).
 */
#ifndef MT_NAMES_H
#define MT_NAMES_H

#include <stddef.h>

/*
 * One name for one value. Tables end with an entry whose name is NULL.
 *
 * As a flag, an entry matches when (flags & mask) == value, with mask 0
 * standing for "mask = value" (a plain bit or a set of bits that must all
 * be present). A wider mask describes a field inside the flag word: the
 * MS_MGC_VAL magic in the high 16 bits, the MOUNT_ATTR__ATIME mode, the
 * exit signal in clone(2)'s low byte. The bits an entry matched are used
 * up, so later entries never see them: a field that overlaps bit entries
 * (MS_MGC_VAL) must come before them.
 *
 * An entry whose value is 0 is never printed by mt_flags_format(): it is
 * the default of its field (MOUNT_ATTR_RELATIME) and only mt_value_name()
 * finds it.
 */
struct mt_flag_name {
	unsigned long long value;
	const char *name;
	unsigned long long mask;
};

/* Flag sets, for mt_flags_format(). */
extern const struct mt_flag_name mt_mount_flags[];	  /* mount(2) MS_* */
extern const struct mt_flag_name mt_umount_flags[];	  /* umount2 MNT_*, UMOUNT_* */
extern const struct mt_flag_name mt_move_mount_flags[];  /* MOVE_MOUNT_* */
extern const struct mt_flag_name mt_fsopen_flags[];	  /* FSOPEN_* */
extern const struct mt_flag_name mt_fspick_flags[];	  /* FSPICK_* */
extern const struct mt_flag_name mt_fsmount_flags[];	  /* FSMOUNT_* */
extern const struct mt_flag_name mt_mount_attr_flags[];  /* MOUNT_ATTR_* */
extern const struct mt_flag_name mt_open_tree_flags[];	  /* OPEN_TREE_*, AT_* */
extern const struct mt_flag_name mt_mount_setattr_flags[]; /* AT_* */
extern const struct mt_flag_name mt_unlinkat_flags[];	  /* AT_REMOVEDIR */
/* clone(2): CLONE_* and the exit signal in the low byte (CSIGNAL) */
extern const struct mt_flag_name mt_clone_flags[];
/* unshare(2), clone3(2) flags, copy_mnt_ns(): CLONE_* incl. CLONE_NEWTIME */
extern const struct mt_flag_name mt_unshare_flags[];
/* setns(2) nstype: CLONE_NEW* (0 = any) */
extern const struct mt_flag_name mt_setns_flags[];
/* umount_tree()'s flags, MT_UMOUNT_* in mnttrace.h */
extern const struct mt_flag_name mt_umount_tree_flags[];

/* Value sets, for mt_value_name(). */
extern const struct mt_flag_name mt_fsconfig_cmds[];	  /* FSCONFIG_* */
extern const struct mt_flag_name mt_propagation_types[]; /* MS_SHARED, ... */
extern const struct mt_flag_name mt_mount_attr_atime[];  /* MOUNT_ATTR__ATIME field */
extern const struct mt_flag_name mt_call_names[];	  /* enum mt_call */
extern const struct mt_flag_name mt_mount_ops[];	  /* enum mt_mount_op */
extern const struct mt_flag_name mt_ns_ops[];		  /* enum mt_ns_op */
extern const struct mt_flag_name mt_errno_names[];	  /* E* */
extern const struct mt_flag_name mt_fs_magics[];	  /* *_MAGIC -> fstype */

/* Every table above with its name, NULL-terminated: for tests and --help. */
struct mt_name_table {
	const char *name;
	const struct mt_flag_name *table;
	int is_flags;		/* a flag set, not a value set */
};
extern const struct mt_name_table mt_name_tables[];

/*
 * Write the names of the set flags joined by '|' ("MS_BIND|MS_REC"), bits
 * no entry knows as one hex number at the end, 0 as "0". Like snprintf():
 * returns the length the whole string needs (without the NUL), writes at
 * most len bytes and always NUL-terminates when len > 0.
 */
int mt_flags_format(char *buf, size_t len, unsigned long long flags,
		    const struct mt_flag_name *table);

/* The name of exactly v, or NULL. */
const char *mt_value_name(const struct mt_flag_name *table, unsigned long long v);
/* The name of exactly v, or else v in decimal ("42"), written to buf. */
const char *mt_value_format(char *buf, size_t len, unsigned long long v,
			    const struct mt_flag_name *table);
/* The value of name, or -1 when the table has no such name. */
long long mt_value_from_name(const struct mt_flag_name *table, const char *name);

/* "mount", "umount2", ... or NULL for an unknown call. */
const char *mt_call_name(unsigned int call);
/* enum mt_call for a name, or -1. */
int mt_call_from_name(const char *name);

const char *mt_mount_op_name(unsigned int op);
const char *mt_ns_op_name(unsigned int op);

/* "EBUSY" for 16 (a positive errno), or NULL. Knows the kernel-internal
 * codes a syscall exit can show too (ERESTARTSYS, ...). */
const char *mt_errno_name(int err);
/* The errno for "EBUSY" (aliases such as EWOULDBLOCK too), or -1. */
int mt_errno_from_name(const char *name);

/* The fstype a superblock magic belongs to ("overlay"), or NULL. */
const char *mt_fstype_from_magic(unsigned long magic);

#endif /* MT_NAMES_H */
