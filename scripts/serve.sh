#!/usr/bin/env bash
# Builds the release app into dist/, starts the local sandbox tenant in the background and serves
# dist/ in the foreground as a static host would (e2e/serve-dist.mjs: SPA fallback, the CSP header,
# the brotli / gzip copies scripts/precompress.mjs wrote); Ctrl-C stops both. After a source change,
# run it again (or `trunk serve --release --offline` for rebuild-on-save, served uncompressed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SANDBOX_PORT="${SANDBOX_PORT:-8081}"
APP_PORT="${APP_PORT:-8080}"
SANDBOX_CONFIG="${SANDBOX_CONFIG:-sandbox/sandbox.toml}"

trunk build --release --offline --skip-version-check

# The deployment's config.json (docs/DEPLOY.md): the sandbox's setup app, so "Create the app
# registration for me" works here. SETUP_CLIENT_ID= (empty) serves without one.
SETUP_CLIENT_ID="${SETUP_CLIENT_ID-aaaaaaaa-0000-4000-8000-000000000030}"
if [ -n "$SETUP_CLIENT_ID" ]; then
  printf '{ "setup_client_id": "%s" }\n' "$SETUP_CLIENT_ID" > dist/config.json
fi

target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
"$target_dir/release/sandbox" --config "$SANDBOX_CONFIG" --port "$SANDBOX_PORT" &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT INT TERM

echo
echo "  Wizard:  http://localhost:${APP_PORT}/   (open this address: the redirect URI uses 'localhost')"
echo "  Sandbox: http://localhost:${SANDBOX_PORT}/  (local Entra ID + Dataverse emulator)"
echo
APP_PORT="$APP_PORT" node e2e/serve-dist.mjs
