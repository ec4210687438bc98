// One run. For each backend: an empty store and a grown one (seeded in bulk),
// a Gatehouse on each, and on PostgreSQL a 2-worker Gatehouse on the empty
// store too. Then, scenario by scenario, everything a ratio compares is
// measured side by side (load.ts): the anchor (argon2 bound, bare
// oidc-provider), the empty store, the grown store, 2 workers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config.ts';
import type { Argon2Params } from '../src/services/password-hasher.ts';
import { argon2Source } from './argon2-bound.ts';
import { mongodbDatabase, pgliteDatabase, postgresDatabase, type BackendName, type BenchDatabase } from './databases.ts';
import { CLIENTS, createBenchAccounts } from './fixtures.ts';
import { httpSource, measureSideBySide, type LoadSource, type LoadTiming } from './load.ts';
import type { BenchOptions } from './options.ts';
import { BENCH_LOGIN_FAILURE_LIMIT, startBareProvider, startGatehouse, type ServerProcess } from './processes.ts';
import { formatRate, type ReportMeta, type Row, type RowRole } from './report.ts';
import { CORES_SCENARIOS, SCENARIOS } from './scenarios/index.ts';
import { LOGIN_CONNECTIONS } from './scenarios/password-login.ts';
import type { Anchor, Scenario, ServerUnderTest } from './scenarios/scenario.ts';
import { seed } from './seed.ts';

export interface BenchReport {
  meta: ReportMeta;
  rows: Row[];
}

type Log = (line: string) => void;

interface RunContext {
  options: BenchOptions;
  timing: LoadTiming;
  log: Log;
  rows: Row[];
  seedLines: string[];
  argon2: Argon2Params;
  workDir: string;
  clientsFile: string;
}

/** The servers of one backend, and the anchors started on demand. */
interface Stage {
  backend: BackendName;
  /** The rows' backend column. */
  label: string;
  empty: ServerProcess;
  grown?: ServerProcess;
  cluster?: ServerProcess;
  anchors: { argon2?: LoadSource; bare?: ServerProcess };
}

/** One line of a comparison: what to load, and how its row reads. */
interface Member {
  role: RowRole;
  title: string;
  workers: number;
  source?: LoadSource;
  failure?: string;
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160);
/** Ratios are judged as the table shows them (two decimals), so a 0.90 never reads "missed" against ≥ 0.9. */
const shown = (ratio: number) => Number(ratio.toFixed(2));
const integerText = (n: number) => new Intl.NumberFormat('en-US').format(n);
const gatehouseTarget = (server: ServerProcess): ServerUnderTest => ({ url: server.url, issuer: `${server.url}/oidc` });

/** The target of a Gatehouse row: growth ≥ 0.9 of the empty store, else the scenario's goal. */
function judge(scenario: Scenario, member: Member, rps: number, ratio: number | undefined): Row['target'] {
  const goal = scenario.goal;
  if (goal?.kind === 'per-core' && member.role !== 'growth') {
    const perCore = rps / member.workers;
    return { text: `≥ ${formatRate(goal.min)}/s per core (${formatRate(perCore)})`, met: perCore >= goal.min };
  }
  if (ratio === undefined) return undefined;
  if (member.role === 'growth') return { text: '≥ 0.9 × empty store', met: shown(ratio) >= 0.9 };
  if (goal?.kind === 'ratio') return { text: `≥ ${goal.min} × anchor`, met: shown(ratio) >= goal.min };
  if (goal?.kind === 'range') return { text: `${goal.min}–${goal.max} × ${anchorLabel(scenario.anchor)}`, met: shown(ratio) >= goal.min && shown(ratio) <= goal.max };
  return undefined;
}

/** The argon2 variables of our environment, so the server and the bound use the same parameters. */
function argon2Env(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['ARGON2_MEMORY_KIB', 'ARGON2_TIME_COST', 'ARGON2_PARALLELISM']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}

/** How the anchor and target columns name an anchor. */
function anchorLabel(anchor: Anchor | undefined): string {
  if (anchor?.kind === 'argon2') return 'argon2id bound';
  if (anchor?.kind === 'bare-provider') return 'bare oidc-provider';
  return anchor?.label ?? 'anchor';
}

