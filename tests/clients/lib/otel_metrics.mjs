// Drives the real OpenTelemetry JS metrics SDK through a real OTLP metrics exporter (gRPC, HTTP
// protobuf, HTTP JSON), runs a real Prometheus that remote-writes to periscope, and builds
// hand-made OTLP/JSON metrics bodies.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import {
  AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { rawRequest } from './http.mjs';

export { ExportResultCode };

// The metrics exporter variants under test; `delta` asks for delta temporality.
export const METRIC_VARIANTS = [
  { name: 'grpc', protocol: 'grpc', target: 'otlp_grpc', gzip: false, delta: false },
  { name: 'proto-delta', protocol: 'proto', target: 'otlp_http', gzip: true, delta: true },
  { name: 'json-ui', protocol: 'json', target: 'http', gzip: false, delta: false },
];

// Wraps an exporter and records every export result.
class RecordingMetricExporter {
  constructor(inner) {
    this.inner = inner;
    this.results = [];
  }
  export(metrics, done) {
    this.inner.export(metrics, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  selectAggregationTemporality(kind) { return this.inner.selectAggregationTemporality(kind); }
  selectAggregation(kind) { return this.inner.selectAggregation?.(kind); }
  forceFlush() { return this.inner.forceFlush(); }
  shutdown() { return this.inner.shutdown(); }
}

export function makeMetricExporter(variant, server) {
  const opts = {
    compression: variant.gzip ? 'gzip' : 'none',
    timeoutMillis: 10000,
    temporalityPreference: variant.delta ? AggregationTemporalityPreference.DELTA
      : AggregationTemporalityPreference.CUMULATIVE,
  };
  if (variant.protocol === 'grpc') {
    return new GrpcMetricExporter({ ...opts, url: `http://${server.otlpGrpcAddr}` });
  }
  const base = variant.target === 'http' ? server.httpUrl : server.otlpHttpUrl;
  const o = { ...opts, url: `${base}/v1/metrics` };
  return variant.protocol === 'proto' ? new ProtoMetricExporter(o) : new JsonMetricExporter(o);
}

// A MeterProvider whose reader exports only when `collect()` is called. Returns
// {meter, collect, shutdown, results}.
export function meterFor(variant, server, resource) {
  const recorder = new RecordingMetricExporter(makeMetricExporter(variant, server));
  const reader = new PeriodicExportingMetricReader({
    exporter: recorder, exportIntervalMillis: 3600000, exportTimeoutMillis: 10000,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes(resource), readers: [reader],
  });
  return {
    meter: provider.getMeter('it-metrics', '1.0.0'),
    collect: () => reader.forceFlush(),
    shutdown: () => provider.shutdown(),
    results: recorder.results,
  };
}

// A free TCP port on loopback.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Starts the real Prometheus (/usr/bin/prometheus or $PROMETHEUS_BIN) on loopback, scraping its
// own /metrics every second and remote-writing to `writeUrl`. Returns {url, stop(), log()}.
export async function startPrometheus(writeUrl, { timeoutMs = 20000, metadataInterval = '1m' } = {}) {
  const bin = process.env.PROMETHEUS_BIN || '/usr/bin/prometheus';
  const dir = mkdtempSync(join(tmpdir(), 'periscope-prom-'));
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: prometheus',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${port}']`,
    'remote_write:',
    `  - url: ${writeUrl}`,
    '    queue_config:',
    '      batch_send_deadline: 500ms',
    '      min_backoff: 50ms',
    '      max_backoff: 500ms',
    '    metadata_config:',
    `      send_interval: ${metadataInterval}`,
    '',
  ].join('\n'));
  const logPath = join(dir, 'prometheus.log');
  const out = [];
  const child = spawn(bin, [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (c) => out.push(c));
  child.stderr.on('data', (c) => out.push(c));
  let exited = null;
  const exitPromise = new Promise((r) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    r(exited);
  }));
  process.on('exit', () => { try { child.kill('SIGKILL'); } catch { /* gone */ } });
  const log = () => Buffer.concat(out).toString('utf8').slice(-3000);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const done = await Promise.race([exitPromise, sleep(10000, null, { ref: false })]);
      if (!done) { child.kill('SIGKILL'); await exitPromise; }
    }
    writeFileSync(logPath, log());
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`prometheus exited (${JSON.stringify(exited)}):\n${log()}`);
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) return { url, stop, log };
    } catch { /* not up yet */ }
    await sleep(100);
  }
  await stop();
  throw new Error(`prometheus not ready after ${timeoutMs} ms:\n${log()}`);
}

const jsonAttrs = (obj) => Object.entries(obj).map(([key, v]) => ({
  key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: String(v) },
}));

// An OTLP/JSON ExportMetricsServiceRequest with one gauge `name` holding `points`
// ([{timeMs, value, attributes}]).
export function gaugeJsonBody({ resource, name, points }) {
  return {
    resourceMetrics: [{
      resource: { attributes: jsonAttrs(resource) },
      scopeMetrics: [{
        scope: { name: 'it' },
        metrics: [{
          name,
          gauge: {
            dataPoints: points.map((p) => ({
              timeUnixNano: String(BigInt(p.timeMs) * 1000000n),
              asDouble: p.value,
              attributes: jsonAttrs(p.attributes ?? {}),
            })),
          },
        }],
      }],
    }],
  };
}

// POSTs an OTLP/JSON metrics body to `<base>/v1/metrics`; returns {status, body, json}.
export async function postMetricsJson(baseUrl, obj) {
  const r = await rawRequest(`${baseUrl}/v1/metrics`, {
    headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(obj)),
  });
  try { r.json = JSON.parse(r.body.toString('utf8')); } catch { r.json = null; }
  return r;
}
