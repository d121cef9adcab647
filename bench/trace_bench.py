#!/usr/bin/env python3
"""Trace benchmarks of `make bench` (see /work/shared/BENCHMARKS.md and docs/benchmarks.md).

    trace_bench.py --build-dir build [--work-dir DIR] [--results-dir bench/results] [--quick]

Rows: durable OTLP gRPC/HTTP ingest on one pinned core beside the libprotobuf ParseFromString
ceiling on the same request bodies; bytes per span on disk (standard workload and the demo's
traffic); trace-by-id and search latency at two store sizes. Writes latest.json (every raw
figure and command) and latest.md (the table). Stdlib only.
"""
import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse

from benchlib import (CLIENT_CORE, SERVER_CORE, Server, command_str, dir_bytes, loadavg,
                      machine_info, make_log, percentile)

LOAD_LINE = re.compile(
    r"(?P<spans>\d+) spans acked in (?P<secs>[\d.]+) s = (?P<rate>[\d.]+) spans/s; "
    r"requests ok (?P<ok>\d+) failed (?P<failed>\d+); (?P<mb>[\d.]+) MB sent "
    r"\((?P<bps>\d+) B/span\); latency p50 (?P<p50>[\d.]+) ms p99 (?P<p99>[\d.]+) ms")

QUICK = {
    "ingest_runs": 3, "ingest_seconds": 3, "connections": 8,
    "size_spans": 200_000, "demo_seconds": 10, "demo_tps": 200,
    "query_sizes": [100_000, 500_000], "ids": 100, "searches": 15,
    "bench_min_time": "0.2",
}
FULL = {
    "ingest_runs": 3, "ingest_seconds": 20, "connections": 8,
    "size_spans": 2_000_000, "demo_seconds": 60, "demo_tps": 200,
    "query_sizes": [1_000_000, 10_000_000], "ids": 200, "searches": 40,
    "bench_min_time": "1",
}


log = make_log("trace_bench")


def run_load(periscope, protocol, port, work_dir, duration, connections, total_spans=0, seed=1):
    """Runs `periscope load` pinned to CLIENT_CORE; returns the parsed report and its command."""
    cmd = ["taskset", "-c", CLIENT_CORE, periscope, "load", "--protocol", protocol,
           "--target", "127.0.0.1:%d" % port, "--duration", str(duration),
           "--connections", str(connections), "--batch", "1000", "--seed", str(seed)]
    if total_spans:
        cmd += ["--total-spans", str(total_spans)]
    out_path = os.path.join(work_dir, "load.out")
    with open(out_path, "w") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - t0
    with open(out_path) as f:
        text = f.read()
    m = LOAD_LINE.search(text)
    if proc.returncode != 0 or m is None:
        raise RuntimeError("load failed (rc %d): %s" % (proc.returncode, text.strip()[-500:]))
    report = {k: float(v) for k, v in m.groupdict().items()}
    report["generator_cpu_s"] = rusage.ru_utime + rusage.ru_stime
    report["generator_wall_s"] = wall
    report["line"] = m.group(0)
    return report, cmd


