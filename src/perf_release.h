/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Releasing the kernel's perf events (tracepoints, kprobes) after exit.
 *
 * A BPF perf link's program is detached when the link's fd is closed; the
 * perf event under it is torn down when its last fd goes, and that costs two
 * RCU grace periods under a global mutex (6.18: perf_trace_destroy() holds
 * event_mutex across tracepoint_synchronize_unregister()), one event after
 * the other, whatever the number of threads. Holding a duplicate of each
 * event's fd while the links close makes the detach immediate; a small child
 * then drops the duplicates after mnttrace has exited.
 */
#ifndef MT_PERF_RELEASE_H
#define MT_PERF_RELEASE_H

/*
 * Duplicate every perf event fd of this process that is not one of
 * @link_fds (a link fd that is its perf event holds the program itself:
 * kernels before 5.15). Returns how many went to @held (at most @max).
 */
int mt_perf_hold(const int *link_fds, int nlinks, int *held, int max);

/*
 * Hand @held to a child that closes them once this process has closed its
 * own copies, and close ours. Without a child they are closed here, with
 * the wait. Every BPF program is detached already; only BPF-less perf
 * events outlive the call, for a fraction of a second.
 */
void mt_perf_release_later(int *held, int n);

#endif /* MT_PERF_RELEASE_H */
