#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# deploy/kubernetes, validated (no cluster here): yamllint on every file,
# every manifest object against the Kubernetes API models of Debian's
# python3-kubernetes, and the DaemonSet against what mnttrace needs.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. tests/pkg/lib.sh
dir=deploy/kubernetes
# Debian's python, where python3-kubernetes is (not a pyenv's)
py=/usr/bin/python3

if ! command -v yamllint >/dev/null; then
	skip k8s_yamllint "no yamllint (apt-get install yamllint)"
elif out=$(yamllint -f parsable -c "$dir/.yamllint" "$dir"/*.yaml 2>&1) && [ -z "$out" ]; then
	pass k8s_yamllint
else
	fail k8s_yamllint "$(echo "$out" | head -5)"
fi

if ! "$py" -c 'import kubernetes, yaml' 2>/dev/null; then
	skip k8s_schema "no python3-kubernetes (apt-get install python3-kubernetes)"
else
	if out=$("$py" tests/pkg/k8s_validate.py "$dir/mnttrace-daemonset.yaml" 2>&1); then
		pass "k8s_schema ($(echo "$out" | tail -1))"
	else
		fail k8s_schema "$(echo "$out" | head -8)"
	fi
	if out=$("$py" tests/pkg/k8s_mnttrace.py "$dir/mnttrace-daemonset.yaml" \
		dist/systemd/mnttrace.service 2>&1); then
		pass k8s_daemonset_for_mnttrace
	else
		fail k8s_daemonset_for_mnttrace "$(echo "$out" | head -8)"
	fi
fi
summary
