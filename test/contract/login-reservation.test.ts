// The sign-in reservation (services/rate-limits.ts reserveLogin) on every
// backend's limiter: each take is one atomic statement in the store (an
// upsert on PostgreSQL, findOneAndUpdate on MongoDB), so a burst of
// concurrent reservations never gets more than the limit through, and a
// refused reservation keeps nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RateLimitedError } from '../../src/errors.ts';
import { createRateLimits, DEFAULT_RATE_LIMITS, type LoginReservation, type RateLimits } from '../../src/services/rate-limits.ts';
import { forEachBackend } from './backends.ts';

const BURST = 200;

/** Fire every reservation in the same tick; the granted ones and the count refused with RateLimitedError. */
async function burst(attempts: Array<() => Promise<LoginReservation>>): Promise<{ granted: LoginReservation[]; refused: number }> {
  const started = attempts.map((attempt) => attempt());
  const results = await Promise.allSettled(started);
  const granted: LoginReservation[] = [];
  let refused = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') granted.push(r.value);
    else if (r.reason instanceof RateLimitedError) refused += 1;
    else throw r.reason;
  }
  return { granted, refused };
}

forEachBackend('sign-in reservation (RateLimits.reserveLogin)', (getStore) => {
  const limits = (overrides: Partial<typeof DEFAULT_RATE_LIMITS>): RateLimits => createRateLimits(
    (rule) => getStore().createRateLimiter({ ...rule, keyPrefix: `${rule.keyPrefix}-${randomUUID()}` }),
    { ...DEFAULT_RATE_LIMITS, ...overrides },
  );
  const email = () => `${randomUUID()}@example.com`;

  it(`lets exactly the per-source limit of ${BURST} concurrent reservations through`, async () => {
    const rl = limits({ loginFailuresPerAccount: 10, loginFailuresPerIp: 100_000, loginFailuresPerAccountUnrecognised: 100_000 });
    const target = email();
    const { granted, refused } = await burst(Array.from({ length: BURST }, () => () => rl.reserveLogin(target, { ip: '192.0.2.1', epoch: '' })));
    assert.equal(granted.length, 10);
    assert.equal(refused, BURST - 10);
  });

  it(`lets exactly the per-IP limit of ${BURST} concurrent reservations over as many accounts through`, async () => {
    const rl = limits({ loginFailuresPerAccount: 10, loginFailuresPerIp: 25, loginFailuresPerAccountUnrecognised: 100_000 });
    const { granted } = await burst(Array.from({ length: BURST }, () => () => rl.reserveLogin(email(), { ip: '192.0.2.2', epoch: '' })));
    assert.equal(granted.length, 25);
  });

  it('caps unrecognised sources account-wide, refunds the sources it refused, and never counts a recognised device there', async () => {
    const rl = limits({ loginFailuresPerAccount: 10, loginFailuresPerIp: 100_000, loginFailuresPerAccountUnrecognised: 30 });
    const target = email();
    const { granted } = await burst(Array.from({ length: BURST }, (_, i) => () => rl.reserveLogin(target, { ip: `198.51.100.${i % 100}`, epoch: '' })));
    assert.equal(granted.length, 30);
    // A recognised device counts on its own, whatever strangers did.
    const device = await burst(Array.from({ length: 20 }, () => () => rl.reserveLogin(target, { ip: '198.51.100.1', deviceId: 'cookie:owner', epoch: '' })));
    assert.equal(device.granted.length, 10);
  });

  it('resets the source\'s count on success (API.md), so failures between successes never add up to a lock', async () => {
    const rl = limits({ loginFailuresPerAccount: 3, loginFailuresPerIp: 100_000, loginFailuresPerAccountUnrecognised: 100_000 });
    const target = email();
    const source = { ip: '192.0.2.3', epoch: '' };
    for (let round = 0; round < 5; round += 1) {
      await rl.reserveLogin(target, source);
      await rl.reserveLogin(target, source);
      await (await rl.reserveLogin(target, source)).succeeded();
    }
    await rl.reserveLogin(target, source);
  });

  it('never counts a success against the IP or the account-wide ceiling, while failures do', async () => {
    const rl = limits({ loginFailuresPerAccount: 100, loginFailuresPerIp: 3, loginFailuresPerAccountUnrecognised: 3 });
    const target = email();
    const source = { ip: '192.0.2.7', epoch: '' };
    for (let i = 0; i < 10; i += 1) await (await rl.reserveLogin(target, source)).succeeded();
    for (let i = 0; i < 3; i += 1) await rl.reserveLogin(target, source);
    await assert.rejects(rl.reserveLogin(target, source), RateLimitedError);
  });

  it('starts the pair counts afresh under a new password epoch, and liftLoginLocks clears the account-wide ceiling', async () => {
    const rl = limits({ loginFailuresPerAccount: 2, loginFailuresPerIp: 100_000, loginFailuresPerAccountUnrecognised: 4 });
    const target = email();
    await burst(Array.from({ length: 10 }, () => () => rl.reserveLogin(target, { ip: '192.0.2.4', epoch: 'old' })));
    await assert.rejects(rl.reserveLogin(target, { ip: '192.0.2.4', epoch: 'old' }), RateLimitedError);
    await burst(Array.from({ length: 10 }, () => () => rl.reserveLogin(target, { ip: '192.0.2.5', epoch: 'old' })));
    await assert.rejects(rl.reserveLogin(target, { ip: '192.0.2.6', epoch: 'new' }), RateLimitedError, 'past the ceiling');
    await rl.liftLoginLocks(target);
    await rl.reserveLogin(target, { ip: '192.0.2.4', epoch: 'new' });
  });

  it('reports a lock when a failure spends the last point of the pair or the account-wide ceiling, and when a locked source tries again', async () => {
    const rl = limits({ loginFailuresPerAccount: 3, loginFailuresPerIp: 100_000, loginFailuresPerAccountUnrecognised: 5, loginWindowSeconds: 600 });
    const target = email();
    const locks: Date[] = [];
    const source = (ip: string) => ({ ip, epoch: '', onLock: async (until: Date) => void locks.push(until) });
    for (let i = 0; i < 2; i += 1) await (await rl.reserveLogin(target, source('192.0.2.8'))).failed();
    assert.equal(locks.length, 0, 'points left: no lock yet');
    // A success never reports one.
    await (await rl.reserveLogin(target, source('192.0.2.9'))).succeeded();
    assert.equal(locks.length, 0);
    await (await rl.reserveLogin(target, source('192.0.2.8'))).failed();
    assert.equal(locks.length, 1, 'the last point of the pair');
    const until = locks[0]!.getTime() - Date.now();
    assert.ok(until > 500_000 && until <= 600_000, `the lock lasts what is left of the window: ${until} ms`);
    await assert.rejects(rl.reserveLogin(target, source('192.0.2.8')), RateLimitedError);
    assert.equal(locks.length, 2, 'a refused attempt reports the lock again');
    // Two more failures elsewhere spend the account-wide ceiling (5): a lock too.
    await (await rl.reserveLogin(target, source('192.0.2.10'))).failed();
    await (await rl.reserveLogin(target, source('192.0.2.11'))).failed();
    assert.equal(locks.length, 3);
    await assert.rejects(rl.reserveLogin(target, source('192.0.2.12')), RateLimitedError);
    assert.equal(locks.length, 4);
  });
});
