#!/usr/bin/env bash
# Runs every integration suite against the real binary given as $1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="$(realpath "$1")"
export PERISCOPE_BIN="$BIN"
status=0
shopt -s nullglob
for t in tests/integration/*.test.mjs; do
  echo "== integration: $t"
  if ! node --test --test-reporter=spec "$t"; then status=1; fi
done
# Browser tests of the web UI (Chromium via playwright-core).
for t in ui/e2e/*.e2e.mjs; do
  echo "== ui: $t"
  if ! node --test --test-reporter=spec "$t"; then status=1; fi
done
exit $status
