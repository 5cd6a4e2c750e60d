#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a user sees: `mnttrace --overlay` in a tmux pane WIDTH columns wide
# while tools/demo.sh SCENARIO runs beside it, printed as the pane shows it
# (tmux capture-pane -p: the terminal's own rows). The README's captures
# come from here.
#
#   tools/capture.sh leak|busy|inuse|shared|unlinkat [WIDTH]   (default 80)
#
# Needs root (for mnttrace and the demo) and tmux (tools/deps.sh --docs).
# MNTTRACE names the binary (default ./mnttrace).
set -eu

usage() {
	sed -n 's/^#   //p' "$0"
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
case $1 in leak | busy | inuse | shared | unlinkat) ;; *) usage ;; esac
width=${2:-80}
case $width in *[!0-9]* | '') usage ;; esac
if ! command -v tmux >/dev/null; then
	echo "capture.sh: error: tmux is missing (run: tools/deps.sh --docs)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "capture.sh: error: needs root for mnttrace and the demo (run: sudo $0 $*)" >&2
	exit 1
fi
bin=$(realpath "${MNTTRACE:-./mnttrace}")
demo=$(dirname "$0")/demo.sh
sess=mnttrace-capture-$$

# Tall enough that nothing scrolls away; the trace waits for Ctrl-C.
tmux new-session -d -s "$sess" -x "$width" -y 200 "'$bin' --overlay 2>/dev/null; sleep 60"
trap 'tmux kill-session -t "$sess" 2>/dev/null || :' EXIT
sleep 4		# attached, and the start-up snapshot read
"$demo" "$1" >/dev/null 2>&1 || :
sleep 2		# the last findings printed
tmux send-keys -t "$sess" C-c
sleep 1
# the pane without the ^C echo and the empty rows below the output
tmux capture-pane -p -t "$sess" -S - -E - | sed -e '/^^C *$/d' -e 's/ *$//' |
	sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
