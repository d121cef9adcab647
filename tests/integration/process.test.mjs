// Process-wide setup of the real binary: it restarts itself once with glibc's malloc tunables
// (huge pages for its heaps) unless GLIBC_TUNABLES or PERISCOPE_MALLOC_DEFAULTS=1 is set, keeping
// its pid, arguments and behaviour.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../clients/lib/server.mjs';
import { getOk } from '../clients/lib/http.mjs';

function environOf(pid) {
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
}

describe('malloc tuning at start-up', () => {
  const servers = [];
  after(async () => {
    for (const s of servers) { await s.stop(); await s.cleanup(); }
  });

  it('re-executes itself with GLIBC_TUNABLES and serves under the same pid', async () => {
    const server = await startServer();
    servers.push(server);
    assert.ok(environOf(server.pid).includes('GLIBC_TUNABLES=glibc.malloc.hugetlb=1'));
    const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('serve'), cmdline.join(' '));
    const health = await getOk(`${server.httpUrl}/api/services`);
    assert.ok(Array.isArray(health.services));
  });

  it('keeps glibc defaults when asked to', async () => {
    const server = await startServer({ env: { PERISCOPE_MALLOC_DEFAULTS: '1' } });
    servers.push(server);
    assert.ok(!environOf(server.pid).some((e) => e.startsWith('GLIBC_TUNABLES=')));
  });
});
