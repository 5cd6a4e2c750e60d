#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: mnttrace against what a user would run instead, in one run.
#
#   bench/bench.sh [--quick] [--scale D] [--rounds R] [--tracers "a b"] [--workloads "a b"] [--keep]
#
# --scale D divides every workload's size by D (--quick: D=10, 3 rounds).
# Tracers mnttrace-tracepoint, mnttrace-fentry, mnttrace-kprobe and
# mnttrace-fentry-overlay force an attach mode (bench/vm.sh runs them in a
# qemu guest, where all three work). Any mnttrace tracer with "-old" after
# "mnttrace" (mnttrace-old, mnttrace-old-overlay, mnttrace-old-fentry, ...)
# runs the binary MNTTRACE_OLD names (a build of an earlier commit) the same
# way, for old and new side by side in one run:
#   MNTTRACE_OLD=/tmp/old/mnttrace bench/bench.sh --tracers "none mnttrace-old mnttrace"
#
# Every round starts each tracer once, in a rotating order (interleaved
# rounds: a slow minute of a shared machine hits every tracer alike), and
# runs every workload under it (bench/workload.c: each in its own private
# mount namespace on a tmpfs, timing only its measured phase). Per
# workload and tracer it prints the median wall time with its min-max over
# the rounds, the median of the per-round ratios to no tracer (the same
# round's baseline) with their min-max, the tracer's own CPU time
# (user+sys, its /proc stat between the workload's start and the end of
# its output), the output lines it wrote and the records it said it lost,
# and the tracer's peak RSS over the round. A storm's setup (its M mounts)
# has a row of its own ("-setup", wall time only); the storm row's CPU,
# lines and lost include it. mnttrace's exact record counts for a whole
# round come from its exit summary (the last table).
#
# Tracers write to files on /dev/shm (counted per workload), not to
# /dev/null. Run as root; hold the lock other tracing runs take, e.g.
#   flock /work/itest.lock make bench
set -eu
cd "$(dirname "$0")/.."

rounds=5
scale=1
keep=0
tracers="none floor mnttrace mnttrace-overlay mnttrace-json bpftrace perf-trace"
workloads="churn-tmpfs churn-bind churn-overlay storm-1k storm-10k rmdir getppid read docker"
while [ $# -gt 0 ]; do
	case $1 in
	--quick) rounds=3 scale=10 ;;
	--scale) scale=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--tracers) tracers=$2; shift ;;
	--workloads) workloads=$2; shift ;;
	--keep) keep=1 ;;
	*) echo "mnttrace: error: bench: unknown option $1 (see bench/bench.sh)" >&2; exit 2 ;;
	esac
	shift
done

wl=.output/bench-workload
[ -x "$wl" ] && [ -x ./mnttrace ] || {
	echo "mnttrace: error: bench: build first (make bench)" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || { echo "mnttrace: error: bench needs root (run: sudo make bench)" >&2; exit 1; }

# The workload's arguments: default size divided by $scale. The storms keep
# their M mounts and divide their K unshares less (100 -> 20, 10 -> 3 at
# --quick): a few unshares say little.
args() {
	case $1 in
	churn-tmpfs | churn-bind) n=3000 ;;
	churn-overlay) n=1500 ;;
	storm-1k) k=100; [ "$scale" -eq 1 ] || k=$((k * 2 / scale))
		echo "storm 1000 $((k > 0 ? k : 1))"; return ;;
	storm-10k) k=10; [ "$scale" -eq 1 ] || k=$((k * 3 / scale))
		echo "storm 10000 $((k > 0 ? k : 1))"; return ;;
	rmdir) n=30000 ;;
	getppid | read) n=1000000 ;;
	docker) n=5 ;;
	esac
	n=$((n / scale))
	[ "$n" -gt 0 ] || n=1
	echo "$1 $n"
}

have() { command -v "$1" >/dev/null 2>&1; }

docker_ok=0
if have docker && docker info >/dev/null 2>&1 && docker image inspect busybox >/dev/null 2>&1; then
	docker_ok=1
fi
notes=""
note() { notes="$notes$*
"; }
skip_tracers=""
for t in $tracers; do
	case $t in
	floor | bpftrace) have bpftrace || { skip_tracers="$skip_tracers $t"; note "$t: skipped (no bpftrace; tools/deps.sh --bench)"; } ;;
	perf-trace) have perf || { skip_tracers="$skip_tracers $t"; note "$t: skipped (no perf; tools/deps.sh --bench)"; } ;;
	mnttrace-old*) [ -x "${MNTTRACE_OLD:-}" ] || { skip_tracers="$skip_tracers $t"; note "$t: skipped (set MNTTRACE_OLD to an mnttrace binary)"; } ;;
	esac
done
case " $workloads " in
*" docker "*)
	[ $docker_ok = 1 ] || { workloads=$(echo " $workloads " | sed 's/ docker / /'); note "docker: skipped (needs a running docker daemon and the busybox image)"; } ;;
esac

