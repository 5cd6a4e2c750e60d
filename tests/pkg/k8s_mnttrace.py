#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What the mnttrace DaemonSet must be, beyond the API's schema.

    k8s_mnttrace.py DAEMONSET.yaml SYSTEMD_UNIT

One line per problem and exit 1, or "ok". Checked: the selector picks the
template's pods; hostPID; JSON Lines on stdout; the capabilities of the
systemd unit, and no more; not privileged; and no hostPath that would copy
container overlays into the pod's mount namespace (a runtime's dirs
without mountPropagation HostToContainer).
"""
import sys

import yaml

RUNTIME_DIRS = ("/var/lib/docker", "/var/lib/containerd", "/run/containerd",
                "/var/lib/containers", "/run/containers", "/var/lib/kubelet", "/")


def main(manifest, unit):
    with open(manifest, encoding="utf-8") as f:
        ds = [d for d in yaml.safe_load_all(f) if d and d.get("kind") == "DaemonSet"]
    if len(ds) != 1:
        print(f"{manifest}: want one DaemonSet, found {len(ds)}")
        return 1
    problems = []
    spec = ds[0]["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    for k, v in spec["selector"].get("matchLabels", {}).items():
        if labels.get(k) != v:
            problems.append(f"selector {k}={v} does not match the template's labels")
    if pod.get("hostPID") is not True:
        problems.append("hostPID is not true: mnttrace would see only its own pod's processes")
    (ctr,) = [c for c in pod["containers"] if c["name"] == "mnttrace"]
    argv = ctr.get("command", []) + ctr.get("args", [])
    if "-j" not in argv and "--json" not in argv:
        problems.append(f"not JSON Lines on stdout: {argv}")
    sc = ctr.get("securityContext", {})
    if sc.get("privileged"):
        problems.append("privileged: the capabilities below are enough")
    caps = sorted(sc.get("capabilities", {}).get("add", []))
    with open(unit, encoding="utf-8") as f:
        line = [l for l in f if l.startswith("CapabilityBoundingSet=")][0]
    want = sorted(c.removeprefix("CAP_") for c in line.split("=", 1)[1].split())
    if caps != want:
        problems.append(f"capabilities {caps}, the systemd unit has {want}")
    if sc.get("capabilities", {}).get("drop") != ["ALL"]:
        problems.append("capabilities: drop ALL first")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for vm in ctr.get("volumeMounts", []):
        path = volumes.get(vm["name"], {}).get("hostPath", {}).get("path")
        if path is None:
            continue
        under = [d for d in RUNTIME_DIRS if path == d or (d != "/" and path.startswith(d + "/"))]
        if under and vm.get("mountPropagation") != "HostToContainer":
            problems.append(f"hostPath {path}: copies the container overlays below it into "
                            "the pod, private (they leak): use HostToContainer, or leave it out")
    for p in problems:
        print(f"{manifest}: {p}")
    if not problems:
        print("ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
