#!/usr/bin/env python3
"""Log benchmarks of `make bench` (see /work/shared/BENCHMARKS.md "Logs" and docs/benchmarks.md).

    logs_bench.py --build-dir build [--work-dir DIR] [--results-dir bench/results] [--quick]

The Loghub samples replayed by `periscope load-logs` (deterministic: seed, time base): durable
OTLP/HTTP ingest on one pinned core (lines/s, lines per server CPU-s); bytes per line on disk
beside the same lines as a plain text file and that file through `zstd -3`; five searches (rare
word, common word, phrase, field filter + word, negation) as "first page" (our /api/logs limit 100
vs `rg -m 100`) and "count all" (our /api/logs/histogram summed vs `rg -c`) over the same lines.
Writes logs.json and logs.md into the results directory. Stdlib only.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

from benchlib import (CLIENT_CORE, Server, command_str, dir_bytes, loadavg, machine_info,
                      make_log, median, percentile, run_pinned, wait_stable)

log = make_log("logs_bench")

LOAD_LINE = re.compile(
    r"(?P<lines>\d+) lines acked in (?P<secs>[\d.]+) s = (?P<rate>[\d.]+) lines/s; "
    r"requests ok (?P<ok>\d+) failed (?P<failed>\d+); (?P<mb>[\d.]+) MB sent "
    r"\((?P<bpl>\d+) B/line\); latency p50 (?P<p50>[\d.]+) ms p99 (?P<p99>[\d.]+) ms")

FLUSH_LINE = re.compile(r"flushed \d+ records of tenant .* \(([\d.]+) ms CPU\)")
QUICK = {"ingest_runs": 1, "ingest_lines": 200_000, "store_lines": 300_000, "connections": 8,
         "batch": 1000, "query_reps": 2}
FULL = {"ingest_runs": 3, "ingest_lines": 2_000_000, "store_lines": 10_000_000, "connections": 8,
        "batch": 1000, "query_reps": 5}
LINE_INTERVAL_NS = 100_000
LOG_METRICS = ("periscope_log_parts", "periscope_log_merges_total", "periscope_log_flushes_total",
               "periscope_log_memtable_rows", "periscope_log_part_bytes")


def wait_settled(server, quiet_s):
    """wait_stable on LOG_METRICS, then until no merge is running: a merge of large parts can
    take longer than quiet_s without moving any of those figures, and a query timed beside it
    shares the server's core with it. Returns the last figures and the seconds waited."""
    t0 = time.monotonic()
    m, _ = wait_stable(server.metrics, LOG_METRICS, quiet_s=quiet_s)
    while m.get("periscope_log_merge_running", 0) > 0 and time.monotonic() - t0 < 1800:
        time.sleep(0.5)
        m, _ = wait_stable(server.metrics, LOG_METRICS, quiet_s=quiet_s)
    return m, time.monotonic() - t0


