// Starts the example shop as four processes (inventory, payment, checkout, frontend) on
// 127.0.0.1 with OS-chosen ports passed along through port files; used by the integration tests
// and runnable by hand:
//
//   node examples/shop/launch.mjs build/examples/shop/shop http://127.0.0.1:4318
//
// prints the frontend URL and runs until Ctrl-C. Every wait is bounded; every child is killed
// when this process exits.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

// The shop binary: $PERISCOPE_SHOP, else examples/shop/shop in the build tree of the periscope
// binary ($PERISCOPE_BIN = <build>/apps/periscope/periscope).
export function shopBinaryPath() {
  if (process.env.PERISCOPE_SHOP) return process.env.PERISCOPE_SHOP;
  const bin = process.env.PERISCOPE_BIN ?? '';
  return join(bin, '..', '..', '..', 'examples', 'shop', 'shop');
}

class Role {
  constructor(name, child, dir) {
    this.name = name;
    this.child = child;
    this.dir = dir;
    this.exit = null;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => { live.delete(child); this.exit = { code, signal }; resolve(this.exit); });
      child.on('error', (error) => { live.delete(child); this.exit = { code: null, error }; resolve(this.exit); });
    });
  }
  get stderrPath() { return join(this.dir, `${this.name}.log`); }
  stderr() {
    try { return readFileSync(this.stderrPath, 'utf8'); } catch { return '(no stderr)'; }
  }
  // SIGTERM, then SIGKILL after timeoutMs. Resolves {code, signal, clean}.
  async stop(timeoutMs = 8000) {
    if (!this.exit) {
      this.child.kill('SIGTERM');
      const done = await Promise.race([this.exited, sleep(timeoutMs, null, { ref: false })]);
      if (!done) {
        this.child.kill('SIGKILL');
        await this.exited;
        return { ...this.exit, clean: false };
      }
    }
    return { ...this.exit, clean: this.exit.code === 0 };
  }
}

async function startRole(exe, dir, name, args, env, timeoutMs) {
  const portFile = join(dir, `${name}.port`);
  const fd = openSync(join(dir, `${name}.log`), 'w');
  const child = spawn(exe, [name, '--port-file', portFile, ...args],
    { stdio: ['ignore', fd, fd], env: { ...env, OTEL_SERVICE_NAME: name } });
  closeSync(fd);
  live.add(child);
  const role = new Role(name, child, dir);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (role.exit) throw new Error(`${name} exited during start-up ${JSON.stringify(role.exit)}:\n${role.stderr()}`);
    if (existsSync(portFile)) {
      const port = Number(readFileSync(portFile, 'utf8').trim());
      if (port > 0) {
        role.port = port;
        return role;
      }
    }
    await sleep(20);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} wrote no port file within ${timeoutMs} ms:\n${role.stderr()}`);
}

// Starts the four roles exporting spans over OTLP/HTTP to otlpHttpUrl. Resolves
// {frontendUrl, roles: {inventory, payment, checkout, frontend}, stop(), dir}; stop() resolves
// the exit of each role by name.
export async function startShop({ exe = shopBinaryPath(), otlpHttpUrl, extraEnv = {}, timeoutMs = 10000 }) {
  if (!existsSync(exe)) throw new Error(`shop binary not built (${exe})`);
  const dir = mkdtempSync(join(tmpdir(), 'periscope-shop-'));
  const env = {
    PATH: process.env.PATH,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttpUrl,
    OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=example',
    ...extraEnv,
  };
  const roles = {};
  const stop = async () => {
    const exits = {};
    // Front to back, so no process is left calling a stopped one.
    for (const name of ['frontend', 'checkout', 'payment', 'inventory']) {
      if (roles[name]) exits[name] = await roles[name].stop();
    }
    rmSync(dir, { recursive: true, force: true });
    return exits;
  };
  try {
    roles.inventory = await startRole(exe, dir, 'inventory', [], env, timeoutMs);
    roles.payment = await startRole(exe, dir, 'payment', [], env, timeoutMs);
    roles.checkout = await startRole(exe, dir, 'checkout',
      ['--inventory-port', String(roles.inventory.port), '--payment-port', String(roles.payment.port)],
      env, timeoutMs);
    roles.frontend = await startRole(exe, dir, 'frontend',
      ['--checkout-port', String(roles.checkout.port)], env, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { frontendUrl: `http://127.0.0.1:${roles.frontend.port}`, roles, stop, dir };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [exe, otlp] = process.argv.slice(2);
  if (!exe || !otlp) {
    console.error('usage: node examples/shop/launch.mjs <shop binary> <OTLP/HTTP base URL>');
    process.exit(2);
  }
  const shop = await startShop({ exe, otlpHttpUrl: otlp });
  console.log(`shop frontend: ${shop.frontendUrl}/checkout?item=book&qty=2 ` +
    `(card=decline fails in payment); Ctrl-C stops`);
  const onSignal = async () => { await shop.stop(); process.exit(0); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
