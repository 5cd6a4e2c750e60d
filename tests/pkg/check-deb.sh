#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Debian package as a user gets it: dpkg-buildpackage -us -uc -b builds
# it from a copy of this tree; unpacked into a throw-away root (dpkg -x) its
# mnttrace runs, man finds its page, and its unit names /usr/sbin/mnttrace.
#   tests/pkg/check-deb.sh [OUTDIR]   (the .deb is left in OUTDIR)
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh
top=$PWD
out=${1:-$top/.output/deb}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	skip deb_builds "no dpkg-buildpackage or debhelper (tools/deps.sh installs them)"
	summary
	exit
fi
# the tree as git sees it (tracked and new files), without build products
mkdir "$tmp/src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -co --exclude-standard | grep -v '^\.cache' | tar -cf - -T - | tar -xf - -C "$tmp/src"
else
	tar --exclude=./.output --exclude=./.cache --exclude=./mnttrace --exclude=./mnttrace-static \
		-cf - . | tar -xf - -C "$tmp/src"
fi
if (cd "$tmp/src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	pass deb_builds
else
	fail deb_builds "$(tail -8 "$tmp/build.log")"
	summary
	exit
fi
mkdir -p "$out"
deb=$(ls "$tmp"/mnttrace_*_amd64.deb)
cp "$deb" "$out/"

dpkg -x "$deb" "$tmp/root"
ver=$("$tmp/root/usr/sbin/mnttrace" --version 2>&1)
case $ver in
"mnttrace "[0-9]*) pass "deb_mnttrace_version ($ver)" ;;
*) fail deb_mnttrace_version "--version said: $ver" ;;
esac
if ! command -v man >/dev/null; then
	skip deb_man_page "no man command"
elif MANWIDTH=80 man --warnings -M "$tmp/root/usr/share/man" mnttrace >"$tmp/man.txt" 2>"$tmp/man.err" &&
	[ ! -s "$tmp/man.err" ] && grep -q "show why a mount will not go away" "$tmp/man.txt"; then
	pass deb_man_page
else
	fail deb_man_page "$(head -3 "$tmp/man.err")"
fi
unit=$tmp/root/lib/systemd/system/mnttrace.service
if grep -q '^ExecStart=/usr/sbin/mnttrace ' "$unit" 2>/dev/null &&
	[ -f "$tmp/root/usr/share/bash-completion/completions/mnttrace" ]; then
	pass deb_unit_and_completion
else
	fail deb_unit_and_completion "no $unit naming /usr/sbin/mnttrace, or no completion"
fi
# the recorder is opt-in: the maintainer scripts start nothing, and enable
# it again only where the admin had (dh_installsystemd --no-enable)
dpkg-deb -e "$deb" "$tmp/ctl"
enables=$(cat "$tmp/ctl"/post* 2>/dev/null | grep -c 'deb-systemd-helper enable')
kept=$(grep -h -A2 'was-enabled' "$tmp/ctl"/post* 2>/dev/null | grep -c 'deb-systemd-helper enable')
if ! grep -qs 'deb-systemd-invoke\|systemctl.* start' "$tmp/ctl"/post* && [ "$enables" = "$kept" ]; then
	pass deb_unit_not_enabled
else
	fail deb_unit_not_enabled "the package enables or starts mnttrace.service"
fi
summary
