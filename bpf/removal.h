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
 *     syscall's own, intact at exit: checked on 6.1 (tracepoint), 6.12
 *     (kretprobe) and 6.18 (tracepoint));
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

/*
 * Copy the last component of w->path (w->pos at its NUL) into w->key,
 * right-aligned: skip trailing '/', then go back to a '/' or the start.
 * An inline loop, not bpf_loop: a callback per byte (an indirect call and
 * a map lookup) cost more than the rest of the program. pos and len are
 * read back from the map value each time, so the verifier sees unknown
 * values and one state per iteration, not one per possible length.
 */
static __always_inline void last_component(struct mp_name_work *w)
{
#pragma clang loop unroll(disable)
	for (int i = 0; i < MT_MP_NAME_LEN + MT_MP_TRAIL_MAX; i++) {
		u32 pos = *(volatile u32 *)&w->pos, len = *(volatile u32 *)&w->len;
		char c;

		if (!pos)
			break;
		pos--;
		w->pos = pos;
		c = w->path[pos & (MT_STR_MAX - 1)];
		if (c == '/') {
			if (len)
				break;
			continue;
		}
		w->key.b[(MT_MP_NAME_LEN - 1 - len) & (MT_MP_NAME_LEN - 1)] = c;
		w->len = len + 1;
		if (len + 1 >= MT_MP_NAME_LEN)
			break;
	}
}

/*
 * Can the successful removal of user path @upath have taken a mount with
 * it? False only when the set is ready, not full, and holds no name like
 * the path's last component.
 */
static __always_inline bool removal_may_unmount(const char *upath)
{
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
	last_component(w);
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
