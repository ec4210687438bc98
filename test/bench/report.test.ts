// The bench's markdown (bench/report.ts): one line per row, cells escaped so
// a title can never break the table, targets read met or **missed**, and
// unexpected answers stand out.
import assert from 'node:assert/strict';
import type { Measurement } from '../../bench/load.ts';
import { brokenRows, renderTable, type Row } from '../../bench/report.ts';

const measurement = (over: Partial<Measurement> = {}): Measurement => ({
  rps: 1234.4, p50: 3.21, p99: 120.4, ok: 2469, unexpected: 0, errors: 0, seconds: 2, ...over,
});
const lines = (rows: Row[]) => renderTable(rows).split('\n');
const cellsOf = (line: string) => line.slice(2, -2).split(/ (?<!\\)\| /);

describe('bench report table', () => {
  it('has the header, a rule and one line per row, nine cells each', () => {
    const table = lines([
      { scenario: 'refresh (rotating)', backend: 'pglite', measurement: measurement() },
      { scenario: 'cores', backend: 'postgres', note: 'skipped: needs BENCH_DATABASE_URL' },
    ]);
    assert.equal(table[0], '| scenario | backend | req/s | p50 ms | p99 ms | ratio | anchor | target | unexpected/errors |');
    assert.equal(table[1], '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    assert.equal(table.length, 4);
    assert.deepEqual(cellsOf(table[2]!), ['refresh (rotating)', 'pglite', '1,234', '3.2', '120', '—', '—', '—', '0']);
    assert.deepEqual(cellsOf(table[3]!), ['cores', 'postgres', 'skipped: needs BENCH_DATABASE_URL', '—', '—', '—', '—', '—', '—']);
  });

  it('escapes pipes and folds newlines, so a cell never splits the line', () => {
    const [, , line] = lines([{ scenario: 'a | b', backend: 'pg\nlite', note: 'failed: GET /x answered 500: {"a":"|"}\nat line 2' }]);
    assert.equal(line, '| a \\| b | pg lite | failed: GET /x answered 500: {"a":"\\|"} at line 2 | — | — | — | — | — | — |');
    assert.equal(cellsOf(line!).length, 9);
  });

  it('reads a target met or **missed**, with the ratio to two decimals and its anchor', () => {
    const [, , met, missed] = lines([
      { scenario: 'failed login, unknown email', backend: 'pglite', measurement: measurement({ rps: 14.26 }), ratio: 0.9549, anchor: 'wrong password 14.9/s', target: { text: '0.9–1.1 × wrong password', met: true } },
      { scenario: 'client_credentials', backend: 'pglite', measurement: measurement(), ratio: 0.5, anchor: 'bare oidc-provider 2,469/s', target: { text: '≥ 0.8 × anchor', met: false } },
    ]);
    assert.deepEqual(cellsOf(met!).slice(2), ['14.3', '3.2', '120', '0.95', 'wrong password 14.9/s', '0.9–1.1 × wrong password: met', '0']);
    assert.deepEqual(cellsOf(missed!).slice(5, 8), ['0.50', 'bare oidc-provider 2,469/s', '≥ 0.8 × anchor: **missed**']);
  });

  it('puts unexpected answers and errors in bold, and counts such rows and failures as broken', () => {
    const rows: Row[] = [
      { scenario: 'ok', backend: 'pglite', measurement: measurement() },
      { scenario: 'unexpected', backend: 'pglite', measurement: measurement({ unexpected: 2, errors: 1 }) },
      { scenario: 'failed', backend: 'pglite', note: 'failed: boom' },
      { scenario: 'skipped', backend: 'postgres', note: 'skipped: needs BENCH_DATABASE_URL' },
    ];
    assert.equal(cellsOf(lines(rows)[3]!)[8], '**3**');
    assert.deepEqual(brokenRows(rows).map((row) => row.scenario), ['unexpected', 'failed']);
  });
});
