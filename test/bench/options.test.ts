// The bench's knobs (bench/options.ts): defaults, canonical order, and a
// clear BenchOptionsError for anything it cannot use.
import assert from 'node:assert/strict';
import { BenchOptionsError, DEFAULT_OUTPUT, PHASES, readOptions, SCENARIO_IDS } from '../../bench/options.ts';

describe('bench options', () => {
  it('defaults to every scenario and phase, 8 s measured after 2 s of warm-up, the full growth seed', () => {
    const options = readOptions({});
    assert.deepEqual(options.scenarios, [...SCENARIO_IDS]);
    assert.deepEqual(options.phases, [...PHASES]);
    assert.equal(options.durationSeconds, 8);
    assert.equal(options.warmupSeconds, 2);
    assert.deepEqual(options.seed, { accounts: 100_000, tokens: 1_000_000 });
    assert.equal(options.databaseUrl, undefined);
    assert.equal(options.output, DEFAULT_OUTPUT);
    assert.deepEqual(options.serverNodeArgs, []);
  });

  it('reads every variable; lists come back in the canonical order whatever the order given', () => {
    const options = readOptions({
      BENCH_DURATION: '1.5',
      BENCH_WARMUP: '0',
      BENCH_SCENARIOS: ' me , failed-login,login-token ',
      BENCH_PHASES: 'cores,empty',
      BENCH_SEED_ACCOUNTS: '500',
      BENCH_SEED_TOKENS: '5000.4',
      BENCH_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      BENCH_OUTPUT: '/tmp/out.md',
      BENCH_SERVER_NODE_ARGS: '--cpu-prof  --cpu-prof-dir=/tmp/prof',
    });
    assert.equal(options.durationSeconds, 1.5);
    assert.equal(options.warmupSeconds, 0);
    assert.deepEqual(options.scenarios, ['login-token', 'failed-login', 'me']);
    assert.deepEqual(options.phases, ['empty', 'cores']);
    assert.deepEqual(options.seed, { accounts: 500, tokens: 5000 });
    assert.equal(options.databaseUrl, 'postgres://postgres@127.0.0.1:5432/test');
    assert.equal(options.output, '/tmp/out.md');
    assert.deepEqual(options.serverNodeArgs, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']);
  });

  it('treats empty values as unset', () => {
    const options = readOptions({ BENCH_DURATION: '', BENCH_SCENARIOS: ' ', BENCH_DATABASE_URL: '', BENCH_OUTPUT: '' });
    assert.equal(options.durationSeconds, 8);
    assert.deepEqual(options.scenarios, [...SCENARIO_IDS]);
    assert.equal(options.databaseUrl, undefined);
    assert.equal(options.output, DEFAULT_OUTPUT);
  });

  it('runs the login burst only when BENCH_SCENARIOS names it', () => {
    assert.ok(!readOptions({}).scenarios.includes('login-burst'));
    assert.deepEqual(readOptions({ BENCH_SCENARIOS: 'login-burst,me' }).scenarios, ['me', 'login-burst']);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['BENCH_DURATION', 'ten', /BENCH_DURATION must be a number ≥ 0\.5, got "ten"/],
    ['BENCH_DURATION', '0.1', /BENCH_DURATION must be a number ≥ 0\.5/],
    ['BENCH_DURATION', 'Infinity', /BENCH_DURATION/],
    ['BENCH_WARMUP', '-1', /BENCH_WARMUP must be a number ≥ 0/],
    ['BENCH_SEED_ACCOUNTS', '0', /BENCH_SEED_ACCOUNTS must be a number ≥ 1/],
    ['BENCH_SEED_TOKENS', '1e', /BENCH_SEED_TOKENS/],
    ['BENCH_SCENARIOS', 'me,logins', /BENCH_SCENARIOS: unknown logins \(known: login-token, .*failed-login/],
    ['BENCH_PHASES', 'growth,speed', /BENCH_PHASES: unknown speed/],
  ];
  for (const [name, value, message] of bad) {
    it(`refuses ${name}=${JSON.stringify(value)} with a BenchOptionsError naming it`, () => {
      assert.throws(() => readOptions({ [name]: value }), (err: unknown) => err instanceof BenchOptionsError && message.test(err.message));
    });
  }
});
