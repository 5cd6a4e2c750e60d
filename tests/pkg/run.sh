#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every tests/pkg check (no root needed but for none; seconds): the man
# page, completion, systemd unit, make install, Kubernetes manifests, and
# the Debian package when MT_PKG_DEB=1 (make deb). One closing line.
set -u
cd "$(dirname "$0")/../.."
checks="check-man.sh check-completion.sh check-systemd.sh check-install.sh check-kubernetes.sh"
[ "${MT_PKG_DEB:-0}" = 1 ] && checks="$checks check-deb.sh"
p=0 f=0 s=0
for c in $checks; do
	[ -x "tests/pkg/$c" ] || continue
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
