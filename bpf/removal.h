/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rmdir and unlinkat: traced at exit only. Removal churn (a build tree, a
 * container's rootfs going away) is thousands of calls a second, and
 * almost none removes a mountpoint; stashing every entry and sending every
 * exit cost 2.7 times a do-nothing tracepoint's overhead on the rmdir
 * bench (README, Benchmarks). What the model and the findings use is a
 * removal that failed with EBUSY, or that succeeded on a directory
 * something may be mounted on (elsewhere it was detached lazily: the
 * "detached" finding). So the exit program:
 *   - drops every other result at once, and unlinkat without AT_REMOVEDIR;
 *   - reads the arguments from the task's saved user registers (the
 *     syscall's own, intact at exit: checked on 6.1, 6.12 and 6.18);
 *   - for a success, looks the path's last component up in mp_names
 *     (bpf/mp_names.h) and drops it when no mount is known by that name;
 *   - stashes what is left as an entry would have, and goes on as every
 *     syscall exit does (exit_record(), through the tail call).
 * --all-removals and --no-findings set all_removals: every removal is
 * sent, whatever its result (the behaviour before this filter).
 * Included by mnttrace.bpf.c after sys_enter() and sys_exit().
 */
#ifndef MT_REMOVAL_H
#define MT_REMOVAL_H

#include "mp_names.h"

const volatile bool all_removals = false;

/* trailing slashes skipped before a last component ("dir//") */
#define MT_MP_TRAIL_MAX 64

struct name_loop {
	u32 unused;
};

/* One byte back from w->pos: skip trailing '/', then copy the last
 * component into the key, right-aligned, until a '/' or the start. */
static long name_step(u32 i, void *data)
{
	u32 zero = 0, pos, len;
	struct mp_name_work *w = bpf_map_lookup_elem(&mp_name_buf, &zero);
	char c;

	if (!w)
		return 1;
	pos = w->pos;
	if (!pos)
		return 1;
	pos--;
	w->pos = pos;
	c = w->path[pos & (MT_STR_MAX - 1)];
	len = w->len;
	if (c == '/')
		return len ? 1 : 0;
	w->key.b[(MT_MP_NAME_LEN - 1 - len) & (MT_MP_NAME_LEN - 1)] = c;
	w->len = len + 1;
	return len + 1 >= MT_MP_NAME_LEN;
}

/*
 * Can the successful removal of user path @upath have taken a mount with
 * it? False only when the set is ready, not full, and holds no name like
 * the path's last component.
 */
static __always_inline bool removal_may_unmount(const char *upath)
{
	struct name_loop c = {};
	struct mp_name_work *w;
	long n;

	if (!mp_names_ready || mp_names_full)
		return true;
	w = mp_name_scratch();
	if (!w)
		return true;
	n = bpf_probe_read_user_str(w->path, sizeof(w->path), upath);
	if (n <= 1)
		return true;
	w->pos = n - 1;		/* the NUL */
	bpf_loop(MT_MP_NAME_LEN + MT_MP_TRAIL_MAX, name_step, &c, 0);
	if (!w->len)		/* nothing but slashes: say yes */
		return true;
	return bpf_map_lookup_elem(&mp_names, &w->key) != NULL;
}

/*
 * A removal's exit with result @ret: true when it was stashed, and the
 * caller then sends its record as any syscall exit does.
 */
static __always_inline bool removal_exit(long ret, u32 call)
{
	struct pt_regs *regs;
	u64 args[6] = {};

	if (!all_removals && ret && ret != -MT_EBUSY)
		return false;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	if (call == MT_CALL_UNLINKAT && !(args[2] & MT_AT_REMOVEDIR))
		return false;
	if (!ret && !all_removals &&
	    !removal_may_unmount((void *)(call == MT_CALL_UNLINKAT ? args[1] : args[0])))
		return false;
	sys_enter(args, call);
	return true;
}

#define MT_REMOVALS(X)                                                      \
	X(rmdir, MT_CALL_RMDIR)                                             \
	X(unlinkat, MT_CALL_UNLINKAT)

#endif /* MT_REMOVAL_H */
