#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e.sh: mnttrace against real container runtimes, Debian's docker.io and
# podman. Installs them (tools/deps.sh --e2e), starts dockerd (which starts
# its containerd) in the background with a data-root of its own, builds a
# busybox image offline, runs .output/mnttrace-e2e, and on every way out
# removes the containers, stops dockerd by its pid and undoes its mounts.
# What cannot run is a SKIP with the reason. See tests/e2e/README.md.
set -uo pipefail

usage() {
	cat <<'EOF'
Usage: tests/e2e/e2e.sh [--mnttrace PATH] [--runner PATH] [-v] [TEST-NAME-FILTER...]
Run mnttrace's end-to-end tests with docker and podman (as root).

  --mnttrace PATH  the tool under test (default ./mnttrace)
  --runner PATH    the test runner (default .output/mnttrace-e2e)
  -v, --verbose    print each test's log, and the commands it ran
  -h, --help       this text
EOF
}

top=$(cd "$(dirname "$0")/../.." && pwd)
mnttrace=$top/mnttrace
runner=$top/.output/mnttrace-e2e
runner_args=()
# Fixed places, so that a run killed with SIGKILL is cleaned up by the next:
# the stores on a disk filesystem (overlay wants one for its upper dirs),
# sockets, pid files and exec roots in /run.
base=/var/lib/mnttrace-e2e
run=/run/mnttrace-e2e
logdir=$top/.output/e2e-logs
image=localhost/mnttrace-e2e:busybox
docker=/usr/bin/docker # Debian's CLI, whatever else is in PATH
podman_flags=(--cgroup-manager=cgroupfs --events-backend=file --storage-driver=overlay)
# Each CLI call and the daemon's start get this long; a loaded machine
# (qemu guests on every core) is slow, and nothing must hang.
cmd_timeout=60
suite_timeout=300

while [ $# -gt 0 ]; do
	case $1 in
	--mnttrace) mnttrace=$(realpath "${2:?--mnttrace needs a PATH}"); shift ;;
	--runner) runner=$(realpath "${2:?--runner needs a PATH}"); shift ;;
	-v | --verbose) runner_args+=(-v) ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) runner_args+=("$1") ;;
	esac
	shift
done

say() { printf 'e2e: %s\n' "$*"; }
t0=$(date +%s)
docker_skip=
podman_skip=
suite_pid=

# ---- cleanup (also of an earlier run that was killed) ---------------------

