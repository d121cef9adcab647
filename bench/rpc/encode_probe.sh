#!/usr/bin/env bash
# Instructions and mallocs per item of otlp_encode_bench's encoders under callgrind (deterministic
# on a loaded machine): runs `--loop=MODE` with SHORT and LONG batches of 512 and divides the
# differences by the item difference, so set-up cancels out. Prints
#   mode=... instr_per_item=... mallocs_per_item=...
#
#   bench/rpc/encode_probe.sh BIN MODE [SHORT (default 5)] [LONG (default 25)]
#   MODE: old | new | plain | old_logs | new_logs
set -euo pipefail
BIN="$1"; MODE="$2"; SHORT="${3:-5}"; LONG="${4:-25}"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
run() {  # batches -> "instructions mallocs"
  valgrind --tool=callgrind --callgrind-out-file="$WORK/$1.out" "$BIN" "--loop=$MODE" "$1" \
    >/dev/null 2>"$WORK/$1.log"
  echo "$(sed -n 's/^totals: *\([0-9]*\).*/\1/p; s/^summary: *\([0-9]*\).*/\1/p' "$WORK/$1.out" |
    head -1) $("$HERE/callgrind_mallocs.py" "$WORK/$1.out")"
}
read -r i1 m1 <<<"$(run "$SHORT")"
read -r i2 m2 <<<"$(run "$LONG")"
awk -v mode="$MODE" -v i1="$i1" -v i2="$i2" -v m1="$m1" -v m2="$m2" -v n=$(((LONG - SHORT) * 512)) \
  'BEGIN { printf "mode=%s instr_per_item=%.0f mallocs_per_item=%.2f\n", mode, (i2 - i1) / n,
           (m2 - m1) / n }'
