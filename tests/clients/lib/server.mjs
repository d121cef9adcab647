// Starts and stops the real periscope binary (path in $PERISCOPE_BIN) for integration tests.
// Every wait is bounded; every child is killed when the test process exits.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export function binaryPath() {
  const bin = process.env.PERISCOPE_BIN;
  if (!bin) throw new Error('PERISCOPE_BIN is not set (path of the periscope binary)');
  if (!existsSync(bin)) throw new Error(`PERISCOPE_BIN=${bin} does not exist`);
  return bin;
}

// Returns a fresh temporary directory (removed by Server.cleanup()).
export function freshDir(prefix = 'periscope-it-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// One running (or stopped) periscope process on a data directory.
export class Server {
  constructor({ dataDir, workDir, args, command = 'serve', env = {} }) {
    this.dataDir = dataDir;
    this.extraEnv = env;
    this.workDir = workDir;
    this.args = args;
    this.command = command;
    this.proc = null;
    this.ports = null;
    this.generation = 0;
    this.exit = null;
  }

  get stderrPath() { return join(this.workDir, `stderr.${this.generation}.log`); }
  get portsPath() { return join(this.workDir, 'ports.json'); }
  get httpUrl() { return `http://127.0.0.1:${this.ports.http}`; }
  get otlpHttpUrl() { return `http://127.0.0.1:${this.ports.otlp_http}`; }
  get otlpGrpcAddr() { return `127.0.0.1:${this.ports.otlp_grpc}`; }
  get pid() { return this.proc?.pid; }

  // Last `bytes` of this generation's stderr, for failure messages.
  stderrTail(bytes = 4000) {
    try {
      const text = readFileSync(this.stderrPath, 'utf8');
      return text.length > bytes ? '...' + text.slice(-bytes) : text;
    } catch {
      return '(no stderr)';
    }
  }

  // Starts the process and waits until ports.json exists and /readyz answers 200.
  async start({ timeoutMs = 20000 } = {}) {
    if (this.proc) throw new Error('server already running');
    this.generation += 1;
    rmSync(this.portsPath, { force: true });
    this.ports = null;
    this.exit = null;
    const fd = openSync(this.stderrPath, 'w');
    const argv = [this.command, '--data-dir', this.dataDir,
      '--http-listen', '127.0.0.1:0', '--otlp-grpc-listen', '127.0.0.1:0',
      '--otlp-http-listen', '127.0.0.1:0', '--dogstatsd-listen', '127.0.0.1:0',
      '--ports-file', this.portsPath, ...this.args];
    // Flags only: no PERISCOPE_* setting of the caller's environment leaks into the server (`env`
    // of the constructor aside).
    const env = Object.fromEntries(Object.entries(process.env)
      .filter(([k]) => !k.startsWith('PERISCOPE_')));
    Object.assign(env, this.extraEnv);
    const child = spawn(binaryPath(), argv, { stdio: ['ignore', fd, fd], env });
    closeSync(fd);
    this.proc = child;
    live.add(child);
    this.exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
      child.on('error', (err) => {
        live.delete(child);
        this.exit = { code: null, signal: null, error: err };
        resolve(this.exit);
      });
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) {
        this.proc = null;
        throw new Error(`periscope exited during start-up (${JSON.stringify(this.exit)}):\n` +
          this.stderrTail());
      }
      if (!this.ports) this.ports = readPorts(this.portsPath);
      if (this.ports) {
        try {
          const res = await fetch(`${this.httpUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
          await res.arrayBuffer();
          if (res.status === 200) return this;
        } catch { /* not listening yet */ }
      }
      await sleep(50);
    }
    const state = this.ports ? 'ports.json written but /readyz not 200' : 'no ports.json';
    await this.kill();
    throw new Error(`periscope not ready after ${timeoutMs} ms (${state}):\n${this.stderrTail()}`);
  }

  // SIGTERM, then SIGKILL if it has not exited after `timeoutMs`. Returns {code, signal, clean}.
  async stop({ timeoutMs = 15000 } = {}) {
    if (!this.proc) return this.exit;
    this.proc.kill('SIGTERM');
    const exited = await Promise.race([this.exitPromise,
      sleep(timeoutMs, null, { ref: false })]);
    if (!exited) {
      this.proc.kill('SIGKILL');
      await this.exitPromise;
      this.proc = null;
      return { ...this.exit, clean: false };
    }
    this.proc = null;
    return { ...this.exit, clean: this.exit.code === 0 };
  }

  // SIGKILL (a crash): nothing is flushed.
  async kill() {
    if (!this.proc) return this.exit;
    this.proc.kill('SIGKILL');
    await this.exitPromise;
    this.proc = null;
    return this.exit;
  }

  // Peak resident memory of the running process in KiB (Linux), or null.
  peakRssKiB() {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      return m ? Number(m[1]) : null;
    } catch {
      return null;
    }
  }

  // Stops the process if needed and removes the data and work directories.
  async cleanup() {
    await this.kill();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

function readPorts(path) {
  try {
    const ports = JSON.parse(readFileSync(path, 'utf8'));
    if (ports.http > 0 && ports.otlp_grpc > 0 && ports.otlp_http > 0) return ports;
  } catch { /* absent or partially written */ }
  return null;
}

// Starts periscope on a fresh data directory. `args` are extra flags, e.g. ['--flush-interval', '1s'];
// `command` is the subcommand (`serve`, or `demo` for the server with simulated shop traffic).
// `env`: variables added to the server's environment (the caller's PERISCOPE_* never are).
export async function startServer({ args = [], timeoutMs, command = 'serve', env = {} } = {}) {
  const workDir = freshDir();
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir);
  const server = new Server({ dataDir, workDir, args, command, env });
  await server.start({ timeoutMs });  // on failure the work dir stays, with the stderr log
  return server;
}
