// The C++ tracing SDK (examples/sdk_quickstart, configured only by OTEL_* variables) exporting
// over OTLP/gRPC and OTLP/HTTP to the real periscope binary; the trace is read back via the API.
// The example binary is $PERISCOPE_SDK_QUICKSTART, else build/examples/sdk_quickstart/ next to
// the periscope binary's build tree; the suite is skipped when it is not built.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startServer } from '../clients/lib/server.mjs';
import { waitForTrace } from '../clients/lib/http.mjs';

const run = promisify(execFile);

function quickstartPath() {
  if (process.env.PERISCOPE_SDK_QUICKSTART) return process.env.PERISCOPE_SDK_QUICKSTART;
  const bin = process.env.PERISCOPE_BIN ?? '';
  return join(dirname(bin), '..', '..', 'examples', 'sdk_quickstart', 'sdk_quickstart');
}

const exe = quickstartPath();
// `make test` always builds the example; a missing binary is a failure, not a skip.
if (!existsSync(exe)) throw new Error(`sdk_quickstart not built (${exe})`);

describe('C++ SDK quickstart exports to periscope', () => {
  let server;
  before(async () => { server = await startServer({ args: ['--flush-interval', '1s'] }); });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  const variants = [
    { name: 'grpc', env: (s) => ({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${s.otlpGrpcAddr}` }) },
    { name: 'http', env: (s) => ({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: s.otlpHttpUrl, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }) },
  ];
  for (const v of variants) {
    it(`sends one connected trace over ${v.name}`, async () => {
      const service = `cpp-quickstart-${v.name}`;
      const { stdout } = await run(exe, [], {
        timeout: 30000,
        env: { PATH: process.env.PATH, OTEL_SERVICE_NAME: service,
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=it,service.version=9.9',
          OTEL_EXPORTER_OTLP_TIMEOUT: '5000', ...v.env(server) },
      });
      const traceId = stdout.trim();
      assert.match(traceId, /^[0-9a-f]{32}$/);
      const got = await waitForTrace(server.httpUrl, traceId, 3);
      assert.equal(got.status, 200);
      const spans = got.body.spans;
      assert.equal(spans.length, 3);
      const root = spans.find((s) => s.name === 'POST /checkout');
      assert.ok(root, 'root span present');
      assert.equal(root.parent_span_id, '');
      assert.equal(root.kind, 'server');
      assert.equal(root.status.code, 'error');
      for (const s of spans) {
        assert.equal(s.service, service);
        assert.equal(s.env, 'it');
        assert.equal(s.version, '9.9');
        if (s !== root) {
          assert.equal(s.parent_span_id, root.span_id);
          assert.equal(s.kind, 'client');
        }
      }
      const reserve = spans.find((s) => s.name === 'reserve stock');
      assert.equal(reserve.status.code, 'error');
      assert.equal(reserve.events[0].name, 'exception');
    });
  }
});
