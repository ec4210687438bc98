// `npm run bench`: run every scenario (bench/bench.ts), print the markdown
// table on stdout and write it to bench/results/latest.md (BENCH_OUTPUT).
// Progress goes to stderr. Exit 1 when a scenario failed or saw answers with
// an unexpected status (missed targets are goals, not failures).
import { runBench } from './bench.ts';
import { BenchOptionsError, readOptions } from './options.ts';
import { brokenRows, writeReport } from './report.ts';

async function main(): Promise<void> {
  const options = readOptions();
  const report = await runBench(options);
  const markdown = await writeReport(report.meta, report.rows, options.output);
  console.log(markdown);
  console.error(`written to ${options.output}`);
  const broken = brokenRows(report.rows);
  if (broken.length > 0) {
    console.error(`${broken.length} scenario(s) failed or saw unexpected answers: ${broken.map((row) => `${row.scenario} [${row.backend}]`).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchOptionsError ? err.message : err);
  process.exit(1);
});
