// Live tail of logs over server-sent events: GET /api/logs/tail?q= delivers the rows acknowledged
// after the client connected, filtered by the search syntax, until the client goes away.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../clients/lib/server.mjs';
import { getJson } from '../clients/lib/http.mjs';

function otlpLogs(service, records) {
  return {
    resourceLogs: [{
      resource: { attributes: [
        { key: 'service.name', value: { stringValue: service } },
        { key: 'deployment.environment.name', value: { stringValue: 'prod' } }] },
      scopeLogs: [{ scope: { name: 'tail-test' }, logRecords: records.map(([body, severityNumber, traceId]) => ({
        timeUnixNano: String(BigInt(Date.now()) * 1000000n),
        severityNumber, severityText: severityNumber >= 17 ? 'ERROR' : 'INFO',
        body: { stringValue: body },
        ...(traceId ? { traceId, spanId: '00f067aa0ba902b7' } : {}),
      })) }],
    }],
  };
}

async function postLogs(server, body) {
  const res = await fetch(`${server.otlpHttpUrl}/v1/logs`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

// Reads SSE events from `url` until `count` data events arrived or `timeoutMs` passed.
async function readEvents(url, { count, timeoutMs = 10000, onOpen }) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(url, { signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  const events = [];
  const decoder = new TextDecoder();
  let buffer = '';
  let opened = false;
  try {
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (!opened) { opened = true; await onOpen?.(); }
        if (data) events.push({ type, data: JSON.parse(data) });
      }
      if (events.filter((e) => e.type === 'message').length >= count) break;
    }
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe('live tail', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.cleanup(); });

  it('streams only new rows that match the query, in ingest order, with all fields', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await postLogs(server, otlpLogs('checkout', [['old payment failure before the tail', 17]]));
    const events = await readEvents(
      `${server.httpUrl}/api/logs/tail?q=${encodeURIComponent('service:checkout payment -ok')}`, {
        count: 2,
        onOpen: async () => {
          await postLogs(server, otlpLogs('checkout', [['payment declined: card expired', 17, traceId], ['payment ok', 9]]));
          await postLogs(server, otlpLogs('cart', [['payment in another service', 17]]));
          await postLogs(server, otlpLogs('checkout', [['retrying payment', 13]]));
        },
      });
    const rows = events.filter((e) => e.type === 'message').map((e) => e.data);
    assert.deepEqual(rows.map((r) => r.body), ['payment declined: card expired', 'retrying payment']);
    assert.equal(rows[0].service, 'checkout');
    assert.equal(rows[0].env, 'prod');
    assert.equal(rows[0].level, 'error');
    assert.equal(rows[0].trace_id, traceId);
    assert.equal(rows[0].span_id, '00f067aa0ba902b7');
  });

  it('answers 400 with the error for a malformed query', async () => {
    const r = await getJson(`${server.httpUrl}/api/logs/tail?q=${encodeURIComponent('"unclosed')}`);
    assert.equal(r.status, 400);
    assert.ok(r.body.error);
  });

  it('frees the subscription when the client disconnects, and keeps serving other requests', async () => {
    for (let i = 0; i < 70; i++) {
      // More connects than the 64-client limit: each one is closed before the next.
      const controller = new AbortController();
      const res = await fetch(`${server.httpUrl}/api/logs/tail`, { signal: controller.signal });
      assert.equal(res.status, 200, `tail connect ${i}`);
      controller.abort();
      await new Promise((r) => setTimeout(r, 30));
    }
    const health = await getJson(`${server.httpUrl}/healthz`);
    assert.equal(health.status, 200);
  });
});
