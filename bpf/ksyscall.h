/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall layer of fentry and kprobe modes: kprobes on the syscall
 * wrappers (__x64_sys_mount, ...) instead of the syscall tracepoints, so
 * that no other syscall pays for us. Included by mnttrace.bpf.c, after
 * sys_enter() and exit_record(); the loader loads this set or the
 * tracepoint set (src/loader.c, select_syscalls()).
 *
 * Limit: a kretprobe has a fixed number of instances, max(10, 2 x CPUs) by
 * default (kernel/kprobes.c register_kretprobe() since 6.2, commit
 * 3b7ddab8a19a, backported to 6.1 stable; before, CPUs alone without
 * CONFIG_PREEMPTION), and the perf kprobe PMU cannot raise it. Calls
 * sleeping in the kernel beyond that many at once lose their exit: the
 * thread's next traced call finds the stale stash and counts
 * MT_CNT_EXIT_MISSED, reported as lost (a thread that makes none is not
 * counted). Every call takes an instance, CLONE_NEWNS or not, and a vfork
 * parent holds its clone instance until the child execs.
 */
#ifndef MT_KSYSCALL_H
#define MT_KSYSCALL_H

extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;

static __always_inline int ksys_enter(struct pt_regs *ctx, u32 call)
{
	/* x86-64 since 4.17: the wrapper's one argument is the user's regs */
	struct pt_regs *regs = LINUX_HAS_SYSCALL_WRAPPER ? (void *)PT_REGS_PARM1(ctx) : ctx;
	u64 args[6];

	args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	/* libbpf 1.1 stops at five; none of our calls has a sixth */
	args[5] = 0;
	return sys_enter(args, call);
}

/* The kprobe twin of sys_exit_handler: the same record builder. */
SEC("kprobe")
int ksys_exit_handler(struct pt_regs *ctx)
{
	return exit_record(PT_REGS_RC(ctx));
}

/* Slot 0 is ksys_exit_handler, set by src/loader.c (see exit_tail). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} ksys_exit_tail SEC(".maps");

static __always_inline int ksys_exit(struct pt_regs *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();

	/* a clone child never returns through the wrapper: no kretprobe */
	if (bpf_map_lookup_elem(&stashes, &tid))
		bpf_tail_call(ctx, &ksys_exit_tail, 0);
	return 0;
}

#define SYSCALL_KPROBE(name, call)                                          \
	SEC("ksyscall/" #name)                                              \
	int ksys_enter_##name(struct pt_regs *ctx)                          \
	{                                                                   \
		return ksys_enter(ctx, call);                               \
	}                                                                   \
	SEC("kretsyscall/" #name)                                           \
	int ksys_exit_##name(struct pt_regs *ctx)                           \
	{                                                                   \
		return ksys_exit(ctx);                                      \
	}

MT_SYSCALLS(SYSCALL_KPROBE)

/* rmdir and unlinkat: the exit only (bpf/removal.h) */
#define REMOVAL_KPROBE(name, call)                                          \
	SEC("kretsyscall/" #name)                                           \
	int ksys_exit_##name(struct pt_regs *ctx)                           \
	{                                                                   \
		if (removal_exit(PT_REGS_RC(ctx), call))                    \
			return ksys_exit(ctx);                              \
		return 0;                                                   \
	}

MT_REMOVALS(REMOVAL_KPROBE)

#endif /* MT_KSYSCALL_H */