class LogsBench:
    def __init__(self, args):
        self.args = args
        self.cfg = dict(QUICK if args.quick else FULL)
        for key in ("store_lines", "ingest_lines", "ingest_runs", "query_reps"):
            if getattr(args, key, None):
                self.cfg[key] = getattr(args, key)
        self.build = os.path.abspath(args.build_dir)
        self.periscope = os.path.join(self.build, "apps/periscope/periscope")
        self.work = os.path.abspath(args.work_dir or os.path.join(self.build, "bench-work"))
        self.loghub = os.path.abspath(args.loghub_dir)
        self.results = {"mode": "quick" if args.quick else "full", "machine": machine_info(),
                        "config": self.cfg, "rows": {}, "commands": {}}

    def fresh_dir(self, name):
        path = os.path.join(self.work, name)
        shutil.rmtree(path, ignore_errors=True)
        return path

    def load_cmd(self, port, lines, time_base, extra=()):
        return [self.periscope, "load-logs", "--loghub-dir", self.loghub,
                "--total-lines", lines, "--batch", self.cfg["batch"], "--seed", 1,
                "--time-base-ns", time_base, "--line-interval-ns", LINE_INTERVAL_NS,
                *(("--target", "127.0.0.1:%d" % port, "--connections", self.cfg["connections"])
                  if port else ()), *extra]

    def load(self, server, lines, time_base):
        cmd = self.load_cmd(server.ports["otlp_http"], lines, time_base)
        la = loadavg()
        cpu0 = server.cpu_seconds()
        rc, text, gen_cpu, gen_wall = run_pinned(cmd, os.path.join(self.work, "load-logs.out"))
        server_cpu = server.cpu_seconds() - cpu0
        m = LOAD_LINE.search(text)
        if rc != 0 or m is None:
            raise RuntimeError("load-logs failed (rc %d): %s" % (rc, text.strip()[-500:]))
        r = {k: float(v) for k, v in m.groupdict().items()}
        metrics = server.metrics()
        return {
            "lines": int(r["lines"]), "seconds": r["secs"], "lines_per_s": r["rate"],
            "failed": r["failed"], "p50_ms": r["p50"], "p99_ms": r["p99"],
            "wire_bytes_per_line": r["bpl"], "server_cpu_s": server_cpu,
            "server_core_busy": server_cpu / r["secs"] if r["secs"] else 0,
            "lines_per_server_cpu_s": r["lines"] / server_cpu if server_cpu else 0,
            "generator_core_busy": gen_cpu / gen_wall if gen_wall else 0,
            "wal_fsyncs": metrics.get("periscope_wal_fsyncs_total", 0),
            "received": metrics.get("periscope_logs_received_total", 0),
            **{k: metrics.get(k, 0) for k in LOG_METRICS},
            "peak_rss_mib": server.peak_rss_mib(), "loadavg": la, "load_line": m.group(0),
        }, cmd

    # ---- the same lines as text: size raw and zstd -3 ----
    def text_file(self, lines, time_base):
        path = os.path.join(self.work, "logs.txt")
        cmd = self.load_cmd(0, lines, time_base, ("--text-out", path))
        rc, text, _, wall = run_pinned(cmd, os.path.join(self.work, "text.out"))
        if rc != 0:
            raise RuntimeError("load-logs --text-out failed: %s" % text[-500:])
        raw = os.path.getsize(path)
        zcmd = ["taskset", "-c", CLIENT_CORE, "zstd", "-3", "-T1", "-q", "-f", path, "-o",
                path + ".zst"]
        t0 = time.monotonic()
        subprocess.run(zcmd, check=True)
        zstd_s = time.monotonic() - t0
        z = os.path.getsize(path + ".zst")
        os.remove(path + ".zst")
        row = {"lines": lines, "raw_bytes": raw, "raw_bytes_per_line": raw / lines,
               "zstd3_bytes": z, "zstd3_bytes_per_line": z / lines, "zstd3_seconds": zstd_s,
               "generate_seconds": wall}
        self.results["rows"]["text"] = row
        self.results["commands"]["text"] = [command_str(cmd), command_str(zcmd)]
        log("text: %d lines, %.1f B/line raw, %.1f B/line zstd -3 (%.1f s)" % (
            lines, row["raw_bytes_per_line"], row["zstd3_bytes_per_line"], zstd_s))
        return path

    # ---- durable ingest on one core ----
    def ingest_run(self, periscope, name):
        """One durable ingest into a fresh store: receive-only figures from the server's CPU
        around the load, whole-process figures from its rusage after SIGTERM (start-up, receive
        and the flush of the memtable to a part at shutdown; no merge runs on one part)."""
        n = self.cfg["ingest_lines"]
        data = self.fresh_dir(name)
        log_path = data + ".log"
        log_start = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        server = Server(periscope, data, log_path, extra=self.args.server_args.split()).start()
        cpu_start = server.cpu_seconds()
        run, cmd = self.load(server, n, time.time_ns() - n * LINE_INTERVAL_NS)
        run["server_startup_cpu_s"] = cpu_start
        run["shutdown_s"] = server.stop()
        run["server_total_cpu_s"] = server.total_cpu_s
        run["lines_per_total_cpu_s"] = (run["lines"] / server.total_cpu_s
                                        if server.total_cpu_s else 0)
        run["shutdown_cpu_s"] = server.total_cpu_s - run["server_cpu_s"] - cpu_start
        # Receive plus the flush to a part and the exit, without the process start-up (opening the
        # store, the re-exec, listeners), which a long-running server pays once.
        ingest_cpu = server.total_cpu_s - cpu_start
        run["lines_per_ingest_cpu_s"] = run["lines"] / ingest_cpu if ingest_cpu > 0 else 0
        # The flushing thread's own CPU for writing the part(s), as the server logs it.
        with open(log_path, errors="replace") as f:
            f.seek(log_start)
            run["part_write_cpu_s"] = sum(
                float(m.group(1)) for m in FLUSH_LINE.finditer(f.read())) / 1000
        run["loadavg_end"] = loadavg()
        shutil.rmtree(data, ignore_errors=True)
        return run, cmd

    def ingest(self):
        runs, compare_runs = [], []
        compare = self.args.compare_build
        compare_bin = os.path.join(os.path.abspath(compare), "apps/periscope/periscope") \
            if compare else None
        for i in range(self.cfg["ingest_runs"]):
            # With --compare-build, the other binary runs first in each round (interleaved).
            for label, binary, out in (("compare", compare_bin, compare_runs),
                                       ("this", self.periscope, runs)):
                if binary is None:
                    continue
                run, cmd = self.ingest_run(binary, "logs-ingest-%s-%d" % (label, i))
                out.append(run)
                log("ingest run %d (%s): %.0f lines/s (server core %.0f%% busy, %.0f lines/CPU-s "
                    "receiving, %.0f lines/CPU-s receiving + flush + exit, %.0f lines/CPU-s whole "
                    "process incl. start-up: %.2f s start-up + %.2f s receive + %.2f s shutdown "
                    "CPU of which %.2f s writing the part, "
                    "shutdown %.1f s; %d flushes, peak RSS %.0f MiB; generator core %.0f%% busy, "
                    "load %s .. %s)" % (
                        i + 1, label if compare else binary, run["lines_per_s"],
                        100 * run["server_core_busy"], run["lines_per_server_cpu_s"],
                        run["lines_per_ingest_cpu_s"], run["lines_per_total_cpu_s"],
                        run["server_startup_cpu_s"], run["server_cpu_s"], run["shutdown_cpu_s"],
                        run["part_write_cpu_s"],
                        run["shutdown_s"], run["periscope_log_flushes_total"],
                        run["peak_rss_mib"], 100 * run["generator_core_busy"], run["loadavg"],
                        run["loadavg_end"]))

        def summary(rs):
            return {"runs": rs, "median_lines_per_s": median([r["lines_per_s"] for r in rs]),
                    "median_lines_per_server_cpu_s": median(
                        [r["lines_per_server_cpu_s"] for r in rs]),
                    "median_lines_per_total_cpu_s": median(
                        [r["lines_per_total_cpu_s"] for r in rs]),
                    "median_lines_per_ingest_cpu_s": median(
                        [r["lines_per_ingest_cpu_s"] for r in rs])}
        self.results["rows"]["ingest"] = summary(runs)
        if compare_runs:
            self.results["rows"]["ingest_compare"] = summary(compare_runs)
            self.results["rows"]["ingest_compare"]["build"] = os.path.abspath(compare)
        for key in ("ingest_compare", "ingest"):
            if key in self.results["rows"]:
                r = self.results["rows"][key]
                log("ingest %s: median %.0f lines/s, %.0f lines per server CPU-s receiving, "
                    "%.0f receiving + flush + exit, %.0f whole process" % (
                        "(compare build)" if key == "ingest_compare" else "(this build)",
                        r["median_lines_per_s"], r["median_lines_per_server_cpu_s"],
                        r["median_lines_per_ingest_cpu_s"], r["median_lines_per_total_cpu_s"]))
        self.results["commands"]["ingest"] = [
            command_str(Server(self.periscope, "DATA", "LOG").cmd),
            "taskset -c %s %s" % (CLIENT_CORE, command_str(cmd))]

    # ---- the query store: size after shutdown and after merges settle ----
    def store(self, time_base):
        n = self.cfg["store_lines"]
        data = self.fresh_dir("logs-store")
        server = Server(self.periscope, data, data + ".log").start()
        load, cmd = self.load(server, n, time_base)
        log("store: %d lines at %.0f lines/s (%.0f per server CPU-s)" % (
            load["lines"], load["lines_per_s"], load["lines_per_server_cpu_s"]))
        load["shutdown_s"] = server.stop()
        size = {"after_shutdown": dir_bytes(data)[0]}
        server = Server(self.periscope, data, data + ".log").start()
        m, waited = wait_settled(server, quiet_s=5)
        server.stop()
        size["after_restart_merges_settled"] = dir_bytes(data)[0]
        size["settle_wait_s"] = waited
        size["parts_after_settle"] = m.get("periscope_log_parts", 0)
        size["merges_after_restart"] = m.get("periscope_log_merges_total", 0)
        stored = load["lines"]
        for k in ("after_shutdown", "after_restart_merges_settled"):
            size[k + "_bytes_per_line"] = size[k] / stored
        self.results["rows"]["store"] = {"load": load, "size": size, "lines": stored}
        self.results["commands"]["store"] = [
            "taskset -c %s %s" % (CLIENT_CORE, command_str(cmd)),
            "SIGTERM; du -sb DATA; restart; wait until periscope_log_parts/merges/flushes/"
            "memtable_rows are unchanged for 5 s; SIGTERM; du -sb DATA"]
        log("store size: %.1f B/line after shutdown, %.1f B/line after restart + merges "
            "(%d parts)" % (size["after_shutdown_bytes_per_line"],
                            size["after_restart_merges_settled_bytes_per_line"],
                            size["parts_after_settle"]))
        return data

    # ---- searches: ours vs rg over the text file ----
    def pick_needle(self, text_path, rng, pattern):
        """A varied id (a whole word matching `pattern`) of a line in the middle of the file that
        rg finds 1..50 times."""
        size = os.path.getsize(text_path)
        with open(text_path, "rb") as f:
            for _ in range(50):
                f.seek(rng.randrange(size // 4, 3 * size // 4))
                f.readline()
                line = f.readline().decode(errors="replace")
                body = re.sub(r"^trace_id=\S+ span_id=\S+ ", "", line.split(" ", 2)[-1])
                for tok in re.findall(pattern, body):
                    out = subprocess.run(["rg", "-c", "-w", tok, text_path], capture_output=True,
                                         text=True)
                    count = int(out.stdout.strip() or 0)
                    if 1 <= count <= 50:
                        return tok
        raise RuntimeError("no rare token found in %s" % text_path)

    def queries(self, data, text_path, time_base):
        rng = random.Random(11)
        # Block blooms hold every token (format 2, docs/storage-format.md): a numeric needle and
        # a hex id are both pruned by them.
        needle = self.pick_needle(text_path, rng, r"(?<![A-Za-z0-9_])[0-9]{9,}(?![A-Za-z0-9_])")
        hex_needle = self.pick_needle(
            text_path, rng,
            r"(?<![A-Za-z0-9_])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,}(?![A-Za-z0-9_])")
        n = self.results["rows"]["store"]["lines"]
        start, end = time_base, time_base + n * LINE_INTERVAL_NS + 1_000_000_000
        cases = [
            ("rare number", needle, ["-w", "-i", needle]),
            ("rare hex id", hex_needle, ["-w", "-i", hex_needle]),
            ("common word", "INFO", ["-w", "-i", "INFO"]),
            ("phrase", '"authentication failure"', ["-F", "-i", "authentication failure"]),
            ("field + word", "service:openssh invalid",
             ["-i", r"^\S+ openssh .*\binvalid\b"]),
            ("negation", "service:hdfs -INFO", ["-P", "-i", r"^\S+ hdfs (?!.*\binfo\b)"]),
        ]
        server = Server(self.periscope, data, data + ".log").start()
        wait_settled(server, quiet_s=3)
        reps = self.cfg["query_reps"]
        out = []
        for label, q, rg_args in cases:
            def paths(rep):
                # The histogram endpoint keeps answers for 5 s by start/end rounded to 5 s: each
                # repetition moves `end` 6 s further past the data, so none is served from it.
                qs = urllib.parse.urlencode({"q": q, "start": start,
                                             "end": end + rep * 6_000_000_000})
                return "/api/logs?%s&limit=100" % qs, "/api/logs/histogram?%s" % qs
            page_path, hist_path = paths(0)
            row = {"label": label, "q": q, "rg": rg_args, "loadavg": loadavg()}

            def ours(which, count_fn):
                server.get(paths(0)[which])  # warm-up
                lat, cpu0, result = [], server.cpu_seconds(), None
                for rep in range(reps):
                    path = paths(rep + 1)[which]
                    status, body, secs = server.get(path)
                    if status != 200:
                        raise RuntimeError("%s -> %d %s" % (path, status, body[:200]))
                    lat.append(secs * 1000)
                    result = count_fn(json.loads(body))
                return {"p50_ms": percentile(lat, 50), "max_ms": max(lat),
                        "server_cpu_ms": (server.cpu_seconds() - cpu0) * 1000 / reps,
                        "result": result}

            def rg(args):
                cmd = ["taskset", "-c", CLIENT_CORE, "rg", *args, text_path]
                subprocess.run(cmd, capture_output=True)  # warm-up
                lat, result = [], None
                for _ in range(reps):
                    t0 = time.perf_counter()
                    p = subprocess.run(cmd, capture_output=True)
                    lat.append((time.perf_counter() - t0) * 1000)
                    if p.returncode not in (0, 1):
                        raise RuntimeError("rg failed: %s" % p.stderr[:300])
                    result = p.stdout
                return {"p50_ms": percentile(lat, 50), "max_ms": max(lat), "out": result,
                        "command": command_str(cmd)}

            row["ours_first_page"] = ours(0, lambda j: len(j["logs"]))
            row["ours_count"] = ours(1, lambda j: sum(
                sum(b["counts"].values()) for b in j["buckets"]))
            first = rg(["-m", "100", *rg_args])
            row["rg_first_page"] = {k: v for k, v in first.items() if k != "out"}
            row["rg_first_page"]["result"] = first["out"].count(b"\n")
            count = rg(["-c", *rg_args])
            row["rg_count"] = {k: v for k, v in count.items() if k != "out"}
            row["rg_count"]["result"] = int(count["out"].strip() or 0)
            row["paths"] = [page_path, hist_path]
            out.append(row)
            log("query %-13s %-30s first page %.1f ms (rg -m 100 %.1f ms); count %.1f ms = %d "
                "(rg -c %.1f ms = %d)" % (
                    label, q, row["ours_first_page"]["p50_ms"], row["rg_first_page"]["p50_ms"],
                    row["ours_count"]["p50_ms"], row["ours_count"]["result"],
                    row["rg_count"]["p50_ms"], row["rg_count"]["result"]))
        server.stop()
        self.results["rows"]["queries"] = out

    def rerun_queries(self):
        """The searches again, against the store and text file an earlier --keep run left."""
        with open(os.path.join(self.args.results_dir, "logs.json")) as f:
            earlier = json.load(f)
        machine = self.results["machine"]
        self.results = earlier
        self.results["machine"] = machine
        data = os.path.join(self.work, "logs-store")
        self.queries(data, os.path.join(self.work, "logs.txt"), earlier["time_base_ns"])
        machine["loadavg_end"] = loadavg()
        write_results(self.results, self.args.results_dir)

    def run(self):
        if self.args.queries_only:
            return self.rerun_queries()
        os.makedirs(self.work, exist_ok=True)
        m = self.results["machine"]
        log("machine: %d x %s, load %s, mode %s" % (m["nproc"], m["cpu_model"],
                                                   m["loadavg_start"], self.results["mode"]))
        n = self.cfg["store_lines"]
        time_base = time.time_ns() - n * LINE_INTERVAL_NS - 60 * 10**9
        self.results["time_base_ns"] = time_base
        if self.args.ingest_only:
            self.ingest()
            m["loadavg_end"] = loadavg()
            path = os.path.join(self.work, "logs-ingest.json")
            with open(path, "w") as f:
                json.dump(self.results, f, indent=1)
            log("wrote %s" % path)
            return
        text_path = self.text_file(n, time_base)
        self.ingest()
        data = self.store(time_base)
        self.queries(data, text_path, time_base)
        m["loadavg_end"] = loadavg()
        if not self.args.keep:
            shutil.rmtree(data, ignore_errors=True)
            os.remove(text_path)
        write_results(self.results, self.args.results_dir)


def fmt_rate(x):
    return "%.0fk" % (x / 1000) if x >= 10_000 else "%.0f" % x


def write_results(res, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "logs.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    rows, m = res["rows"], res["machine"]
    ing, store, text = rows["ingest"], rows["store"], rows["text"]
    size = store["size"]
    settled = size["after_restart_merges_settled_bytes_per_line"]
    lines = [
        "# Log benchmarks (%s mode)" % res["mode"], "",
        "Machine: %d x %s, %.1f GiB RAM, Linux %s; git %s; %s. Load average (1/5/15 min) at "
        "start %s, at end %s (the 2 cores are shared with other builds). Server pinned to core "
        "0, generator, rg and the query client to core 1." % (
            m["nproc"], m["cpu_model"], m["mem_gib"], m["kernel"], m["git"], m["date"],
            m["loadavg_start"], m.get("loadavg_end", "?")), "",
        "| workload | Periscope | peer | ratio | target |",
        "| --- | --- | --- | --- | --- |",
        "| durable ingest, OTLP/HTTP, 1 core, %s lines x %d runs (lines/s) | %s (%s per server "
        "CPU-s) | | | >= 300k: %s |" % (
            fmt_rate(res["config"]["ingest_lines"]), len(ing["runs"]),
            fmt_rate(ing["median_lines_per_s"]), fmt_rate(ing["median_lines_per_server_cpu_s"]),
            "met" if ing["median_lines_per_s"] >= 300_000 else "**missed** (%.2fx)" % (
                ing["median_lines_per_s"] / 300_000)),
        "| the same, server CPU from ready to exit: receive + the flush of the memtable to a part "
        "at shutdown (lines per server CPU-s) | %s | | | >= 300k: %s |" % (
            fmt_rate(ing.get("median_lines_per_ingest_cpu_s", 0)),
            "met" if ing.get("median_lines_per_ingest_cpu_s", 0) >= 300_000 else "**missed**"),
        "| the same, whole server process incl. start-up (lines per server CPU-s) | %s | | | |" % (
            fmt_rate(ing.get("median_lines_per_total_cpu_s", 0))),
        "| durable ingest into the %s-line store (lines/s) | %s (%s per server CPU-s) | | | |" % (
            fmt_rate(store["lines"]), fmt_rate(store["load"]["lines_per_s"]),
            fmt_rate(store["load"]["lines_per_server_cpu_s"])),
        "| bytes/line on disk after restart + merges settled (%s lines) | %.1f | raw text %.1f; "
        "zstd -3 %.1f | %.1fx smaller than raw; %.2fx zstd -3 | >= 12x smaller: %s |" % (
            fmt_rate(store["lines"]), settled, text["raw_bytes_per_line"],
            text["zstd3_bytes_per_line"], text["raw_bytes_per_line"] / settled,
            settled / text["zstd3_bytes_per_line"],
            "met" if text["raw_bytes_per_line"] / settled >= 12 else "**missed**"),
        "| bytes/line on disk after the clean shutdown that ended the load | %.1f | | %.1fx "
        "smaller than raw | |" % (size["after_shutdown_bytes_per_line"],
                                  text["raw_bytes_per_line"] / size["after_shutdown_bytes_per_line"]),
    ]
    for q in rows["queries"]:
        for kind, ours, rg, rg_name in (("first page (limit 100)", "ours_first_page",
                                         "rg_first_page", "rg -m 100"),
                                        ("count all", "ours_count", "rg_count", "rg -c")):
            o, r = q[ours], q[rg]
            lines.append(
                "| search %s `%s`, %s (ms, p50) | %.1f (%.1f ms server CPU; %d rows) | %s %.1f "
                "(%d) | %.2f | faster than rg: %s |" % (
                    q["label"], q["q"], kind, o["p50_ms"], o["server_cpu_ms"], o["result"],
                    rg_name, r["p50_ms"], r["result"], o["p50_ms"] / r["p50_ms"],
                    "met" if o["p50_ms"] < r["p50_ms"] else "**missed**"))
    lines += ["", "## Details", ""]
    for i, r in enumerate(ing["runs"]):
        lines.append("- ingest run %d (load %s): `%s`; server core %.0f%% busy, %.0f lines/server "
                     "CPU-s receiving, %.0f whole process (%.2f s shutdown CPU), generator "
                     "core %.0f%% busy, %d WAL fsyncs, %d flushes, %d merges, peak RSS %.0f MiB, "
                     "clean shutdown %.1f s" % (
                         i + 1, r["loadavg"], r["load_line"], 100 * r["server_core_busy"],
                         r["lines_per_server_cpu_s"], r.get("lines_per_total_cpu_s", 0),
                         r.get("shutdown_cpu_s", 0), 100 * r["generator_core_busy"],
                         r["wal_fsyncs"], r["periscope_log_flushes_total"],
                         r["periscope_log_merges_total"], r["peak_rss_mib"], r["shutdown_s"]))
    ld = store["load"]
    lines.append("- store load (load %s): `%s`; %d parts / %d merges at its end; peak RSS %.0f "
                 "MiB; clean shutdown %.1f s" % (ld["loadavg"], ld["load_line"],
                                                 ld["periscope_log_parts"],
                                                 ld["periscope_log_merges_total"],
                                                 ld["peak_rss_mib"], ld["shutdown_s"]))
    lines.append("- store size: %d B after the shutdown, %d B after restart + %.0f s settle (%d "
                 "parts, %d merges after restart); text %d B, zstd -3 %d B (%.1f s)" % (
                     size["after_shutdown"], size["after_restart_merges_settled"],
                     size["settle_wait_s"], size["parts_after_settle"],
                     size["merges_after_restart"], text["raw_bytes"], text["zstd3_bytes"],
                     text["zstd3_seconds"]))
    for q in rows["queries"]:
        lines.append("- `%s` (load %s): `GET %s`, `GET %s`; `%s`" % (
            q["q"], q["loadavg"], q["paths"][0], q["paths"][1],
            q["rg_count"]["command"]))
    lines += ["", "## Commands", ""]
    for key, cmds in sorted(res["commands"].items()):
        lines.append("- %s: `%s`" % (key, "` then `".join(cmds)))
    with open(os.path.join(out_dir, "logs.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--work-dir", default="")
    ap.add_argument("--results-dir",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    ap.add_argument("--loghub-dir", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "../../shared/data/loghub"))
    ap.add_argument("--quick", action="store_true")
    for key in ("store_lines", "ingest_lines", "ingest_runs", "query_reps"):
        ap.add_argument("--" + key.replace("_", "-"), type=int, default=0,
                        help="override the mode's %s" % key)
    ap.add_argument("--ingest-only", action="store_true",
                    help="run only the ingest part; results go to WORK_DIR/logs-ingest.json")
    ap.add_argument("--compare-build", default="",
                    help="another build directory whose binary runs interleaved with this one's "
                    "in the ingest part (before/after comparisons on the same machine state)")
    ap.add_argument("--keep", action="store_true", help="keep the store and the text file")
    ap.add_argument("--server-args", default="",
                    help="extra flags for the ingest servers, e.g. '--memtable-mib 16' for a "
                    "steady state with several flushes during the load")
    ap.add_argument("--queries-only", action="store_true",
                    help="rerun only the searches, against the store and text file that an "
                    "earlier --keep run with the same --work-dir and --results-dir left")
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite logs.md from an existing logs.json")
    args = ap.parse_args()
    if args.render_only:
        with open(os.path.join(args.results_dir, "logs.json")) as f:
            write_results(json.load(f), args.results_dir)
        return 0
    os.sched_setaffinity(0, {int(CLIENT_CORE)})
    LogsBench(args).run()
    if not args.ingest_only:
        log("wrote %s/logs.md and logs.json" % args.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
