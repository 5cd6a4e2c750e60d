#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The man page as a user meets it: it renders without a warning at 80
# columns, and its OPTIONS name exactly the options of --help (both ways).
#   tests/pkg/check-man.sh [MNTTRACE [MANPAGE]]
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh
bin=${1:-./mnttrace}
page=${2:-doc/mnttrace.8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v man >/dev/null; then
	skip man_renders "no man command (apt-get install man-db)"
else
	MANWIDTH=80 man --warnings -l "$page" >"$tmp/page.txt" 2>"$tmp/warn.txt"
	if [ -s "$tmp/warn.txt" ] || [ ! -s "$tmp/page.txt" ]; then
		fail man_renders_without_warnings "$(head -5 "$tmp/warn.txt")"
	else
		pass man_renders_without_warnings
	fi
fi

# Options of --help: "  -j, --json", "      --color[=WHEN]", "  -p, --pid=PID".
"$bin" --help >"$tmp/help.txt" 2>&1 || { fail help_runs "$bin --help failed"; summary; exit; }
grep -E '^ +(-[a-zA-Z], )?--[a-z]' "$tmp/help.txt" |
	grep -oE '(^ +-[a-zA-Z],)|--[a-z][a-z-]*' | tr -d ' ,' | sort -u >"$tmp/help.opts"

# Options the man page's OPTIONS section describes: the .TP tags, in roff
# ("\-\-json", "\-j"), between ".SH OPTIONS" and the next ".SH".
sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$page" |
	awk '/^\.TP/ { getline; print }' | sed 's/\\-/-/g' |
	grep -oE '(^|[" ])-[a-zA-Z]([^a-zA-Z-]|$)|--[a-z][a-z-]*' |
	sed 's/^[" ]//; s/[^a-zA-Z-]$//' | sort -u >"$tmp/man.opts"

missing=$(comm -23 "$tmp/help.opts" "$tmp/man.opts" | tr '\n' ' ')
extra=$(comm -13 "$tmp/help.opts" "$tmp/man.opts" | tr '\n' ' ')
if [ "$(wc -l <"$tmp/help.opts")" -lt 10 ]; then
	fail man_options_match_help "read only $(wc -l <"$tmp/help.opts") options from --help"
elif [ -n "$missing" ] || [ -n "$extra" ]; then
	fail man_options_match_help "in --help, not in $page: ${missing:-none}" \
		"in $page, not in --help: ${extra:-none}"
else
	pass "man_options_match_help ($(wc -l <"$tmp/help.opts") options)"
fi
summary
