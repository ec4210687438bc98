import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from './backends.ts';

forEachBackend('SecretStore', (getStore) => {
  const secrets = () => getStore().secrets;

  it('inserts once: the same id again returns false and keeps the first material', async () => {
    const id = randomUUID();
    assert.equal(await secrets().insert({ id, kind: 'cookie-key', material: { value: 'first' } }), true);
    assert.equal(await secrets().insert({ id, kind: 'cookie-key', material: { value: 'second' } }), false);
    const found = (await secrets().findByKind('cookie-key')).find((s) => s.id === id);
    assert.deepEqual(found?.material, { value: 'first' });
    assert.ok(found?.createdAt instanceof Date);
  });

  it('findByKind lists newest first and only that kind', async () => {
    const prefix = randomUUID();
    // Inserted back to back: often within one millisecond, so order may not rest on created_at alone.
    const ids = [`${prefix}-1`, `${prefix}-2`, `${prefix}-3`];
    for (const id of ids) await secrets().insert({ id, kind: 'signing-key', material: { kty: 'OKP', kid: id } });
    await secrets().insert({ id: `${prefix}-cookie`, kind: 'cookie-key', material: { value: 'v' } });
    const signing = await secrets().findByKind('signing-key');
    assert.ok(signing.every((s) => s.kind === 'signing-key'));
    assert.deepEqual(signing.filter((s) => s.id.startsWith(prefix)).map((s) => s.id), [...ids].reverse());
    assert.deepEqual(signing.find((s) => s.id === ids[0])?.material, { kty: 'OKP', kid: ids[0] });
    const times = signing.map((s) => s.createdAt.getTime());
    assert.deepEqual(times, [...times].sort((x, y) => y - x));
  });

  it('update replaces the material only, keeping kind and order; false for an unknown id', async () => {
    const prefix = randomUUID();
    const [older, newer] = [`${prefix}-old`, `${prefix}-new`];
    await secrets().insert({ id: older, kind: 'signing-key', material: { kid: older } });
    await secrets().insert({ id: newer, kind: 'signing-key', material: { kid: newer } });
    const before = (await secrets().findByKind('signing-key')).find((s) => s.id === older)!;
    assert.equal(await secrets().update(older, { sealed: 'v1.x' }), true);
    const after = await secrets().findByKind('signing-key');
    assert.deepEqual(after.filter((s) => s.id.startsWith(prefix)).map((s) => s.id), [newer, older]);
    const updated = after.find((s) => s.id === older)!;
    assert.deepEqual(updated.material, { sealed: 'v1.x' });
    assert.equal(updated.createdAt.getTime(), before.createdAt.getTime());
    assert.equal(await secrets().update(randomUUID(), { sealed: 'v1.y' }), false);
  });

  it('deletes, reporting whether something was deleted', async () => {
    const id = randomUUID();
    await secrets().insert({ id, kind: 'cookie-key', material: { value: 'x' } });
    assert.equal(await secrets().delete(id), true);
    assert.equal((await secrets().findByKind('cookie-key')).some((s) => s.id === id), false);
    assert.equal(await secrets().delete(id), false);
  });
});