async function anchorMember(ctx: RunContext, stage: Stage, scenario: Scenario): Promise<Member | undefined> {
  const anchor = scenario.anchor;
  if (anchor?.kind === 'argon2') {
    stage.anchors.argon2 ??= await argon2Source(ctx.argon2, LOGIN_CONNECTIONS);
    return { role: 'anchor', title: `argon2id bound, ${LOGIN_CONNECTIONS} at a time`, workers: 1, source: stage.anchors.argon2 };
  }
  if (anchor?.kind === 'same-server') {
    try {
      return { role: 'anchor', title: anchor.title, workers: 1, source: httpSource(await anchor.prepare(gatehouseTarget(stage.empty))) };
    } catch (err) {
      return { role: 'anchor', title: anchor.title, workers: 1, failure: errorMessage(err) };
    }
  }
  if (anchor?.kind === 'bare-provider') {
    const title = 'client_credentials, bare oidc-provider (in-memory adapter)';
    try {
      stage.anchors.bare ??= await startBareProvider(CLIENTS.service);
      const bare = stage.anchors.bare;
      return { role: 'anchor', title, workers: 1, source: httpSource(await scenario.prepare({ url: bare.url, issuer: bare.url })) };
    } catch (err) {
      return { role: 'anchor', title, workers: 1, failure: errorMessage(err) };
    }
  }
  return undefined;
}

async function gatehouseMember(role: RowRole, title: string, workers: number, scenario: Scenario, server: ServerProcess): Promise<Member> {
  try {
    return { role, title, workers, source: httpSource(await scenario.prepare(gatehouseTarget(server))) };
  } catch (err) {
    return { role, title, workers, failure: errorMessage(err) };
  }
}

/** Measure one scenario and everything it is compared with, side by side; push their rows. */
async function benchScenario(ctx: RunContext, stage: Stage, scenario: Scenario): Promise<void> {
  const members: Member[] = [];
  const anchor = await anchorMember(ctx, stage, scenario);
  if (anchor) members.push(anchor);
  members.push(await gatehouseMember('empty', scenario.title, 1, scenario, stage.empty));
  if (stage.grown && scenario.growth !== false) members.push(await gatehouseMember('growth', `${scenario.title}, grown store`, 1, scenario, stage.grown));
  if (stage.cluster && CORES_SCENARIOS.includes(scenario.id)) {
    members.push(await gatehouseMember('cores', `${scenario.title}, 2 workers`, 2, scenario, stage.cluster));
  }

  const measured = members.filter((m) => m.source);
  ctx.log(`  ${scenario.title} [${stage.label}]: ${measured.map((m) => m.role).join(', ')} side by side`);
  let results: Awaited<ReturnType<typeof measureSideBySide>> = [];
  try {
    results = await measureSideBySide(measured.map((m) => m.source!), ctx.timing);
  } catch (err) {
    for (const m of measured) m.failure = errorMessage(err);
  }
  const measurementOf = (member: Member | undefined) => (member?.failure ? undefined : results[measured.indexOf(member!)]);

  const anchorM = measurementOf(anchor);
  const emptyMember = members.find((m) => m.role === 'empty')!;
  const emptyM = measurementOf(emptyMember);
  for (const member of members) {
    const m = measurementOf(member);
    const row: Row = { scenario: member.title, backend: stage.label, id: scenario.id, role: member.role };
    ctx.rows.push(row);
    if (!m) {
      row.note = `failed: ${member.failure ?? 'not measured'}`;
      continue;
    }
    row.measurement = m;
    if (member.role === 'anchor') continue;
    const base = member.role === 'empty' ? anchorM : emptyM;
    if (base && base.rps > 0) {
      row.ratio = m.rps / base.rps;
      row.anchor = member.role === 'empty'
        ? `${anchorLabel(scenario.anchor)} ${formatRate(base.rps)}/s`
        : `${member.role === 'growth' ? 'empty store' : '1 worker'} ${formatRate(base.rps)}/s`;
    }
    row.target = judge(scenario, member, m.rps, row.ratio);
  }
}

/** A database with the bench's accounts; returns it and the accounts' password hash (for seeding). */
async function prepareDatabase(ctx: RunContext, db: BenchDatabase): Promise<string> {
  const { store } = await db.open();
  try {
    return await createBenchAccounts(store.accounts, ctx.argon2);
  } finally {
    await store.close();
  }
}

async function growDatabase(ctx: RunContext, db: BenchDatabase, passwordHash: string): Promise<void> {
  const { seed: counts } = ctx.options;
  ctx.log(`${db.name}: seeding ${integerText(counts.accounts)} accounts and ${integerText(counts.tokens)} token rows`);
  const { store, driver } = await db.open();
  try {
    if (driver === undefined) throw new Error(`${db.name}: the seeding writes SQL`);
    const seeded = await seed(driver, counts, passwordHash);
    const sessions = seeded.sessions > 0 ? `, +${integerText(seeded.sessions)} sessions` : '';
    ctx.seedLines.push(`${db.name}: +${integerText(seeded.accounts)} accounts, +${integerText(seeded.tokens)} token rows${sessions}, seeded in ${(seeded.ms / 1000).toFixed(1)} s`);
  } finally {
    await store.close();
  }
}

