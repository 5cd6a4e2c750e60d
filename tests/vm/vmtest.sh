#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh: run mnttrace's integration suite in qemu guests on Debian kernels,
# once per attach mode inside one boot per kernel, and print a matrix of
# kernel x attach mode x passed/failed/skipped. See tests/vm/README.md.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: tests/vm/vmtest.sh [OPTION]...
Boot each kernel of tests/vm/kernels.conf under qemu (TCG) and run the
integration suite once per attach mode; print the matrix; exit non-zero if a
cell failed or a required mode did not run.

  -k, --kernel NAME    only this kernel (6.1, 6.12, 7; a comma list is fine)
  -m, --mode MODE      only this attach mode (fentry, kprobe, tracepoint; list ok)
      --host           add the host row: the suite on this machine, tracepoint mode
      --e2e            add the e2e row: tests/e2e/e2e.sh (docker and podman) on
                       this machine, after the host row, while the guests run
      --probe          instead of the suite, report which mount functions and
                       struct fields each kernel has (kallsyms, BTF); keep the
                       guests' BTF in .cache/vm/kernels/*/btf/
  -j, --jobs N         boot up to N guests at once (default 2)
  -t, --timeout SECS   guest-side limit for one mode's suite (default 900)
      --boot-timeout SECS  host-side limit for a whole guest (default: enough
                       for every mode's suite to reach --timeout)
      --mnttrace PATH  static tool for the guests (default ./mnttrace-static)
      --itest PATH     static suite runner (default .output/mnttrace-itest-static)
  -v, --verbose        print every test line of every cell, and every console tail
  -h, --help           this text

Environment: VMTEST_APPEND adds kernel command-line arguments to every guest.
VMTEST_BASELINE=PATH packs another static mnttrace as /mnttrace-base: with
VMTEST_APPEND=vmtest.starts=N each mode first times N starts (--check -v) of
it and of /mnttrace, alternately, in the same boot (report.log "note").

Examples:
  tests/vm/vmtest.sh --host --e2e        # what `make test` runs
  tests/vm/vmtest.sh -k 6.1 -m kprobe    # one cell (make vmtest KERNEL=6.1 MODE=kprobe)
  tests/vm/vmtest.sh --probe             # attach points and struct fields per kernel
EOF
}

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$top/tests/vm
cache=$top/.cache/vm
runs=$cache/runs # one directory per invocation; several may run at once
all_modes="fentry kprobe tracepoint"
# Modules the suite needs in the guest; their dependencies are added from modinfo.
vm_modules="overlay"
# What --probe looks up: functions in kallsyms and BTF, then struct fields.
probe_funcs="copy_mnt_ns clone_mnt copy_tree umount_tree propagate_umount umount_one
propagate_mnt propagate_one change_mnt_propagation __detach_mounts propagate_mount_busy
__is_local_mountpoint ovl_inuse_trylock put_mnt_ns free_mnt_ns attach_recursive_mnt
do_umount path_umount path_mount vfs_rmdir"
probe_fields="mount.mnt_node mount.mnt_id_unique mount.mnt_list mount.mnt_t_flags
mnt_namespace.list mnt_namespace.mounts mnt_namespace.nr_mounts mnt_namespace.seq mnt_namespace.ns
ns_common.ns_id ns_common.inum ovl_config.lowerdir ovl_config.lowerdirs
ovl_config.upperdir ovl_config.workdir"
# Expedited RCU grace periods: every mnttrace start and stop waits for some
# (attach, detach, map teardown), and under TCG a normal one is slow. Measured
# on 6.1: `--check` took 5.4/5.2/3.0 s (fentry/kprobe/tracepoint) without,
# 4.0/2.9/1.5 s with.
guest_cmdline="console=ttyS0 quiet panic=-1 rcupdate.rcu_expedited=1"
# Kernel log lines that fail a cell, as libbpf's CI treats "kernel splats".
splat_re='WARNING:|BUG:|Oops|Call Trace|[Vv]erifier|Kernel panic|general protection fault|soft lockup|blocked for more than|detected stalls|KASAN|UBSAN'

opt_kernels= opt_modes= opt_host=0 opt_e2e=0 opt_probe=0 jobs=2 suite_timeout=900 boot_timeout= verbose=0
mnttrace_bin=$top/mnttrace-static
itest_bin=$top/.output/mnttrace-itest-static
host_mnttrace=$top/mnttrace
host_itest=$top/.output/mnttrace-itest
host_e2e=$top/.output/mnttrace-e2e

