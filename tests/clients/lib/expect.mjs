// Assertion helpers shared by the integration suites.
import assert from 'node:assert/strict';

// Runs `fn`; on failure appends the server's stderr tail to the error message.
export async function withServerLog(server, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err && typeof err === 'object' && !err.serverLogAttached) {
      err.message += `\n--- periscope stderr (${server.stderrPath}) ---\n${server.stderrTail(3000)}`;
      err.serverLogAttached = true;
    }
    throw err;
  }
}

// Compares an API span with the expected one field by field (clear messages, extra fields of
// the answer allowed).
export function assertApiSpan(actual, expected) {
  const where = `span ${expected.name} (${expected.span_id})`;
  for (const key of ['trace_id', 'span_id', 'parent_span_id', 'name', 'kind',
    'start_time_unix_nano', 'end_time_unix_nano', 'duration_ns', 'service', 'env', 'version',
    'host', 'trace_state', 'flags']) {
    assert.deepEqual(actual[key], expected[key], `${where}: field ${key}`);
  }
  assert.deepEqual({ code: actual.status?.code, message: actual.status?.message ?? '' },
    expected.status, `${where}: status`);
  assert.deepEqual(actual.attributes, expected.attributes, `${where}: attributes`);
  assert.deepEqual(actual.resource, expected.resource, `${where}: resource`);
  assert.equal(actual.scope?.name, expected.scope.name, `${where}: scope.name`);
  assert.equal(actual.scope?.version, expected.scope.version, `${where}: scope.version`);
  assert.equal(actual.events?.length ?? 0, expected.events.length, `${where}: event count`);
  expected.events.forEach((e, i) => {
    const a = actual.events[i];
    assert.deepEqual({ time_unix_nano: a.time_unix_nano, name: a.name, attributes: a.attributes ?? {} },
      e, `${where}: event ${i}`);
  });
  assert.equal(actual.links?.length ?? 0, expected.links.length, `${where}: link count`);
  expected.links.forEach((l, i) => {
    const a = actual.links[i];
    assert.deepEqual({ trace_id: a.trace_id, span_id: a.span_id, trace_state: a.trace_state ?? '',
      attributes: a.attributes ?? {} }, l, `${where}: link ${i}`);
  });
}

// The Jaeger tag {key, type, value} for an OTel attribute value (arrays are JSON strings, as in
// the OpenTelemetry Collector's Jaeger translator).
export function jaegerTag(key, value) {
  if (typeof value === 'string') return { key, type: 'string', value };
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { key, type: 'int64', value } : { key, type: 'float64', value };
  }
  if (Array.isArray(value)) return { key, type: 'string', value: JSON.stringify(value) };
  throw new Error(`no Jaeger tag for ${key}`);
}

// Asserts that `tags` (a Jaeger tag list) holds each attribute with its Jaeger type and value.
export function assertJaegerTags(tags, attributes, where) {
  assert.ok(Array.isArray(tags), `${where}: tags is not an array`);
  for (const [key, value] of Object.entries(attributes)) {
    const want = jaegerTag(key, value);
    const got = tags.filter((t) => t.key === key);
    assert.equal(got.length, 1, `${where}: tag ${key} appears ${got.length} times`);
    const g = { key: got[0].key, type: got[0].type, value: got[0].value };
    if (want.type === 'string' && Array.isArray(value)) {
      assert.equal(g.type, 'string', `${where}: tag ${key} type`);
      assert.deepEqual(JSON.parse(g.value), value, `${where}: tag ${key} value`);
    } else {
      assert.deepEqual(g, want, `${where}: tag ${key}`);
    }
  }
}

// Asserts |a - b| <= tolerance for numbers.
export function assertNear(a, b, tolerance, message) {
  assert.ok(typeof a === 'number' && Math.abs(a - b) <= tolerance, `${message}: ${a} vs ${b}`);
}
