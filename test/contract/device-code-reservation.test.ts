// The device flow's limit on wrong user codes (services/rate-limits.ts
// reserveDeviceCode) on every backend's limiter: the point is taken before
// the code is looked up, in one atomic statement, so a burst of guesses from
// one IP never gets more than the limit evaluated; a code that matched gives
// its point back.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RateLimitedError } from '../../src/errors.ts';
import { createRateLimits, DEFAULT_RATE_LIMITS, type RateLimits } from '../../src/services/rate-limits.ts';
import { forEachBackend } from './backends.ts';

const BURST = 100;
const LIMIT = 10;

async function burst(rl: RateLimits, ip: string, count: number) {
  const results = await Promise.allSettled(Array.from({ length: count }, () => rl.reserveDeviceCode(ip)));
  const refused = results.filter((r) => r.status === 'rejected');
  for (const r of refused) assert.ok(r.reason instanceof RateLimitedError, String(r.reason));
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

forEachBackend('device-code reservation (RateLimits.reserveDeviceCode)', (getStore) => {
  const limits = (): RateLimits => createRateLimits(
    (rule) => getStore().createRateLimiter({ ...rule, keyPrefix: `${rule.keyPrefix}-${randomUUID()}` }),
    { ...DEFAULT_RATE_LIMITS, deviceCodeFailuresPerIp: LIMIT },
  );

  it(`lets exactly ${LIMIT} of ${BURST} concurrent guesses from one IP be looked up`, async () => {
    const granted = await burst(limits(), '192.0.2.10', BURST);
    assert.equal(granted.length, LIMIT);
  });

  it('counts only codes that did not match, and keeps IPs apart', async () => {
    const rl = limits();
    for (let i = 0; i < LIMIT * 2; i += 1) await (await rl.reserveDeviceCode('192.0.2.11')).matched();
    assert.equal((await burst(rl, '192.0.2.11', LIMIT + 5)).length, LIMIT, 'matched codes left the whole limit');
    await assert.rejects(rl.reserveDeviceCode('192.0.2.11'), (err: unknown) => err instanceof RateLimitedError && err.retryAfterSeconds > 0);
    assert.equal((await burst(rl, '192.0.2.12', 1)).length, 1, 'another IP is not refused');
  });
});
