#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The namespace-copy storm of issue 12 under mnttrace at default settings:
# a private namespace gets N overlays (default 2,000), then K (200) times
# `unshare -m true` copies it. Prints the unshares' wall time and
# mnttrace's exit summary (records, lost in BPF). Root; hold the tracing
# lock (flock /work/itest.lock bench/storm-loss.sh).
#   bench/storm-loss.sh [N [K [MNTTRACE-OPTIONS...]]]
# MNTTRACE=path runs another binary (an old one, side by side); OUT=file
# sends its stdout there (e.g. /dev/null) instead of a file in /dev/shm.
set -eu
cd "$(dirname "$0")/.."
n=${1:-2000}
k=${2:-200}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
dir=$(mktemp -d /dev/shm/mnttrace-storm.XXXXXX)
out=${OUT:-$dir/out}
${MNTTRACE:-./mnttrace} "$@" > "$out" 2> "$dir/err" &
tracer=$!
i=0
while ! grep -q "tracing in" "$dir/err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
unshare -m --propagation private sh -c '
	n=$1 k=$2 b=$(mktemp -d /tmp/mnttrace-storm.XXXXXX)
	mount -t tmpfs storm "$b"
	i=0
	while [ $i -lt "$n" ]; do
		mkdir "$b/l$i" "$b/u$i" "$b/w$i" "$b/m$i"
		mount -t overlay overlay -o "lowerdir=$b/l$i,upperdir=$b/u$i,workdir=$b/w$i" "$b/m$i"
		i=$((i + 1))
	done
	t0=$(date +%s.%N)
	i=0
	while [ $i -lt "$k" ]; do unshare -m true; i=$((i + 1)); done
	echo "unshares: $(echo "$(date +%s.%N) - $t0" | bc) s"
	umount -l "$b"; rmdir "$b"
' storm "$n" "$k"
# let it drain (its CPU time stands still for half a second), then stop it
cpu() { awk '{ print $14 + $15 }' /proc/$tracer/stat 2>/dev/null || echo gone; }
t1=$(date +%s.%N)
last=""
while :; do now=$(cpu); [ "$now" = "$last" ] && break; last=$now; sleep 0.5; done
echo "mnttrace cpu: $(echo "scale=2; $now / $(getconf CLK_TCK)" | bc) s (user+sys); drained $(echo "$(date +%s.%N) - $t1 - 0.5" | bc) s after the storm; peak RSS $(awk '/VmHWM/ { print $2 }' /proc/$tracer/status) KiB"
kill -INT $tracer
wait $tracer || true
grep -E '^mnttrace: [0-9]+ records' "$dir/err"
rm -rf "$dir"
