// The example shop (examples/shop: frontend -> checkout -> inventory + payment, four processes
// calling each other through the Periscope RPC framework) exporting to the real periscope binary;
// every trace is read back from /api/traces/{id}. The shop binary is $PERISCOPE_SHOP, else
// examples/shop/shop in the build tree of $PERISCOPE_BIN.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../clients/lib/server.mjs';
import { waitForTrace } from '../clients/lib/http.mjs';
import { startShop } from '../../examples/shop/launch.mjs';

const SERVICES = ['frontend', 'checkout', 'inventory', 'payment'];
// frontend SERVER + CLIENT, checkout SERVER + 2 CLIENT, inventory SERVER, payment SERVER.
const SPANS_PER_ORDER = 7;

async function order(shop, query, headers = {}) {
  const res = await fetch(`${shop.frontendUrl}/checkout?${query}`,
    { headers, signal: AbortSignal.timeout(10000) });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* asserted by callers */ }
  return { status: res.status, body, text };
}

// Checks the shape every order trace must have; returns the spans by id and the root.
function checkTraceShape(spans, traceId) {
  const byId = new Map(spans.map((s) => [s.span_id, s]));
  assert.equal(byId.size, spans.length, 'span ids are unique');
  for (const s of spans) assert.equal(s.trace_id, traceId);
  assert.deepEqual([...new Set(spans.map((s) => s.service))].sort(), [...SERVICES].sort(),
    'one trace spans every process');

  const roots = spans.filter((s) => s.parent_span_id === '');
  assert.equal(roots.length, 1, `exactly one root: ${JSON.stringify(roots.map((s) => s.name))}`);
  const [root] = roots;
  assert.equal(root.service, 'frontend');
  assert.equal(root.kind, 'server');
  assert.equal(root.name, 'GET /checkout');
  assert.equal(root.attributes['http.route'], '/checkout');

  for (const s of spans) {
    if (s === root) continue;
    const parent = byId.get(s.parent_span_id);
    assert.ok(parent, `parent of ${s.service} ${s.name} is in the trace`);
    if (s.kind === 'server') {
      assert.equal(parent.kind, 'client', `${s.service} ${s.name}: parent is a CLIENT span`);
      assert.notEqual(parent.service, s.service, `${s.name}: client and server in different processes`);
      assert.equal(parent.name, s.name, 'client and server spans name the same method');
      assert.equal(parent.attributes['rpc.method'], s.attributes['rpc.method']);
      assert.equal(s.attributes['rpc.system'], 'periscope');
    } else {
      assert.equal(s.kind, 'client', `${s.service} ${s.name} is a CLIENT span`);
      assert.equal(parent.kind, 'server', 'a CLIENT span is made while serving a call');
      assert.equal(parent.service, s.service, 'a CLIENT span has a local parent');
      const child = spans.find((c) => c.parent_span_id === s.span_id);
      assert.ok(child, `CLIENT span ${s.name} has its SERVER span`);
    }
    assert.ok(BigInt(s.start_time_unix_nano) >= BigInt(root.start_time_unix_nano) - 1000000n,
      'no span starts before the root (1 ms clock slack)');
  }
  const expectedEdges = [
    ['frontend', 'checkout', 'shop.Checkout/PlaceOrder'],
    ['checkout', 'inventory', 'shop.Inventory/Reserve'],
    ['checkout', 'payment', 'shop.Payment/Charge'],
  ];
  for (const [from, to, name] of expectedEdges) {
    const server = spans.find((s) => s.service === to && s.kind === 'server' && s.name === name);
    assert.ok(server, `SERVER span ${name} in ${to}`);
    assert.equal(byId.get(server.parent_span_id).service, from, `${name} is called by ${from}`);
  }
  return { byId, root };
}

