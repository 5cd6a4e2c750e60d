# SPDX-License-Identifier: GPL-2.0
# mnttrace build. Quiet by default; V=1 shows full commands.

OUTPUT   ?= .output
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= cc
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VMLINUX  := vmlinux/$(ARCH)/vmlinux.h
# make install honours PREFIX (or prefix) and DESTDIR, and each dir below
PREFIX   ?= /usr/local
prefix   ?= $(PREFIX)
sbindir  ?= $(prefix)/sbin
mandir   ?= $(prefix)/share/man
bashcompdir ?= $(prefix)/share/bash-completion/completions
systemdunitdir ?= $(prefix)/lib/systemd/system
DESTDIR  ?=

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Isrc -I$(OUTPUT)
# -mcpu=v3: atomic fetch-add (kernel 5.12+; bpf_loop already needs 5.17)
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -D__BPF__ -Wall -Werror \
	-Wno-unused-function -Iinclude -I$(dir $(VMLINUX))
LIBS     := -lbpf -lelf -lz

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY: $(BPF_OBJS)
.PHONY: all static test unit asan fuzz itest e2e vmtest clean deps vmlinux install uninstall pkgtest deb bench bench-core bench-vm soak

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
SRCS      := $(wildcard src/*.c)
OBJS      := $(patsubst src/%.c,$(OUTPUT)/%.o,$(SRCS))
LIB_OBJS  := $(filter-out $(OUTPUT)/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(OUTPUT)/unit/%.o,$(UNIT_SRCS))
IT_SRCS   := $(wildcard tests/integration/*.c)
IT_OBJS   := $(patsubst tests/integration/%.c,$(OUTPUT)/it/%.o,$(IT_SRCS))
E2E_SRCS  := $(wildcard tests/e2e/*.c)
E2E_OBJS  := $(patsubst tests/e2e/%.c,$(OUTPUT)/e2e/%.o,$(E2E_SRCS))
TESTLIB   := $(OUTPUT)/testlib.o

# make asan: the unit tests again, with ASan+UBSan and the model's invariant
# checks (MT_MODEL_DEBUG), in an output dir of their own.
ASAN_OUT    := $(OUTPUT)/asan
ASAN_CFLAGS := $(CFLAGS) -DMT_MODEL_DEBUG -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_OBJS   := $(patsubst src/%.c,$(ASAN_OUT)/%.o,$(filter-out src/main.c,$(SRCS))) \
	$(patsubst tests/unit/%.c,$(ASAN_OUT)/unit/%.o,$(UNIT_SRCS)) $(ASAN_OUT)/testlib.o
# rounds of model_random_streams (5,000 random records each) under asan
ASAN_ROUNDS ?= 200

# make fuzz: libFuzzer targets (clang -fsanitize=fuzzer, with ASan+UBSan) over
# the parsers of what the traced system controls, FUZZ_TIME seconds each.
FUZZ_OUT    := $(OUTPUT)/fuzz
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Iinclude -Isrc -I$(OUTPUT) -fno-omit-frame-pointer \
	-Wno-gnu-variable-sized-type-not-at-end \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(FUZZ_OUT)/%,$(FUZZ_SRCS))
FUZZ_LIB    := $(patsubst src/%.c,$(FUZZ_OUT)/obj/%.o,$(filter-out src/main.c,$(SRCS)))
FUZZ_TIME   ?= 20

all: mnttrace

# CPPFLAGS and LDFLAGS: a package build's hardening flags (dpkg-buildflags)
mnttrace: $(OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LIBS) -o $@

# One self-contained binary to drop into a test VM.
static: mnttrace-static $(OUTPUT)/mnttrace-itest-static
mnttrace-static: $(OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -static $^ -lbpf -lelf -lz -o $@

$(OUTPUT) $(OUTPUT)/unit $(OUTPUT)/it $(OUTPUT)/e2e:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c include/mnttrace.h $(VMLINUX) $(wildcard bpf/*.h) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# Every userspace object may include a skeleton; generate them first.
$(OBJS): | $(SKELS)
$(OUTPUT)/%.o: src/%.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(OUTPUT)/testlib.o: tests/testlib.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -MMD -MP -c $< -o $@

$(OUTPUT)/unit/%.o: tests/unit/%.c | $(OUTPUT)/unit $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -MMD -MP -c $< -o $@

$(OUTPUT)/it/%.o: tests/integration/%.c | $(OUTPUT)/it
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -MMD -MP -c $< -o $@

$(OUTPUT)/e2e/%.o: tests/e2e/%.c | $(OUTPUT)/e2e
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -Itests/integration -MMD -MP -c $< -o $@

$(OUTPUT)/unit-tests: $(UNIT_OBJS) $(TESTLIB) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

$(ASAN_OUT) $(ASAN_OUT)/unit:
	$(Q)mkdir -p $@

$(ASAN_OUT)/%.o: src/%.c | $(ASAN_OUT) $(SKELS)
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) -MMD -MP -c $< -o $@

$(ASAN_OUT)/testlib.o: tests/testlib.c | $(ASAN_OUT)
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) -Itests -MMD -MP -c $< -o $@

$(ASAN_OUT)/unit/%.o: tests/unit/%.c | $(ASAN_OUT)/unit $(SKELS)
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) -Itests -MMD -MP -c $< -o $@

$(ASAN_OUT)/unit-tests: $(ASAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) $^ $(LIBS) -o $@

$(FUZZ_OUT)/obj:
	$(Q)mkdir -p $@

$(FUZZ_OUT)/obj/%.o: src/%.c | $(FUZZ_OUT)/obj $(SKELS)
	$(call msg,CC-FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(LIBS) -o $@

fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_OUT) $(FUZZ_BINS)

# The integration runner drives ./mnttrace from outside; it links no BPF code,
# only the snapshot code its snapshot tests call directly (test_snapshot.c).
IT_LIB    := $(addprefix $(OUTPUT)/,nsscan.o nsid.o nskeep.o mountinfo.o procinfo.o ovl_options.o paths.o)
$(OUTPUT)/mnttrace-itest: $(IT_OBJS) $(TESTLIB) $(IT_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@
$(OUTPUT)/mnttrace-itest-static: $(IT_OBJS) $(TESTLIB) $(IT_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -static $^ -o $@

# The end-to-end runner: the integration suite's main, tracer, JSON parser and
# mountinfo helpers and the replay check, with scenarios that drive docker and podman.
E2E_IT    := $(addprefix $(OUTPUT)/it/,main.o json.o tracer.o fixture.o replay_check.o)
$(OUTPUT)/mnttrace-e2e: $(E2E_OBJS) $(E2E_IT) $(TESTLIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@

unit: $(OUTPUT)/unit-tests
	$(OUTPUT)/unit-tests

# LeakSanitizer runs at exit (gcc's libasan needs no ptrace rights for it
# here: checked as root on 6.18). A finding aborts the run.
asan: $(ASAN_OUT)/unit-tests
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		MT_RANDOM_ROUNDS=$(ASAN_ROUNDS) $(ASAN_OUT)/unit-tests

itest: mnttrace $(OUTPUT)/mnttrace-itest
	$(OUTPUT)/mnttrace-itest --mnttrace ./mnttrace

# Real runtimes (docker.io, podman from Debian; tools/deps.sh --e2e installs
# them): tests/e2e/README.md. Prints SKIP with the reason when they cannot run.
e2e: mnttrace $(OUTPUT)/mnttrace-e2e
	tests/e2e/e2e.sh --mnttrace ./mnttrace $(E2E_FLAGS)

# README's test command. Runs everything; fails if anything failed. The host's
# integration suite runs as the matrix's host row (--host), not again as itest,
# and the e2e suite as the row after it (--e2e), both while the guests run.
# asan and fuzz (4 targets x FUZZ_TIME s) run before the slow matrix, so a
# memory error stops the run early.
test: unit asan fuzz pkgtest deb static mnttrace $(OUTPUT)/mnttrace-itest $(OUTPUT)/mnttrace-e2e
	tests/vm/vmtest.sh --host --e2e $(VMTEST_FLAGS)

# The qemu kernel matrix, or one cell: make vmtest KERNEL=6.1 MODE=kprobe.
# VMTEST_FLAGS passes more options (e.g. -v); see tests/vm/vmtest.sh --help.
vmtest: static
	tests/vm/vmtest.sh $(if $(KERNEL),--kernel $(KERNEL)) $(if $(MODE),--mode $(MODE)) $(VMTEST_FLAGS)

deps:
	$(Q)tools/deps.sh

# Benchmarks, not tests: mnttrace beside bpftrace, perf trace and no tracer
# (bench/bench.sh; BENCH_FLAGS=--quick for a short run), then bench-core:
# userspace records/s from a recording, start-up on a host of 10,000
# mounts, the model's bytes per mount (bench/core.sh). Needs root and
# tools/deps.sh --bench. make soak (not in bench): a storm for
# SOAK_DURATION seconds (1800), RSS and fds every SOAK_INTERVAL (10).
# make bench-vm: the workloads in a qemu guest (tests/vm) in each attach
# mode (bench/vm.sh; BENCH_VM_FLAGS, e.g. --kernel 6.1); make bench runs it
# too when that guest's kernel is already cached.
BENCH_BINS := $(OUTPUT)/bench-workload $(OUTPUT)/replay-bench $(OUTPUT)/model-mem
BENCH_VM_BINS := mnttrace-static $(OUTPUT)/bench-workload-static
bench: mnttrace $(BENCH_BINS) $(BENCH_VM_BINS)
	bench/bench.sh $(BENCH_FLAGS)
	bench/core.sh $(BENCH_FLAGS)
	bench/vm.sh --if-cached $(filter --quick,$(BENCH_FLAGS)) $(BENCH_VM_FLAGS)

bench-vm: $(BENCH_VM_BINS)
	bench/vm.sh $(BENCH_VM_FLAGS)

bench-core: mnttrace $(BENCH_BINS)
	bench/core.sh $(BENCH_FLAGS)

SOAK_DURATION ?= 1800
SOAK_INTERVAL ?= 10
soak: mnttrace $(OUTPUT)/bench-workload
	bench/soak.sh $(SOAK_DURATION) $(SOAK_INTERVAL)

$(OUTPUT)/replay-bench: tests/fixtures/bench/replay_bench.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/model-mem: tests/fixtures/bench/model_mem.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/bench-workload: bench/workload.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

# the qemu guests have no libc
$(OUTPUT)/bench-workload-static: bench/workload.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -static -o $@ $<

# Regenerate the checked-in vmlinux.h from this host's BTF (explicit only).
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX)

# The unit names the binary where this install puts it.
install: mnttrace
	install -D -m 0755 mnttrace $(DESTDIR)$(sbindir)/mnttrace
	install -D -m 0644 doc/mnttrace.8 $(DESTDIR)$(mandir)/man8/mnttrace.8
	install -D -m 0644 dist/bash-completion/mnttrace $(DESTDIR)$(bashcompdir)/mnttrace
	install -d $(DESTDIR)$(systemdunitdir)
	sed 's#/usr/sbin/mnttrace#$(sbindir)/mnttrace#' dist/systemd/mnttrace.service \
		> $(DESTDIR)$(systemdunitdir)/mnttrace.service
	chmod 0644 $(DESTDIR)$(systemdunitdir)/mnttrace.service

uninstall:
	rm -f $(DESTDIR)$(sbindir)/mnttrace $(DESTDIR)$(mandir)/man8/mnttrace.8 \
		$(DESTDIR)$(bashcompdir)/mnttrace $(DESTDIR)$(systemdunitdir)/mnttrace.service

# The man page, completion, unit, install, manifests: tests/pkg (seconds).
pkgtest: mnttrace
	tests/pkg/run.sh

# The .deb (dpkg-buildpackage -us -uc -b on a copy of the tree, ~15 s),
# left in .output/deb/ and checked unpacked in a throw-away root.
deb:
	tests/pkg/check-deb.sh $(OUTPUT)/deb

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(OUTPUT) mnttrace mnttrace-static

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/unit/*.d $(OUTPUT)/it/*.d $(OUTPUT)/e2e/*.d $(ASAN_OUT)/*.d \
	$(ASAN_OUT)/unit/*.d $(FUZZ_OUT)/obj/*.d)
