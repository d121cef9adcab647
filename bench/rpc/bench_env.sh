# Sourced by the RPC benchmark scripts after they set BIN: a temporary WORK directory, the
# SERVER_PID and SINK_PID they start (killed, and WORK removed, on exit) and start_sink, which
# starts `rpc_bench sink` and sets OTLP to its traces URL.
WORK="$(mktemp -d)"
SERVER_PID=""
SINK_PID=""
cleanup() {
  for pid in "$SERVER_PID" "$SINK_PID"; do
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

start_sink() {
  "$BIN" sink --port-file "$WORK/sink-port" 2>"$WORK/sink.log" &
  SINK_PID=$!
  for _ in $(seq 1 200); do [[ -s "$WORK/sink-port" ]] && break; sleep 0.05; done
  OTLP="http://127.0.0.1:$(cat "$WORK/sink-port")/v1/traces"
}