describe('example shop: four processes, one trace', () => {
  let server;
  let shop;
  before(async () => {
    server = await startServer({ args: ['--flush-interval', '1s'] });
    shop = await startShop({ otlpHttpUrl: server.otlpHttpUrl });
  });
  after(async () => {
    if (shop) await shop.stop();
    if (server) { await server.stop(); await server.cleanup(); }
  });

  it('a successful order is one trace across every process, rooted at the HTTP SERVER span', async () => {
    const res = await order(shop, 'item=book&qty=2&card=visa');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.total_cents, 2500);
    assert.match(res.body.order_id, /^ord-\d+$/);
    assert.match(res.body.trace_id, /^[0-9a-f]{32}$/);
    const got = await waitForTrace(server.httpUrl, res.body.trace_id, SPANS_PER_ORDER, { timeoutMs: 15000 });
    assert.equal(got.status, 200);
    const spans = got.body.spans;
    assert.equal(spans.length, SPANS_PER_ORDER, JSON.stringify(spans.map((s) => `${s.service}:${s.name}`)));
    const { root } = checkTraceShape(spans, res.body.trace_id);
    assert.equal(root.span_id, res.body.span_id);
    assert.equal(root.attributes['http.response.status_code'], 200);
    for (const s of spans) {
      assert.notEqual(s.status.code, 'error', `${s.service} ${s.name} is not an error`);
      assert.equal(s.env, 'example');
    }
  });

  it('a declined payment is an error on the payment SERVER span and the checkout CLIENT span', async () => {
    const res = await order(shop, 'item=lamp&qty=1&card=decline');
    assert.equal(res.status, 502, res.text);
    assert.match(res.body.error, /FAILED_PRECONDITION: card declined/);
    const got = await waitForTrace(server.httpUrl, res.body.trace_id, SPANS_PER_ORDER, { timeoutMs: 15000 });
    const spans = got.body.spans;
    assert.equal(spans.length, SPANS_PER_ORDER);
    const { byId, root } = checkTraceShape(spans, res.body.trace_id);

    const paymentServer = spans.find((s) => s.service === 'payment' && s.kind === 'server');
    const checkoutClient = byId.get(paymentServer.parent_span_id);
    for (const s of [paymentServer, checkoutClient]) {
      assert.equal(s.status.code, 'error', `${s.service} ${s.kind} ${s.name} is an error`);
      assert.match(s.status.message, /FAILED_PRECONDITION: card declined/);
      assert.equal(s.attributes['rpc.periscope.status_code'], 9);
    }
    assert.equal(checkoutClient.service, 'checkout');
    assert.equal(checkoutClient.kind, 'client');
    // The failure travels up: checkout's SERVER span, frontend's CLIENT span, the HTTP root.
    const checkoutServer = byId.get(checkoutClient.parent_span_id);
    const frontendClient = byId.get(checkoutServer.parent_span_id);
    assert.equal(checkoutServer.status.code, 'error');
    assert.equal(frontendClient.status.code, 'error');
    assert.equal(root.status.code, 'error');
    assert.equal(root.attributes['http.response.status_code'], 502);
    const inventoryServer = spans.find((s) => s.service === 'inventory');
    assert.notEqual(inventoryServer.status.code, 'error', 'the reservation itself succeeded');
  });

  it('concurrent orders are separate traces', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      order(shop, `item=book&qty=1&card=${i % 2 ? 'visa' : 'decline'}`)));
    const ids = new Set(results.map((r) => r.body.trace_id));
    assert.equal(ids.size, 8);
    for (const [i, r] of results.entries()) {
      assert.equal(r.status, i % 2 ? 200 : 502);
      const got = await waitForTrace(server.httpUrl, r.body.trace_id, SPANS_PER_ORDER, { timeoutMs: 15000 });
      assert.equal(got.body.spans.length, SPANS_PER_ORDER);
      checkTraceShape(got.body.spans, r.body.trace_id);
    }
  });

  it('bad requests get a 4xx and the shop keeps serving', async () => {
    assert.equal((await order(shop, 'qty=zero')).status, 400);
    assert.equal((await order(shop, 'item=unicorn')).status, 404);
    const notFound = await fetch(`${shop.frontendUrl}/nope`, { signal: AbortSignal.timeout(5000) });
    assert.equal(notFound.status, 404);
    await notFound.arrayBuffer();
    assert.equal((await order(shop, 'item=mug&qty=5')).status, 502, 'out of stock');
    assert.equal((await order(shop, 'item=book')).status, 200);
  });

  it('every process exits cleanly on SIGTERM', async () => {
    const exits = await shop.stop();
    shop = null;
    for (const name of SERVICES) assert.deepEqual(exits[name]?.clean, true, `${name}: ${JSON.stringify(exits[name])}`);
  });
});
