import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RoleExistsError, RoleInUseError } from '../../src/errors.ts';
import { ADMIN_PERMISSIONS } from '../../src/storage/ports.ts';
import { forEachBackend } from './backends.ts';

const roleName = () => `role-${randomUUID().slice(0, 8)}`;

forEachBackend('RoleStore', (getStore) => {
  const roles = () => getStore().roles;

  it('has the built-in roles from the start', async () => {
    assert.deepEqual((await roles().find('user'))?.permissions, []);
    assert.deepEqual([...(await roles().find('admin'))!.permissions].sort(), [...ADMIN_PERMISSIONS].sort());
    const names = (await roles().list()).map((r) => r.name);
    assert.ok(names.includes('user') && names.includes('admin'));
  });

  it('inserts, finds, lists by name, updates and deletes', async () => {
    const [a, b] = [`b-${roleName()}`, `a-${roleName()}`];
    const created = await roles().insert({ name: a, description: 'Reads reports', permissions: ['reports:read'] });
    assert.deepEqual(created, { name: a, description: 'Reads reports', permissions: ['reports:read'] });
    await roles().insert({ name: b, description: '', permissions: [] });
    assert.deepEqual(await roles().find(a), created);
    const names = (await roles().list()).map((r) => r.name);
    assert.deepEqual(names, [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    assert.ok(names.indexOf(b) < names.indexOf(a));

    const changed = await roles().update(a, { permissions: ['reports:read', 'reports:write'] });
    assert.deepEqual(changed, { name: a, description: 'Reads reports', permissions: ['reports:read', 'reports:write'] });
    assert.deepEqual(await roles().update(a, { description: 'Edits' }), { ...changed, description: 'Edits' });
    assert.equal(await roles().update(roleName(), { description: 'x' }), undefined);

    assert.equal(await roles().delete(a), true);
    assert.equal(await roles().find(a), undefined);
    assert.equal(await roles().delete(a), false);
  });

  it('refuses a taken name with RoleExistsError, built-in names included, also under concurrency', async () => {
    await assert.rejects(roles().insert({ name: 'admin', description: '', permissions: [] }), RoleExistsError);
    const name = roleName();
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => roles().insert({ name, description: '', permissions: [] })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof RoleExistsError, String(r.reason));
  });

  it('counts holders and refuses to delete a role an account or a client holds', async () => {
    const name = roleName();
    await roles().insert({ name, description: '', permissions: ['reports:read'] });
    assert.deepEqual(await roles().countHolders(name), { accounts: 0, clients: 0 });
    const account = await getStore().accounts.insert({
      id: randomUUID(), email: `${randomUUID()}@example.test`, emailVerified: true, name: null, role: name, passwordHash: 'h',
    });
    await getStore().clients.upsert({ clientId: `c-${name}`, metadata: { client_id: `c-${name}`, role: name } });
    assert.deepEqual(await roles().countHolders(name), { accounts: 1, clients: 1 });
    await assert.rejects(roles().delete(name), RoleInUseError);
    await getStore().accounts.delete(account.id);
    await assert.rejects(roles().delete(name), RoleInUseError);
    await getStore().clients.delete(`c-${name}`);
    assert.equal(await roles().delete(name), true);
  });
});
