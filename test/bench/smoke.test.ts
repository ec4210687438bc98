// The bench, end to end at smoke size (issue #5: "a smoke run of a few
// seconds is part of the test suite, so the bench cannot rot"): every
// scenario on PGlite, and on PostgreSQL with its 2-worker rows when
// TEST_DATABASE_URL is set. Figures are not judged, only that each row was
// measured, saw no unexpected answer, and reached the report.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench, type BenchReport } from '../../bench/bench.ts';
import { readOptions, SCENARIO_IDS, type BenchOptions } from '../../bench/options.ts';
import { renderTable, writeReport, type Row, type RowRole } from '../../bench/report.ts';
import { CORES_SCENARIOS, SCENARIOS } from '../../bench/scenarios/index.ts';

const describeRow = (row: Row) => `${row.scenario} [${row.backend}]`;

/** The rows a scenario should have given on a backend: its anchor, the empty store, the grown one, 2 workers. */
function expectedRoles(id: (typeof SCENARIO_IDS)[number], backend: string): RowRole[] {
  const scenario = SCENARIOS[id];
  const roles: RowRole[] = ['empty'];
  if (scenario.anchor) roles.push('anchor');
  if (scenario.growth !== false) roles.push('growth');
  if (backend === 'postgres' && CORES_SCENARIOS.includes(id)) roles.push('cores');
  return roles;
}

describe('npm run bench, at smoke size', function () {
  // Generous: the whole suite may be running on the same 2 cores.
  this.timeout(240_000);
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const backends = databaseUrl ? ['pglite', 'postgres'] : ['pglite'];
  let dir: string;
  let options: BenchOptions;
  let report: BenchReport;
  let markdown: string;
  const progress: string[] = [];
  const withProgress = (message: string) => `${message}\nbench progress:\n${progress.join('\n')}`;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-smoke-'));
    options = readOptions({
      BENCH_DURATION: '1',
      BENCH_WARMUP: '0.2',
      BENCH_SEED_ACCOUNTS: '500',
      BENCH_SEED_TOKENS: '5000',
      BENCH_OUTPUT: join(dir, 'results', 'latest.md'),
      BENCH_DATABASE_URL: databaseUrl,
    });
    report = await runBench(options, (line) => progress.push(line));
    markdown = await writeReport(report.meta, report.rows, options.output);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives every scenario its rows on every backend', () => {
    for (const backend of backends) {
      for (const id of SCENARIO_IDS) {
        const roles = report.rows.filter((row) => row.id === id && row.backend === backend).map((row) => row.role);
        assert.deepEqual(roles.toSorted(), expectedRoles(id, backend).toSorted(), withProgress(`${id} [${backend}]`));
      }
    }
    if (!databaseUrl) assert.ok(report.rows.some((row) => row.backend === 'postgres' && row.note?.startsWith('skipped')));
  });

  it('measures every row: more than 0 req/s and no unexpected answer', () => {
    for (const row of report.rows) {
      if (row.note?.startsWith('skipped')) continue;
      const m = row.measurement;
      assert.ok(m, withProgress(`${describeRow(row)}: ${row.note ?? 'no measurement'}`));
      assert.ok(m.rps > 0 && m.ok > 0, withProgress(`${describeRow(row)}: ${m.rps} req/s`));
      assert.equal(m.unexpected + m.errors, 0, withProgress(`${describeRow(row)}: ${m.unexpected} unexpected answers, ${m.errors} errors`));
      assert.ok(m.p50 > 0 && m.p99 >= m.p50, `${describeRow(row)}: p50 ${m.p50}, p99 ${m.p99}`);
    }
  });

  it('gives a finite ratio and its anchor wherever a row is compared', () => {
    const compared = report.rows.filter((row) => row.role === 'growth' || row.role === 'cores' || (row.role === 'empty' && SCENARIOS[row.id!].anchor));
    assert.ok(compared.length > 0);
    for (const row of compared) {
      assert.ok(row.ratio !== undefined && Number.isFinite(row.ratio) && row.ratio > 0, `${describeRow(row)}: ratio ${row.ratio}`);
      assert.match(row.anchor ?? '', /\d\/s$/, describeRow(row));
    }
    for (const row of report.rows.filter((r) => r.role === 'anchor')) assert.equal(row.ratio, undefined, describeRow(row));
  });

  it('times an unknown email against a wrong password at the login endpoint, with the 0.9–1.1 target', () => {
    for (const backend of backends) {
      const pair = report.rows.filter((row) => row.id === 'failed-login' && row.backend === backend);
      const wrongPassword = pair.find((row) => row.role === 'anchor');
      const unknownEmail = pair.find((row) => row.role === 'empty');
      assert.equal(wrongPassword?.scenario, 'failed login, wrong password');
      assert.equal(unknownEmail?.scenario, 'failed login, unknown email');
      assert.match(unknownEmail.anchor ?? '', /^wrong password [\d.,]+\/s$/);
      assert.equal(unknownEmail.target?.text, '0.9–1.1 × wrong password');
    }
  });

  it('renders the table with every row and the raised rate limits, and writes it to BENCH_OUTPUT', async () => {
    const [header, rule] = renderTable([]).split('\n');
    assert.ok(markdown.includes(`${header}\n${rule}\n`), markdown);
    for (const row of report.rows) {
      assert.ok(markdown.includes(`\n${renderTable([row]).split('\n')[2]}\n`), `${describeRow(row)} missing from\n${markdown}`);
      assert.ok(markdown.includes(`\n| ${row.scenario} | ${row.backend} |`), describeRow(row));
    }
    assert.match(markdown, /^- rate limits: .*failed-login scenarios measure the work, not the lock$/m);
    assert.equal(await readFile(options.output, 'utf8'), markdown);
  });
});
