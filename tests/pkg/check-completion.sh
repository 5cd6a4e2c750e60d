#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bash completion as a user meets it: TAB after what they typed, in bash.
#   tests/pkg/check-completion.sh [MNTTRACE [COMPLETION]]
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh
bin=${1:-./mnttrace}
comp=${2:-dist/bash-completion/mnttrace}

if ! command -v bash >/dev/null; then
	skip completion "no bash"
	summary
	exit
fi

# complete WORDS...: COMPREPLY for the last word, one a line, sorted
complete_words() {
	bash -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_mnttrace mnttrace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' complete "$comp" mnttrace "$@"
}

expect() {
	name=$1 want=$2
	shift 2
	got=$(complete_words "$@" | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "mnttrace $* <TAB>: got '$got', want '$want'"
	fi
}

expect completion_attach_modes "auto fentry kprobe tracepoint " --attach ""
expect completion_attach_prefix "fentry " --attach f
expect completion_color_after_equals "always " --color = al
expect completion_color_values "always auto never " --color = ""
expect completion_option_prefix "--failed --findings-only --force " --f
expect completion_option_with_value "--color= " --col

if complete_words -p "" | grep -qx "$$"; then
	pass completion_pids
else
	fail completion_pids "mnttrace -p <TAB> does not offer pid $$"
fi
if complete_words --path /u | grep -qx /usr; then
	pass completion_paths
else
	fail completion_paths "mnttrace --path /u<TAB> does not offer /usr"
fi

# every option of --help, and none that --help lacks
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" --help | grep -E '^ +(-[a-zA-Z], )?--[a-z]' |
	grep -oE '(^ +-[a-zA-Z],)|--[a-z][a-z-]*' | tr -d ' ,' | sort -u >"$tmp/help"
{ complete_words -; complete_words --; } | sed 's/=$//' | sort -u >"$tmp/comp"
if [ "$(wc -l <"$tmp/help")" -gt 10 ] && cmp -s "$tmp/help" "$tmp/comp"; then
	pass completion_options_match_help
else
	fail completion_options_match_help "$(diff "$tmp/help" "$tmp/comp" | grep '^[<>]' | tr '\n' ' ')" \
		"(< only in --help, > only in the completion)"
fi
summary
