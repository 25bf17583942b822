#!/usr/bin/env bash
# Idempotent installer for everything `make serve` / `make test` need.
# Usage: scripts/bootstrap.sh [serve|test]
#   serve: Rust wasm target, trunk, wasm-bindgen-cli, npm packages (binaryen for wasm-opt). No root.
#   test:  all of the above plus Debian chromium + chromium-driver, firefox-esr, webkit2gtk-driver
#          and xvfb (needs root / apt).
# Every step checks first and skips what is already installed, so a second run costs seconds.
set -euo pipefail

MODE="${1:-serve}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TRUNK_VERSION="0.21.14"
# Must equal the `wasm-bindgen` pin in Cargo.toml.
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -n1)"
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "bootstrap: could not read the wasm-bindgen pin (wasm-bindgen = \"=X.Y.Z\") from Cargo.toml" >&2
  exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION (about 8 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  # Without --locked: the CLI's lockfile pins crates that fail on this toolchain.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (binaryen, playwright, axe-core, ajv, puppeteer-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$MODE" = "test" ]; then
  # Chromium for Playwright and wasm-bindgen-test; Firefox ESR and WebKitGTK (with xvfb for its
  # MiniBrowser) for the cross-engine smoke (make test-engines).
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  [ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
  [ -x /usr/bin/WebKitWebDriver ] || missing+=(webkit2gtk-driver)
  command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian ${missing[*]} (test browsers)"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
log "ready ($MODE)"
