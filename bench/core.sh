#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench-core (and the end of make bench): userspace throughput from
# a recording, start-up on a host of 10,000 mounts in 100 namespaces, and
# the model's memory per tracked mount. Root; hold the tracing lock.
#   bench/core.sh [--quick]
set -eu
cd "$(dirname "$0")/.."
quick=""
rounds=5
[ "${1:-}" = --quick ] && quick=--quick rounds=3
bench/throughput.sh $quick
echo
bench/startup.sh --rounds $rounds
echo
# 100,000 tracked mounts two ways: 50,000 overlays each with one copy,
# and 10,000 overlays each copied into 9 service namespaces
echo "memory (the model's heap and RSS growth, 0 to 100,000 tracked mounts; goal <= 300 bytes each):"
.output/model-mem 50000 1 | sed 's/^/  /'
.output/model-mem 10000 9 | sed 's/^/  /'
printf '\nmachine: %s, %s CPUs, kernel %s\n' "$(. /etc/os-release && echo "$PRETTY_NAME")" \
	"$(nproc)" "$(uname -r)"
