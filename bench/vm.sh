#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-vm: bench/bench.sh's workloads inside a qemu guest of the
# vmtest matrix (tests/vm), where fentry and kprobe modes work (this host's
# lockdown refuses fentry, and it has no kprobes). The guest runs one
# vCPU under TCG, which inflates every ratio: compare tracers only within
# one table. Reuses tests/vm/vmtest.sh's kernel cache, initramfs and boot.
#
#   bench/vm.sh [--kernel 6.12] [--rounds R] [--scale D] [--tracers "a b"]
#               [--workloads "a b"] [--mnttrace PATH] [--old PATH] [--if-cached] [--quick]
#
# --mnttrace: another static build to measure (default ./mnttrace-static),
# e.g. an older commit's for a before/after table.
#
# --old: a second static build, e.g. main's, measured in the same guest
# and rounds as mnttrace-old* tracers (bench/bench.sh's MNTTRACE_OLD): a
# before/after table from one run. Adds the old twin of every mnttrace
# tracer (mnttrace-fentry: mnttrace-old-fentry).
#
# --if-cached: skip (exit 0, with a note) unless the kernel is already in
# .cache/vm/kernels (what `make bench` runs, so it never downloads).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=6.12 rounds=5 scale=10 if_cached=0 bin=$top/mnttrace-static old=
tracers="none mnttrace-tracepoint mnttrace-fentry mnttrace-fentry-overlay mnttrace-kprobe"
workloads="churn-tmpfs churn-overlay rmdir getppid storm-1k"

die() { printf 'mnttrace: error: bench/vm.sh: %s\n' "$*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?--kernel needs a NAME}; shift ;;
	--rounds) rounds=${2:?--rounds needs R}; shift ;;
	--scale) scale=${2:?--scale needs D}; shift ;;
	--tracers) tracers=${2:?--tracers needs a list}; shift ;;
	--workloads) workloads=${2:?--workloads needs a list}; shift ;;
	--mnttrace) bin=$(realpath "${2:?--mnttrace needs a PATH}"); shift ;;
	--old) old=$(realpath "${2:?--old needs a PATH}"); shift ;;
	--if-cached) if_cached=1 ;;
	--quick) rounds=3 ;;
	-h | --help) sed -n '3,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see the head of bench/vm.sh)" ;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]*$ && $scale =~ ^[1-9][0-9]*$ ]] ||
	die "--rounds and --scale want positive numbers (not '$rounds', '$scale')"
if [ -n "$old" ]; then	# each twin next to its new build: a slow minute hits both
	tracers=$(for t in $tracers; do
		case $t in mnttrace*) echo "$t mnttrace-old${t#mnttrace}" ;; *) echo "$t" ;; esac
	done | tr '\n' ' ')
fi
for f in "$bin" ${old:+"$old"} "$top/.output/bench-workload-static"; do
	[ -x "$f" ] || die "$f is missing (run: make bench-vm)"
done

# vmtest.sh's functions, with its option parsing given our kernel only.
# shellcheck source=../tests/vm/vmtest.sh
source "$top/tests/vm/vmtest.sh" --kernel "$kernel"

read -r name pattern _ suite < <(selected_kernels)
kdir=
for d in "$cache"/kernels/*/; do
	[ -e "$d.complete" ] && basename "$d" | grep -qE "$pattern" && kdir=${d%/}
done
if [ -z "$kdir" ]; then
	if [ "$if_cached" = 1 ]; then
		echo "bench/vm.sh: skipped: kernel $name is not in ${cache#"$top"/}/kernels (make bench-vm fetches it)"
		exit 0
	fi
	exec 9>"$cache/lock"
	flock 9
	kdir=$(fetch_kernel "$name" "$pattern" "$suite")
	flock -u 9
fi

out=$(mktemp -d "$cache/bench.XXXXXX")
trap 'rm -rf "$out"' EXIT
extra=$out/root
mkdir -p "$extra/bench" "$extra/.output"
cp "$top/bench/bench.sh" "$top/bench/vm-guest.sh" "$extra/bench/"
cp "$bin" "$extra/mnttrace"
if [ -n "$old" ]; then
	mkdir -p "$extra/old"
	cp "$old" "$extra/old/mnttrace"
fi
cp "$top/.output/bench-workload-static" "$extra/.output/bench-workload"
build_initrd "$kdir" "$out/initrd.cpio.gz" 0 "$extra"

csv() { echo $1 | tr ' ' ,; }
append="vmtest.run=/bench/vm-guest.sh bench.rounds=$rounds bench.scale=$scale"
append="$append bench.tracers=$(csv "$tracers") bench.workloads=$(csv "$workloads")"
echo "bench/vm.sh: booting $(cat "$kdir/release") (qemu TCG, 1 vCPU): $rounds rounds," \
	"sizes divided by $scale; console in ${out#"$top"/}/console.log while it runs" >&2
t0=$(date +%s)
boot_guest "$kdir" "$out/initrd.cpio.gz" "$append" 3600 "$out"
table=$(tr -d '\r' <"$out/report.log" | sed -n '/^@@bench begin$/,/^@@bench end/p')
if [ "$(cat "$out/guest")" != ok ] || ! echo "$table" | grep -q '^@@bench end 0$'; then
	tr -d '\r' <"$out/console.log" | tail -n 40 >&2
	die "the guest did not finish the benchmark (guest: $(cat "$out/guest"))"
fi
echo
echo "In a qemu guest: kernel $(cat "$kdir/release"), TCG, 1 vCPU; ratios to no tracer in the same guest."
echo "$table" | sed '1d;$d'
echo "guest: $(($(date +%s) - t0)) s, qemu CPU $(awk '{ printf "%d", $1 + $2 }' "$out/cpu") s"
