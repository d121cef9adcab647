#!/usr/bin/env python3
"""Metric benchmarks of `make bench` (see /work/shared/BENCHMARKS.md "Metrics", docs/benchmarks.md).

    metrics_bench.py --build-dir build [--work-dir DIR] [--results-dir bench/results] [--quick]

The same remote-write stream (`periscope load-metrics`: node_exporter-like series, 10 s interval,
500 series x 10 samples per snappy request, seeded, timestamps in the past hour(s)) is sent to
Periscope and to VictoriaMetrics (/usr/bin/victoria-metrics), one after the other, each pinned to
core 0 with the generator on core 1: samples/s, samples per server CPU-s, bytes per sample on disk
(Periscope: data dir after a clean shutdown; VictoriaMetrics: after /internal/force_flush and
/internal/force_merge, stopped), and `sum by (instance) (rate(node_cpu_seconds_total[5m]))` over
the hour on both query_range APIs. Writes metrics.json and metrics.md. Stdlib only.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse

from benchlib import (CLIENT_CORE, SERVER_CORE, Server, command_str, dir_bytes, free_port,
                      keepalive_get, loadavg, machine_info, make_log, median, percentile, proc_cpu_seconds,
                      run_pinned, wait_stable)

log = make_log("metrics_bench")

LOAD_LINE = re.compile(
    r"(?P<samples>\d+) samples acked in (?P<secs>[\d.]+) s = (?P<rate>[\d.]+) samples/s; "
    r"requests ok (?P<ok>\d+) failed (?P<failed>\d+); (?P<mb>[\d.]+) MB sent "
    r"\((?P<bps>\d+) B/sample\); latency p50 (?P<p50>[\d.]+) ms p99 (?P<p99>[\d.]+) ms")

QUICK = {"runs": 1, "series": 2_000, "scrapes": 360, "connections": 4, "query_reps": 3}
FULL = {"runs": 3, "series": 10_000, "scrapes": 360, "connections": 4, "query_reps": 10}
INTERVAL_MS = 10_000
QUERY = "sum by (instance) (rate(node_cpu_seconds_total[5m]))"
VM_BIN = "/usr/bin/victoria-metrics"


class VictoriaMetrics:
    """A single-node VictoriaMetrics pinned to SERVER_CORE, with one keep-alive HTTP client."""

    def __init__(self, data_dir, log_path):
        self.data_dir, self.log_path = data_dir, log_path
        self.port = free_port()
        self.cmd = ["taskset", "-c", SERVER_CORE, VM_BIN, "-httpListenAddr",
                    "127.0.0.1:%d" % self.port, "-storageDataPath", data_dir,
                    "-retentionPeriod", "100y", "-search.disableCache"]
        self.proc = self.conn = None
        self.total_cpu_s = 0.0

    def start(self, timeout=60):
        self.log_file = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.cmd, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("victoria-metrics exited; see %s" % self.log_path)
            try:
                if self.get("/health")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("victoria-metrics not ready; see %s" % self.log_path)

    def get(self, path, timeout=300):
        return keepalive_get(self, self.port, path, timeout)

    def metrics(self):
        status, body, _ = self.get("/metrics")
        out = {}
        for line in body.decode().splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                try:
                    out[name] = out.get(name, 0) + float(value)
                except ValueError:
                    pass
        return out

    def active_merges(self):
        return {"active": sum(v for k, v in self.metrics().items()
                              if k.startswith("vm_active_merges"))}

    def cpu_seconds(self):
        return proc_cpu_seconds(self.proc.pid)

    def stop(self, timeout=120):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        _, status, rusage = os.wait4(self.proc.pid, 0)
        self.total_cpu_s = rusage.ru_utime + rusage.ru_stime
        self.log_file.close()
        self.proc = None
        return time.monotonic() - t0


class MetricsBench:
    def __init__(self, args):
        self.args = args
        self.cfg = dict(QUICK if args.quick else FULL)
        self.build = os.path.abspath(args.build_dir)
        self.periscope = os.path.join(self.build, "apps/periscope/periscope")
        self.work = os.path.abspath(args.work_dir or os.path.join(self.build, "bench-work"))
        self.results = {"mode": "quick" if args.quick else "full", "machine": machine_info(),
                        "config": self.cfg, "rows": {}, "commands": {}}
        # One start time for every run and both stores, so every run sends the same bytes.
        self.start_ms = (time.time_ns() // 1_000_000 - self.cfg["scrapes"] * INTERVAL_MS
                         - 120_000)

    def fresh_dir(self, name):
        path = os.path.join(self.work, name)
        shutil.rmtree(path, ignore_errors=True)
        return path

    def load(self, server, port, path):
        cmd = [self.periscope, "load-metrics", "--target", "127.0.0.1:%d" % port, "--path", path,
               "--connections", self.cfg["connections"], "--series", self.cfg["series"],
               "--scrapes", self.cfg["scrapes"], "--interval-ms", INTERVAL_MS,
               "--start-ms", self.start_ms, "--seed", 1]
        la = loadavg()
        cpu0 = server.cpu_seconds()
        rc, text, gen_cpu, gen_wall = run_pinned(cmd, os.path.join(self.work, "load-metrics.out"))
        server_cpu = server.cpu_seconds() - cpu0
        m = LOAD_LINE.search(text)
        if rc != 0 or m is None:
            raise RuntimeError("load-metrics failed (rc %d): %s" % (rc, text.strip()[-500:]))
        r = {k: float(v) for k, v in m.groupdict().items()}
        return {"samples": int(r["samples"]), "seconds": r["secs"], "samples_per_s": r["rate"],
                "failed": r["failed"], "p50_ms": r["p50"], "p99_ms": r["p99"],
                "wire_bytes_per_sample": float(r["mb"]) * 1e6 / r["samples"],
                "server_cpu_s": server_cpu,
                "samples_per_server_cpu_s": r["samples"] / server_cpu if server_cpu else 0,
                "server_core_busy": server_cpu / r["secs"] if r["secs"] else 0,
                "generator_send_core_busy": gen_cpu / gen_wall if gen_wall else 0,
                "loadavg": la, "load_line": m.group(0),
                "build_line": text.splitlines()[0] if text else ""}, cmd

    def query(self, get, path_prefix):
        start = self.start_ms // 1000 + 300
        end = start + 3600
        qs = urllib.parse.urlencode({"query": QUERY, "start": start, "end": end, "step": 60})
        path = "%s/api/v1/query_range?%s" % (path_prefix, qs)
        status, body, _ = get(path)  # warm-up
        if status != 200:
            raise RuntimeError("%s -> %d %s" % (path, status, body[:300]))
        lat = []
        for _ in range(self.cfg["query_reps"]):
            status, body, secs = get(path)
            lat.append(secs * 1000)
        result = json.loads(body)["data"]["result"]
        values = [float(v[1]) for s in result for v in s["values"]]
        return {"p50_ms": percentile(lat, 50), "max_ms": max(lat), "series": len(result),
                "points": len(values), "mean": sum(values) / len(values) if values else 0,
                "path": path}

    def periscope_run(self, i, last):
        data = self.fresh_dir("metrics-periscope-%d" % i)
        server = Server(self.periscope, data, data + ".log").start()
        run, cmd = self.load(server, server.ports["http"], "/api/v1/write")
        mt = server.metrics()
        run["received"] = mt.get("periscope_metric_samples_received_total", 0)
        run["peak_rss_mib"] = server.peak_rss_mib()
        run["shutdown_s"] = server.stop()
        run["dir_bytes_after_shutdown"] = dir_bytes(data)[0]
        run["bytes_per_sample"] = run["dir_bytes_after_shutdown"] / run["samples"]
        if last:
            server = Server(self.periscope, data, data + ".log").start()
            wait_stable(server.metrics, ("periscope_metric_samples_received_total",), quiet_s=2)
            cpu0 = server.cpu_seconds()
            run["query"] = self.query(server.get, "/prometheus")
            run["query"]["server_cpu_ms"] = ((server.cpu_seconds() - cpu0) * 1000
                                            / (self.cfg["query_reps"] + 1))
            server.stop()
            run["dir_bytes_after_restart"] = dir_bytes(data)[0]
        shutil.rmtree(data, ignore_errors=True)
        self.results["commands"]["periscope"] = [
            command_str(Server(self.periscope, "DATA", "LOG").cmd),
            "taskset -c %s %s" % (CLIENT_CORE, command_str(cmd)),
            "SIGTERM; du -sb DATA"]
        return run

    def vm_run(self, i, last):
        data = self.fresh_dir("metrics-vm-%d" % i)
        vm = VictoriaMetrics(data, data + ".log").start()
        run, cmd = self.load(vm, vm.port, "/api/v1/write")
        vm.get("/internal/force_flush")
        vm.get("/internal/force_merge")
        _, run["merge_wait_s"] = wait_stable(vm.active_merges, ("active",), quiet_s=3)
        mt = vm.metrics()
        run["rows_added"] = mt.get("vm_rows_added_to_storage_total", 0)
        if last:
            cpu0 = vm.cpu_seconds()
            run["query"] = self.query(vm.get, "")
            run["query"]["server_cpu_ms"] = ((vm.cpu_seconds() - cpu0) * 1000
                                            / (self.cfg["query_reps"] + 1))
        run["shutdown_s"] = vm.stop()
        run["dir_bytes_after_shutdown"] = dir_bytes(data)[0]
        run["bytes_per_sample"] = run["dir_bytes_after_shutdown"] / run["samples"]
        shutil.rmtree(data, ignore_errors=True)
        self.results["commands"]["victoria_metrics"] = [
            command_str(vm.cmd), "taskset -c %s %s" % (CLIENT_CORE, command_str(cmd)),
            "GET /internal/force_flush; GET /internal/force_merge; wait until vm_active_merges "
            "is 0 for 3 s; SIGTERM; du -sb DATA"]
        return run

    def run(self):
        os.makedirs(self.work, exist_ok=True)
        m = self.results["machine"]
        log("machine: %d x %s, load %s, mode %s" % (m["nproc"], m["cpu_model"],
                                                   m["loadavg_start"], self.results["mode"]))
        out = {"periscope": [], "vm": []}
        n = self.cfg["runs"]
        for i in range(n):
            for name, fn in (("periscope", self.periscope_run), ("vm", self.vm_run)):
                r = fn(i, i == n - 1)
                out[name].append(r)
                log("%s run %d: %.0f samples/s (%.0f per server CPU-s, server core %.0f%% busy), "
                    "%.2f B/sample on disk, load %s" % (
                        name, i + 1, r["samples_per_s"], r["samples_per_server_cpu_s"],
                        100 * r["server_core_busy"], r["bytes_per_sample"], r["loadavg"]))
                if "query" in r:
                    log("%s query: p50 %.1f ms, %d series, mean %.4f" % (
                        name, r["query"]["p50_ms"], r["query"]["series"], r["query"]["mean"]))
        for name in out:
            runs = out[name]
            self.results["rows"][name] = {
                "runs": runs,
                "median_samples_per_s": median([r["samples_per_s"] for r in runs]),
                "median_samples_per_server_cpu_s": median(
                    [r["samples_per_server_cpu_s"] for r in runs]),
                "median_bytes_per_sample": median([r["bytes_per_sample"] for r in runs])}
        m["loadavg_end"] = loadavg()
        write_results(self.results, self.args.results_dir)


def fmt_rate(x):
    return "%.0fk" % (x / 1000) if x >= 10_000 else "%.0f" % x


def write_results(res, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    p, v, m, cfg = res["rows"]["periscope"], res["rows"]["vm"], res["machine"], res["config"]
    samples = p["runs"][0]["samples"]
    pq, vq = p["runs"][-1]["query"], v["runs"][-1]["query"]
    lines = [
        "# Metric benchmarks (%s mode)" % res["mode"], "",
        "Machine: %d x %s, %.1f GiB RAM, Linux %s; git %s; %s. Load average (1/5/15 min) at "
        "start %s, at end %s (the 2 cores are shared with other builds). Server (Periscope or "
        "VictoriaMetrics) pinned to core 0, generator and query client to core 1. %d series x "
        "%d scrapes (10 s) = %d samples per run, remote write 1.0, 500 series x 10 samples per "
        "request, %d connections; medians of %d runs." % (
            m["nproc"], m["cpu_model"], m["mem_gib"], m["kernel"], m["git"], m["date"],
            m["loadavg_start"], m.get("loadavg_end", "?"), cfg["series"], cfg["scrapes"],
            samples, cfg["connections"], cfg["runs"]), "",
        "| workload | Periscope | VictoriaMetrics | ratio | target |",
        "| --- | --- | --- | --- | --- |",
        "| remote-write ingest, 1 core (samples/s) | %s | %s | %.2f | >= 1.0: %s |" % (
            fmt_rate(p["median_samples_per_s"]), fmt_rate(v["median_samples_per_s"]),
            p["median_samples_per_s"] / v["median_samples_per_s"],
            "met" if p["median_samples_per_s"] >= v["median_samples_per_s"] else "**missed**"),
        "| samples per server CPU-second | %s | %s | %.2f | |" % (
            fmt_rate(p["median_samples_per_server_cpu_s"]),
            fmt_rate(v["median_samples_per_server_cpu_s"]),
            p["median_samples_per_server_cpu_s"] / v["median_samples_per_server_cpu_s"]),
        "| bytes/sample on disk | %.2f | %.2f | %.2f | <= 1.5: %s |" % (
            p["median_bytes_per_sample"], v["median_bytes_per_sample"],
            p["median_bytes_per_sample"] / v["median_bytes_per_sample"],
            "met" if p["median_bytes_per_sample"] <= 1.5 * v["median_bytes_per_sample"]
            else "**missed**"),
        "| `%s`, 1 h, step 60 s (ms, p50) | %.1f (%d series, %.1f ms server CPU) | %.1f (%d "
        "series, %.1f ms server CPU) | %.2f | |" % (
            QUERY, pq["p50_ms"], pq["series"], pq["server_cpu_ms"], vq["p50_ms"], vq["series"],
            vq["server_cpu_ms"], pq["p50_ms"] / vq["p50_ms"]),
        "", "## Details", "",
        "- query results: Periscope %d series / %d points, mean %.4f; VictoriaMetrics %d series "
        "/ %d points, mean %.4f" % (pq["series"], pq["points"], pq["mean"], vq["series"],
                                    vq["points"], vq["mean"]),
    ]
    for name, rows in (("Periscope", p), ("VictoriaMetrics", v)):
        for i, r in enumerate(rows["runs"]):
            lines.append("- %s run %d (load %s): `%s`; server core %.0f%% busy, %.0f samples per "
                         "server CPU-s, generator core %.0f%% busy while sending, %d B on disk = "
                         "%.2f B/sample, shutdown %.1f s" % (
                             name, i + 1, r["loadavg"], r["load_line"],
                             100 * r["server_core_busy"], r["samples_per_server_cpu_s"],
                             100 * r["generator_send_core_busy"], r["dir_bytes_after_shutdown"],
                             r["bytes_per_sample"], r["shutdown_s"]))
    lines.append("- generator: %s" % p["runs"][0]["build_line"])
    lines += ["", "## Commands", ""]
    for key, cmds in sorted(res["commands"].items()):
        lines.append("- %s: `%s`" % (key, "` then `".join(cmds)))
    lines.append("- query: `GET %s` (Periscope, under /prometheus) and the same path on "
                 "VictoriaMetrics (started with -search.disableCache)" % pq["path"])
    with open(os.path.join(out_dir, "metrics.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--work-dir", default="")
    ap.add_argument("--results-dir",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite metrics.md from an existing metrics.json")
    args = ap.parse_args()
    if args.render_only:
        with open(os.path.join(args.results_dir, "metrics.json")) as f:
            write_results(json.load(f), args.results_dir)
        return 0
    if not os.access(VM_BIN, os.X_OK):
        print("metrics_bench: %s not found (apt-get install victoria-metrics)" % VM_BIN,
              file=sys.stderr)
        return 1
    os.sched_setaffinity(0, {int(CLIENT_CORE)})
    MetricsBench(args).run()
    log("wrote %s/metrics.md and metrics.json" % args.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
