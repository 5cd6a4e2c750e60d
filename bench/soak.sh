#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Soak (issue 10): mnttrace under a mount and namespace storm for a long
# time; its RSS and open fds must stay flat and nothing may be lost
# unexplained. A benchmark, not a test (make soak).
#
#   bench/soak.sh [DURATION_S [INTERVAL_S [MNTTRACE-OPTIONS...]]]
#   (default 1800 s, a sample every 10 s; SOAK_DURATION, SOAK_INTERVAL too)
#
# The storm repeats bench/workload.c runs, each in its own private
# namespace: overlay churn, tmpfs churn, a namespace of 1,000 mounts
# copied 20 times, rmdir churn. Prints the RSS/fd curve (every sample),
# its start, end and peak, and mnttrace's exit summary (records, lost).
# Root; hold the tracing lock (flock /work/itest.lock make soak).
set -eu
cd "$(dirname "$0")/.."
dur=${1:-${SOAK_DURATION:-1800}}
step=${2:-${SOAK_INTERVAL:-10}}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
[ -x .output/bench-workload ] && [ -x ./mnttrace ] || {
	echo "mnttrace: error: soak: build first (make soak)" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || { echo "mnttrace: error: soak needs root" >&2; exit 1; }
dir=$(mktemp -d /dev/shm/mnttrace-soak.XXXXXX)
tpid="" spid=""
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null
	[ -n "$tpid" ] && kill -INT "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

./mnttrace -j "$@" > /dev/null 2> "$dir/err" &
tpid=$!
i=0
while ! grep -q "tracing in" "$dir/err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done

# the storm, in the background until the time is up
(
	end=$(($(date +%s) + dur))
	while [ "$(date +%s)" -lt "$end" ]; do
		.output/bench-workload churn-overlay 300
		.output/bench-workload churn-tmpfs 1000
		.output/bench-workload storm 1000 20
		.output/bench-workload rmdir 5000
	done > /dev/null
) &
spid=$!

sample() {	# seconds since start, RSS KiB, open fds
	printf '%6d %8s %4s\n' "$(($(date +%s) - t0))" \
		"$(awk '/^VmRSS/ { print $2 }' "/proc/$tpid/status")" \
		"$(ls "/proc/$tpid/fd" | wc -l)"
}
t0=$(date +%s)
echo "     s  rss KiB  fds" > "$dir/curve"
sample >> "$dir/curve"
while kill -0 "$spid" 2>/dev/null; do
	sleep "$step"
	sample >> "$dir/curve"
done
wait "$spid" || true
spid=""
sleep 2	# let it drain
sample >> "$dir/curve"
kill -INT "$tpid"
wait "$tpid" || true
tpid=""
cat "$dir/curve"
awk 'NR == 2 { s = $2; sf = $3 } NR > 1 { e = $2; ef = $3; if ($2 > p) p = $2; if ($3 > pf) pf = $3 }
     END { printf "soak: %d s; RSS %d KiB at start, %d KiB at end, %d KiB peak; fds %d at start, %d at end, %d peak\n", $1, s, e, p, sf, ef, pf }' "$dir/curve"
grep -E '^mnttrace: [0-9]+ records|^mnttrace: model:' "$dir/err" | sed 's/^/soak: /'
echo "soak: loss warnings during the run: $(grep -c 'lost [0-9]* records' "$dir/err" || true)"
