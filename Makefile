# Entry points.  CONFIG=fast (default) or CONFIG=debug selects the kernel
# configuration for kernel, selftests, initramfs, check, demo and migrate; bench
# defaults to CONFIG=bench (fast plus what criu needs, config/bench.config).
# Environment overrides: KSRC (kernel tree, default build/linux), BUILD
# (output directory, default build), PATCHES, KVM=1, QEMU_TIMEOUT,
# TEST_TIMEOUT, V=1, BENCH_REPS; see the scripts for details.

ifeq ($(origin CONFIG),undefined)
bench: CONFIG = bench
endif
CONFIG ?= fast
SHELL := /bin/bash
# Command-line variables (CONFIG=...) must not leak into the kernel's make.
MAKEOVERRIDES :=

.PHONY: help deps base tree retree kernel selftests initramfs check demo migrate bench \
	export checkpatch bisect-check clean

help:
	@echo "make check [CONFIG=debug]  build everything, boot the guest, run the selftests"
	@echo "make demo [CONFIG=debug]   build everything, boot the guest, run the demo"
	@echo "make migrate [CONFIG=debug] build everything, live-migrate a process tree between two guests"
	@echo "make bench                 build everything, time ours and CRIU -> bench/RESULTS.md"
	@echo "make tree                  create build/linux and apply patches/ (if not done)"
	@echo "make retree                reset build/linux to the base and re-apply patches/"
	@echo "make kernel|selftests|initramfs [CONFIG=debug]   build one stage"
	@echo "make export                write build/linux commits back to patches/"
	@echo "make checkpatch            checkpatch.pl --strict on every patch"
	@echo "make bisect-check          build every prefix of the series"
	@echo "make deps|base|clean"

deps:
	scripts/deps.sh $(if $(filter bench,$(CONFIG)),bench)

base: deps
	scripts/base.sh

tree: base
	scripts/tree.sh

retree: base
	scripts/tree.sh --reset

kernel: tree
	scripts/kernel.sh $(CONFIG)

selftests: kernel
	scripts/selftests.sh $(CONFIG)

initramfs: selftests
	scripts/initramfs.sh $(CONFIG)

# The short migration (scripts/migrate.sh --check) is one more test
# program of the run: tap.py counts it, and fails the run without it.
check: initramfs
	@start=$$(date +%s); scripts/qemu.sh check $(CONFIG) || true; \
	mstart=$$(date +%s); scripts/migrate.sh $(CONFIG) --short --check || true; \
	echo "check: the migration between two guests took $$(($$(date +%s) - mstart))s"; \
	scripts/tap.py $(CONFIG); rc=$$?; \
	echo "check: $(CONFIG) guest run and verdict took $$(($$(date +%s) - start))s"; \
	exit $$rc

demo: initramfs
	scripts/qemu.sh demo $(CONFIG)

migrate: initramfs
	scripts/migrate.sh $(CONFIG)

bench: initramfs
	scripts/bench.sh $(CONFIG)

export:
	scripts/export.sh

checkpatch: base
	scripts/checkpatch.sh

bisect-check: base
	scripts/bisect-check.sh

# Build outputs only: build/linux holds the developer's commits and stays.
clean:
	b=$${BUILD:-build}; rm -rf "$$b"/out-* "$$b"/guest-* "$$b"/initramfs-* "$$b"/logs "$$b"/bisect-wt
	-git -C $${KSRC:-build/linux} worktree prune
