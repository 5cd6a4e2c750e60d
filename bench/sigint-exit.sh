#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# How long an idle mnttrace takes from SIGINT to its exit (summary printed,
# every BPF link detached), over R runs (default 10): median, min and max.
# Also when its perf events were gone (the mnttrace-rel child that drops
# them after the exit, src/perf_release.c, has ended), which on 6.18 is
# bound by the kernel tearing them down one after the other. Root; hold the
# tracing lock (flock /work/itest.lock bench/sigint-exit.sh).
#   bench/sigint-exit.sh [R [MNTTRACE [MNTTRACE-OPTIONS...]]]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-10}
bin=${2:-./mnttrace}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
dir=$(mktemp -d /dev/shm/mnttrace-sigint.XXXXXX)
trap 'rm -rf "$dir"' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
i=0
while [ $i -lt "$runs" ]; do
	"$bin" "$@" > /dev/null 2> "$dir/err" &
	tracer=$!
	j=0
	while ! grep -q "Ctrl-C" "$dir/err" && [ $j -lt 300 ]; do sleep 0.05; j=$((j + 1)); done
	sleep 0.5	# idle: nothing left to read
	t0=$(ms)
	kill -INT $tracer
	wait $tracer || { echo "mnttrace: error: bench: $bin failed:" >&2; cat "$dir/err" >&2; exit 1; }
	t1=$(ms)
	# its release child, until it is gone or a zombie (its fds are closed then)
	rel=$(pgrep -x mnttrace-rel || true)
	for p in $rel; do
		while [ -r /proc/$p/stat ] && [ "$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null)" != Z ]; do
			sleep 0.01
		done
	done
	t2=$(ms)
	echo "$((t1 - t0)) $((t2 - t0))" >> "$dir/times"
	i=$((i + 1))
done
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median %d ms (min %d, max %d)", m, v[1], v[NR] }'
}
echo "SIGINT to exit, $runs runs: $(cut -d' ' -f1 "$dir/times" | stats)"
echo "SIGINT to perf events released: $(cut -d' ' -f2 "$dir/times" | stats)"
