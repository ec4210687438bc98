// config/clients.example.json is what an operator copies first: the server
// must start with it as shipped, and serve each of its clients.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, spawnServer, tempDir } from '../support/spawn-server.ts';

const ADMIN = { email: 'root@example.com', password: 'correct horse battery staple' };

describe('CLIENTS_FILE=config/clients.example.json', function () {
  this.timeout(120_000);

  it('starts the server, with every example client as a file client', async () => {
    const dir = await tempDir();
    const server = await spawnServer({
      dataDir: dir.path,
      readyTimeoutMs: 60_000,
      env: { CLIENTS_FILE: 'config/clients.example.json', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    });
    try {
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
      });
      assert.equal(login.status, 200);
      const { access_token } = (await login.json()) as { access_token: string };
      const res = await fetch(`${server.url}/api/v1/admin/clients`, { headers: { authorization: `Bearer ${access_token}` } });
      const { items } = (await res.json()) as { items: Array<{ client_id: string; source: string }> };
      const example = JSON.parse(await readFile(join(REPO_ROOT, 'config', 'clients.example.json'), 'utf8')) as Array<{ client_id: string }>;
      for (const { client_id } of example) {
        assert.equal(items.find((c) => c.client_id === client_id)?.source, 'file', client_id);
      }
      const exit = await server.stop();
      assert.equal(exit.code, 0, server.stderr());
    } finally {
      await server.stop();
      await dir.remove();
    }
  });
});
