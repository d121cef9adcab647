#!/usr/bin/env bash
# Installs every build and test dependency of Periscope. Idempotent: fast when nothing is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libzstd-dev liblz4-dev libsnappy-dev libdeflate-dev zlib1g-dev libssl-dev
  libroaring-dev libxxhash-dev libsqlite3-dev libcli11-dev libfmt-dev libsimdjson-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nodejs npm curl ca-certificates
  prometheus victoria-metrics ripgrep zstd chromium
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js may come from outside Debian (a newer build already on PATH); do not replace it.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Test clients from npm, from the committed lock file.
for dir in tests/clients ui; do
  if [[ -f "$dir/package-lock.json" ]]; then
    stamp="$dir/node_modules/.lock-stamp"
    if [[ ! -f "$stamp" ]] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
      echo "deps: npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$dir/package-lock.json" "$stamp"
    fi
  fi
done
