#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Reproduce the overlay leaks of BACKGROUND.md with plain shell tools, for
# watching them with mnttrace (run `mnttrace --overlay` in another terminal).
# Everything happens in a private mount namespace of its own, on a tmpfs, so
# the host's mount table is never touched; the namespace dies with the script.
#
#   tools/demo.sh leak      private graph root: the service's copy leaks,
#                           rmdir then detaches it (Docker 1.13 style)
#   tools/demo.sh shared    shared graph root: the umount reaches the copy
#   tools/demo.sh busy      a process sits in the service's slave copy: EBUSY
#   tools/demo.sh inuse     a leaked copy pins upper/workdir: an index=on mount
#                           fails, an index=off one succeeds with a warning
#   tools/demo.sh unlinkat  like leak, removing merged with unlinkat(AT_REMOVEDIR)
#   tools/demo.sh incident  like leak with Docker's umount -l, then, with the copy
#                           still held, runs $MNTTRACE (default ./mnttrace)
#                           --snapshot and --explain where the runtime runs
set -eu

usage() {
	sed -n 's/^#   //p' "$0"
	exit 2
}

[ $# -eq 1 ] || usage
case $1 in leak | shared | busy | inuse | unlinkat | incident) ;; *) usage ;; esac
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: error: needs root for mount namespaces (run: sudo $0 $1)" >&2
	exit 1
fi

# Re-run ourselves inside a fresh mount namespace, all of it private.
if [ -z "${MT_DEMO_INSIDE:-}" ]; then
	MT_DEMO_INSIDE=1 exec unshare -m --propagation private "$0" "$1"
fi

top=$(mktemp -d /tmp/mnttrace-demo.XXXXXX)
mount -t tmpfs demo "$top"
root=$top/docker/overlay2
id=3f4e9c1d2b7a6e5f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7
layer=$root/$id
mkdir -p "$root"

# The runtime's graph root: a bind mount of itself, private (Docker 1.13) or
# shared (Docker >= 17.12.1, moby#36047).
mount --bind "$root" "$root"
if [ "$1" = shared ] || [ "$1" = busy ]; then
	mount --make-shared "$root"
else
	mount --make-private "$root"
fi

mkdir -p "$root/l/base" "$layer/diff" "$layer/work" "$layer/merged"
mount -t overlay overlay -o "lowerdir=$root/l/base,upperdir=$layer/diff,workdir=$layer/work" \
	"$layer/merged"

# The "service": a process in its own mount namespace, a slave of ours, as
# systemd's PrivateTmp= makes it. With "busy" it sits inside the copy.
if [ "$1" = busy ]; then
	unshare -m --propagation slave sh -c "cd '$layer/merged' && sleep 3" &
elif [ "$1" = incident ]; then
	unshare -m --propagation slave sleep 60 &
else
	unshare -m --propagation slave sleep 3 &
fi
service=$!
sleep 1

case $1 in
busy)
	umount "$layer/merged" || echo "demo.sh: umount failed as expected"
	umount -l "$layer/merged"
	;;
inuse)
	umount "$layer/merged"
	mkdir -p "$layer/merged2"
	mount -t overlay overlay \
		-o "lowerdir=$root/l/base,upperdir=$layer/diff,workdir=$layer/work,index=on" \
		"$layer/merged2" || echo "demo.sh: index=on mount failed as expected"
	mount -t overlay overlay \
		-o "lowerdir=$root/l/base,upperdir=$layer/diff,workdir=$layer/work,index=off" \
		"$layer/merged2"
	umount "$layer/merged2"
	;;
unlinkat)
	umount "$layer/merged"
	rm -d "$layer/merged"		# unlinkat(AT_FDCWD, ..., AT_REMOVEDIR)
	;;
incident)
	umount -l "$layer/merged"	# Docker's overlay2 driver: MNT_DETACH
	echo "\$ mnttrace --snapshot"
	"${MNTTRACE:-./mnttrace}" --snapshot
	echo "\$ mnttrace --explain $layer/merged"
	"${MNTTRACE:-./mnttrace}" --explain "$layer/merged"
	kill "$service"
	;;
*)
	umount "$layer/merged"
	rmdir "$layer/merged"
	;;
esac
wait "$service" || true
