#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make install / uninstall into a throw-away DESTDIR, as a packager runs
# them: the four files where PREFIX says, a binary that runs, a man page
# man finds, a unit that names the installed binary; uninstall leaves none.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check_prefix() {
	prefix=$1 unitdir=$2
	root=$tmp/root$(echo "$prefix" | tr / _)
	make -s install DESTDIR="$root" PREFIX="$prefix" >"$tmp/log" 2>&1 ||
		{ fail "install_prefix_$prefix" "$(tail -5 "$tmp/log")"; return; }
	got=$(cd "$root" && find . -type f | sort | tr '\n' ' ')
	want="./${prefix#/}/sbin/mnttrace ./${prefix#/}/share/bash-completion/completions/mnttrace ./${prefix#/}/share/man/man8/mnttrace.8 ./${unitdir#/}/mnttrace.service "
	want=$(echo "$want" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		pass "install_files_prefix_$prefix"
	else
		fail "install_files_prefix_$prefix" "got:  $got" "want: $want"
	fi
	ver=$("$root$prefix/sbin/mnttrace" --version 2>&1)
	case $ver in
	"mnttrace "[0-9]*) pass "install_binary_runs_prefix_$prefix" ;;
	*) fail "install_binary_runs_prefix_$prefix" "--version said: $ver" ;;
	esac
	if command -v man >/dev/null; then
		if MANWIDTH=80 man -M "$root$prefix/share/man" mnttrace 2>&1 | grep -q "show why a mount will not go away"; then
			pass "install_man_finds_page_prefix_$prefix"
		else
			fail "install_man_finds_page_prefix_$prefix" "man -M $prefix/share/man mnttrace: no NAME line"
		fi
	else
		skip "install_man_finds_page_prefix_$prefix" "no man command"
	fi
	if grep -q "^ExecStart=$prefix/sbin/mnttrace " "$root/$unitdir/mnttrace.service"; then
		pass "install_unit_names_binary_prefix_$prefix"
	else
		fail "install_unit_names_binary_prefix_$prefix" "$(grep ^ExecStart "$root/$unitdir/mnttrace.service")"
	fi
	make -s uninstall DESTDIR="$root" PREFIX="$prefix" >"$tmp/log" 2>&1
	left=$(find "$root" -type f | tr '\n' ' ')
	if [ -z "$left" ]; then
		pass "uninstall_removes_all_prefix_$prefix"
	else
		fail "uninstall_removes_all_prefix_$prefix" "left: $left"
	fi
}

check_prefix /usr/local /usr/local/lib/systemd/system
check_prefix /opt/mnttrace /opt/mnttrace/lib/systemd/system
summary
