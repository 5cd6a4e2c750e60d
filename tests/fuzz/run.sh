#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make fuzz: each libFuzzer target replays its regression inputs, then
# fuzzes for SECONDS from the checked-in seeds. A crash fails the run and
# leaves its input in .output/fuzz/; copy it to tests/fuzz/regress/NAME/.
# usage: run.sh SECONDS OUTDIR TARGET...
set -eu
secs=$1 out=$2
shift 2
here=$(dirname "$0")
for bin in "$@"; do
	name=$(basename "$bin" | sed 's/^fuzz_//')
	seeds=$here/seeds/$name
	regress=$here/regress/$name
	work=$out/corpus/$name
	mkdir -p "$work"
	if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
		"$bin" "$regress"/* >"$out/$name-regress.log" 2>&1 ||
			{ tail -20 "$out/$name-regress.log"; echo "fuzz: $name: a regression input fails"; exit 1; }
	fi
	if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/$name-" "$work" "$seeds" >"$out/$name.log" 2>&1; then
		tail -30 "$out/$name.log"
		echo "fuzz: $name: crashed; the input is $out/$name-crash-* (add it to $regress)"
		exit 1
	fi
	echo "fuzz: $name: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$name.log" |
		grep -o '[0-9]*$') runs in ${secs}s, no crash"
done
