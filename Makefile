# VeZ: the two quick-start commands and their parts.
#   make demo  - install what is missing, build the release compiler, verify, build and run the examples
#   make test  - install what is missing, run the whole test suite
SHELL := /bin/bash
VEZ := target/release/vez
SETUP := $(if $(filter 0,$(shell id -u)),scripts/setup,sudo scripts/setup)

.PHONY: demo test setup build check-examples verify-examples run-examples conformance bench soak fmt lint

setup:
	$(SETUP)

build: setup
	cargo build --release

check-examples: build
	@echo "== vez check examples/ (parse, resolve, type-check, borrow-check)"
	$(VEZ) check examples/
	@echo "== a rejected program, as VeZ reports it (exit status 2 expected)"
	@$(VEZ) check examples/errors/type_error.zari || echo "(exit status $$?)"

verify-examples: build
	@echo "== vez verify examples/ (every contract, loop invariant and run-time check proved by Z3)"
	$(VEZ) verify examples/
	@echo "== again: every proof comes from its certificate in .vez/proofs/ (no solver call)"
	$(VEZ) verify examples/
	@echo "== a program that does not verify, with its counterexample (exit status 1 expected)"
	@$(VEZ) verify examples/errors/abs_overflow.zari || echo "(exit status $$?)"
	@echo "== the audit report of examples/ (what was proved, by which solver, on what it rests)"
	$(VEZ) report examples/ --format md -o target/proof-report.md && head -n 12 target/proof-report.md

run-examples: build
	@echo "== vez run: verify, compile through LLVM 19 (proven checks elided) and run"
	$(VEZ) run examples/binary_search.zari
	$(VEZ) build -o target/counter examples/counter.zari && ./target/counter
	$(VEZ) run examples/ini_parser.zari
	@echo "== an unproven program built anyway keeps its run-time check (panics, exit status 101 expected)"
	@$(VEZ) run --allow-unverified examples/errors/abs_overflow.zari || echo "(exit status $$?)"

demo: check-examples verify-examples run-examples

# `cargo build` first: it also builds the GPU run-time library (a staticlib that `cargo test`
# does not produce) that executables launching kernels link.
test: setup
	cargo build --release
	cargo test --workspace --release

conformance: build
	../shared/conformance/run --vez $(VEZ)

bench: build
	benches/check_speed.sh
	benches/verify_speed.py
	benches/proof_cache.py
	benches/gpu_verify.py

soak: build
	scripts/soak-differential 5000

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
