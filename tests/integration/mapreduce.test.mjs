// The mapreduce example (examples/mapreduce) as separate processes: three `mapreduce worker`
// processes and one `mapreduce coordinator`, exporting spans over OTLP/HTTP to the real periscope
// binary. The word count over the Loghub samples must equal the single-process count, and the job
// must be one trace across the four processes, with the reducers' Fetch streams to the other
// workers in it. The binary is $PERISCOPE_MAPREDUCE, else examples/mapreduce/mapreduce in the
// build tree of $PERISCOPE_BIN.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../clients/lib/server.mjs';
import { getJson, pollUntil, waitForTrace } from '../clients/lib/http.mjs';

const LOGHUB_DIR = new URL('../../../shared/data/loghub/', import.meta.url).pathname;
const WORKERS = 3;

function mapreduceBinary() {
  if (process.env.PERISCOPE_MAPREDUCE) return process.env.PERISCOPE_MAPREDUCE;
  return join(process.env.PERISCOPE_BIN ?? '', '..', '..', '..', 'examples', 'mapreduce', 'mapreduce');
}

const children = new Set();
process.on('exit', () => {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  }
});

// Runs the binary with its output in dir/<name>.log; resolves {child, exited, log()}.
function run(dir, name, args, env) {
  const logPath = join(dir, `${name}.log`);
  const fd = openSync(logPath, 'w');
  const child = spawn(mapreduceBinary(), args, { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  children.add(child);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => { children.delete(child); resolve({ code, signal }); });
    child.on('error', (error) => { children.delete(child); resolve({ code: null, error }); });
  });
  return { child, exited, log: () => { try { return readFileSync(logPath, 'utf8'); } catch { return ''; } } };
}

async function startWorker(dir, index, env) {
  const name = `worker-${index}`;
  const portFile = join(dir, `${name}.port`);
  const proc = run(dir, name, ['worker', '--port-file', portFile],
    { ...env, OTEL_SERVICE_NAME: `mapreduce-worker-${index}` });
  let exited = null;
  proc.exited.then((e) => { exited = e; });
  await pollUntil(() => {
    if (exited) throw new Error(`${name} exited ${JSON.stringify(exited)}:\n${proc.log()}`);
    return existsSync(portFile) && Number(readFileSync(portFile, 'utf8').trim()) > 0;
  }, { timeoutMs: 10000, intervalMs: 20 });
  return { ...proc, name, port: Number(readFileSync(portFile, 'utf8').trim()) };
}

async function stop(proc, timeoutMs = 8000) {
  proc.child.kill('SIGTERM');
  const done = await Promise.race([proc.exited, sleep(timeoutMs, null, { ref: false })]);
  if (done) return done;
  proc.child.kill('SIGKILL');
  return { ...(await proc.exited), killed: true };
}

// Runs one coordinator job; resolves {code, output}.
async function runJob(dir, name, ports, env, extraArgs = []) {
  const proc = run(dir, name, ['coordinator', '--workers', ports.join(','), '--input', LOGHUB_DIR,
    '--chunk-bytes', String(128 * 1024), '--check', '1', '--top', '3', ...extraArgs],
  { ...env, OTEL_SERVICE_NAME: 'mapreduce-coordinator' });
  const exit = await Promise.race([proc.exited, sleep(60000, null, { ref: false })]);
  if (!exit) {
    proc.child.kill('SIGKILL');
    throw new Error(`${name} did not finish within 60 s:\n${proc.log()}`);
  }
  return { code: exit.code, output: proc.log() };
}

// The newest "wordcount job" trace of the coordinator with the given status, as stored.
async function findJobTrace(server, status) {
  let found;
  await pollUntil(async () => {
    const r = await getJson(`${server.httpUrl}/api/traces?service=mapreduce-coordinator` +
      `&name=${encodeURIComponent('wordcount job')}&status=${status}&limit=5`);
    found = r.body?.traces?.[0];
    return found !== undefined;
  }, { timeoutMs: 15000 });
  return found;
}

