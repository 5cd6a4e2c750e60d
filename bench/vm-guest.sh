#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run inside a bench/vm.sh guest by tests/vm/init.sh (vmtest.run=): set up
# what bench/bench.sh expects and run it with the bench.* arguments of the
# kernel command line. Its table goes to the report channel (stdout here).
mkdir -p /dev/shm
mount -t tmpfs shm /dev/shm || exit 1
rounds=3 scale=10 tracers= workloads=
for arg in $(cat /proc/cmdline); do
	case $arg in
	bench.rounds=*) rounds=${arg#*=} ;;
	bench.scale=*) scale=${arg#*=} ;;
	bench.tracers=*) tracers=$(echo "${arg#*=}" | tr , ' ') ;;
	bench.workloads=*) workloads=$(echo "${arg#*=}" | tr , ' ') ;;
	esac
done
# bench/vm.sh --old puts a second build there (bench.sh's mnttrace-old*)
[ -x /old/mnttrace ] && export MNTTRACE_OLD=/old/mnttrace
echo "@@bench begin"
# bench.sh's progress (stderr) goes to the console, the table here
sh /bench/bench.sh --rounds "$rounds" --scale "$scale" --tracers "$tracers" \
	--workloads "$workloads" 2>/dev/console
rc=$?
echo "@@bench end $rc"
