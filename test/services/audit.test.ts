// The audit service on a real store: what record() makes of an event (the
// request's source, storable text, no secret-named members), that it never
// rejects, and how a failed write is reported.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createAudit, runWithAuditRequest, setAuditActor, userActor } from '../../src/services/audit.ts';
import { createIdentifierHasher } from '../../src/services/audit-identifier.ts';
import type { Store } from '../../src/storage/ports.ts';
import { openTestStore } from '../support/test-store.ts';
import { createPrometheusMetrics } from '../../src/metrics/prometheus.ts';

describe('audit service', function () {
  let store: Store;
  before(async () => {
    store = await openTestStore();
  });
  after(async () => store?.close());

  const quiet = { warn: () => {} };
  const audit = () => createAudit({ store: store.audit, hashIdentifier: (a) => a, logger: quiet });
  const stored = async (subjectId: string) => (await store.audit.listForSubject(subjectId, { limit: 5 }))[0]!;

  it('takes IP, user agent, actor and session from the request, and cuts the user agent at 512', async () => {
    const subjectId = randomUUID();
    await runWithAuditRequest({ ip: '192.0.2.1', userAgent: `ua ${'x'.repeat(600)}` }, async () => {
      setAuditActor(userActor('caller'), 'session-1');
      await audit().record({ type: 'test.request', subjectId });
    });
    const event = await stored(subjectId);
    assert.deepEqual([event.ip, event.actorType, event.actorId, event.sessionId, event.result], ['192.0.2.1', 'user', 'caller', 'session-1', 'success']);
    assert.equal(event.userAgent!.length, 512);
  });

  it('drops secret-named members at any depth and stores hostile text as storable text', async () => {
    const subjectId = randomUUID();
    await audit().record({
      type: 'test.details', subjectId: `${subjectId}`, reason: 'X\u0000Y',
      details: { password: 'p', nested: { client_secret: 's', refresh_token: 't', code: 'c', kept: 'a\u0000b\uD800' }, list: ['ok'] },
    });
    const event = await stored(subjectId);
    assert.deepEqual(event.details, { nested: { kept: 'ab\uFFFD' }, list: ['ok'] });
    assert.equal(event.reason, 'XY');
  });

  it('never rejects: a failed insert is logged with the event type only, and counted', async () => {
    const warnings: object[] = [];
    const metrics = createPrometheusMetrics();
    const failing = createAudit({
      metrics,
      store: { ...store.audit, insert: async () => { throw Object.assign(new Error('insert into audit_events values (secret-ish)'), { code: '42P01' }); } },
      hashIdentifier: (a) => a,
      logger: { warn: (obj) => warnings.push(obj) },
    });
    await failing.record({ type: 'sign_in', details: { note: 'should not be logged' } });
    await failing.record({ type: 'sign_out' });
    assert.equal(failing.failedWrites(), 2);
    assert.match(await metrics.registry.metrics(), /^gatehouse_audit_write_failures_total 2$/m);
    assert.deepEqual(warnings[0], { eventType: 'sign_in', errorName: 'Error', errorCode: '42P01', failedWrites: 1 });
    assert.ok(!JSON.stringify(warnings).includes('secret-ish') && !JSON.stringify(warnings).includes('should not be logged'));
  });

  it('hashes an address with a stable key: same normalised address, same hash; another key, another hash', async () => {
    const withKey = await createIdentifierHasher({ encryptionKey: 'k'.repeat(32), secrets: store.secrets });
    const otherKey = await createIdentifierHasher({ encryptionKey: 'o'.repeat(32), secrets: store.secrets });
    const stored1 = await createIdentifierHasher({ encryptionKey: undefined, secrets: store.secrets });
    const stored2 = await createIdentifierHasher({ encryptionKey: undefined, secrets: store.secrets });
    assert.equal(withKey(' Ann@Example.COM '), withKey('ann@example.com'));
    assert.notEqual(withKey('ann@example.com'), otherKey('ann@example.com'));
    assert.equal(stored1('ann@example.com'), stored2('ann@example.com'), 'the stored key is created once and reused');
    assert.notEqual(stored1('ann@example.com'), withKey('ann@example.com'));
    assert.ok(!withKey('ann@example.com').includes('ann'));
  });
});
