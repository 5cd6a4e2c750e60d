#!/bin/sh
# Install the Debian packages mnttrace needs to build and test, if missing.
# Usage: tools/deps.sh [--e2e | --bench | --docs]
# Idempotent: with everything present it only runs dpkg-query.
# --bench adds what `make bench` compares mnttrace with (bpftrace, perf).
set -eu

pkgs="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
pkg-config busybox-static qemu-system-x86 cpio xz-utils zstd kmod util-linux
man-db debhelper dpkg-dev yamllint python3-kubernetes libclang-rt-dev"
# --e2e: only the real runtimes of tests/e2e (docker.io pulls in containerd
# and runc); `make e2e` asks for them, the build never does.
case "${1:-}" in
--e2e)
	pkgs="docker.io podman busybox-static util-linux" ;;
--bench)
	pkgs="$pkgs bpftrace linux-perf bc" ;;
# --docs: tools/capture.sh, which makes the README's terminal captures
--docs)
	pkgs="tmux" ;;
esac

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "mnttrace: installing Debian packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "mnttrace: error: installing packages needs root (run: sudo make deps)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
