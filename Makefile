# SPDX-License-Identifier: GPL-2.0
#
# vns: build, test and demo. The module itself is described in Kbuild (kbuild reads that file, not this one).
#
#   make run        boot the test kernel in QEMU with vns loaded and show it working   (README: main job)
#   make check      every test: host, module build, selftests in QEMU                   (README: test command)
#   make            build build/module/vns.ko against $(KDIR) (the cached test kernel by default), only that
#
# Only setup, run, check (and check-kasan) and bench install packages; the other targets use what is there.
#   make setup      install what is missing (Debian 12, as root)
#   make kernel     build (or reuse) the cached test kernel
#   make tools      vnsctl (static) and the C sample
#   make install    modules_install of vns.ko (INSTALL_MOD_PATH=DIR to stage it elsewhere than /)
#   make selftests-install INSTALL_PATH=DIR   the kselftest install tree (run_kselftest.sh -c vns)
#   make vng        boot the test kernel under virtme-ng with vns loaded: the selftests, or VNG_CMD='...'
#   make bench      benchmarks in the guest, side by side with the kernel's unshare(2), on the production-like
#                   and the debug kernel (icount: instructions; VNS_BENCH_CLOCK=wall for plain TCG)
#   make check-kasan   the selftests on a clang-built KASAN kernel
#   make stress     longer stress, fuzz and module-cycle runs
#   make fuzz       cargo fuzz of vns-core's id-map and struct-size parsers (nightly)
#   KDIR=/path      use another Rust-enabled Linux 7.3 tree instead of the cached one

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
export LIBCLANG_PATH ?= /usr/lib/llvm-19/lib

ROOT := $(CURDIR)
# The module is built out of tree into $(OUT)/module (MO=), so the source tree stays clean and the
# VNS_PROFILE=kasan build (clang-built KASAN kernel, module built with clang) lives beside the default one,
# as do VNS_PROFILE=bench (the production-like kernel of `make bench`: scripts/kconfig/bench.config) and
# VNS_PROFILE=prof (bench plus the function tracers, for scripts/bench-profile.sh; opt-in).
export VNS_PROFILE ?= default
ifeq ($(VNS_PROFILE),kasan)
OUT ?= $(ROOT)/build/kasan
MODFLAGS := LLVM=-19 MO=$(OUT)/module
KO := $(OUT)/module/vns.ko
else ifneq ($(filter bench prof,$(VNS_PROFILE)),)
OUT ?= $(ROOT)/build/$(VNS_PROFILE)
MODFLAGS := MO=$(OUT)/module
KO := $(OUT)/module/vns.ko
else
OUT ?= $(ROOT)/build
MODFLAGS := MO=$(OUT)/module
KO := $(OUT)/module/vns.ko
endif
# The test kernel's tree: computed when a recipe needs it (after `setup` has run), never at parse time.
ifeq ($(KDIR),)
VNS_KDIR = $(shell $(ROOT)/scripts/build-kernel.sh --path)
else
VNS_KDIR = $(KDIR)
endif

.PHONY: all modules install setup kernel have-kdir rust-analyzer host-test selftests selftests-install tools \
	initramfs run check check-kasan bench stress fuzz docs-check paths vng clean

all: modules

setup:
	@$(ROOT)/scripts/setup.sh

# The cached test kernel: built if missing (it needs the packages of `make setup`).
kernel:
	@[ -n "$(KDIR)" ] || $(ROOT)/scripts/build-kernel.sh >/dev/null

have-kdir:
	@[ -f "$(VNS_KDIR)/Makefile" ] || { echo "make: no kernel tree at '$(VNS_KDIR)': run 'make setup kernel'" \
		"to build the test kernel, or pass KDIR=/path/to/a/Rust-enabled/linux-7.3" >&2; exit 1; }

# The module and nothing else, as kernel engineers expect: make -C $(KDIR) M=$(PWD).
modules: have-kdir
	@mkdir -p $(OUT)/module
	$(MAKE) -C $(VNS_KDIR) M=$(ROOT) $(MODFLAGS) modules

# modules_install, as for any external module: $(INSTALL_MOD_PATH)/lib/modules/<release>/updates/vns.ko, then
# depmod (kmod).
install: modules
	$(MAKE) -C $(VNS_KDIR) M=$(ROOT) $(MODFLAGS) INSTALL_MOD_DIR=updates modules_install