stop_pid() { # PIDFILE COMM
	local pid i
	pid=$(cat "$1" 2>/dev/null) || return 0
	[[ $pid =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	say "$2 (pid $pid) did not stop in 20 s; killing it"
	kill -KILL "$pid" 2>/dev/null
}

podman_cmd() { # default|shared ARGS...
	local which=$1
	shift
	local extra=()
	[ "$which" = default ] || extra=(--storage-opt=overlay.skip_mount_home=true)
	timeout -k 5 "$cmd_timeout" podman --root "$base/podman-$which" --runroot "$run/podman/$which" \
		--tmpdir "$run/podman/$which-tmp" "${podman_flags[@]}" "${extra[@]}" "$@"
}

cleanup() {
	local ids which pid m
	if [ -S "$run/docker.sock" ] && [ -x "$docker" ]; then
		ids=$(DOCKER_HOST=unix://$run/docker.sock timeout "$cmd_timeout" "$docker" ps -aq 2>/dev/null)
		[ -z "$ids" ] || DOCKER_HOST=unix://$run/docker.sock timeout "$cmd_timeout" \
			"$docker" rm -f $ids >/dev/null 2>&1
	fi
	for which in default shared; do
		[ -d "$base/podman-$which" ] && command -v podman >/dev/null || continue
		podman_cmd "$which" rm -fa -t 0 >/dev/null 2>&1
	done
	stop_pid "$run/docker.pid" dockerd
	stop_pid "$run/docker/containerd/containerd.pid" containerd
	# What is left of ours (a shim, a conmon) names our dirs: by pid.
	for pid in /proc/[0-9]*; do
		case $(tr '\0' ' ' 2>/dev/null <"$pid/cmdline") in
		*"$base/"* | *"$run/"*) kill -KILL "${pid#/proc/}" 2>/dev/null ;;
		esac
	done
	# Our mounts, deepest first (paths of ours have no spaces to escape).
	awk -v b="$base" -v r="$run" '$5 == b || $5 == r || index($5, b "/") == 1 ||
		index($5, r "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$base" "$run"
}

finish() {
	# The suite first: its services die with it, and it must not see us clean.
	if [ -n "$suite_pid" ]; then
		kill -TERM "$suite_pid" 2>/dev/null
		wait "$suite_pid" 2>/dev/null
	fi
	cleanup
	say "took $(($(date +%s) - t0))s (logs in ${logdir#"$top"/}/)"
}

# ---- setup ----------------------------------------------------------------

install_runtimes() {
	local out
	out=$("$top/tools/deps.sh" --e2e 2>&1) && return 0
	echo "$out" >"$logdir/deps.log"
	docker_skip="tools/deps.sh --e2e could not install the runtimes: $(echo "$out" | tail -n 1)"
	podman_skip=$docker_skip
	return 1
}

build_rootfs() { # TAR
	local root=$run/rootfs a busybox
	busybox=$(command -v busybox) || return 1
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc}
	cp "$busybox" "$root/bin/busybox"
	for a in sh sleep true; do ln -s busybox "$root/bin/$a"; done
	tar -C "$root" -cf "$1" .
}

start_dockerd() {
	local i dlog=$logdir/dockerd.log
	export DOCKER_HOST=unix://$run/docker.sock
	for tool in dockerd containerd runc; do
		command -v "$tool" >/dev/null || { docker_skip="no $tool (tools/deps.sh --e2e)"; return 1; }
	done
	[ -x "$docker" ] || { docker_skip="no $docker (tools/deps.sh --e2e installs docker.io)"; return 1; }
	mkdir -p "$base/docker" "$run"
	echo '{}' >"$run/daemon.json"
	# No network of its own (no iptables, no bridge): the tests need none.
	dockerd --config-file "$run/daemon.json" --data-root "$base/docker" \
		--exec-root "$run/docker" --pidfile "$run/docker.pid" -H "$DOCKER_HOST" \
		--iptables=false --ip-masq=false --bridge=none --storage-driver overlay2 \
		</dev/null >"$dlog" 2>&1 &
	local pid=$!
	for ((i = 0; i < cmd_timeout * 10; i++)); do
		timeout 5 "$docker" version >/dev/null 2>&1 && break
		if ! kill -0 "$pid" 2>/dev/null; then
			docker_skip="dockerd exited at start: $(grep -m1 -iE 'level=(fatal|error)|failed' "$dlog" | cut -c1-300)"
			return 1
		fi
		sleep 0.1
	done
	if [ "$i" -ge $((cmd_timeout * 10)) ]; then
		docker_skip="dockerd did not answer within ${cmd_timeout}s (see ${dlog#"$top"/})"
		return 1
	fi
	timeout "$cmd_timeout" "$docker" import "$run/rootfs.tar" "$image" >/dev/null 2>"$logdir/docker-import.log" ||
		{ docker_skip="docker import failed: $(tail -n 1 "$logdir/docker-import.log")"; return 1; }
	# The tests need a container that runs, not only a daemon that answers.
	timeout "$cmd_timeout" "$docker" run --rm --network none "$image" true >/dev/null 2>"$logdir/docker-run.log" ||
		{ docker_skip="docker cannot run a container: $(tail -n 1 "$logdir/docker-run.log")"; return 1; }
	say "docker: $("$docker" version -f 'docker.io {{.Server.Version}}, containerd {{range .Server.Components}}{{if eq .Name "containerd"}}{{.Version}}{{end}}{{end}}, runc {{range .Server.Components}}{{if eq .Name "runc"}}{{.Version}}{{end}}{{end}}' 2>/dev/null) (dockerd pid $pid, data-root $base/docker)"
}

prepare_podman() {
	local which
	command -v podman >/dev/null || { podman_skip="no podman (tools/deps.sh --e2e)"; return 1; }
	for which in default shared; do
		mkdir -p "$base/podman-$which" "$run/podman/$which-tmp"
		podman_cmd "$which" import "$run/rootfs.tar" "$image" >/dev/null 2>"$logdir/podman-import.log" ||
			{ podman_skip="podman import failed: $(tail -n 1 "$logdir/podman-import.log")"; return 1; }
	done
	podman_cmd default run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		"$image" true >/dev/null 2>"$logdir/podman-run.log" ||
		{ podman_skip="podman cannot run a container: $(tail -n 1 "$logdir/podman-run.log")"; return 1; }
	say "podman: $(podman --version | awk '{ print $3 }') (roots $base/podman-default, $base/podman-shared)"
}

mkdir -p "$logdir"
if [ "$(id -u)" -ne 0 ]; then
	docker_skip="needs root (containers, mounts, BPF)"
	podman_skip=$docker_skip
else
	trap finish EXIT
	trap 'exit 130' INT TERM
	cleanup
	say "kernel $(uname -r); $("$mnttrace" --version 2>/dev/null | head -n 1) ($mnttrace)"
	if install_runtimes; then
		mkdir -p "$run"
		if ! build_rootfs "$run/rootfs.tar"; then
			docker_skip="no busybox to build the image from (tools/deps.sh installs busybox-static)"
			podman_skip=$docker_skip
		else
			start_dockerd
			prepare_podman
		fi
	fi
fi
[ -z "$docker_skip" ] || say "docker: SKIP: $docker_skip"
[ -z "$podman_skip" ] || say "podman: SKIP: $podman_skip"

# In the background: bash runs a trap only once the foreground command is
# done, and Ctrl-C or a SIGTERM must clean up now, not in 300 s.
E2E_DOCKER=$docker E2E_DOCKER_ROOT=$base/docker E2E_DOCKER_SKIP=$docker_skip \
	E2E_PODMAN=podman E2E_PODMAN_ROOT=$base/podman-default \
	E2E_PODMAN_SHARED_ROOT=$base/podman-shared E2E_PODMAN_RUN=$run/podman \
	E2E_PODMAN_SKIP=$podman_skip E2E_IMAGE=$image \
	timeout -k 10 "$suite_timeout" "$runner" --mnttrace "$mnttrace" "${runner_args[@]}" &
suite_pid=$!
rc=0
wait "$suite_pid" || rc=$?
suite_pid=
[ "$rc" -ne 124 ] || say "the suite did not finish in ${suite_timeout}s"
exit "$rc"
