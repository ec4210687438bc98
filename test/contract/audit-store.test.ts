import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuditEventRecord } from '../../src/storage/ports.ts';
import { forEachBackend } from './backends.ts';

const t0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function newEvent(overrides: Partial<AuditEventRecord> = {}): AuditEventRecord {
  return {
    id: randomUUID(), at: t0, type: 'sign_in', result: 'success', actorType: 'user', actorId: null,
    subjectId: null, clientId: null, sessionId: null, ip: '203.0.113.7', userAgent: 'test agent', reason: null,
    details: {}, ...overrides,
  };
}

forEachBackend('AuditStore', (getStore) => {
  const audit = () => getStore().audit;

  it('stores every field and reads it back', async () => {
    const subjectId = randomUUID();
    const event = newEvent({
      type: 'sign_in', result: 'failure', actorType: 'anonymous', actorId: null, subjectId, clientId: 'app',
      sessionId: 'sid-1', reason: 'INVALID_CREDENTIALS', details: { nested: { list: [1, 'two'] }, empty: {} },
    });
    await audit().insert(event);
    assert.deepEqual(await audit().list({ subjectId }, { limit: 10 }), [event]);
  });

  it('refuses a second event with the same id (append-only)', async () => {
    const event = newEvent();
    await audit().insert(event);
    await assert.rejects(audit().insert({ ...event, type: 'changed' }));
  });

  it('lists newest first and pages on (at, id) without gaps or repeats, ties included', async () => {
    const subjectId = randomUUID();
    const events = [
      newEvent({ subjectId, at: at(1) }),
      newEvent({ subjectId, at: at(2) }),
      newEvent({ subjectId, at: at(2) }),
      newEvent({ subjectId, at: at(2) }),
      newEvent({ subjectId, at: at(3) }),
    ];
    for (const event of events) await audit().insert(event);
    const expected = [...events].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1)).map((e) => e.id);

    const seen: string[] = [];
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const page = await audit().listForSubject(subjectId, { limit: 2, ...(after && { after }) });
      seen.push(...page.map((e) => e.id));
      if (page.length < 2) break;
      const last = page.at(-1)!;
      after = { at: last.at, id: last.id };
    }
    assert.deepEqual(seen, expected);
  });

  it('filters by type, actor, subject, client, result and an inclusive time range', async () => {
    const tag = randomUUID();
    const a = newEvent({ type: `t.${tag}`, actorId: `actor-${tag}`, subjectId: `s-${tag}`, clientId: `c-${tag}`, at: at(10) });
    const b = newEvent({ type: `t.${tag}`, result: 'failure', reason: 'FORBIDDEN', subjectId: `s-${tag}`, at: at(20) });
    const c = newEvent({ type: `other.${tag}`, clientId: `c-${tag}`, subjectId: `s-${tag}`, at: at(30) });
    for (const event of [a, b, c]) await audit().insert(event);
    const ids = async (filter: Parameters<ReturnType<typeof audit>['list']>[0]) =>
      (await audit().list(filter, { limit: 50 })).map((e) => e.id);

    assert.deepEqual(await ids({ type: `t.${tag}` }), [b.id, a.id]);
    assert.deepEqual(await ids({ actorId: `actor-${tag}` }), [a.id]);
    assert.deepEqual(await ids({ clientId: `c-${tag}` }), [c.id, a.id]);
    assert.deepEqual(await ids({ subjectId: `s-${tag}`, result: 'failure' }), [b.id]);
    assert.deepEqual(await ids({ subjectId: `s-${tag}`, since: at(20) }), [c.id, b.id]);
    assert.deepEqual(await ids({ subjectId: `s-${tag}`, until: at(20) }), [b.id, a.id]);
    assert.deepEqual(await ids({ subjectId: `s-${tag}`, since: at(11), until: at(29) }), [b.id]);
    assert.deepEqual(await ids({ subjectId: `s-${tag}`, type: 'no such type' }), []);
  });

  it('treats a filter value as a value, never as a query operator', async () => {
    const subjectId = randomUUID();
    await audit().insert(newEvent({ subjectId }));
    const list = audit().list({ subjectId: { $ne: 'x' } as unknown as string }, { limit: 5 });
    // A TypeError from the store's guard, or no match: never every event.
    const found = await list.catch(() => []);
    assert.deepEqual(found, []);
  });

  it('deletes only the events older than the cutoff', async () => {
    const subjectId = randomUUID();
    const old = newEvent({ subjectId, at: new Date('2001-01-01T00:00:00Z') });
    const kept = newEvent({ subjectId, at: new Date('2001-01-02T00:00:00Z') });
    await audit().insert(old);
    await audit().insert(kept);
    const deleted = await audit().deleteOlderThan(new Date('2001-01-02T00:00:00Z'));
    assert.ok(deleted >= 1);
    assert.deepEqual((await audit().listForSubject(subjectId, { limit: 5 })).map((e) => e.id), [kept.id]);
  });
});
