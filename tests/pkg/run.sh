#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The tests/pkg checks that take seconds and no root: the man page,
# completion, systemd unit, make install, Kubernetes manifests. One closing
# line. The Debian package has its own (check-deb.sh, make deb).
set -u
cd "$(dirname "$0")/../.."
checks="check-man.sh check-completion.sh check-systemd.sh check-install.sh check-kubernetes.sh"
p=0 f=0 s=0
for c in $checks; do
	[ -x "tests/pkg/$c" ] || { echo "FAIL $c: missing"; f=$((f + 1)); continue; }
	out=$("tests/pkg/$c" 2>&1)
	echo "$out" | sed '$d'
	last=$(echo "$out" | tail -1)
	set -- $last
	if [ "$#" -ge 6 ] && [ "$2" = passed, ]; then
		p=$((p + $1)) f=$((f + $3)) s=$((s + $5))
	else
		echo "FAIL $c: no summary line ($last)"
		f=$((f + 1))
	fi
done
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
