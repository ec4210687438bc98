// Entry point (`npm start`, the Dockerfile, cluster workers). Its imports are
// dynamic and in this order on purpose: OpenTelemetry's instrumentations
// patch koa, pg, mongodb and node:http as they load, so tracing must start
// before any of them is imported, and .env (which may set
// OTEL_EXPORTER_OTLP_ENDPOINT) is read before that. A static import would be
// evaluated before this file's body runs. Without the variable, tracing.ts is
// never loaded: off costs nothing.
import { readEnvFile } from './env-file.ts';

try {
  // The environment wins over the file.
  const envFile = readEnvFile();
  const stopTracing = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? await (await import('./tracing.ts')).startTracing() : undefined;
  const { run } = await import('./run.ts');
  await run({ envFile, ...(stopTracing && { beforeExit: stopTracing }) });
} catch (err) {
  // The one place a startup failure is reported; no stack trace for a user to read.
  console.error(`Gatehouse failed to start: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
}