say() { printf 'vmtest: %s\n' "$*"; }
die() { printf 'vmtest: error: %s\n' "$*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	-k | --kernel) opt_kernels=${2:?--kernel needs a NAME}; shift ;;
	-m | --mode) opt_modes=${2:?--mode needs a MODE}; shift ;;
	--host) opt_host=1 ;;
	--e2e) opt_e2e=1 ;;
	--probe) opt_probe=1 ;;
	-j | --jobs) jobs=${2:?--jobs needs N}; shift ;;
	-t | --timeout) suite_timeout=${2:?--timeout needs SECS}; shift ;;
	--boot-timeout) boot_timeout=${2:?--boot-timeout needs SECS}; shift ;;
	--mnttrace) mnttrace_bin=$(realpath "${2:?--mnttrace needs a PATH}"); shift ;;
	--itest) itest_bin=$(realpath "${2:?--itest needs a PATH}"); shift ;;
	-v | --verbose) verbose=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$jobs'"
[[ $suite_timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout wants seconds, not '$suite_timeout'"
[[ -z $boot_timeout || $boot_timeout =~ ^[1-9][0-9]*$ ]] ||
	die "--boot-timeout wants seconds, not '$boot_timeout'"
modes=$(echo "${opt_modes:-$all_modes}" | tr , ' ')
for m in $modes; do
	[[ " $all_modes " == *" $m "* ]] || die "unknown attach mode '$m' (want one of: $all_modes)"
done

# ---- kernels --------------------------------------------------------------

# Prints "NAME PATTERN REQUIRED SUITE" for each selected kernel of
# kernels.conf; SUITE is "-" (the host's apt sources) when the line has none.
selected_kernels() {
	local name pattern required suite want found=
	want=" $(echo "$opt_kernels" | tr , ' ') "
	while read -r name pattern required suite; do
		case $name in '' | '#'*) continue ;; esac
		if [ -n "$opt_kernels" ] && [[ $want != *" $name "* ]]; then
			continue
		fi
		[[ ${suite:--} =~ ^[-a-z0-9]+$ ]] || die "kernels.conf: $name: bad suite '$suite'"
		echo "$name $pattern $required ${suite:--}"
		found="$found $name"
	done <"$here/kernels.conf"
	for name in $want; do
		[[ " $found " == *" $name "* ]] || die "no kernel '$name' in tests/vm/kernels.conf"
	done
}

# apt options for a kernels.conf SUITE: none for "-" (the host's own
# configuration); otherwise a private configuration under $cache/apt/SUITE/
# (sources list, package lists, cache, empty dpkg status), so that the host's
# apt setup is never read for sources nor written. As root apt drops to _apt,
# which may not write to these directories.
apt_opts=()
set_apt_opts() { # SUITE
	local d=$cache/apt/$1
	apt_opts=()
	[ "$(id -u)" -ne 0 ] || apt_opts+=(-o APT::Sandbox::User=root)
	[ "$1" != - ] || return 0
	apt_opts+=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o "Dir::State::Status=$d/status"
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o Acquire::Languages=none)
}

# The Debian mirror the host uses: the first deb URI of its sources (one-line
# or deb822 format) that is not the security archive.
host_mirror() {
	{
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' || true
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1 == "URIs:" { print $2 }' || true
	} | awk '!/-security/ { print; exit }'
}

# Writes the private apt configuration of SUITE and refreshes its package
# lists when they are missing or a week old (sid moves on; apt rewrites only
# the Release file when the package lists did not change; a failed refresh,
# e.g. offline, keeps the old lists).
prepare_suite() { # SUITE
	local d=$cache/apt/$1 mirror
	[ "$1" != - ] || return 0
	mirror=$(host_mirror)
	[ -n "$mirror" ] || die "suite $1: no Debian mirror in /etc/apt/sources.list* to fetch it from"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	touch "$d/status"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $1 main" >"$d/sources.list"
	if [ -z "$(find "$d/lists" -maxdepth 1 -name '*Release' -mtime -7 2>/dev/null)" ]; then
		update_suite "$1" || say "suite $1: apt-get update failed; using the lists and packages at hand" >&2
	fi
}

update_suite() { # SUITE
	set_apt_opts "$1"
	if [ "$1" = - ]; then
		[ "$(id -u)" -eq 0 ] || return 1
		say "apt-get update (host sources)" >&2
	else
		say "apt-get update (private, $1)" >&2
	fi
	apt-get "${apt_opts[@]}" update -qq >&2
}

# The newest package named like PATTERN that apt knows of in SUITE.
resolve_package() { # PATTERN SUITE
	set_apt_opts "$2"
	apt-cache "${apt_opts[@]}" pkgnames linux- 2>/dev/null | grep -E "$1" | sort -V | tail -n 1
}

