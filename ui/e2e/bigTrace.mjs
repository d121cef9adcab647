// A synthetic large trace for the browser tests.
import { randomBytes } from 'node:crypto';
import { eventually } from './harness.mjs';

// An OTLP/JSON request with one trace of `n` spans over 5 services, fanout 10, breadth first.
export function bigTraceRequest(traceId, n) {
  const startNs = BigInt(Date.now() - 60000) * 1000000n;
  const ids = Array.from({ length: n }, () => randomBytes(8).toString('hex'));
  const bounds = [[0, 2_000_000_000]];
  const byService = new Map();
  for (let i = 0; i < n; i++) {
    let s = 0;
    let e = 2_000_000_000;
    if (i > 0) {
      const p = Math.floor((i - 1) / 10);
      const [ps, pe] = bounds[p];
      const w = (pe - ps) / 10;
      s = ps + ((i - 1) % 10) * w;
      e = s + w * 0.9;
      bounds.push([s, e]);
    }
    const service = `big-${i % 5}`;
    if (!byService.has(service)) byService.set(service, []);
    byService.get(service).push({
      traceId,
      spanId: ids[i],
      parentSpanId: i > 0 ? ids[Math.floor((i - 1) / 10)] : '',
      name: i === 0 ? 'GET /big' : `step ${i}`,
      kind: i === 0 ? 2 : 1,
      startTimeUnixNano: String(startNs + BigInt(Math.round(s))),
      endTimeUnixNano: String(startNs + BigInt(Math.round(e))),
      attributes: [{ key: 'step', value: { intValue: String(i) } }],
      status: i % 500 === 7 ? { code: 2, message: 'failed step' } : {},
    });
  }
  return {
    resourceSpans: [...byService].map(([service, spans]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ scope: { name: 'e2e' }, spans }],
    })),
  };
}

// Sends a trace of `n` spans to the server at baseUrl over OTLP/JSON and waits until all of them
// are stored; resolves the trace id.
export async function storeBigTrace(baseUrl, n) {
  const traceId = randomBytes(16).toString('hex');
  const res = await fetch(`${baseUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(bigTraceRequest(traceId, n)),
  });
  if (res.status !== 200) throw new Error(`POST /v1/traces: ${res.status} ${await res.text()}`);
  await eventually(async () => {
    const r = await fetch(`${baseUrl}/api/traces/${traceId}`);
    return r.ok && (await r.json()).spans.length === n;
  }, { timeoutMs: 30000, what: `${n} spans stored` });
  return traceId;
}