class Bench:
    def __init__(self, args):
        self.args = args
        self.cfg = dict(QUICK if args.quick else FULL)
        self.build = os.path.abspath(args.build_dir)
        self.periscope = os.path.join(self.build, "apps/periscope/periscope")
        self.work = os.path.abspath(args.work_dir or os.path.join(self.build, "bench-work"))
        self.bench_dir = os.path.dirname(os.path.abspath(__file__))
        self.results = {"mode": "quick" if args.quick else "full", "machine": machine_info(),
                        "config": self.cfg, "rows": {}, "commands": {}}

    def fresh_dir(self, name):
        path = os.path.join(self.work, name)
        shutil.rmtree(path, ignore_errors=True)
        if os.path.exists(path + ".ports.json"):
            os.remove(path + ".ports.json")
        return path

    # ---- ceiling: libprotobuf on the exact request bodies the load generator sends ----
    def ceiling(self):
        cap_dir = self.fresh_dir("payloads")
        ports = os.path.join(self.work, "capture.ports.json")
        if os.path.exists(ports):
            os.remove(ports)
        sink = subprocess.Popen([sys.executable, os.path.join(self.bench_dir, "otlp_capture.py"),
                                 "--dir", cap_dir, "--count", "16", "--ports-file", ports])
        for _ in range(100):
            if os.path.exists(ports):
                break
            time.sleep(0.05)
        with open(ports) as f:
            port = json.load(f)["http"]
        run_load(self.periscope, "http", port, self.work, 30, 1, total_spans=16000)
        if sink.wait(timeout=60) != 0:
            raise RuntimeError("payload capture failed")
        env = dict(os.environ, PERISCOPE_BENCH_PAYLOADS=cap_dir)
        mt = self.cfg["bench_min_time"]
        figures = {}
        for binary, flt in (("otlp_payload_bench", "."),
                            ("otlp_decode_bench", "BM_LibprotobufParse$|BM_DecodeTracesProtobuf$")):
            cmd = ["taskset", "-c", SERVER_CORE, os.path.join(self.build, "bench", binary),
                   "--benchmark_filter=" + flt, "--benchmark_repetitions=3",
                   "--benchmark_min_time=" + mt, "--benchmark_format=json"]
            log("ceiling: " + command_str(cmd))
            la = loadavg()
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
            for b in json.loads(out)["benchmarks"]:
                if b.get("aggregate_name") == "median":
                    figures[binary + ":" + b["run_name"]] = {
                        "spans_per_cpu_s": b["items_per_second"],
                        "spans_per_wall_s": b["items_per_second"] * b["cpu_time"] / b["real_time"],
                        "bytes_per_span": b.get("bytes_per_span"), "loadavg": la,
                        "command": ("PERISCOPE_BENCH_PAYLOADS=%s " % cap_dir if
                                    binary == "otlp_payload_bench" else "") + command_str(cmd)}
        self.results["rows"]["ceiling"] = figures
        return figures

    # ---- row 1: durable ingest throughput on one core ----
    def ingest(self, protocol):
        runs = []
        for i in range(self.cfg["ingest_runs"]):
            data = self.fresh_dir("ingest-%s-%d" % (protocol, i))
            server = Server(self.periscope, data, data + ".log").start()
            port = server.ports["otlp_grpc" if protocol == "grpc" else "otlp_http"]
            la = loadavg()
            cpu0 = server.cpu_seconds()
            rep, cmd = run_load(self.periscope, protocol, port, self.work,
                                self.cfg["ingest_seconds"], self.cfg["connections"])
            server_cpu = server.cpu_seconds() - cpu0
            m = server.metrics()
            rss = server.peak_rss_mib()
            t_stop = server.stop()
            run = {
                "spans_per_s": rep["rate"], "spans": rep["spans"], "seconds": rep["secs"],
                "failed": rep["failed"], "p50_ms": rep["p50"], "p99_ms": rep["p99"],
                "wire_bytes_per_span": rep["bps"], "server_cpu_s": server_cpu,
                "server_core_busy": server_cpu / rep["secs"],
                "spans_per_server_cpu_s": rep["spans"] / server_cpu if server_cpu else 0,
                "generator_core_busy": rep["generator_cpu_s"] / rep["generator_wall_s"],
                "wal_fsyncs": m.get("periscope_wal_fsyncs_total", 0),
                "received": m.get("periscope_spans_received_total", 0),
                "flushes": m.get("periscope_span_flushes_total", 0),
                "flush_s": m.get("periscope_span_flush_duration_seconds_sum", 0),
                "merges": m.get("periscope_span_merges_total", 0),
                "merge_s": m.get("periscope_span_merge_duration_seconds_sum", 0),
                "memtable_rows_at_end": m.get("periscope_span_memtable_rows", 0),
                "peak_rss_mib": rss, "shutdown_s": t_stop, "loadavg": la,
                "server_total_cpu_s": server.total_cpu_s,
                "spans_per_server_cpu_s_incl_flush": rep["spans"] / server.total_cpu_s,
                "load_line": rep["line"],
            }
            runs.append(run)
            log("ingest %s run %d: %.0f spans/s (server core %.0f%% busy, %.0f spans/CPU-s, "
                "generator core %.0f%% busy, load %s)" % (
                    protocol, i + 1, run["spans_per_s"], 100 * run["server_core_busy"],
                    run["spans_per_server_cpu_s"], 100 * run["generator_core_busy"], la))
            shutil.rmtree(data, ignore_errors=True)
        self.results["commands"]["ingest_" + protocol] = [
            command_str(Server(self.periscope, "DATA", "LOG").cmd), command_str(cmd)]
        row = {
            "runs": runs,
            "median_spans_per_s": statistics.median(r["spans_per_s"] for r in runs),
            "median_spans_per_server_cpu_s":
                statistics.median(r["spans_per_server_cpu_s"] for r in runs),
            "median_spans_per_server_cpu_s_incl_flush":
                statistics.median(r["spans_per_server_cpu_s_incl_flush"] for r in runs),
        }
        self.results["rows"]["ingest_" + protocol] = row
        return row

    # ---- row 2: bytes per span on disk after a clean shutdown ----
    def stored_rows(self, data):
        out = subprocess.run([self.periscope, "inspect", data], capture_output=True, text=True)
        rows = parts = 0
        for line in out.stdout.splitlines():
            m = re.search(r" rows=(\d+) bytes=(\d+)", line)
            if m:
                rows += int(m.group(1))
                parts += 1
        return rows, parts, out.returncode

    def size_row(self, data, spans_acked, key, commands, extra=None):
        apparent, allocated = dir_bytes(data)
        rows, parts, rc = self.stored_rows(data)
        row = {
            "spans_acked": spans_acked, "spans_stored": rows, "parts": parts,
            "inspect_ok": rc == 0, "dir_bytes": apparent, "dir_allocated_bytes": allocated,
            "bytes_per_span": apparent / rows if rows else float("nan"),
            "allocated_bytes_per_span": allocated / rows if rows else float("nan"),
            "commands": commands, "loadavg": loadavg(),
        }
        row.update(extra or {})
        self.results["rows"][key] = row
        log("%s: %d spans, %d bytes, %.1f B/span (%d parts)" % (
            key, rows, apparent, row["bytes_per_span"], parts))
        return row

    def size_standard(self):
        data = self.fresh_dir("size-standard")
        server = Server(self.periscope, data, data + ".log").start()
        rep, cmd = run_load(self.periscope, "grpc", server.ports["otlp_grpc"], self.work, 0,
                            self.cfg["connections"], total_spans=self.cfg["size_spans"])
        rss = server.peak_rss_mib()
        t_stop = server.stop()
        row = self.size_row(data, rep["spans"], "bytes_per_span_standard",
                            [command_str(server.cmd), command_str(cmd),
                             "kill -TERM <server>; du -sb DATA; periscope inspect DATA"],
                            {"ingest_spans_per_s": rep["rate"], "peak_rss_mib": rss,
                             "shutdown_s": t_stop})
        shutil.rmtree(data, ignore_errors=True)
        return row

    def size_demo(self):
        data = self.fresh_dir("size-demo")
        server = Server(self.periscope, data, data + ".log", mode="demo",
                        extra=["--traces-per-second", str(self.cfg["demo_tps"])]).start()
        time.sleep(self.cfg["demo_seconds"])
        received = server.metrics().get("periscope_spans_received_total", 0)
        server.stop()
        row = self.size_row(data, received, "bytes_per_span_demo",
                            [command_str(server.cmd), "sleep %d" % self.cfg["demo_seconds"],
                             "kill -TERM <server>; du -sb DATA; periscope inspect DATA"])
        shutil.rmtree(data, ignore_errors=True)
        return row

    # ---- row 3: trace-by-id and search latency at two store sizes ----
    def wait_quiet(self, server, timeout=600):
        """Waits until the memtable is empty and parts/merges stop changing for 3 s."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            m = server.metrics()
            key = (m.get("periscope_span_parts"), m.get("periscope_span_merges_total"),
                   m.get("periscope_span_memtable_rows"))
            if key != last:
                last, since = key, time.monotonic()
            elif key[2] == 0 and time.monotonic() - since >= 3:
                return m
            time.sleep(0.5)
        return server.metrics()

    def sample_ids(self, server, windows, count, rng):
        """Known trace ids spread over the ingest time windows (untimed). Each lookup is a
        search over a 20 ms window, which may scan whole parts, so few windows of 20 traces."""
        ids = set()
        for _ in range(count):
            if len(ids) >= count:
                break
            lo, hi = rng.choice(windows)
            t = rng.randint(lo, hi)
            q = urllib.parse.urlencode({"start": t, "end": t + 20_000_000, "limit": 20})
            status, body, _ = server.get("/api/traces?" + q)
            if status == 200:
                ids.update(tr["trace_id"] for tr in json.loads(body).get("traces", []))
        return sorted(ids)[:count]

    def timed(self, server, paths, check=None, expect=200):
        """Client-side latency of each GET (keep-alive, sequential) and the server's CPU time."""
        lat, bad = [], 0
        cpu0 = server.cpu_seconds()
        for p in paths:
            status, body, secs = server.get(p)
            if status != expect or (check is not None and not check(body)):
                bad += 1
            lat.append(secs * 1000)
        cpu_ms = (server.cpu_seconds() - cpu0) * 1000
        return {"n": len(lat), "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99),
                "max_ms": max(lat) if lat else float("nan"), "bad": bad,
                "server_cpu_ms_per_request": cpu_ms / len(lat) if lat else float("nan")}

    def queries(self):
        data = self.fresh_dir("query")
        rng = random.Random(7)
        windows, stored, out = [], 0, []
        for size in self.cfg["query_sizes"]:
            server = Server(self.periscope, data, data + ".log").start()
            add = size - stored
            t0 = time.time_ns() - 1_100_000_000
            rep, load_cmd = run_load(self.periscope, "grpc", server.ports["otlp_grpc"], self.work,
                                     0, self.cfg["connections"], total_spans=add,
                                     seed=len(windows) + 1)
            windows.append((t0, time.time_ns()))
            stored += int(rep["spans"])
            m = server.metrics()
            phase = {"spans_added": int(rep["spans"]), "ingest_spans_per_s": rep["rate"],
                     "memtable_rows_at_end": m.get("periscope_span_memtable_rows", 0),
                     "parts_at_end": m.get("periscope_span_parts", 0),
                     "flushes": m.get("periscope_span_flushes_total", 0),
                     "merges": m.get("periscope_span_merges_total", 0),
                     "merge_s": m.get("periscope_span_merge_duration_seconds_sum", 0),
                     "peak_rss_mib": server.peak_rss_mib()}
            log("query data: %d spans stored (ingest %.0f spans/s, memtable %d rows, peak RSS "
                "%.0f MiB); restarting to flush" % (stored, rep["rate"],
                                                    phase["memtable_rows_at_end"],
                                                    phase["peak_rss_mib"]))
            phase["shutdown_s"] = server.stop()
            server = Server(self.periscope, data, data + ".log").start()
            m = self.wait_quiet(server)
            ids = self.sample_ids(server, windows, self.cfg["ids"], rng)
            status, body, _ = server.get("/api/services")
            services = json.loads(body)["services"] if status == 200 else []
            la = loadavg()
            rng.shuffle(ids)
            n = self.cfg["searches"]
            has4 = lambda b: len(json.loads(b).get("spans", [])) == 4
            jaeger4 = lambda b: len(json.loads(b)["data"][0]["spans"]) == 4
            nonempty = lambda b: len(json.loads(b).get("traces", [])) > 0
            svc = lambda i: services[i % len(services)] if services else "none"
            res = {
                "spans": stored, "ingest_phase": phase, "parts": m.get("periscope_span_parts"),
                "part_bytes": m.get("periscope_span_part_bytes"), "ids": len(ids),
                "services": services, "loadavg": la,
                "trace_by_id": self.timed(server, ["/api/traces/" + t for t in ids], has4),
                "trace_by_id_jaeger": self.timed(
                    server, ["/jaeger/api/traces/" + t for t in ids[:50]], jaeger4),
                "trace_by_id_missing": self.timed(
                    server, ["/api/traces/%032x" % rng.getrandbits(128) for _ in range(50)],
                    None, expect=404),
                "search_service": self.timed(
                    server, ["/api/traces?service=%s&limit=20" % svc(i) for i in range(n)],
                    nonempty),
                "search_service_attr": self.timed(
                    server, ["/api/traces?service=%s&limit=20&attr=http.response.status_code%%3D500"
                             % svc(i) for i in range(n)], nonempty),
                "search_service_rare_attr": self.timed(
                    server, ["/api/traces?service=%s&limit=20&attr=user.id%%3Du%d"
                             % (svc(i), rng.randrange(10_000_000)) for i in range(max(5, n // 4))],
                    None),
                "commands": [command_str(server.cmd), command_str(load_cmd),
                             "kill -TERM <server>; restart; wait for memtable_rows 0 and "
                             "stable parts; GET /api/traces/{id} x%d, "
                             "/api/traces?service=S&limit=20 x%d, ...&attr=http.response."
                             "status_code=500, ...&attr=user.id=u<random>" % (len(ids), n)],
            }
            out.append(res)
            log("queries at %d spans (%s parts): by id p50 %.2f ms p99 %.2f ms (bad %d); "
                "search p50 %.2f ms; +attr p50 %.2f ms; +rare attr p50 %.2f ms" % (
                    stored, res["parts"], res["trace_by_id"]["p50_ms"],
                    res["trace_by_id"]["p99_ms"], res["trace_by_id"]["bad"],
                    res["search_service"]["p50_ms"], res["search_service_attr"]["p50_ms"],
                    res["search_service_rare_attr"]["p50_ms"]))
            server.stop()
        apparent, _ = dir_bytes(data)
        self.results["rows"]["queries"] = out
        self.results["rows"]["bytes_per_span_query_store"] = {
            "spans": stored, "dir_bytes": apparent, "bytes_per_span": apparent / stored}
        shutil.rmtree(data, ignore_errors=True)
        return out

    def run(self):
        os.makedirs(self.work, exist_ok=True)
        m = self.results["machine"]
        log("machine: %d x %s, load %s, mode %s" % (m["nproc"], m["cpu_model"],
                                                   m["loadavg_start"], self.results["mode"]))
        self.ceiling()
        self.ingest("grpc")
        self.ingest("http")
        self.size_standard()
        self.size_demo()
        self.queries()
        m["loadavg_end"] = loadavg()
        write_results(self.results, self.args.results_dir)


def fmt_rate(x):
    return "%.0fk" % (x / 1000) if x >= 10_000 else "%.0f" % x


def write_results(res, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "latest.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    rows = res["rows"]
    ceil = rows["ceiling"]["otlp_payload_bench:BM_PayloadParseFromString"]
    ceil_arena = rows["ceiling"]["otlp_payload_bench:BM_PayloadParseFromStringArena"]
    decode = rows["ceiling"]["otlp_payload_bench:BM_PayloadDecodeTracesProtobuf"]
    m = res["machine"]
    lines = [
        "# Trace benchmarks (%s mode)" % res["mode"], "",
        "Machine: %d x %s, %.1f GiB RAM, Linux %s; git %s; %s. Load average (1/5/15 min) at "
        "start %s, at end %s (the 2 cores are shared with other builds)." % (
            m["nproc"], m["cpu_model"], m["mem_gib"], m["kernel"], m["git"], m["date"],
            m["loadavg_start"], m.get("loadavg_end", "?")),
        "Server pinned to core %s, load generator and query client to core %s. Medians of %d runs "
        "where a run is repeated. Generated by `bench/run.sh` (`make bench`)." % (
            SERVER_CORE, CLIENT_CORE, res["config"]["ingest_runs"]), "",
        "| workload | Periscope | peer / ceiling | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for proto in ("grpc", "http"):
        r = rows["ingest_" + proto]
        lines.append(
            "| durable ingest, OTLP %s, 1 core (spans/s) | %s (%s per server CPU-s%s) | "
            "libprotobuf "
            "ParseFromString of the same bodies: %s per CPU-s (ceiling) | %.2f | >= 100k %s |" % (
                "gRPC" if proto == "grpc" else "HTTP", fmt_rate(r["median_spans_per_s"]),
                fmt_rate(r["median_spans_per_server_cpu_s"]),
                ("; %s incl. the flush at shutdown" %
                 fmt_rate(r["median_spans_per_server_cpu_s_incl_flush"])
                 if "median_spans_per_server_cpu_s_incl_flush" in r else ""),
                fmt_rate(ceil["spans_per_cpu_s"]),
                r["median_spans_per_s"] / ceil["spans_per_cpu_s"],
                "met" if r["median_spans_per_s"] >= 100_000 else "**missed**"))
    lines.append(
        "| decode only (DecodeTracesProtobuf, same bodies, spans per CPU-s) | %s | "
        "ParseFromString %s; with arena %s | %.2f | |" % (
            fmt_rate(decode["spans_per_cpu_s"]), fmt_rate(ceil["spans_per_cpu_s"]),
            fmt_rate(ceil_arena["spans_per_cpu_s"]),
            decode["spans_per_cpu_s"] / ceil["spans_per_cpu_s"]))
    ref_ingest = rows["ingest_grpc"]["median_spans_per_s"]
    lines.append("| ingest vs reference (not measured here) | %s | Jaeger on ClickHouse ~13k; OTel "
                 "Collector pass-through ~50k | %.1fx; %.1fx | |" % (
                     fmt_rate(ref_ingest), ref_ingest / 13_000, ref_ingest / 50_000))
    for key, label in (("bytes_per_span_standard", "standard workload"),
                       ("bytes_per_span_demo", "demo traffic")):
        r = rows[key]
        lines.append("| bytes/span on disk, %s (%d spans) | %.1f | Jaeger on ClickHouse ~76 "
                     "(reference, not measured here) | %.2f | <= 60 %s |" % (
                         label, r["spans_stored"], r["bytes_per_span"],
                         r["bytes_per_span"] / 76,
                         "met" if r["bytes_per_span"] <= 60 else "**missed**"))
    for q in rows["queries"]:
        size = "%gM" % (q["spans"] / 1e6)
        t = q["trace_by_id"]
        lines.append("| trace by id at %s spans, p50 / p99 (ms) | %.2f / %.2f (%.2f ms server CPU "
                     "each) | Jaeger on ClickHouse ~100 at 10M (reference) | %.3f (p50) | "
                     "< 10: p50 %s, p99 %s |" % (
                         size, t["p50_ms"], t["p99_ms"], t["server_cpu_ms_per_request"],
                         t["p50_ms"] / 100,
                         "met" if t["p50_ms"] < 10 else "**missed**",
                         "met" if t["p99_ms"] < 10 else "**missed**"))
        for key, label in (("trace_by_id_jaeger", "trace by id, Jaeger API"),
                           ("trace_by_id_missing", "trace by id, unknown id (404)"),
                           ("search_service", "search service=X limit=20"),
                           ("search_service_attr", "search + attr status_code=500"),
                           ("search_service_rare_attr", "search + attr user.id (rare)")):
            s = q[key]
            lines.append("| %s at %s, p50 / p99 (ms) | %.2f / %.2f (%.2f ms server CPU each) "
                         "| | | |" % (label, size, s["p50_ms"], s["p99_ms"],
                                      s["server_cpu_ms_per_request"]))
    lines += ["", "## Details", ""]
    for proto in ("grpc", "http"):
        for i, r in enumerate(rows["ingest_" + proto]["runs"]):
            lines.append("- ingest %s run %d (load %s): `%s`; server core %.0f%% busy, %.0f "
                         "spans/server CPU-s, generator core %.0f%% busy, %d WAL fsyncs, "
                         "%d flushes (%.2f s), %d merges (%.2f s), peak RSS %.0f MiB, "
                         "clean shutdown %.1f s, %.0f spans per server CPU-s from start to "
                         "clean exit (incl. the final flush)" % (
                             proto, i + 1, r["loadavg"], r["load_line"],
                             100 * r["server_core_busy"], r["spans_per_server_cpu_s"],
                             100 * r["generator_core_busy"], r["wal_fsyncs"],
                             r.get("flushes", 0), r.get("flush_s", 0), r.get("merges", 0),
                             r.get("merge_s", 0), r.get("peak_rss_mib", 0),
                             r.get("shutdown_s", 0),
                             r.get("spans_per_server_cpu_s_incl_flush", 0)))
    for name, c in sorted(rows["ceiling"].items()):
        lines.append("- %s: %.0f spans/CPU-s, %.0f spans/wall-s (load %s)" % (
            name, c["spans_per_cpu_s"], c["spans_per_wall_s"], c["loadavg"]))
    for key in ("bytes_per_span_standard", "bytes_per_span_demo"):
        r = rows[key]
        lines.append("- %s: %d bytes in %d parts (%d allocated) for %d stored spans (%d acked or "
                     "received) = %.1f B/span (%.1f allocated)" % (
                         key, r["dir_bytes"], r["parts"], r["dir_allocated_bytes"],
                         r["spans_stored"], r["spans_acked"], r["bytes_per_span"],
                         r["allocated_bytes_per_span"]))
    qs = rows["bytes_per_span_query_store"]
    lines.append("- query store after its last clean shutdown: %d bytes / %d spans = %.1f B/span"
                 % (qs["dir_bytes"], qs["spans"], qs["bytes_per_span"]))
    for q in rows["queries"]:
        ph = q.get("ingest_phase")
        if ph:
            lines.append("- query store, ingest of %d more spans: %.0f spans/s; at its end %d "
                         "memtable rows, %d parts, %d flushes, %d merges (%.1f s), peak RSS %.0f "
                         "MiB; clean shutdown took %.1f s" % (
                             ph["spans_added"], ph["ingest_spans_per_s"],
                             ph["memtable_rows_at_end"], ph["parts_at_end"], ph["flushes"],
                             ph["merges"], ph["merge_s"], ph["peak_rss_mib"], ph["shutdown_s"]))
        lines.append("- queries at %d spans: %d parts, %d part bytes, %d known ids, load %s, "
                     "failures: %s" % (
                         q["spans"], q["parts"], q["part_bytes"], q["ids"], q["loadavg"],
                         ", ".join("%s %d" % (k, q[k]["bad"]) for k in sorted(q)
                                   if isinstance(q[k], dict) and "bad" in q[k])))
    lines += ["", "## Commands", ""]
    for key, cmds in sorted(res["commands"].items()):
        lines.append("- %s: `%s`" % (key, "` then `".join(cmds)))
    for key in ("bytes_per_span_standard", "bytes_per_span_demo"):
        lines.append("- %s: `%s`" % (key, "` then `".join(rows[key]["commands"])))
    for q in rows["queries"]:
        lines.append("- queries at %d spans: `%s`" % (q["spans"], "` then `".join(q["commands"])))
    for name, c in sorted(rows["ceiling"].items()):
        lines.append("- %s: `%s`" % (name, c["command"]))
    with open(os.path.join(out_dir, "latest.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--work-dir", default="")
    ap.add_argument("--results-dir",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite latest.md from an existing latest.json")
    args = ap.parse_args()
    if args.render_only:
        with open(os.path.join(args.results_dir, "latest.json")) as f:
            write_results(json.load(f), args.results_dir)
        return 0
    Bench(args).run()
    log("wrote %s/latest.md and latest.json" % args.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
