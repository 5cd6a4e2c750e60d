#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the vmtest initramfs: PID 1 of a throw-away qemu guest.
#
# It mounts what mnttrace needs, loads the modules packed under /modules, and
# then, for each attach mode named by vmtest.modes= on the kernel command line,
# runs `mnttrace --attach MODE --check` and, if the mode works, the integration
# suite. With vmtest.probe=1 it reports kernel symbols and sends the BTF.
#
# Everything the host parses goes to /dev/ttyS1 as "@@vmtest ..." lines (see
# "Report protocol" in tests/vm/README.md). The console (ttyS0) only gets
# progress and kernel messages, so printk can never split a result line.

PATH=/bin
export PATH

# The kernel found no /dev/console in the archive (packing a device node
# needs root), so stdin/stdout/stderr are closed until devtmpfs is up.
mount -t devtmpfs devtmpfs /dev
exec 0<>/dev/console 1>&0 2>&0

stty -F /dev/ttyS1 raw -echo
exec 3>/dev/ttyS1

say() { echo "@@vmtest $*" >&3; }
log() { echo "vmtest-guest: $*"; }

# A mount that fails is reported as a guest error: the host fails every cell
# of this kernel, since the suite would only fail later for a less clear reason.
must_mount() { # TYPE DIR
	mkdir -p "$2"
	mount -t "$1" "$1" "$2" || say "error mount -t $1 $2 failed"
}

# The kernel log since the previous call, tagged with PHASE; the host looks
# for splats in it. Clearing it attributes each splat to one attach mode.
send_dmesg() { # PHASE
	say "dmesg-begin $1"
	dmesg -c >&3
	say "dmesg-end $1"
}

send_file() { # NAME PATH
	[ -r "$2" ] || return 0
	say "file-begin $1"
	base64 "$2" >&3
	say "file-end $1"
}

# Kill what a timed-out or sloppy suite left running, so that the next mode
# starts from a clean kernel. Only this guest's processes exist here.
reap() { # MODE
	# mnttrace's perf-event release child (mnttrace-rel, src/perf_release.c)
	# outlives it by design while the kernel tears the events down: seconds
	# under TCG (7.2 kprobe mode). Wait for it; what stays is a leftover.
	i=0
	while [ $i -lt 60 ]; do
		rel=
		for p in $(pidof mnttrace); do
			[ "$(cat /proc/$p/comm 2>/dev/null)" = mnttrace-rel ] && rel=1
		done
		[ -z "$rel" ] && break
		sleep 1
		i=$((i + 1))
	done
	[ $i -gt 0 ] && say "note $1 waited ${i}s for mnttrace-rel to release perf events"
	left=$(pidof mnttrace mnttrace-itest)
	[ -n "$left" ] || return 0
	say "note $1 killed leftover processes: $left"
	kill -9 $left
}

# vmtest.starts=N: N starts of /mnttrace-base (if packed) and /mnttrace,
# alternately, each timed and with its -v phase line, to compare two builds
# in one boot (a shared host's load hits both alike).
time_starts() { # MODE
	i=0
	while [ "$i" -lt "$starts" ]; do
		for bin in /mnttrace-base /mnttrace; do
			[ -x "$bin" ] || continue
			t0=$(cut -d' ' -f1 /proc/uptime)
			ph=$($bin --attach "$1" --check -v 2>&1 | grep 'hooks chosen')
			t1=$(cut -d' ' -f1 /proc/uptime)
			say "note $1 start $bin $(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }')s: ${ph#mnttrace: }"
		done
		i=$((i + 1))
	done
}

run_mode() { # MODE
	[ "$starts" -gt 0 ] && time_starts "$1"
	log "mode $1: check"
	t0=$(date +%s)
	out=$(/mnttrace --attach "$1" --check 2>&1)
	rc=$?
	say "note $1 check took $(($(date +%s) - t0))s"
	say "check $1 $rc $(echo "$out" | tr '\n' ' ' | sed 's/ *$//')"
	if [ "$rc" -ne 0 ]; then
		log "mode $1: not supported: $out"
		# the verifier's reason, at -v, on the console
		/mnttrace --attach "$1" --check -v 2>&1 | tail -40 | sed 's/^/vmtest-guest: -v: /'
		send_dmesg "$1"
		return
	fi
	log "mode $1: running the suite"
	say "suite-begin $1"
	t0=$(date +%s)
	# $itest_args unquoted: one word per option or test filter
	timeout "$suite_timeout" /mnttrace-itest --mnttrace /mnttrace --attach "$1" $itest_args >&3 2>&1
	rc=$?
	t1=$(date +%s)
	say "suite-end $1 $rc $((t1 - t0))"
	log "mode $1: exit $rc after $((t1 - t0))s"
	reap "$1"
	send_dmesg "$1"
}

probe() {
	# Exact name or a compiler clone (foo.isra.0, foo.part.0, foo.constprop.0).
	while read -r f; do
		[ -n "$f" ] || continue
		hits=$(grep -E " ${f}(\.(isra|part|constprop|cold)\.[0-9]+)*([[:space:]]|\$)" /proc/kallsyms |
			awk '{ printf "%s%s:%s", sep, $3, $2; sep = "," }')
		say "ksym $f ${hits:--}"
	done </probe-funcs
	send_file vmlinux.btf /sys/kernel/btf/vmlinux
	for m in $modules; do
		send_file "$m.btf" "/sys/kernel/btf/$m"
	done
}

must_mount proc /proc
must_mount sysfs /sys
must_mount tmpfs /tmp
must_mount tracefs /sys/kernel/tracing
must_mount bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || log "no debugfs"
ln -sf /proc/self/mounts /etc/mtab

modes=
probe=0
suite_timeout=600
itest_args=
starts=0
run=
for arg in $(cat /proc/cmdline 2>/dev/null); do
	case $arg in
	vmtest.modes=*) modes=$(echo "${arg#*=}" | tr , ' ') ;;
	vmtest.probe=*) probe=${arg#*=} ;;
	vmtest.suite_timeout=*) suite_timeout=${arg#*=} ;;
	vmtest.starts=*) starts=${arg#*=} ;;
	# e.g. vmtest.itest=-v,finding_filter: options and test filters
	vmtest.itest=*) itest_args=$(echo "${arg#*=}" | tr , ' ') ;;
	# a script to run instead of the modes, its output on the report channel
	vmtest.run=*) run=${arg#*=} ;;
	esac
done

say "boot $(uname -r)"

# /modules/order lists the modules dependencies first, as the host resolved them.
# The suite loads overlay again from here (test_latemod.c), as busybox has no modprobe.
MNTTRACE_IT_MODULES=/modules
export MNTTRACE_IT_MODULES
modules=
while read -r m; do
	if insmod "/modules/$m.ko"; then
		modules="$modules $m"
		say "module $m 0"
	else
		say "error insmod $m failed"
	fi
done </modules/order
send_dmesg boot

[ "$probe" = 1 ] && probe
if [ -n "$run" ]; then
	say "run-begin $run"
	sh "$run" >&3 2>&1
	say "run-end $?"
fi
for m in $modes; do
	run_mode "$m"
done
say "done"
sync
poweroff -f