async function benchBackend(ctx: RunContext, backend: BackendName): Promise<void> {
  const { options } = ctx;
  const newDatabase = (name: string) =>
    backend === 'pglite'
      ? Promise.resolve(pgliteDatabase(join(ctx.workDir, `pglite-${name}`)))
      : backend === 'postgres'
        ? postgresDatabase(options.databaseUrl!)
        : mongodbDatabase(options.mongodbUrl!);
  const databases: BenchDatabase[] = [];
  const servers: ServerProcess[] = [];
  let stage: Stage | undefined;
  const start = async (db: BenchDatabase, workers: number) => {
    const server = await startGatehouse({
      env: { ...db.serverEnv, CLIENTS_FILE: ctx.clientsFile, ...argon2Env() },
      workers,
      nodeArgs: options.serverNodeArgs,
    });
    servers.push(server);
    return server;
  };

  try {
    ctx.log(`${backend}: preparing the stores`);
    const emptyDb = await newDatabase('empty');
    databases.push(emptyDb);
    await prepareDatabase(ctx, emptyDb);
    let grownDb: BenchDatabase | undefined;
    if (backend === 'mongodb') {
      ctx.rows.push({
        scenario: 'note',
        backend: emptyDb.label,
        note: emptyDb.label.startsWith('FerretDB')
          ? "FerretDB's figures, not MongoDB's: FerretDB 1.x on SQLite, and Gatehouse runs its writes there one at a time (README, \"Running on MongoDB\")"
          : 'MongoDB',
      });
      if (options.phases.includes('growth')) ctx.rows.push({ scenario: 'growth', backend: emptyDb.label, note: 'skipped: the seeding writes SQL' });
    } else if (options.phases.includes('growth')) {
      grownDb = await newDatabase('grown');
      databases.push(grownDb);
      await growDatabase(ctx, grownDb, await prepareDatabase(ctx, grownDb));
    }

    ctx.log(`${emptyDb.label}: starting Gatehouse`);
    stage = { backend, label: emptyDb.label, empty: await start(emptyDb, 1), anchors: {} };
    if (grownDb) stage.grown = await start(grownDb, 1);
    if (backend === 'postgres' && options.phases.includes('cores')) stage.cluster = await start(emptyDb, 2);

    for (const id of options.scenarios) await benchScenario(ctx, stage, SCENARIOS[id]);
  } finally {
    if (stage?.anchors.bare) servers.push(stage.anchors.bare);
    for (const server of servers.reverse()) await server.stop().catch((err: unknown) => ctx.log(`stopping a server: ${errorMessage(err)}`));
    for (const db of databases) await db.remove().catch((err: unknown) => ctx.log(`removing a database: ${errorMessage(err)}`));
  }
}

export async function runBench(options: BenchOptions, log: Log = (line) => console.error(line)): Promise<BenchReport> {
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const workDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  const ctx: RunContext = {
    options,
    timing: { warmupSeconds: options.warmupSeconds, durationSeconds: options.durationSeconds },
    log,
    rows: [],
    seedLines: [],
    argon2: parseConfig(argon2Env()).argon2,
    workDir,
    clientsFile: join(workDir, 'clients.json'),
  };
  try {
    await writeFile(ctx.clientsFile, JSON.stringify(Object.values(CLIENTS)));
    await benchBackend(ctx, 'pglite');
    if (options.databaseUrl) {
      await benchBackend(ctx, 'postgres');
    } else if (options.phases.includes('cores')) {
      ctx.rows.push({ scenario: 'cores: 1 against 2 workers', backend: 'postgres', note: 'skipped: needs BENCH_DATABASE_URL' });
    }
    if (options.mongodbUrl) await benchBackend(ctx, 'mongodb');
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const { argon2 } = ctx;
  return {
    rows: ctx.rows,
    meta: {
      date: new Date().toISOString(),
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores: availableParallelism(),
      os: `${platform()} ${release()}`,
      load: [loadAtStart, loadavg()[0]!],
      node: process.version,
      argon2: `m=${argon2.memoryCost} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}`,
      timing: `autocannon in the bench process; per source ${options.warmupSeconds} s warm-up, then ${options.durationSeconds} s measured in turns of about 2 s (longer while a turn has had no answer yet) with the sources it is compared with`,
      connections: `${LOGIN_CONNECTIONS} connections for logins and the argon2 bound, 8 for the rest; Gatehouse at LOG_LEVEL=info`,
      rateLimits: `failed logins allowed per account and per IP raised to ${integerText(BENCH_LOGIN_FAILURE_LIMIT)}, so failed-login scenarios measure the work, not the lock`,
      seed: ctx.seedLines,
      totalSeconds: (performance.now() - started) / 1000,
    },
  };
}
