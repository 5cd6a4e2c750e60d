#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The flight recorder's unit: systemd-analyze verify has nothing to say, it
# makes no mount namespace of its own, and it keeps only the capabilities
# mnttrace uses.   tests/pkg/check-systemd.sh [MNTTRACE [UNIT]]
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh
bin=$(realpath "${1:-./mnttrace}")
unit=${2:-dist/systemd/mnttrace.service}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v systemd-analyze >/dev/null; then
	skip systemd_analyze_verify "no systemd-analyze (apt-get install systemd)"
else
	# verify wants ExecStart's binary where the unit says: ours, here
	sed "s#^ExecStart=/[^ ]*/mnttrace#ExecStart=$bin#" "$unit" >"$tmp/mnttrace.service"
	# --man=no: the page is checked by check-man.sh, before it is installed
	if systemd-analyze verify --man=no "$tmp/mnttrace.service" >"$tmp/out" 2>&1 &&
		[ ! -s "$tmp/out" ]; then
		pass systemd_analyze_verify
	else
		fail systemd_analyze_verify "$(head -5 "$tmp/out")"
	fi
fi

# Each of these gives the unit a mount namespace (systemd.exec(5),
# PrivateMounts=): a copy of every overlay, the leak mnttrace hunts.
ns_opts=$(grep -oE '^(PrivateTmp|PrivateMounts|MountFlags|ProtectSystem|ProtectHome|ReadWritePaths|ReadOnlyPaths|InaccessiblePaths|ExecPaths|NoExecPaths|PrivateDevices|ProtectKernelModules|ProtectKernelLogs|ProtectControlGroups|ProtectProc|ProcSubset|TemporaryFileSystem|BindPaths|BindReadOnlyPaths|RootDirectory|RootImage|MountAPIVFS|DynamicUser)=' "$unit" | tr '\n' ' ')
if [ -z "$ns_opts" ]; then
	pass systemd_no_mount_namespace
else
	fail systemd_no_mount_namespace "options that make a mount namespace: $ns_opts"
fi

caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr ' ' '\n' | sort | tr '\n' ' ')
want="CAP_BPF CAP_DAC_READ_SEARCH CAP_PERFMON CAP_SYS_ADMIN CAP_SYS_CHROOT CAP_SYS_PTRACE "
if [ "$caps" = "$want" ]; then
	pass systemd_capabilities
else
	fail systemd_capabilities "CapabilityBoundingSet: got '$caps', want '$want'"
fi
for c in $want; do
	grep -q "^#  $c " "$unit" || fail systemd_capabilities_explained "no comment says why $c"
done
if grep -q '^NoNewPrivileges=yes' "$unit" && grep -q '^ExecStart=.* --record /var/lib/mnttrace' "$unit" &&
	grep -q '^StateDirectory=mnttrace' "$unit"; then
	pass systemd_records_to_var_lib
else
	fail systemd_records_to_var_lib "want NoNewPrivileges=yes, ExecStart ... --record /var/lib/mnttrace, StateDirectory=mnttrace"
fi
summary