dir=$(mktemp -d /dev/shm/mnttrace-bench.XXXXXX)
res=$dir/results
: > "$res"
tpid=""
cleanup() {
	[ -n "$tpid" ] && kill -INT "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
	[ $keep = 1 ] && echo "bench: raw results kept in $dir" >&2 || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Start tracer $1 writing to $dir/out; sets tpid.
start_tracer() {
	out=$dir/out err=$dir/err mt=./mnttrace
	: > "$out"
	: > "$err"
	case $1 in mnttrace-old*) mt=$MNTTRACE_OLD; set -- "mnttrace${1#mnttrace-old}" ;; esac
	case $1 in
	none) tpid=""; return ;;
	floor) bpftrace bench/floor.bt > "$out" 2> "$err" & ;;
	mnttrace) $mt > "$out" 2> "$err" & ;;
	mnttrace-overlay) $mt --overlay > "$out" 2> "$err" & ;;
	mnttrace-json) $mt -j > "$out" 2> "$err" & ;;
	mnttrace-tracepoint | mnttrace-fentry | mnttrace-kprobe)
		$mt --attach "${1#mnttrace-}" > "$out" 2> "$err" & ;;
	mnttrace-fentry-overlay) $mt --attach fentry --overlay > "$out" 2> "$err" & ;;
	bpftrace) bpftrace bench/mounts.bt > "$out" 2> "$err" & ;;
	perf-trace) perf trace -e mount,umount2,unshare,rmdir,unlinkat -o "$out" 2> "$err" & ;;
	esac
	tpid=$!
	# ready: mnttrace says so (seconds under TCG); the others once a marker
	# call shows up
	i=0
	while [ $i -lt 1200 ]; do
		case $1 in
		mnttrace*) grep -q "tracing in" "$err" && break
		   kill -0 "$tpid" 2>/dev/null || break ;;
		floor) grep -q "Attaching" "$out" "$err" && { sleep 1; break; } ;;
		*) umount /nonexistent-bench-marker 2>/dev/null || true
		   [ -s "$out" ] && grep -q "umount" "$out" && break ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 1200 ] || echo "bench: warning: $1 did not get ready in 120 s" >&2
	kill -0 "$tpid" 2>/dev/null || { echo "bench: error: $1 exited at start:" >&2; cat "$err" >&2; }
}

cpu_ticks() {
	[ -n "$tpid" ] || { echo 0; return; }
	# utime + stime: fields 14 and 15, counted after the ")" of comm
	sed 's/.*) //' "/proc/$tpid/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0
}

# Wait until the tracer has written everything the workload caused.
drain() {
	[ -n "$tpid" ] || return 0
	last="" i=0
	while [ $i -lt 100 ]; do
		now="$(cpu_ticks) $(wc -c < "$dir/out")"
		[ "$now" = "$last" ] && return 0
		last=$now
		sleep 0.2
		i=$((i + 1))
	done
}

lost_in() {	# lost records a tracer announced in $1 (lines of out+err)
	grep -Eo 'lost [0-9]+ records in BPF|Lost [0-9]+ events|LOST [0-9]+ events' "$1" 2>/dev/null |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }'
}

run_docker() {
	t0=$(date +%s.%N)
	i=0
	while [ $i -lt "$1" ]; do
		docker run --rm busybox true >/dev/null
		i=$((i + 1))
	done
	echo "$(date +%s.%N) - $t0" | bc
}

# mnttrace's child that releases its perf events (src/perf_release.c)
# outlives it by seconds under TCG: let it finish before the next tracer.
release_wait() {
	i=0
	while [ $i -lt 600 ]; do
		busy=0
		for p in $(pidof mnttrace 2>/dev/null); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = mnttrace-rel ] && busy=1
		done
		[ $busy = 1 ] || return 0
		sleep 0.1
		i=$((i + 1))
	done
}

