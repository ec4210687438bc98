// The bench's output: one markdown document, the same on stdout and in
// bench/results/latest.md, with what a reader needs to weigh the numbers
// (machine, Node, argon2 parameters, durations) above the table.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Measurement } from './load.ts';
import type { ScenarioId } from './options.ts';

/**
 * What a row measures within its scenario: the anchor its ratio is taken
 * against, Gatehouse on the empty store, on the grown store, or on 2 workers.
 */
export type RowRole = 'anchor' | 'empty' | 'growth' | 'cores';

export interface Row {
  scenario: string;
  backend: string;
  /** The scenario the row belongs to, and its part in it; absent on a note such as a skipped phase. */
  id?: ScenarioId;
  role?: RowRole;
  measurement?: Measurement;
  /** Why there is no measurement (failed or skipped). */
  note?: string;
  ratio?: number;
  /** What the ratio is taken against, with its value. */
  anchor?: string;
  /** The goal and whether it was met. */
  target?: { text: string; met: boolean };
}

export interface ReportMeta {
  date: string;
  cpu: string;
  cores: number;
  os: string;
  /** 1-minute load average at the start and the end: anything else running skews the figures. */
  load: [number, number];
  node: string;
  argon2: string;
  timing: string;
  connections: string;
  /** How the bench's Gatehouse differs from the defaults in its rate limits. */
  rateLimits: string;
  seed: string[];
  totalSeconds: number;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const formatRate = (n: number) => (n < 100 ? oneDecimal.format(n) : integer.format(n));
const formatMs = (n: number) => (n < 100 ? oneDecimal.format(n) : integer.format(n));

function cells(row: Row): string[] {
  const m = row.measurement;
  const failed = m ? m.unexpected + m.errors : undefined;
  return [
    row.scenario,
    row.backend,
    m ? formatRate(m.rps) : (row.note ?? '—'),
    m ? formatMs(m.p50) : '—',
    m ? formatMs(m.p99) : '—',
    row.ratio === undefined ? '—' : row.ratio.toFixed(2),
    row.anchor ?? '—',
    row.target ? `${row.target.text}: ${row.target.met ? 'met' : '**missed**'}` : '—',
    failed === undefined ? '—' : failed === 0 ? '0' : `**${failed}**`,
  ];
}

export function renderTable(rows: Row[]): string {
  const header = ['scenario', 'backend', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'anchor', 'target', 'unexpected/errors'];
  const escape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [header, header.map(() => '---'), ...rows.map(cells)]
    .map((line) => `| ${line.map(escape).join(' | ')} |`)
    .join('\n');
}

export function renderReport(meta: ReportMeta, rows: Row[]): string {
  return `# Gatehouse benchmark

- date: ${meta.date} (took ${Math.round(meta.totalSeconds)} s)
- machine: ${meta.cpu}, ${meta.cores} cores, ${meta.os}; 1-min load average ${meta.load[0].toFixed(1)} at start, ${meta.load[1].toFixed(1)} at end
- node: ${meta.node}
- argon2id: ${meta.argon2} (the server's own parameters)
- load: ${meta.timing}; ${meta.connections}
- rate limits: ${meta.rateLimits}
- growth: ${meta.seed.length > 0 ? meta.seed.join('; ') : 'not run'}

${renderTable(rows)}

How to read it (README, "Benchmarks"): **ratio** is the row's req/s divided by
its **anchor**, measured in this same run on this same machine: the argon2id
bound for logins, a bare oidc-provider for client_credentials, failed logins
with a wrong password for failed logins with an unknown email (issue #3: the
two must not be told apart by their time), the empty store for "grown store"
rows, one worker for "2 workers" rows. **per core** is req/s divided by the
number of Gatehouse worker processes. **unexpected/errors**: answers with
another status than the scenario expects (2xx; 401 for failed logins) and
connection errors; anything but 0 means the row measured failures. The load
generator runs on the same cores as the server, so absolute numbers are a
floor; ratios are what to compare between runs. Published per-vCPU figures
for comparison: Keycloak 15 password logins/s, 120 client_credentials/s,
120 refreshes/s; Hydra about 2,500 introspections/s without a database.
`;
}

/** Render the report and write it to `output` (its folder created if need be); returns the markdown. */
export async function writeReport(meta: ReportMeta, rows: Row[], output: string): Promise<string> {
  const markdown = renderReport(meta, rows);
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, markdown);
  return markdown;
}

/** Rows that failed or saw unexpected answers: they make `npm run bench` exit 1 (a missed target does not). */
export function brokenRows(rows: Row[]): Row[] {
  return rows.filter((row) => row.note?.startsWith('failed') || (row.measurement && row.measurement.unexpected + row.measurement.errors > 0));
}
