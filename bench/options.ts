// The bench's knobs, all from the environment so `npm run bench` needs no
// arguments and the smoke test can shrink everything.
import { fileURLToPath } from 'node:url';
import type { SeedCounts } from './seed.ts';

export const SCENARIO_IDS = [
  'login-token',
  'login-api',
  'failed-login',
  'register-hidden',
  'client-credentials',
  'refresh',
  'introspection',
  'userinfo',
  'me',
  'admin-users-search',
] as const;
/**
 * Run only when BENCH_SCENARIOS names them: a stress load that leaves the
 * server draining its queues, which would weigh on the figures of whatever
 * runs next.
 */
export const ON_REQUEST_SCENARIO_IDS = ['login-burst'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number] | (typeof ON_REQUEST_SCENARIO_IDS)[number];

/**
 * empty: every scenario on a store with nothing seeded (always measured: it
 * is the baseline of the others); growth: on a seeded store; cores: 2 workers.
 */
export const PHASES = ['empty', 'growth', 'cores'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  /** Measured seconds per scenario (BENCH_DURATION). */
  durationSeconds: number;
  /** Seconds of load before each measurement, discarded (BENCH_WARMUP). */
  warmupSeconds: number;
  /** BENCH_SCENARIOS, a comma list of SCENARIO_IDS; all by default. */
  scenarios: ScenarioId[];
  /** BENCH_PHASES, a comma list of PHASES; all by default. */
  phases: Phase[];
  /** BENCH_SEED_ACCOUNTS, BENCH_SEED_TOKENS: what growth adds. */
  seed: SeedCounts;
  /** BENCH_DATABASE_URL: also run on this PostgreSQL server (in a schema of its own, dropped after). */
  databaseUrl: string | undefined;
  /**
   * BENCH_MONGODB_URL: also run on this MongoDB-protocol server (MongoDB or
   * FerretDB; in a database of its own, dropped after). Its rows are labelled
   * with the server's name and version.
   */
  mongodbUrl: string | undefined;
  /** BENCH_OUTPUT: where the markdown table goes. */
  output: string;
  /** BENCH_SERVER_NODE_ARGS: extra node arguments for the Gatehouse process (e.g. --cpu-prof). */
  serverNodeArgs: string[];
}

export const DEFAULT_OUTPUT = fileURLToPath(new URL('./results/latest.md', import.meta.url));

export class BenchOptionsError extends Error {}

function number(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new BenchOptionsError(`${name} must be a number ≥ ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function list<T extends string>(env: Record<string, string | undefined>, name: string, allowed: readonly T[], byDefault: readonly T[] = allowed): T[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [...byDefault];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0) throw new BenchOptionsError(`${name}: unknown ${unknown.join(', ')} (known: ${allowed.join(', ')})`);
  // In the canonical order, so the table reads the same whatever the list's order.
  return allowed.filter((item) => items.includes(item));
}

export function readOptions(env: Record<string, string | undefined> = process.env): BenchOptions {
  return {
    durationSeconds: number(env, 'BENCH_DURATION', 8, 0.5),
    warmupSeconds: number(env, 'BENCH_WARMUP', 2, 0),
    scenarios: list<ScenarioId>(env, 'BENCH_SCENARIOS', [...SCENARIO_IDS, ...ON_REQUEST_SCENARIO_IDS], SCENARIO_IDS),
    phases: list(env, 'BENCH_PHASES', PHASES),
    seed: {
      accounts: Math.round(number(env, 'BENCH_SEED_ACCOUNTS', 100_000, 1)),
      tokens: Math.round(number(env, 'BENCH_SEED_TOKENS', 1_000_000, 1)),
    },
    databaseUrl: env.BENCH_DATABASE_URL || undefined,
    mongodbUrl: env.BENCH_MONGODB_URL || undefined,
    output: env.BENCH_OUTPUT || DEFAULT_OUTPUT,
    serverNodeArgs: (env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
  };
}
