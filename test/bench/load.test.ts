// The load generator's accounting (bench/load.ts): what counts as an ok
// answer, and a slice that lasts until its first answer, so a slow server
// measures a slow rate instead of 0/s.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRecorder, httpSource } from '../../bench/load.ts';

describe('bench load', () => {
  it('records 2xx as ok by default, and only the expected status when the load declares one', () => {
    const any2xx = createRecorder();
    for (const status of [200, 204, 401, 500]) any2xx.response(status, 2);
    any2xx.elapsed(2);
    assert.deepEqual({ ...any2xx.measurement(), p50: 0, p99: 0 }, { rps: 1, p50: 0, p99: 0, ok: 2, unexpected: 2, errors: 0, seconds: 2 });

    const only401 = createRecorder(401);
    for (const status of [401, 401, 200, 429]) only401.response(status, 5);
    only401.failed(1);
    only401.elapsed(1);
    const m = only401.measurement();
    assert.equal(m.ok, 2);
    assert.equal(m.unexpected, 2);
    assert.equal(m.errors, 1);
    assert.equal(m.rps, 2);
    assert.ok(Math.abs(m.p50 - 5) < 0.1, String(m.p50));
  });

  describe('against a server slower than a slice', () => {
    let server: Server;
    let url: string;
    before(async () => {
      server = createServer((_req, res) => void setTimeout(() => res.writeHead(401).end(), 1200));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('goes on past the slice until an answer arrives, and counts the time it took', async function () {
      this.timeout(15_000);
      const source = httpSource({ url, connections: 2, expectStatus: 401, requests: () => [{ method: 'POST', path: '/login' }] });
      const recorder = source.recorder();
      await source.slice(0.2, recorder);
      const m = recorder.measurement();
      assert.equal(m.unexpected + m.errors, 0);
      assert.ok(m.ok >= 1, `ok ${m.ok}`);
      assert.ok(m.seconds >= 1.1, `seconds ${m.seconds}`);
      assert.ok(m.rps > 0 && m.rps <= m.ok / 1.1);
    });
  });
});