# Debian's 7.x packages (sid) split a kernel: linux-binary[-unsigned]-REL has
# only the vmlinuz, linux-modules-REL the modules, linux-base-REL
# modules.builtin and the config. Prints what PKG needs besides itself.
companions() { # PKG
	local rel
	case $1 in
	linux-binary-*)
		rel=${1#linux-binary-}
		rel=${rel#unsigned-}
		echo "linux-modules-$rel linux-base-$rel"
		;;
	esac
}

# Decompresses or copies a module to DEST.
unpack_module() { # SRC DEST
	case $1 in
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}

# Adds NAME and, first, what it depends on to MODDIR (plain .ko files) and to
# MODDIR/order, the load order for the guest.
add_module() { # TREE NAME MODDIR
	local tree=$1 name=$2 dest=$3 file dep
	grep -qx "$name" "$dest/order" 2>/dev/null && return 0
	# modinfo and file names disagree on '-' versus '_'.
	file=$(find "$tree/kernel" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \
		-o -name "${name//-/_}.ko*" \) | head -n 1)
	if [ -z "$file" ]; then
		grep -q "/$name.ko\$" "$tree/modules.builtin" 2>/dev/null && return 0
		die "module $name is neither in $tree nor built in"
	fi
	for dep in $(modinfo -F depends "$file" | tr , ' '); do
		add_module "$tree" "$dep" "$dest"
	done
	unpack_module "$file" "$dest/$name.ko"
	echo "$name" >>"$dest/order"
}

download() { # PKG SUITE
	set_apt_opts "$2"
	(cd "$cache/debs" && apt-get "${apt_opts[@]}" download -q=2 "$1") >&2
}

# The newest cached .deb of PKG, or nothing.
cached_deb() { # PKG
	ls "$cache/debs/${1}_"*.deb 2>/dev/null | sort -V | tail -n 1 || true
}

# Downloads PKG into $cache/debs unless it is there; prints the .deb.
fetch_deb() { # NAME PKG SUITE
	local deb
	deb=$(cached_deb "$2")
	if [ -z "$deb" ]; then
		say "$1: downloading $2" >&2
		# Stale package lists name files the mirror no longer has: update once.
		download "$2" "$3" || { update_suite "$3" && download "$2" "$3"; } ||
			die "$1: apt-get download $2 failed"
		deb=$(cached_deb "$2")
	fi
	echo "$deb"
}

