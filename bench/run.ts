// `npm run bench`: run every scenario (bench/bench.ts), print the markdown
// table on stdout and write it to bench/results/latest.md (BENCH_OUTPUT).
// Progress goes to stderr. Exit 1 when a scenario failed or saw non-2xx
// answers (missed targets are goals, not failures).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runBench } from './bench.ts';
import { BenchOptionsError, readOptions } from './options.ts';
import { renderReport } from './report.ts';

async function main(): Promise<void> {
  const options = readOptions();
  const report = await runBench(options);
  const markdown = renderReport(report.meta, report.rows);
  console.log(markdown);
  await mkdir(dirname(options.output), { recursive: true });
  await writeFile(options.output, markdown);
  console.error(`written to ${options.output}`);
  const broken = report.rows.filter((row) => row.note?.startsWith('failed') || (row.measurement && row.measurement.non2xx + row.measurement.errors > 0));
  if (broken.length > 0) {
    console.error(`${broken.length} scenario(s) failed or saw non-2xx answers: ${broken.map((row) => `${row.scenario} [${row.backend}]`).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchOptionsError ? err.message : err);
  process.exit(1);
});
