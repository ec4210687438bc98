import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { runMigrations } from '../../src/storage/sql/migrations.ts';
import { migrations } from '../../src/storage/sql/migrations/index.ts';
import { openSqlStore } from '../../src/storage/sql/sql-store.ts';
import type { SqlDriver } from '../../src/storage/sql/driver.ts';
import { forEachDatabase } from './backends.ts';
import { hashId } from '../../src/oidc/stored-ids.ts';
import { createAdapterFactory } from '../../src/oidc/adapter.ts';

const allIds = migrations.map((m) => m.id);

async function recorded(driver: SqlDriver): Promise<string[]> {
  const { rows } = await driver.query<{ id: string }>('select id from schema_migrations order by id');
  return rows.map((r) => r.id);
}

async function withDriver<T>(driver: SqlDriver, fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
  try {
    return await fn(driver);
  } finally {
    await driver.close();
  }
}

forEachDatabase('SQL migrations', (newDatabase, backend) => {
  it('applies every migration once; opening again applies nothing', async () => {
    const db = await newDatabase();
    assert.deepEqual(await withDriver(await db.openDriver(), runMigrations), allIds);
    await withDriver(await db.openDriver(), async (driver) => {
      assert.deepEqual(await runMigrations(driver), []);
      assert.deepEqual(await recorded(driver), allIds);
    });
    const store = await openSqlStore(await db.openDriver());
    await store.ping();
    await store.close();
  });

  it('rolls a failing migration back entirely and does not record it', async () => {
    const db = await newDatabase();
    await withDriver(await db.openDriver(), async (driver) => {
      const broken = { id: '999-broken', statements: ['create table half_done (a int)', 'select * from no_such_table'] };
      await assert.rejects(runMigrations(driver, [...migrations, broken]), /no_such_table/);
      assert.deepEqual(await recorded(driver), allIds);
      await assert.rejects(driver.query('select * from half_done'), /half_done/);
    });
  });

  it('keeps data across close and reopen', async () => {
    const db = await newDatabase();
    const [accountId, tokenId, secretId] = [randomUUID(), randomUUID(), randomUUID()];
    const first = await openSqlStore(await db.openDriver());
    try {
      await first.accounts.insert({ id: accountId, email: 'kept@example.test', emailVerified: true, name: null, role: 'user', passwordHash: 'h' });
      await first.oidc.upsert('RefreshToken', tokenId, { grantId: 'g' }, null);
      await first.secrets.insert({ id: secretId, kind: 'signing-key', material: { kty: 'EC' } });
    } finally {
      await first.close();
    }
    const second = await openSqlStore(await db.openDriver());
    try {
      assert.equal((await second.accounts.findByEmail('kept@example.test'))?.id, accountId);
      assert.deepEqual((await second.oidc.find('RefreshToken', tokenId))?.payload, { grantId: 'g' });
      assert.deepEqual((await second.secrets.findByKind('signing-key')).map((s) => s.id), [secretId]);
    } finally {
      await second.close();
    }
  });

  it('002 backfills account_id and session_uid from payloads saved before it', async () => {
    const db = await newDatabase();
    const [accountId, sessionUid, grantId] = [randomUUID(), randomUUID(), randomUUID()];
    await withDriver(await db.openDriver(), async (driver) => {
      assert.deepEqual(await runMigrations(driver, migrations.filter((m) => m.id === '001-initial')), ['001-initial']);
      const rows: Array<[string, string, Record<string, unknown>, string | null, string | null]> = [
        ['Session', 's1', { uid: sessionUid, accountId }, null, sessionUid],
        ['Grant', grantId, { accountId, clientId: 'app' }, null, null],
        ['AccessToken', 'at1', { grantId, sessionUid, accountId }, grantId, null],
        ['AccessToken', 'numeric', { accountId: 42, sessionUid: 7 }, null, null],
      ];
      for (const [model, id, payload, grant, uid] of rows) {
        await driver.query('insert into oidc_payloads (model, id, payload, grant_id, uid) values ($1, $2, $3::jsonb, $4, $5)', [
          model, id, JSON.stringify(payload), grant, uid,
        ]);
      }
    });
    const store = await openSqlStore(await db.openDriver());
    try {
      // Only string values are copied, as upsert does.
      assert.equal(await store.oidc.revokeByAccountId('42'), 0);
      assert.equal(await store.oidc.revokeBySessionUid(sessionUid), 3);
      // 003 then stored it under its hash (the adapter hashes token values).
      assert.ok(await store.oidc.find('AccessToken', hashId('numeric')));
    } finally {
      await store.close();
    }
  });

  it('003 moves bearer ids of rows written in the old format to their hashes, and the adapter finds them by the clear value', async () => {
    const db = await newDatabase();
    const [accountId, sessionUid, grantId] = [randomUUID(), randomUUID(), randomUUID()];
    const clear = { refresh: `rt-${randomUUID()}`, session: `sess-${randomUUID()}`, code: `code-${randomUUID()}`, interaction: `ia-${randomUUID()}` };
    await withDriver(await db.openDriver(), async (driver) => {
      assert.deepEqual(await runMigrations(driver, migrations.filter((m) => m.id < '003')), ['001-initial', '002-sessions']);
      // The old adapter's rows: the value itself as id and as payload.jti.
      const rows: Array<[string, string, Record<string, unknown>]> = [
        ['RefreshToken', clear.refresh, { jti: clear.refresh, kind: 'RefreshToken', grantId, sessionUid, accountId, exp: 4102444800 }],
        ['AuthorizationCode', clear.code, { jti: clear.code, kind: 'AuthorizationCode', grantId, sessionUid, accountId, exp: 4102444800 }],
        ['Session', clear.session, { jti: clear.session, kind: 'Session', uid: sessionUid, accountId, exp: 4102444800 }],
        ['Interaction', clear.interaction, { jti: clear.interaction, kind: 'Interaction', session: { cookie: clear.session, uid: sessionUid } }],
        ['Grant', grantId, { jti: grantId, kind: 'Grant', accountId, clientId: 'app' }],
      ];
      for (const [model, id, payload] of rows) {
        await driver.query(
          'insert into oidc_payloads (model, id, payload, grant_id, uid, account_id, session_uid) values ($1, $2, $3::jsonb, $4, $5, $6, $7)',
          [model, id, JSON.stringify(payload), payload.grantId ?? null, payload.uid ?? null, accountId, payload.uid ? null : sessionUid],
        );
      }
    });
    const driver = await db.openDriver();
    const store = await openSqlStore(driver);
    try {
      const { rows } = await driver.query<{ model: string; id: string; payload: Record<string, unknown> }>('select model, id, payload from oidc_payloads');
      const text = JSON.stringify(rows);
      for (const value of Object.values(clear)) assert.ok(!text.includes(value), `${value} is still stored in clear`);
      assert.deepEqual(rows.map((r) => r.model).sort(), ['AuthorizationCode', 'Grant', 'RefreshToken', 'Session'], 'old interactions are dropped');
      assert.equal(rows.find((r) => r.model === 'Grant')?.id, grantId, 'grant ids stay in clear: tokens reference them');

      const hooks = { onSessionSaved: async () => {}, onGrantDestroyed: async () => {}, onReplay: async () => {}, onRefreshTokenSaved: async () => {}, onSessionDestroyed: async () => {} };
      const adapter = createAdapterFactory({ oidc: store.oidc, clients: store.clients }, hooks);
      const refresh = await adapter('RefreshToken').find(clear.refresh);
      assert.equal(refresh?.jti, clear.refresh, 'found by the value its holder presents, jti restored');
      assert.equal(refresh?.grantId, grantId);
      assert.equal((await adapter('Session').find(clear.session))?.uid, sessionUid);
      assert.equal((await adapter('Session').findByUid(sessionUid))?.accountId, accountId);
      assert.equal(await adapter('RefreshToken').find(hashId(clear.refresh)), undefined, 'a stored hash is not a token');
      // Ending the sign-in still reaches every record of it.
      assert.equal(await store.oidc.revokeBySessionUid(sessionUid), 4);
    } finally {
      await store.close();
    }
  });

  it('004 keeps accounts with their role, enabled and unlocked, and from then on accepts only stored roles', async () => {
    const db = await newDatabase();
    const [user, admin] = [randomUUID(), randomUUID()];
    await withDriver(await db.openDriver(), async (driver) => {
      await runMigrations(driver, migrations.filter((m) => m.id < '004'));
      for (const [id, role] of [[user, 'user'], [admin, 'admin']]) {
        await driver.query("insert into accounts (id, email, role, password_hash) values ($1, $2, $3, 'h')", [id, `${id}@example.test`, role]);
      }
    });
    const store = await openSqlStore(await db.openDriver());
    try {
      for (const [id, role] of [[user, 'user'], [admin, 'admin']] as const) {
        const account = await store.accounts.findById(id);
        assert.equal(account?.role, role);
        assert.equal(account?.disabled, false);
        assert.equal(account?.lockedUntil, null);
        assert.equal(account?.lastSignInAt, null);
      }
      assert.deepEqual((await store.roles.list()).map((r) => r.name), ['admin', 'user']);
      await assert.rejects(store.accounts.update(user, { role: 'root' }), { code: 'ROLE_NOT_FOUND' });
    } finally {
      await store.close();
    }
  });

  it('006 makes the clients stored before it file clients (the built-in one builtin), so a start can drop those gone from the file', async () => {
    const db = await newDatabase();
    await withDriver(await db.openDriver(), async (driver) => {
      await runMigrations(driver, migrations.filter((m) => m.id < '006'));
      for (const id of ['gatehouse', 'from-file']) {
        await driver.query('insert into clients (client_id, metadata) values ($1, $2::jsonb)', [id, JSON.stringify({ client_id: id })]);
      }
      await driver.query(`insert into oidc_payloads (model, id, payload) values ('AccessToken', 'at', '{"clientId":"from-file"}'::jsonb)`);
    });
    const store = await openSqlStore(await db.openDriver());
    try {
      assert.equal((await store.clients.find('gatehouse'))?.source, 'builtin');
      const fromFile = await store.clients.find('from-file');
      assert.equal(fromFile?.source, 'file');
      assert.equal(fromFile?.previousSecret, null);
      assert.equal(await store.oidc.revokeByClientId('from-file'), 1);
      assert.deepEqual(await store.changes.findVersions(['clients']), { clients: 0 });
    } finally {
      await store.close();
    }
  });

  // Only a server has several processes opening one database at once; an
  // on-disk PGlite directory belongs to a single process.
  if (backend === 'postgres') {
    it('lets several processes migrate the same fresh database at once', async () => {
      const db = await newDatabase();
      const drivers = await Promise.all([1, 2, 3, 4].map(() => db.openDriver()));
      try {
        const applied = await Promise.all(drivers.map((d) => runMigrations(d)));
        assert.deepEqual(applied.flat().sort(), [...allIds].sort());
        assert.deepEqual(await recorded(drivers[0]!), allIds);
      } finally {
        await Promise.all(drivers.map((d) => d.close()));
      }
    });
  }
});
