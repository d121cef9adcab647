// HTTP helpers for integration tests: JSON GETs, raw requests that survive early server
// responses, bounded polling, and OTLP/HTTP posts of hand-built bodies.
import net from 'node:net';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

// GETs `url` and returns {status, headers, body (parsed JSON or null), text}.
export async function getJson(url, { headers = {}, timeoutMs = 10000 } = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body, text };
}

// GETs `url`, asserts 200 and a JSON body, returns the body.
export async function getOk(url, opts) {
  const r = await getJson(url, opts);
  assert.equal(r.status, 200, `GET ${url} -> ${r.status}: ${r.text.slice(0, 500)}`);
  assert.ok(r.body !== null, `GET ${url}: body is not JSON: ${r.text.slice(0, 500)}`);
  return r.body;
}

// Sends one HTTP/1.1 request over a raw socket; `body` is a Buffer, or an array of Buffers sent
// chunked (no Content-Length). Resolves {status, headers, body: Buffer}, also when the server
// answers before reading the whole body and then closes the connection (an early 413), which
// node:http reports as EPIPE.
export function rawRequest(url, { method = 'POST', headers = {}, body, timeoutMs = 30000 } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(body);
    const h = { host: u.host, connection: 'close', ...headers };
    if (body && !chunked) h['content-length'] = String(body.length);
    if (chunked) h['transfer-encoding'] = 'chunked';
    const head = `${method} ${u.pathname}${u.search} HTTP/1.1\r\n` +
      Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
    const socket = net.connect(Number(u.port), u.hostname);
    const received = [];
    let settled = false;
    const finish = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseResponse(Buffer.concat(received));
      if (parsed) resolve(parsed);
      else reject(err ?? new Error(`${method} ${url}: connection closed without a response`));
    };
    const timer = setTimeout(() => finish(new Error(`${method} ${url}: no answer after ${timeoutMs} ms`)),
      timeoutMs);
    socket.on('data', (c) => {
      received.push(c);
      const parsed = parseResponse(Buffer.concat(received), true);
      if (parsed) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (err) => { if (!received.length) finish(err); });
    socket.on('connect', async () => {
      const write = async (buf) => {
        if (received.length || socket.destroyed) return false;
        if (!socket.write(buf)) {
          await new Promise((r) => {
            const done = () => { socket.off('drain', done); socket.off('close', done); r(); };
            socket.on('drain', done);
            socket.on('close', done);
          });
        }
        return true;
      };
      if (!(await write(Buffer.from(head)))) return;
      if (!body) return;
      if (!chunked) {
        for (let off = 0; off < body.length; off += 1 << 20) {
          if (!(await write(body.subarray(off, off + (1 << 20))))) return;
        }
        return;
      }
      for (const c of body) {
        if (!(await write(Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c,
          Buffer.from('\r\n')])))) return;
      }
      await write(Buffer.from('0\r\n\r\n'));
    });
  });
}

// Parses a complete HTTP/1.1 response; with `needComplete`, returns null until the body is
// complete (Content-Length or chunked); otherwise takes what is there.
function parseResponse(buf, needComplete = false) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) return null;
  const headers = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let rest = buf.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const out = [];
    for (;;) {
      const nl = rest.indexOf('\r\n');
      if (nl < 0) { if (needComplete) return null; break; }
      const size = parseInt(rest.subarray(0, nl).toString(), 16);
      if (size === 0) break;
      if (rest.length < nl + 2 + size + 2) { if (needComplete) return null; break; }
      out.push(rest.subarray(nl + 2, nl + 2 + size));
      rest = rest.subarray(nl + 2 + size + 2);
    }
    return { status: Number(m[1]), headers, body: Buffer.concat(out) };
  }
  if (headers['content-length'] !== undefined) {
    const len = Number(headers['content-length']);
    if (rest.length < len && needComplete) return null;
    rest = rest.subarray(0, len);
  } else if (needComplete && Number(m[1]) !== 204 && Number(m[1]) !== 304) {
    return null;  // body runs to the close
  }
  return { status: Number(m[1]), headers, body: rest };
}

// POSTs an OTLP protobuf body to `<base>/v1/traces`; returns {status, headers, body}.
export async function postProto(baseUrl, body, headers = {}) {
  return rawRequest(`${baseUrl}/v1/traces`, {
    headers: { 'content-type': 'application/x-protobuf', ...headers }, body,
  });
}

// POSTs an OTLP JSON object (or string) to `<base>/v1/traces`; returns {status, headers, body, json}.
export async function postJson(baseUrl, obj, headers = {}) {
  const text = typeof obj === 'string' ? obj : JSON.stringify(obj);
  const r = await rawRequest(`${baseUrl}/v1/traces`, {
    headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(text),
  });
  try { r.json = JSON.parse(r.body.toString('utf8')); } catch { r.json = null; }
  return r;
}

// Calls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value.
export async function pollUntil(fn, { timeoutMs = 10000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last || Date.now() >= deadline) return last;
    await sleep(intervalMs);
  }
}

// Polls GET /api/traces/{id} until it holds at least `minSpans` spans (bounded); returns the
// last answer {status, body}.
export async function waitForTrace(httpUrl, traceId, minSpans, { timeoutMs = 10000 } = {}) {
  let last;
  await pollUntil(async () => {
    last = await getJson(`${httpUrl}/api/traces/${traceId}`);
    return last.status === 200 && (last.body?.spans?.length ?? 0) >= minSpans;
  }, { timeoutMs });
  return last;
}