rust-analyzer: have-kdir
	$(MAKE) -C $(VNS_KDIR) M=$(ROOT) $(MODFLAGS) rust-analyzer
	cp $(OUT)/module/rust-project.json $(ROOT)/rust-project.json

# What scripts/check.sh builds with, so that it does not compute them again.
paths:
	@echo "OUT=$(OUT)"
	@echo "KO=$(KO)"
	@echo "KDIR=$(VNS_KDIR)"

host-test:
	$(ROOT)/scripts/host-test.sh

selftests: have-kdir
	$(MAKE) -C $(ROOT)/selftests/vns OUTPUT=$(OUT)/selftests

# The kernel's kselftest-install layout; the guest runs the same tree (scripts/mkinitramfs.sh).
INSTALL_PATH ?= $(OUT)/kselftest
selftests-install: selftests tools
	rm -rf $(INSTALL_PATH)/vns $(INSTALL_PATH)/kselftest
	$(MAKE) -C $(ROOT)/selftests/vns OUTPUT=$(OUT)/selftests INSTALL_PATH=$(abspath $(INSTALL_PATH)) \
		TEST_FILES="$(OUT)/bin/vnsctl $(OUT)/bin/vns_uts" install

# vnsctl (static, musl) and the C sample, for the guest.
tools:
	cd $(ROOT)/rust && cargo build --release --locked --target x86_64-unknown-linux-musl -p vnsctl
	mkdir -p $(OUT)/bin
	cp $(ROOT)/rust/target/x86_64-unknown-linux-musl/release/vnsctl $(OUT)/bin/
	$(MAKE) -C $(ROOT)/samples OUTPUT=$(OUT)/bin

initramfs: kernel modules
	$(MAKE) selftests-install INSTALL_PATH=$(OUT)/kselftest
	$(ROOT)/scripts/mkinitramfs.sh $(OUT) $(KO) $(OUT)/kselftest

run: setup initramfs
	$(ROOT)/scripts/qemu-run.sh --kernel $(VNS_KDIR)/arch/x86/boot/bzImage --initrd $(OUT)/initramfs.cpio.gz \
		--mode demo

check: setup
	$(ROOT)/scripts/check.sh

# The selftests on the KASAN kernel (clang-19); not part of `make check` (its cold kernel build alone
# takes about 15-25 minutes here).
check-kasan: setup
	VNS_PROFILE=kasan $(ROOT)/scripts/check.sh

# Benchmarks (prints tables; asserts nothing): one guest boot per kernel profile (the production-like one
# first, then the debug test kernel), 2 GiB for the 10 000-entry series, under QEMU icount by default;
# the combined table in build/bench-all.txt. Knobs: scripts/bench.sh, Documentation/benchmarks.rst.
bench: setup
	$(ROOT)/scripts/bench.sh

# The stress, fuzz and module-cycle runs of make check, longer (100 000 fuzzed calls, 15x the stress).
stress: initramfs
	$(ROOT)/scripts/qemu-run.sh --kernel $(VNS_KDIR)/arch/x86/boot/bzImage --initrd $(OUT)/initramfs.cpio.gz \
		--mode test --stress --timeout 3600 --log $(OUT)/guest-stress.log

# The test kernel under virtme-ng, vns loaded from the build tree: the selftests from the host's kselftest
# install tree, or VNG_CMD (run in the guest, as root, in this directory). No initramfs; `make setup` first.
# VNG_CMD reaches scripts/vng-run.sh through the environment, as written (quotes, &&, pipes).
export VNG_CMD
vng: modules selftests-install
	$(ROOT)/scripts/vng-run.sh --kdir $(VNS_KDIR) --ko $(KO) --ksft $(INSTALL_PATH) --log $(OUT)/vng.log

# Host fuzzing of vns-core's id-map and struct-size parsers (cargo fuzz, nightly; VNS_FUZZ_SECONDS each).
fuzz: setup
	$(ROOT)/scripts/fuzz.sh

# Documentation/ checked with a real reST parser (docutils), warnings as errors.
docs-check:
	$(ROOT)/scripts/docs-check.sh

clean:
	rm -rf $(ROOT)/build
