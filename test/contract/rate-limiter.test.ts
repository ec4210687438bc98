import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { forEachBackend } from './backends.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The RateLimiterRes a blocked consume rejects with (anything else fails the test). */
async function blocked(attempt: Promise<unknown>): Promise<RateLimiterRes> {
  const outcome = await attempt.then(
    (res) => ({ ok: true as const, res }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  assert.equal(outcome.ok, false, 'expected the consume to be refused');
  assert.ok(!outcome.ok && outcome.err instanceof RateLimiterRes, `expected a RateLimiterRes, got ${String(!outcome.ok && outcome.err)}`);
  return outcome.err;
}

forEachBackend('Store.createRateLimiter', (getStore) => {
  // Unique per test: every limiter in this suite shares the store's table.
  const rule = (overrides: { points?: number; durationSeconds?: number; blockDurationSeconds?: number } = {}) => ({
    keyPrefix: `test-${randomUUID()}`, points: 3, durationSeconds: 60, ...overrides,
  });

  it('counts down, then refuses with a RateLimiterRes saying when to retry', async () => {
    const limiter = getStore().createRateLimiter(rule());
    const key = randomUUID();
    const remaining = [];
    for (let i = 0; i < 3; i += 1) remaining.push((await limiter.consume(key)).remainingPoints);
    assert.deepEqual(remaining, [2, 1, 0]);
    const res = await blocked(limiter.consume(key));
    assert.equal(res.remainingPoints, 0);
    assert.equal(res.consumedPoints, 4);
    assert.ok(res.msBeforeNext > 50_000 && res.msBeforeNext <= 60_000, `msBeforeNext ${res.msBeforeNext}`);
    const state = await limiter.get(key);
    assert.equal(state?.consumedPoints, 4);
  });

  it('keeps keys apart within one limiter', async () => {
    const limiter = getStore().createRateLimiter(rule({ points: 1 }));
    const [a, b] = [randomUUID(), randomUUID()];
    await limiter.consume(a);
    await blocked(limiter.consume(a));
    assert.equal((await limiter.consume(b)).remainingPoints, 0);
  });

  it('blocks for blockDurationSeconds once the points are used up', async () => {
    const limiter = getStore().createRateLimiter(rule({ points: 2, durationSeconds: 5, blockDurationSeconds: 600 }));
    const key = randomUUID();
    await limiter.consume(key);
    await limiter.consume(key);
    const res = await blocked(limiter.consume(key));
    assert.ok(res.msBeforeNext > 590_000, `msBeforeNext ${res.msBeforeNext}`);
    const state = await limiter.get(key);
    assert.ok(state !== null && state.msBeforeNext > 590_000, `stored block ${state?.msBeforeNext}`);
  });

  it('starts a new window once the duration has passed', async () => {
    const limiter = getStore().createRateLimiter(rule({ points: 1, durationSeconds: 1 }));
    const key = randomUUID();
    await limiter.consume(key);
    await blocked(limiter.consume(key));
    await sleep(1100);
    assert.equal((await limiter.consume(key)).remainingPoints, 0);
  });

  it('reward gives points back and delete resets the key', async () => {
    const limiter = getStore().createRateLimiter(rule({ points: 2 }));
    const key = randomUUID();
    await limiter.consume(key, 2);
    await blocked(limiter.consume(key));
    await limiter.reward(key, 2);
    assert.equal((await limiter.consume(key)).remainingPoints, 0);
    await blocked(limiter.consume(key));
    assert.equal(await limiter.delete(key), true);
    assert.equal(await limiter.get(key), null);
    assert.equal((await limiter.consume(key)).remainingPoints, 1);
    assert.equal(await limiter.delete(randomUUID()), false);
  });

  it('keeps limiters with different prefixes independent, and shares counts between limiters of one rule', async () => {
    const store = getStore();
    const ruleA = rule({ points: 1 });
    const [a, b, aAgain] = [store.createRateLimiter(ruleA), store.createRateLimiter(rule({ points: 1 })), store.createRateLimiter(ruleA)];
    const key = randomUUID();
    await a.consume(key);
    await blocked(a.consume(key));
    assert.equal((await b.consume(key)).remainingPoints, 0);
    // Another limiter on the same rule (another worker process) sees the same count.
    await blocked(aAgain.consume(key));
  });

  it('counts every one of 20 concurrent consumes', async () => {
    const limiter = getStore().createRateLimiter(rule({ points: 5 }));
    const key = randomUUID();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => limiter.consume(key)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
    assert.equal((await limiter.get(key))?.consumedPoints, 20);
  });
});
