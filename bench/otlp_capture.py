#!/usr/bin/env python3
"""An OTLP/HTTP sink that saves the first request bodies it receives, for otlp_payload_bench.

    otlp_capture.py --dir OUT --count N --ports-file P

Listens on 127.0.0.1 (an ephemeral port, written to P as {"http": port}), answers every
POST /v1/traces with 200 and an empty ExportTraceServiceResponse, writes the first N bodies to
OUT/body-0000.pb... and exits once N bodies are saved and the client has gone quiet for a second.
"""
import argparse
import http.server
import json
import os
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--ports-file", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    state = {"saved": 0, "last": time.monotonic()}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state["last"] = time.monotonic()
                if state["saved"] < args.count and self.path == "/v1/traces":
                    path = os.path.join(args.dir, "body-%04d.pb" % state["saved"])
                    with open(path, "wb") as f:
                        f.write(body)
                    state["saved"] += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *unused):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.ports_file + ".tmp", "w") as f:
        json.dump({"http": server.server_address[1]}, f)
    os.replace(args.ports_file + ".tmp", args.ports_file)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        time.sleep(0.2)
        with lock:
            if state["saved"] >= args.count and time.monotonic() - state["last"] > 1.0:
                break
    server.shutdown()
    return 0 if state["saved"] >= args.count else 1


if __name__ == "__main__":
    raise SystemExit(main())
