# gan: make run | make test | make build | make bench | make toy-bench | make stacked-bench | make e2e
#
# libtorch comes from the PyPI wheel torch==2.11.0, installed on first use into $(VENV)
# (override with `make VENV=/path/to/venv ...`).

VENV ?= .venv
VENV_ABS := $(abspath $(VENV))
CARGO_TARGET_DIR ?= target
export VIRTUAL_ENV := $(VENV_ABS)
export PATH := $(VENV_ABS)/bin:$(PATH)
export LIBTORCH_USE_PYTORCH := 1
export GAN_PYTHON := $(VENV_ABS)/bin/python
export CARGO_TARGET_DIR
GAN := $(CARGO_TARGET_DIR)/release/gan
RUN_STEPS ?=

PREFIX ?= $(HOME)/.local

.PHONY: install install-only run test build bench bench-dist toy-bench stacked-bench kill-soak fuzz corpus e2e e2e-only libtorch clean

libtorch:
	@scripts/setup-libtorch.sh $(VENV)

build: libtorch
	cargo build --release -p gan-cli

# `gan` on PATH in $(PREFIX)/bin: a launcher that finds libtorch (LIBTORCH, TORCH_HOME, the
# active Python's torch, then this build's venv) and runs the binary in $(PREFIX)/libexec/gan.
install: build install-only

install-only:
	install -d $(PREFIX)/bin $(PREFIX)/libexec/gan
	install -m 755 $(GAN) $(PREFIX)/libexec/gan/gan
	sed 's|@BUILD_VENV@|$(VENV_ABS)|' scripts/gan-launcher.sh > $(PREFIX)/bin/gan.tmp
	chmod 755 $(PREFIX)/bin/gan.tmp && mv $(PREFIX)/bin/gan.tmp $(PREFIX)/bin/gan

run: build
	$(GAN) train --eval $(RUN_STEPS)

# Format and lint first (rustfmt.toml; clippy with warnings as errors), then every test.
test: libtorch
	cargo fmt --all --check
	cargo clippy --release --workspace --all-targets -- -D warnings
	cargo build --release -p gan-cli
	cargo nextest run --workspace --release --no-fail-fast
	$(MAKE) --no-print-directory e2e-only

# The browser tests of `gan serve` and `gan lab` (headless Chromium through Playwright);
# screenshots land in web-tests/artifacts/.
e2e: build e2e-only

e2e-only:
	@scripts/setup-e2e.sh
	cd web-tests && GAN_BIN=$(abspath $(GAN)) node --test --test-concurrency=1 dashboard.test.mjs lab.test.mjs

bench: build
	$(GAN_PYTHON) bench/compare.py --gan $(GAN) $(BENCH_ARGS)

# Data-parallel scaling on this machine: 1 process x 1 thread, 1 x 2, 2 x 1 (Gloo).
bench-dist: build
	GAN=$(GAN) bench/dist.sh

# Trains the 2-D toy presets over 5 seeds and prints mode metrics next to the published rows.
toy-bench: build
	$(GAN_PYTHON) scripts/toy-bench.py --gan $(GAN) $(TOY_BENCH_ARGS)

# Trains the Stacked MNIST presets over 3 seeds and prints the modes found (of 1,000) and
# their KL to uniform next to the published rows (a long run: see RESULTS.md).
stacked-bench: build
	$(GAN_PYTHON) scripts/stacked-bench.py --gan $(GAN) $(STACKED_BENCH_ARGS)

# 20 SIGKILLs at seeded random moments of a training run, each resumed; the result must equal
# an uninterrupted run bit for bit (`make test` runs it with 3).
kill-soak: libtorch
	scripts/kill-soak.sh $(KILLS) $(SEED)

# Property-based fuzzing of the IDX reader, gzip layer, prompt parser and config loader with
# many more cases than `make test` and another seed (FUZZ_CASES, FUZZ_SEED); not in CI.
FUZZ_CASES ?= 200000
FUZZ_SEED ?= 1
fuzz: libtorch
	GAN_FUZZ_CASES=$(FUZZ_CASES) GAN_FUZZ_SEED=$(FUZZ_SEED) cargo nextest run --release -p gan-data --test parsers_never_panic -p gan --test config_never_panics

# Regenerates the bad-input corpus (tests/corpus/cases and cases.toml) that `make test` runs;
# the generator writes JPEG, CMYK and animated PNG files with Pillow.
corpus: build
	$(GAN_PYTHON) -m pip install -q pillow
	$(GAN_PYTHON) tests/corpus/generate.py --gan $(GAN)

clean:
	cargo clean
