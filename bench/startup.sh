#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Start-up and exit of mnttrace on a host with many mounts (issue 12:
# at most 0.5 s from exec to the first record with 10,000 mounts across
# 100 namespaces; under 0.3 s from SIGINT to exit).
#
#   bench/startup.sh [--rounds R] [--mounts M] [--namespaces K]
#
# bench/workload.c builds, in a private namespace, M mounts (every 10th
# an overlay; default 100) and K processes (100) that each hold a copy of
# it: M x K mounts. Then each round execs mnttrace (auto mode, then
# --attach tracepoint: what the fentry attempt costs where it is refused)
# and times the first line naming a tmpfs mounted after the exec, the
# "tracing in" line, and SIGINT to exit. Root; hold the tracing lock.
set -eu
cd "$(dirname "$0")/.."
rounds=5 m=100 k=100
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift ;;
	--mounts) m=$2; shift ;;
	--namespaces) k=$2; shift ;;
	*) echo "mnttrace: error: startup: unknown option $1 (see bench/startup.sh)" >&2; exit 2 ;;
	esac
	shift
done
[ -x .output/bench-workload ] && [ -x ./mnttrace ] || {
	echo "mnttrace: error: startup: build first (make bench-core)" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || { echo "mnttrace: error: startup needs root" >&2; exit 1; }
res=$(mktemp /dev/shm/mnttrace-startup.XXXXXX)
trap 'rm -f "$res"' EXIT
r=1
while [ "$r" -le "$rounds" ]; do
	.output/bench-workload startup "$m" "$k" 1 "$PWD/mnttrace" | sed 's/^/auto /' >> "$res"
	.output/bench-workload startup "$m" "$k" 1 "$PWD/mnttrace" --attach tracepoint |
		sed 's/^/tracepoint /' >> "$res"
	r=$((r + 1))
done
awk -v m="$m" -v k="$k" -v rounds="$rounds" '
function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
function med(a, n) { sort(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
$2 == "setup" { setup[++ns] = $3; next }
{ t = $1; if (!(t in n)) order[++nt] = t; n[t]++; first[t, n[t]] = $2; ready[t, n[t]] = $3; gone[t, n[t]] = $4 }
END {
	printf "%-18s %9s %17s %9s %9s %17s\n", "start-up", "first s", "(min-max)", "ready s", "exit s", "(min-max)"
	for (i = 1; i <= nt; i++) { t = order[i]
		for (j = 1; j <= n[t]; j++) a[j] = first[t, j]; f = med(a, n[t]); fl = a[1]; fh = a[n[t]]
		for (j = 1; j <= n[t]; j++) a[j] = ready[t, j]; rd = med(a, n[t])
		for (j = 1; j <= n[t]; j++) a[j] = gone[t, j]; g = med(a, n[t]); gl = a[1]; gh = a[n[t]]
		printf "%-18s %9.3f %17s %9.3f %9.3f %17s\n", "mnttrace-" t, f, sprintf("(%.3f-%.3f)", fl, fh), rd, g, sprintf("(%.3f-%.3f)", gl, gh) }
	printf "%d mounts x %d namespaces (setup median %.2f s); %d rounds; goals: first record <= 0.5 s, exit < 0.3 s\n", m, k, med(setup, ns), rounds
}' "$res"