# Downloads (once) and unpacks (once) the newest kernel package for PATTERN,
# with its companions, into $cache/kernels/PKG/: vmlinuz, release, modules/.
# Prints that directory.
fetch_kernel() { # NAME PATTERN SUITE
	local name=$1 pattern=$2 suite=$3 pkg p debs=() kdir tmp old tree rel
	prepare_suite "$suite"
	pkg=$(resolve_package "$pattern" "$suite")
	# (a private suite's lists were just refreshed if they were old)
	if [ -z "$pkg" ] && [ "$suite" = - ] && update_suite -; then
		pkg=$(resolve_package "$pattern" "$suite")
	fi
	if [ -z "$pkg" ]; then
		# Offline: the newest package of this series already in the cache.
		pkg=$(ls "$cache/debs" 2>/dev/null | sed 's/_.*//' | grep -E "$pattern" | sort -V | tail -n 1 || true)
		[ -n "$pkg" ] || die "$name: no package matches $pattern (apt-get update?)"
		say "$name: apt has no match; using cached $pkg" >&2
	fi
	mkdir -p "$cache/debs" "$cache/kernels"
	if [ -z "$(cached_deb "$pkg")" ]; then
		# Drop the older packages of this series, and what was unpacked from them.
		for old in $(ls "$cache/debs" | sed 's/_.*//' | grep -E "$pattern" | grep -vx "$pkg" || true); do
			for p in $old $(companions "$old"); do
				rm -f "$cache/debs/${p}_"*.deb
			done
			rm -rf "$cache/kernels/$old"
		done
	fi
	for p in $pkg $(companions "$pkg"); do
		debs+=("$(fetch_deb "$name" "$p" "$suite")")
	done
	kdir=$cache/kernels/$pkg
	if [ ! -e "$kdir/.complete" ]; then
		rm -rf "$kdir"
		tmp=$(mktemp -d "$cache/unpack.XXXXXX")
		for p in "${debs[@]}"; do
			dpkg-deb -x "$p" "$tmp"
		done
		mkdir -p "$kdir/modules"
		# /boot/vmlinuz-REL up to 6.12; /usr/lib/modules/REL/vmlinuz[.unsigned] on 7.x
		if ls "$tmp"/boot/vmlinuz-* >/dev/null 2>&1; then
			cp "$tmp"/boot/vmlinuz-* "$kdir/vmlinuz"
			basename "$tmp"/boot/vmlinuz-* | sed 's/^vmlinuz-//' >"$kdir/release"
		else
			p=$(ls "$tmp"/usr/lib/modules/*/vmlinuz* 2>/dev/null | head -n 1 || true)
			[ -n "$p" ] || die "$name: no vmlinuz in $pkg"
			cp "$p" "$kdir/vmlinuz"
			basename "$(dirname "$p")" >"$kdir/release"
		fi
		rel=$(cat "$kdir/release")
		tree=$tmp/lib/modules/$rel
		[ -d "$tree/kernel" ] || tree=$tmp/usr/lib/modules/$rel
		: >"$kdir/modules/order"
		for m in $vm_modules; do
			add_module "$tree" "$m" "$kdir/modules"
		done
		rm -rf "$tmp"
		touch "$kdir/.complete"
	fi
	echo "$kdir"
}

# ---- one guest ------------------------------------------------------------

is_static() { # FILE
	! readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'
}

# EXTRA (optional): a directory whose contents are copied into the root
# (bench/vm.sh adds its workload and guest script there).
build_initrd() { # KDIR OUT WITH_SUITE [EXTRA]
	local root a busybox
	busybox=$(command -v busybox) || die "no busybox (make deps installs busybox-static)"
	is_static "$busybox" || die "$busybox is not static (make deps installs busybox-static)"
	root=$(mktemp -d "$cache/initrd.XXXXXX")
	# the guest's / is this directory: mktemp's 0700 would keep every
	# user but root out of /proc (tests run mnttrace as nobody)
	chmod 0755 "$root"
	mkdir -p "$root"/{bin,dev,etc,proc,sys,tmp,root,modules}
	cp "$busybox" "$root/bin/busybox"
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	cp "$here/init.sh" "$root/init"
	chmod 0755 "$root/init"
	cp "$1"/modules/* "$root/modules/"
	echo "$probe_funcs" | tr ' ' '\n' >"$root/probe-funcs"
	if [ "$3" = 1 ]; then
		cp "$mnttrace_bin" "$root/mnttrace"
		cp "$itest_bin" "$root/mnttrace-itest"
		[ -z "${VMTEST_BASELINE:-}" ] || cp "$VMTEST_BASELINE" "$root/mnttrace-base"
	fi
	[ -z "${4:-}" ] || cp -a "$4"/. "$root/"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$2"
	rm -rf "$root"
}

# Boots KDIR with the initramfs and extra kernel arguments; the console goes to
# OUT/console.log, the report channel (ttyS1) to OUT/report.log. Writes
# OUT/guest: "ok", "timed out", "stopped early" (a panic reboots, and
# -no-reboot turns that into a clean exit) or "qemu exit N".
boot_guest() { # KDIR INITRD APPEND TIMEOUT OUT
	local rc=0 TIMEFORMAT='%U %S'
	# The CPU time qemu used (OUT/cpu) says how long the guest would take
	# with a core of its own, whatever else this machine was running.
	{ time timeout -k 10 "$4" qemu-system-x86_64 -nodefaults -no-user-config -display none \
		-accel tcg -cpu max -m 1024 -smp 1 -no-reboot \
		-kernel "$1/vmlinuz" -initrd "$2" -append "$guest_cmdline $3" \
		-serial "file:$5/console.log" -serial "file:$5/report.log" \
		</dev/null >"$5/qemu.log" 2>&1; } 2>"$5/cpu" || rc=$?
	case $rc in
	0) tr -d '\r' <"$5/report.log" | grep -qx '@@vmtest done' && echo ok || echo "stopped early" ;;
	124 | 137) echo "timed out" ;;
	*) echo "qemu exit $rc" ;;
	esac >"$5/guest"
}

# Prints one line per requested mode, tab-separated:
#   MODE STATUS PASSED FAILED SKIPPED SECS REASON
# STATUS is ok, FAIL or n/a (not supported and not required). Also writes
# OUT/MODE.log (the suite's output) and OUT/splats.
evaluate() { # OUT MODES REQUIRED
	awk -v dir="$1" -v modes="$2" -v required="$3" -v guest="$(cat "$1/guest")" \
		-v splat_re="$splat_re" '
	function add(why) { reason = reason (reason == "" ? "" : "; ") why }
	BEGIN {
		n = split(modes, M, " ")
		split(required, R, ",")
		for (i in R) req[R[i]] = 1
		printf "" > (dir "/splats")
	}
	{ sub(/\r$/, "") }
	/^@@vmtest / {
		tag = $2
		if (tag == "check") {
			checked[$3] = 1; crc[$3] = $4
			msg = $0; sub(/^@@vmtest check [^ ]+ [^ ]+ ?/, "", msg); cmsg[$3] = msg
		} else if (tag == "suite-begin") {
			cur = $3; began[cur] = 1; printf "" > (dir "/" cur ".log")
		} else if (tag == "suite-end") {
			ended[$3] = 1; src[$3] = $4; secs[$3] = $5; cur = ""
		} else if (tag == "dmesg-begin") {
			phase = $3
		} else if (tag == "dmesg-end") {
			dmesg_done[phase] = 1; phase = ""
		} else if (tag == "file-begin") {
			infile = 1
		} else if (tag == "file-end") {
			infile = 0
		} else if (tag == "error") {
			msg = $0; sub(/^@@vmtest error /, "", msg); kerr = kerr (kerr == "" ? "" : "; ") msg
		} else if (tag == "note" && $4 == "killed") {
			leftover[$3] = 1
		} else if (tag == "done") {
			done = 1
		}
		next
	}
	infile { next }
	phase != "" {
		if ($0 ~ splat_re) { splats[phase]++; print "[" phase "] " $0 > (dir "/splats") }
		next
	}
	cur != "" {
		print > (dir "/" cur ".log")
		if ($0 ~ /^PASS /) np[cur]++
		else if ($0 ~ /^FAIL /) nf[cur]++
		else if ($0 ~ /^SKIP /) ns[cur]++
		else if ($0 ~ /^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/) {
			sum[cur] = $1 " " $3 " " $5
		}
	}
	END {
		stopped = "guest " guest
		for (i = 1; i <= n; i++) {
			m = M[i]; reason = ""; status = "ok"
			p = np[m] + 0; f = nf[m] + 0; s = ns[m] + 0
			if (!checked[m]) {
				add("did not run: " stopped)
			} else if (crc[m] != 0) {
				if (m in req) add("required mode not supported: " cmsg[m])
				else { status = "n/a"; reason = "not supported: " cmsg[m] }
			} else if (!began[m] || !ended[m]) {
				add("suite did not finish: " stopped)
			} else {
				if (src[m] == 124 || src[m] == 143) add("suite timed out after " secs[m] "s")
				else if (src[m] != 0) add("suite exit " src[m])
				if (f) add(f " failed")
				if (!(m in sum)) add("no summary line")
				else if (sum[m] != p " " f " " s)
					add("summary says " sum[m] " (pass fail skip), lines say " p " " f " " s)
				if (p + f == 0) add("no test ran")
			}
			if (m in leftover) add("mnttrace processes left running after the suite")
			if (splats[m]) add(splats[m] " kernel splat lines in dmesg")
			if (splats["boot"]) add(splats["boot"] " kernel splat lines at boot")
			if (kerr != "") add("guest: " kerr)
			# Without its dmesg a mode that passed may still have left a splat.
			if (guest != "ok" && checked[m] && !dmesg_done[m] && index(reason, stopped) == 0)
				add(stopped)
			if (status == "ok" && reason != "") status = "FAIL"
			# No empty fields: read(1) merges adjacent tabs.
			printf "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", m, status, p, f, s,
				m in secs ? secs[m] "s" : "-", reason == "" ? "-" : reason
		}
	}' "$1/report.log"
}

# Boots one kernel and leaves OUT/cells (see evaluate) or, for --probe, the
# guest's BTF under KDIR/btf and OUT/probe.
run_kernel() { # NAME KDIR REQUIRED OUT
	local name=$1 kdir=$2 out=$4 append limit t0 t1
	mkdir -p "$out"
	if [ "$opt_probe" = 1 ]; then
		append="vmtest.probe=1"
		limit=600
	else
		append="vmtest.modes=$(echo $modes | tr ' ' ,) vmtest.suite_timeout=$suite_timeout"
		# Boot, and per mode: a check, the suite, and the dmesg dump.
		limit=$((120 + $(echo $modes | wc -w) * (suite_timeout + 90)))
	fi
	limit=${boot_timeout:-$limit}
	append="$append ${VMTEST_APPEND:-}"
	build_initrd "$kdir" "$out/initrd.cpio.gz" $((1 - opt_probe))
	say "$name: booting $(cat "$kdir/release") (limit ${limit}s)"
	t0=$(date +%s)
	boot_guest "$kdir" "$out/initrd.cpio.gz" "$append" "$limit" "$out"
	t1=$(date +%s)
	echo $((t1 - t0)) >"$out/seconds"
	say "$name: guest finished in $((t1 - t0))s ($(cat "$out/guest"); qemu used $(awk '{ printf "%d", $1 + $2 }' "$out/cpu")s of CPU)"
	rm -f "$out/initrd.cpio.gz"
	if [ "$opt_probe" = 1 ]; then
		probe_kernel "$kdir" "$out"
	else
		evaluate "$out" "$modes" "$3" >"$out/cells"
	fi
}

# ---- --probe --------------------------------------------------------------

extract_file() { # REPORT NAME DEST
	awk -v n="$2" '{ sub(/\r$/, "") }
		$0 == "@@vmtest file-end " n { f = 0 }
		f { print }
		$0 == "@@vmtest file-begin " n { f = 1 }' "$1" | base64 -d >"$3"
}

# Prints "FUNC-NAME ARGS" for each BTF FUNC, from a `bpftool btf dump` (raw).
btf_funcs() { # DUMP
	awk '/^\[[0-9]+\] FUNC_PROTO / { id = substr($1, 2, length($1) - 2); sub(/.*vlen=/, ""); vlen[id] = $1 + 0; next }
		/^\[[0-9]+\] FUNC / { name = $3; gsub(/\047/, "", name); t = $4; sub(/type_id=/, "", t); f[name] = t }
		END { for (name in f) print name, (f[name] in vlen) ? vlen[f[name]] : "?" }' "$1"
}

# Prints "STRUCT.MEMBER<tab>TYPE" for each member of each named struct or
# union, members of anonymous unions and structs included, from a raw dump.
btf_members() { # DUMP
	awk '
	function tname(t, depth) {
		if (t == 0) return "void"
		if (depth > 8) return "..."
		k = kind[t]
		if (k == "PTR") return tname(ref[t], depth + 1) "*"
		if (k == "ARRAY") return tname(ref[t], depth + 1) "[]"
		if (k ~ /^(CONST|VOLATILE|RESTRICT|TYPE_TAG)$/) return tname(ref[t], depth + 1)
		if (k ~ /^(STRUCT|UNION|ENUM|ENUM64)$/) return tolower(k) " " name[t]
		return name[t]
	}
	function members(id, prefix, depth,   i, t) {
		for (i = 1; i <= nmem[id]; i++) {
			t = mtype[id, i]
			if (mname[id, i] == "(anon)" && kind[t] ~ /^(STRUCT|UNION)$/ && depth < 8)
				members(t, prefix, depth + 1)
			else
				print prefix "." mname[id, i] "\t" tname(t, 0)
		}
	}
	/^\[[0-9]+\] / {
		id = substr($1, 2, length($1) - 2)
		kind[id] = $2
		match($0, /\047[^\047]*\047/)
		name[id] = substr($0, RSTART + 1, RLENGTH - 2)
		if (match($0, / type_id=[0-9]+/)) ref[id] = substr($0, RSTART + 9, RLENGTH - 9)
		cur = ($2 == "STRUCT" || $2 == "UNION") ? id : ""
		next
	}
	cur != "" && /^\t\047/ {
		n = ++nmem[cur]
		mname[cur, n] = $1
		gsub(/\047/, "", mname[cur, n])
		mtype[cur, n] = substr($2, 9)
	}
	END {
		for (id in kind)
			if (kind[id] ~ /^(STRUCT|UNION)$/ && name[id] != "(anon)") members(id, name[id], 0)
	}' "$1"
}

probe_kernel() { # KDIR OUT
	local kdir=$1 out=$2 report=$2/report.log dump=$2/btf.dump f hit args line
	# A guest that did not finish sent no (or half the) BTF: keep the old copy.
	[ "$(cat "$out/guest")" = ok ] || return 0
	mkdir -p "$kdir/btf"
	extract_file "$report" vmlinux.btf "$kdir/btf/vmlinux"
	bpftool btf dump file "$kdir/btf/vmlinux" >"$dump"
	for m in $(cat "$kdir/modules/order"); do
		extract_file "$report" "$m.btf" "$kdir/btf/$m"
		bpftool btf dump file "$kdir/btf/$m" -B "$kdir/btf/vmlinux" >>"$dump"
	done
	btf_funcs "$dump" >"$out/btf.funcs"
	btf_members "$dump" | sort -u >"$out/btf.members"
	{
		printf '%-24s %-34s %s\n' FUNCTION KALLSYMS "BTF FUNC (args)"
		for f in $probe_funcs; do
			hit=$(tr -d '\r' <"$report" | awk -v f="$f" '$1 == "@@vmtest" && $2 == "ksym" && $3 == f { print $4 }')
			args=$(awk -v f="$f" '$1 == f { print "FUNC (" $2 ")" }' "$out/btf.funcs")
			printf '%-24s %-34s %s\n' "$f" "${hit:-?}" "${args:--}"
		done
		echo
		printf '%-34s %s\n' FIELD "TYPE IN BTF (- when absent)"
		for f in $probe_fields; do
			line=$(awk -F '\t' -v f="$f" '$1 == f { print $2 }' "$out/btf.members" | sort -u | paste -sd '|')
			printf '%-34s %s\n' "$f" "${line:--}"
		done
	} >"$out/probe"
}

# ---- the host row ---------------------------------------------------------

# The suite on this machine in tracepoint mode, written in the guests' report
# format so that evaluate() judges it the same way.
run_host() { # OUT
	local out=$1 bin=$host_mnttrace itest=$host_itest msg rc t0
	mkdir -p "$out"
	say "host: running the suite on $(uname -r), tracepoint mode"
	{
		rc=0
		msg=$("$bin" --attach tracepoint --check 2>&1) || rc=$?
		echo "@@vmtest check tracepoint $rc $(echo "$msg" | tr '\n' ' ')"
		if [ "$rc" -eq 0 ]; then
			echo "@@vmtest suite-begin tracepoint"
			t0=$(date +%s)
			rc=0
			timeout "$suite_timeout" "$itest" --mnttrace "$bin" --attach tracepoint 2>&1 || rc=$?
			echo "@@vmtest suite-end tracepoint $rc $(($(date +%s) - t0))"
		fi
		echo "@@vmtest done"
	} >"$out/report.log"
	echo ok >"$out/guest"
	evaluate "$out" tracepoint tracepoint >"$out/cells"
}

# The end-to-end suite (real docker and podman, tests/e2e/) in the same
# report format. It traces the whole machine like the host row, so it runs
# after that row, never beside it. A suite that could only skip (no runtime
# here) is a SKIP row with e2e.sh's reasons, not a failure.
run_e2e() { # OUT
	local out=$1 rc t0 skips
	mkdir -p "$out"
	say "host: end-to-end tests with docker and podman"
	{
		echo "@@vmtest check e2e 0"
		echo "@@vmtest suite-begin e2e"
		t0=$(date +%s)
		rc=0
		"$top/tests/e2e/e2e.sh" --mnttrace "$host_mnttrace" --runner "$host_e2e" 2>&1 || rc=$?
		echo "@@vmtest suite-end e2e $rc $(($(date +%s) - t0))"
		echo "@@vmtest done"
	} >"$out/report.log"
	echo ok >"$out/guest"
	skips=$(sed -n 's/^e2e: \([a-z]*\): SKIP: /\1 skipped: /p' "$out/report.log" | paste -sd ';' | sed 's/;/; /g')
	evaluate "$out" e2e e2e | awk -F '\t' -v OFS='\t' -v skips="${skips:--}" '
		$2 == "FAIL" && $4 == 0 && $5 > 0 && $7 == "no test ran" { $2 = "SKIP"; $7 = skips }
		$2 == "ok" && $5 > 0 { $7 = skips }
		{ print }' >"$out/cells"
}

# ---- main -----------------------------------------------------------------

# bench/vm.sh sources this file for its functions and stops here.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

for tool in qemu-system-x86_64 cpio gzip xz dpkg-deb modinfo apt-cache readelf timeout flock; do
	command -v "$tool" >/dev/null || die "$tool is missing (run: make deps)"
done
if [ "$opt_probe" = 0 ]; then
	for f in "$mnttrace_bin" "$itest_bin"; do
		[ -x "$f" ] || die "$f does not exist (run: make static)"
		is_static "$f" || die "$f is not statically linked; the guest has no libc (run: make static)"
	done
else
	command -v bpftool >/dev/null || die "bpftool is missing (run: make deps)"
fi
if [ "$opt_host" = 1 ]; then
	[ -x "$host_mnttrace" ] && [ -x "$host_itest" ] ||
		die "the host row needs $host_mnttrace and $host_itest (run: make mnttrace .output/mnttrace-itest)"
fi
if [ "$opt_e2e" = 1 ]; then
	[ -x "$host_mnttrace" ] && [ -x "$host_e2e" ] ||
		die "the e2e row needs $host_mnttrace and $host_e2e (run: make mnttrace .output/mnttrace-e2e)"
fi

start=$(date +%s)
mkdir -p "$runs"
# Keep the logs of the last ten runs only (with room for runs still going).
{ ls -d "$runs"/*/ 2>/dev/null || true; } | sort | head -n -9 | xargs -r rm -rf
run=$(mktemp -d "$runs/$(date +%Y%m%d-%H%M%S).XXXX")
mapfile -t kernels < <(selected_kernels)

# Fetch one by one (apt), then boot up to $jobs guests at once. The lock
# keeps a concurrent run from unpacking the same kernel under our feet.
declare -A kdirs
exec 9>"$cache/lock"
flock 9
for k in "${kernels[@]}"; do
	read -r name pattern required suite <<<"$k"
	kdirs[$name]=$(fetch_kernel "$name" "$pattern" "$suite")
done
flock -u 9

# The host rows mostly wait on the real kernel, so they run beside the
# guests and take no --jobs slot; e2e only after the host suite is done.
if [ "$opt_probe" = 0 ] && { [ "$opt_host" = 1 ] || [ "$opt_e2e" = 1 ]; }; then
	{
		if [ "$opt_host" = 0 ]; then
			:
		elif [[ " $modes " == *" tracepoint "* ]]; then
			run_host "$run/host"
		else
			say "host: skipped, it runs tracepoint mode only"
		fi
		[ "$opt_e2e" = 0 ] || run_e2e "$run/e2e"
	} &
fi

# The last kernels of kernels.conf (the newest) are the slowest under TCG:
# 7.2's guest used 2.4 times the CPU of 6.12's (2026-12-02). Boot them first,
# so that the shorter guests take turns in the other --jobs slot instead of
# the slowest one running alone at the end.
guests=()
for ((i = ${#kernels[@]} - 1; i >= 0; i--)); do
	read -r name pattern required suite <<<"${kernels[i]}"
	while :; do
		busy=0
		for pid in "${guests[@]}"; do
			! kill -0 "$pid" 2>/dev/null || busy=$((busy + 1))
		done
		[ "$busy" -ge "$jobs" ] || break
		sleep 1
	done
	run_kernel "$name" "${kdirs[$name]}" "$required" "$run/$name" &
	guests+=($!)
done
wait

if [ "$opt_probe" = 1 ]; then
	for k in "${kernels[@]}"; do
		read -r name pattern required suite <<<"$k"
		echo
		echo "== $name: $(cat "${kdirs[$name]}/release") (BTF in ${kdirs[$name]#"$top"/}/btf/)"
		if [ -s "$run/$name/probe" ]; then
			cat "$run/$name/probe"
		else
			echo "no probe result (guest: $(cat "$run/$name/guest" 2>/dev/null))"
			tail -n 30 "$run/$name/console.log" 2>/dev/null
		fi
	done
	exit 0
fi

# ---- the matrix -----------------------------------------------------------

failed=0
rows=()
for k in host e2e "${kernels[@]}"; do
	read -r name _ <<<"$k"
	out=$run/$name
	[ -d "$out" ] || continue
	if [ "$name" = host ] || [ "$name" = e2e ]; then
		label="host $(uname -r)"
	else
		label=$(cat "${kdirs[$name]}/release")
	fi
	if [ ! -s "$out/cells" ]; then
		rows+=("$label	-	0	0	0	-	FAIL	no result")
		failed=1
		continue
	fi
	while IFS=$'\t' read -r mode status p f s secs reason; do
		rows+=("$label	$mode	$p	$f	$s	$secs	$status	$reason")
		[ "$reason" != - ] || reason=
		[ "$status" != FAIL ] || failed=1
		if [ "$status" = FAIL ] || [ "$verbose" = 1 ]; then
			echo
			echo "== $label, $mode: $status${reason:+ ($reason)}"
			if [ "$verbose" = 1 ] || ! grep -q '^FAIL ' "$out/$mode.log" 2>/dev/null; then
				# All of it, or the end of what a suite that failed no test printed.
				tail -n $((verbose ? 100000 : 30)) "$out/$mode.log" 2>/dev/null || true
			else
				# The failed tests with their indented details.
				awk '/^(PASS|SKIP) / { show = 0 } /^FAIL / { show = 1 } show' "$out/$mode.log"
			fi
			grep -F "[$mode] " "$out/splats" 2>/dev/null | head -n 40 || true
		fi
	done <"$out/cells"
	[ -e "$out/console.log" ] || continue # the host row
	if [ "$(cat "$out/guest")" != ok ] || [ "$verbose" = 1 ] || grep -q '^\[boot\]' "$out/splats"; then
		echo
		echo "== $label: guest $(cat "$out/guest"); console tail:"
		tr -d '\r' <"$out/console.log" | tail -n 40
		cat "$out/qemu.log" 2>/dev/null || true
		grep -F '[boot] ' "$out/splats" | head -n 40 || true
	fi
done

echo
printf '%-32s %-11s %6s %6s %7s %6s  %s\n' KERNEL MODE PASSED FAILED SKIPPED TIME RESULT
for r in "${rows[@]}"; do
	IFS=$'\t' read -r label mode p f s secs status reason <<<"$r"
	[ "$reason" != - ] || reason=
	printf '%-32s %-11s %6s %6s %7s %6s  %s\n' "$label" "$mode" "$p" "$f" "$s" "$secs" "$status${reason:+: $reason}"
done
echo
boots=
for k in "${kernels[@]}"; do
	read -r name _ <<<"$k"
	[ -s "$run/$name/cpu" ] || continue
	boots="$boots, $name $(cat "$run/$name/seconds")s (qemu CPU $(awk '{ printf "%d", $1 + $2 }' "$run/$name/cpu")s)"
done
say "matrix took $(($(date +%s) - start))s${boots:+ (guests:${boots#,})}; logs in ${run#"$top"/}/"
exit $failed
