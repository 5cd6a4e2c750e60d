# SPDX-License-Identifier: GPL-2.0
# Shared by the tests/pkg checks: one PASS/FAIL/SKIP line per check, in the
# integration runner's words, and a closing "N passed, N failed, N skipped".
passed=0 failed=0 skipped=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; shift; for l in "$@"; do echo "    $l"; done; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }

summary() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}