start=$(date +%s)
r=1
while [ $r -le "$rounds" ]; do
	# rotate the tracer order each round
	rotated=$(for t in $tracers; do
		case " $skip_tracers " in *" $t "*) ;; *) echo "$t" ;; esac
	done | awk -v r="$r" '{ t[NR - 1] = $0 } END { for (i = 0; i < NR; i++) printf "%s ", t[(i + r - 1) % NR] }')
	for t in $rotated; do
		start_tracer "$t"
		for w in $workloads; do
			a=$(args "$w")
			c0=$(cpu_ticks)
			l0=$(cat "$dir/out" "$dir/err" | wc -l)
			lost0=$(cat "$dir/out" "$dir/err" | lost_in /dev/stdin)
			if [ "$w" = docker ]; then
				secs=$(run_docker "${a#docker }")
			else
				# shellcheck disable=SC2086
				secs=$(timeout 600 "$wl" $a) || secs=nan
			fi
			drain
			c1=$(cpu_ticks)
			l1=$(cat "$dir/out" "$dir/err" | wc -l)
			lost1=$(cat "$dir/out" "$dir/err" | lost_in /dev/stdin)
			rss=0
			[ -n "$tpid" ] && rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$tpid/status" 2>/dev/null || echo 0)
			# the storm's setup (M mounts) is reported as a workload too
			case $secs in *" "*)
				printf 'W %s %s %s %s 0 0 0 0\n' "$r" "$t" "$w-setup" "${secs% *}" >> "$res"
				secs=${secs#* } ;;
			esac
			printf 'W %s %s %s %s %s %s %s %s\n' "$r" "$t" "$w" "$secs" \
				"$((c1 - c0))" "$((l1 - l0))" "$((lost1 - lost0))" "${rss:-0}" >> "$res"
		done
		if [ -n "$tpid" ]; then
			kill -INT "$tpid" 2>/dev/null || true
			wait "$tpid" 2>/dev/null || true
			tpid=""
			release_wait
			sum=$(grep -E '^mnttrace: [0-9]+ records' "$dir/err" || true)
			[ -n "$sum" ] && printf 'S %s %s %s\n' "$r" "$t" \
				"$(echo "$sum" | awk '{ print $2, $10 }')" >> "$res"
		fi
	done
	echo "bench: round $r of $rounds done ($(($(date +%s) - start)) s)" >&2
	r=$((r + 1))
done

# The tables.
awk -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" '
function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
function med(a, n) { sort(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
$1 == "W" {
	k = $3 SUBSEP $4
	if (!(k in n)) { order[++nk] = k }
	n[k]++
	wall[k, n[k]] = $5; cpu[k, n[k]] = $6 / hz; lines[k, n[k]] = $7; lost[k, n[k]] = $8
	if ($9 > rss[k]) rss[k] = $9
	round_wall[$2, $3, $4] = $5
	rounds_of[k, n[k]] = $2
	if (!($4 in seenw)) { seenw[$4] = 1; wl[++nw] = $4 }
	if (!($3 in seent)) { seent[$3] = 1; tr[++nt] = $3 }
}
$1 == "S" { sk = $3; sn[sk]++; srec[sk, sn[sk]] = $4; slost[sk, sn[sk]] = $5 }
END {
	printf "%-15s %-27s %9s %17s %7s %15s %8s %9s %8s %7s\n", "workload", "tracer", "wall s", "(min-max)", "ratio", "(min-max)", "cpu s", "lines", "lost", "rss MB"
	for (w = 1; w <= nw; w++) for (t = 1; t <= nt; t++) {
		k = tr[t] SUBSEP wl[w]
		if (!(k in n)) continue
		m = n[k]; nr = 0; mn = 1e18; mx = 0
		for (i = 1; i <= m; i++) {
			a[i] = wall[k, i]; if (a[i] < mn) mn = a[i]; if (a[i] > mx) mx = a[i]
			b = round_wall[rounds_of[k, i], "none", wl[w]]
			if (b > 0) rr[++nr] = wall[k, i] / b
		}
		wm = med(a, m)
		rmn = 1e18; rmx = 0
		for (i = 1; i <= nr; i++) { if (rr[i] < rmn) rmn = rr[i]; if (rr[i] > rmx) rmx = rr[i] }
		ratio = nr ? sprintf("x%.2f", med(rr, nr)) : "-"
		rspread = nr ? sprintf("(%.2f-%.2f)", rmn, rmx) : ""
		for (i = 1; i <= m; i++) c[i] = cpu[k, i]
		cm = med(c, m)
		for (i = 1; i <= m; i++) c[i] = lines[k, i]
		lm = med(c, m)
		for (i = 1; i <= m; i++) c[i] = lost[k, i]
		lsm = med(c, m)
		printf "%-15s %-27s %9.3f %17s %7s %15s %8.2f %9d %8d %7.1f\n", wl[w], tr[t], wm, sprintf("(%.3f-%.3f)", mn, mx), ratio, rspread, cm, lm, lsm, rss[k] / 1024
	}
	if (length(sn)) {
		printf "\nmnttrace exit summaries, median over rounds (all workloads of a round):\n"
		for (t = 1; t <= nt; t++) { sk = tr[t]; if (!(sk in sn)) continue
			for (i = 1; i <= sn[sk]; i++) c[i] = srec[sk, i]; r1 = med(c, sn[sk])
			for (i = 1; i <= sn[sk]; i++) c[i] = slost[sk, i]; r2 = med(c, sn[sk])
			printf "  %-27s %10d records %10d lost in BPF\n", sk, r1, r2 }
	}
}' "$res"
printf '\n%s rounds; machine: %s, %s CPUs, kernel %s; %s s in all.\n' "$rounds" \
	"$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || echo "$(uname -s) $(uname -m)")" "$(nproc)" "$(uname -r)" "$(($(date +%s) - start))"
printf 'workloads:'
for w in $workloads; do printf ' %s' "$(args "$w" | sed 's/ /=/;s/ /x/')"; done
printf '\n'
case " $tracers " in *" floor "*)
	echo "floor = bpftrace bench/floor.bt (a do-nothing program on sys_enter_umount)" ;;
esac
case " $tracers " in *" mnttrace-old"*)
	echo "mnttrace-old = ${MNTTRACE_OLD:-(unset)}" ;;
esac
printf '%s' "$notes"