describe('example mapreduce: coordinator and workers as separate processes, one trace', {
  skip: existsSync(LOGHUB_DIR) ? false : `no Loghub samples at ${LOGHUB_DIR}`,
}, () => {
  let server;
  let dir;
  let env;
  const workers = [];
  before(async () => {
    assert.ok(existsSync(mapreduceBinary()), `mapreduce binary not built (${mapreduceBinary()})`);
    server = await startServer({ args: ['--flush-interval', '1s'] });
    dir = mkdtempSync(join(tmpdir(), 'periscope-mapreduce-'));
    env = {
      PATH: process.env.PATH,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: server.otlpHttpUrl,
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=example',
    };
    for (let i = 1; i <= WORKERS; ++i) workers.push(await startWorker(dir, i, env));
  });
  after(async () => {
    for (const w of workers) await stop(w);
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts the Loghub samples like one process, in one trace over four processes', async () => {
    const job = await runJob(dir, 'coordinator', workers.map((w) => w.port), env);
    assert.equal(job.code, 0, job.output);
    assert.match(job.output, /check: ok/);
    const [, files, mapTasks] = job.output.match(/files (\d+), map tasks (\d+)/) ?? [];
    assert.ok(Number(files) >= 10 && Number(mapTasks) > WORKERS, job.output);

    const summary = await findJobTrace(server, 'unset');
    // job span + per map task CLIENT+SERVER + per reducer CLIENT+SERVER + Fetch pairs.
    const minSpans = 1 + 2 * Number(mapTasks) + 2 * WORKERS + 2 * WORKERS * WORKERS;
    const trace = await waitForTrace(server.httpUrl, summary.trace_id, minSpans, { timeoutMs: 15000 });
    const spans = trace.body.spans;
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    const services = new Set(spans.map((s) => s.service));
    assert.deepEqual([...services].sort(), ['mapreduce-coordinator',
      ...workers.map((_, i) => `mapreduce-worker-${i + 1}`)].sort(), 'the trace spans every process');

    const roots = spans.filter((s) => s.parent_span_id === '');
    assert.equal(roots.length, 1);
    assert.equal(roots[0].name, 'wordcount job');
    assert.equal(roots[0].attributes['mapreduce.map_tasks'], Number(mapTasks));

    const servers = spans.filter((s) => s.kind === 'server');
    for (const s of servers) {
      const parent = byId.get(s.parent_span_id);
      assert.ok(parent, `${s.service} ${s.name}: its parent is in the trace`);
      assert.equal(parent.kind, 'client', `${s.service} ${s.name}: the parent is a CLIENT span`);
      if (s.name !== 'mapreduce.Worker/Fetch') {
        assert.notEqual(parent.service, s.service, `${s.name}: client and server are different processes`);
      }
      assert.equal(parent.name, s.name);
      assert.equal(s.attributes['rpc.system'], 'periscope');
    }
    const count = (name) => servers.filter((s) => s.name === name).length;
    assert.equal(count('mapreduce.Worker/Map'), Number(mapTasks), 'one SERVER span per map task');
    assert.equal(count('mapreduce.Worker/Reduce'), WORKERS, 'one reduce per partition');
    assert.equal(count('mapreduce.Worker/Fetch'), WORKERS * WORKERS,
      'every reducer streams its partition from every worker');
    // Fetch streams go from each reducer to every worker (itself included), as children of the
    // reducer's SERVER span.
    const fetches = servers.filter((s) => s.name === 'mapreduce.Worker/Fetch');
    const crossProcess = fetches.filter((s) => byId.get(s.parent_span_id).service !== s.service);
    assert.equal(crossProcess.length, WORKERS * (WORKERS - 1), 'worker-to-worker Fetch streams');
    for (const fetch of fetches) {
      const client = byId.get(fetch.parent_span_id);
      const reduce = byId.get(client.parent_span_id);
      assert.equal(reduce.name, 'mapreduce.Worker/Reduce');
      assert.equal(reduce.kind, 'server');
      assert.equal(reduce.service, client.service, 'the reducer makes the Fetch call');
      assert.match(client.service, /^mapreduce-worker-/);
    }
    for (const s of spans) assert.notEqual(s.status.code, 'error', `${s.service} ${s.name} failed`);
  });

  it('a worker killed before the job fails it with UNAVAILABLE, marked as an error in the trace', async () => {
    const victim = await startWorker(dir, WORKERS + 1, env);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const job = await runJob(dir, 'coordinator-failing', [...workers.map((w) => w.port), victim.port], env);
    assert.equal(job.code, 1, job.output);
    assert.match(job.output, /job failed: UNAVAILABLE/);

    const summary = await findJobTrace(server, 'error');
    const trace = await waitForTrace(server.httpUrl, summary.trace_id, 1, { timeoutMs: 15000 });
    const spans = trace.body.spans;
    const root = spans.find((s) => s.parent_span_id === '');
    assert.equal(root.name, 'wordcount job');
    assert.equal(root.status.code, 'error');
    assert.match(root.status.message, /UNAVAILABLE/);
    assert.match(root.status.message, new RegExp(`127\\.0\\.0\\.1:${victim.port}`),
      'the error names the dead worker');
    assert.ok(spans.every((s) => s.service !== `mapreduce-worker-${WORKERS + 1}`));
    // The live workers are unaffected: the same input still counts right afterwards.
    const again = await runJob(dir, 'coordinator-again', workers.map((w) => w.port), env);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /check: ok/);
  });
});
