#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Records per second userspace decodes and correlates, from a recording
# (issue 12's throughput goal: 1,000,000 a second on one core).
#
#   bench/throughput.sh [--rounds R] [--quick] [RECORDING]
#
# Without RECORDING it makes one first (root; hold the tracing lock):
# `mnttrace -j --record` while bench/workload.c runs a storm (10,000
# mounts, 50 unshares), tmpfs and overlay churn and rmdir churn. Then,
# interleaved over R rounds, it times (CPU: user+sys, one thread):
#   decode     frames read and checked, records decoded (replay-bench)
#   correlate  the same and the model fed, findings built (replay-bench)
#   replay-events    mnttrace --replay --no-findings -j > /dev/null
#   replay-findings  mnttrace --replay -j > /dev/null (events and findings)
# and prints the median records per second with its min-max.
set -eu
cd "$(dirname "$0")/.."

rounds=5 quick=0 rec=""
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift ;;
	--quick) quick=1 rounds=3 ;;
	-*) echo "mnttrace: error: throughput: unknown option $1 (see bench/throughput.sh)" >&2; exit 2 ;;
	*) rec=$1 ;;
	esac
	shift
done
[ -x .output/replay-bench ] && [ -x ./mnttrace ] && [ -x .output/bench-workload ] || {
	echo "mnttrace: error: throughput: build first (make bench-core)" >&2
	exit 1
}
dir=$(mktemp -d /dev/shm/mnttrace-tput.XXXXXX)
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

if [ -z "$rec" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "mnttrace: error: recording needs root (or give a RECORDING)" >&2; exit 1; }
	rec=$dir/storm.rec
	./mnttrace -j --record "$rec" > /dev/null 2> "$dir/err" &
	tpid=$!
	i=0
	while ! grep -q "tracing in" "$dir/err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	if [ $quick = 1 ]; then k=10 n=1000; else k=50 n=3000; fi
	.output/bench-workload storm 10000 $k > /dev/null
	.output/bench-workload churn-tmpfs $n > /dev/null
	.output/bench-workload churn-overlay $((n / 2)) > /dev/null
	.output/bench-workload rmdir $((n * 10)) > /dev/null
	sleep 1
	kill -INT $tpid
	wait $tpid || true
	grep -E '^mnttrace: [0-9]+ records' "$dir/err" | sed 's/^/recorded: /' >&2
fi

cpu_of() {	# CPU seconds (user+sys) of a command, its stdout to /dev/null
	/usr/bin/env time -f '%U %S' -o "$dir/t" "$@" > /dev/null 2> /dev/null || true
	awk '{ print $1 + $2 }' "$dir/t"
}
records=$(.output/replay-bench decode "$rec" | awk '{ print $2 }')
findings=$(.output/replay-bench correlate "$rec" | awk '{ print $3 }')
: > "$dir/res"
r=1
while [ "$r" -le "$rounds" ]; do
	.output/replay-bench decode "$rec" | awk '{ print "decode", $4 }' >> "$dir/res"
	.output/replay-bench correlate "$rec" | awk '{ print "correlate", $4 }' >> "$dir/res"
	echo "replay-events $(cpu_of ./mnttrace --replay "$rec" --no-findings -j)" >> "$dir/res"
	echo "replay-findings $(cpu_of ./mnttrace --replay "$rec" -j)" >> "$dir/res"
	r=$((r + 1))
done
awk -v recs="$records" '
function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
{ if (!($1 in n)) order[++k] = $1; v[$1, ++n[$1]] = $2 }
END {
	printf "%-16s %10s %12s %25s\n", "throughput", "cpu s", "records/s", "(min-max)"
	for (i = 1; i <= k; i++) { m = order[i]
		for (j = 1; j <= n[m]; j++) a[j] = v[m, j]
		sort(a, n[m]); md = n[m] % 2 ? a[(n[m] + 1) / 2] : (a[n[m] / 2] + a[n[m] / 2 + 1]) / 2
		lo = a[n[m]] > 0 ? recs / a[n[m]] : 0; hi = a[1] > 0 ? recs / a[1] : 0
		printf "%-16s %10.3f %12.0f %25s\n", m, md, (md > 0 ? recs / md : 0), sprintf("(%.0f-%.0f)", lo, hi) }
}' "$dir/res"
printf '%s records, %s findings, %s bytes; %s rounds; goal 1,000,000 records/s\n' "$records" \
	"$findings" "$(stat -c %s "$rec")" "$rounds"
