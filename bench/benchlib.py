"""Helpers shared by the `make bench` scripts (trace_bench.py, logs_bench.py, metrics_bench.py).

Process pinning, machine facts, CPU time and size accounting, percentiles, and `Server` (a
`periscope serve` pinned to SERVER_CORE with one keep-alive HTTP client). Stdlib only.
"""
import datetime
import http.client
import json
import os
import platform
import signal
import statistics
import subprocess
import time

SERVER_CORE = "0"
CLIENT_CORE = "1"


def make_log(name):
    """A logger printing "[name HH:MM:SS] msg"."""
    def log(msg):
        print("[%s %s] %s" % (name, time.strftime("%H:%M:%S"), msg), flush=True)
    return log


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine_info():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True,
                           cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    return {
        "nproc": os.cpu_count(), "cpu_model": model, "mem_gib": round(mem_kb / 2**20, 1),
        "kernel": platform.release(), "git": rev + ("+dirty" if dirty else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "loadavg_start": loadavg(),
    }


def proc_cpu_seconds(pid):
    """utime + stime of a process (all threads), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dir_bytes(path):
    """Apparent bytes and allocated bytes (st_blocks) of every file under path."""
    apparent = allocated = 0
    for root, _, files in os.walk(path):
        for name in files:
            st = os.stat(os.path.join(root, name))
            apparent += st.st_size
            allocated += st.st_blocks * 512
    return apparent, allocated


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def keepalive_get(owner, port, path, timeout):
    """(status, body bytes, seconds) of GET `path` on 127.0.0.1:port over `owner.conn`, a
    keep-alive connection opened on first use and reopened once when it broke."""
    for attempt in range(2):
        if owner.conn is None:
            owner.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            t0 = time.perf_counter()
            owner.conn.request("GET", path)
            resp = owner.conn.getresponse()
            body = resp.read()
            return resp.status, body, time.perf_counter() - t0
        except (http.client.HTTPException, OSError):
            owner.conn.close()
            owner.conn = None
            if attempt == 1:
                raise
    raise AssertionError("unreachable")


class Server:
    """A `periscope serve` (or `demo`) process pinned to SERVER_CORE."""

    def __init__(self, periscope, data_dir, log_path, mode="serve", extra=()):
        self.periscope, self.data_dir, self.log_path = periscope, data_dir, log_path
        self.ports_file = data_dir.rstrip("/") + ".ports.json"
        if os.path.exists(self.ports_file):
            os.remove(self.ports_file)
        self.cmd = ["taskset", "-c", SERVER_CORE, periscope, mode, "--data-dir", data_dir,
                    "--http-listen", "127.0.0.1:0", "--otlp-grpc-listen", "127.0.0.1:0",
                    "--otlp-http-listen", "127.0.0.1:0", "--dogstatsd-listen", "127.0.0.1:0",
                    "--ports-file", self.ports_file,
                    *extra]
        self.proc = None
        self.total_cpu_s = 0.0
        self.ports = None
        self.conn = None

    def start(self, timeout=120):
        self.log_file = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.cmd, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %d; see %s" % (self.proc.returncode,
                                                                       self.log_path))
            if os.path.exists(self.ports_file):
                with open(self.ports_file) as f:
                    self.ports = json.load(f)
                try:
                    if self.get("/readyz")[0] == 200:
                        return self
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError("server not ready within %ds; see %s" % (timeout, self.log_path))

    def get(self, path, timeout=120):
        """(status, body bytes, seconds) over one keep-alive connection."""
        return keepalive_get(self, self.ports["http"], path, timeout)

    def metrics(self):
        status, body, _ = self.get("/metrics")
        out = {}
        if status != 200:
            return out
        for line in body.decode().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, _, value = line.rpartition(" ")
            try:
                out[name] = float(value)
            except ValueError:
                pass
        return out

    def cpu_seconds(self):
        return proc_cpu_seconds(self.proc.pid)

    def peak_rss_mib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self, timeout=300):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc is None:
            return 0
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        deadline = t0 + timeout
        while True:
            pid, status, rusage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("server did not stop within %ds" % timeout)
            time.sleep(0.05)
        rc = self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.total_cpu_s = rusage.ru_utime + rusage.ru_stime
        self.log_file.close()
        self.proc = None
        if rc != 0:
            raise RuntimeError("server exited with %d on SIGTERM; see %s" % (rc, self.log_path))
        return time.monotonic() - t0


def command_str(cmd):
    return " ".join(str(c) for c in cmd)


def run_pinned(cmd, out_path, core=CLIENT_CORE):
    """Runs cmd under `taskset -c core`, output to out_path; returns (rc, output, cpu_s, wall_s)."""
    full = ["taskset", "-c", core, *[str(c) for c in cmd]]
    with open(out_path, "w") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(full, stdout=out, stderr=subprocess.STDOUT)
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
    with open(out_path) as f:
        text = f.read()
    return (os.waitstatus_to_exitcode(status), text, rusage.ru_utime + rusage.ru_stime, wall)


def wait_stable(read, keys, quiet_s=3.0, timeout_s=600.0, poll_s=0.5):
    """Polls read() (a dict of figures) until keys stay unchanged for quiet_s; returns the last
    dict and the seconds waited."""
    t0 = time.monotonic()
    last, since = None, time.monotonic()
    while True:
        cur = read()
        snap = tuple(cur.get(k) for k in keys)
        if snap != last:
            last, since = snap, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return cur, time.monotonic() - t0
        if time.monotonic() - t0 > timeout_s:
            return cur, time.monotonic() - t0
        time.sleep(poll_s)


def free_port():
    """A loopback TCP port that was free a moment ago (for peers without a ports file)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(values):
    return statistics.median(values) if values else float("nan")
