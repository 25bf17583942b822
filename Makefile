# Two commands set up a fresh machine: `make serve` and `make test`.
# Both run scripts/bootstrap.sh first, which installs only what is missing.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= never
SANDBOX_PORT ?= 8081
APP_PORT ?= 8080
SANDBOX_CONFIG ?= sandbox/sandbox.toml

.PHONY: serve build test test-native test-wasm test-e2e bench fmt clippy lint bootstrap-serve bootstrap-test sandbox clean

bootstrap-serve:
	@scripts/bootstrap.sh serve

bootstrap-test:
	@scripts/bootstrap.sh test

## Build the release app and serve it on http://localhost:$(APP_PORT), with the local sandbox tenant on :$(SANDBOX_PORT).
serve: bootstrap-serve
	cargo build --release -p sandbox
	@scripts/serve.sh

## Release build of the app into dist/.
build: bootstrap-serve
	trunk build --release --offline --skip-version-check

## Every test layer: native unit tests, wasm-bindgen-test in headless Chromium, Playwright end to end.
test: bootstrap-test
	$(MAKE) --no-print-directory test-native
	$(MAKE) --no-print-directory test-wasm
	$(MAKE) --no-print-directory test-e2e

test-native:
	cargo test -p wizard-core -p sandbox

test-wasm:
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	CHROMEDRIVER=/usr/bin/chromedriver \
	WASM_BINDGEN_TEST_TIMEOUT=120 \
	cargo test -p dataverse-wizard --target wasm32-unknown-unknown --test web

test-e2e: build
	cargo build --release -p sandbox
	cd e2e && npx playwright test --config playwright.config.mjs

fmt:
	cargo fmt --all

clippy lint:
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p dataverse-wizard --target wasm32-unknown-unknown --all-targets -- -D warnings

clean:
	cargo clean; rm -rf dist node_modules
