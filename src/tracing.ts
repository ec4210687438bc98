// OpenTelemetry traces, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set
// (main.ts imports this file only then). Spans: every HTTP request
// (node:http), Koa's middleware and routers, and every database call through
// pg (PostgreSQL) or the MongoDB driver. PGlite runs PostgreSQL in this
// process, with no driver to instrument: the embedded database gives request
// spans only.
//
// The exporter follows the standard variables: OTEL_EXPORTER_OTLP_PROTOCOL
// (http/protobuf by default, http/json, grpc), OTEL_SERVICE_NAME,
// OTEL_TRACES_SAMPLER… (the SDK reads them). Metrics stay Prometheus's
// (METRICS_PORT) and logs stay on stdout, so the SDK's own metric and log
// exporters are off unless asked for.
//
// ESM and type stripping: the instrumentations patch a module when it is
// required (require-in-the-middle hooks Module.prototype.require). Our
// `import Koa from 'koa'` loads CommonJS without that hook, so each
// instrumented package is required here once, after the SDK has started:
// the patch lands on its exports and prototypes, and the later import is
// served the same cached module (import of CommonJS reuses require's cache).
import { createRequire } from 'node:module';

const INSTRUMENTED = ['node:http', 'koa', 'pg', 'mongodb'];

/** Start the SDK; resolves to a function that flushes and stops it. */
export async function startTracing(): Promise<() => Promise<void>> {
  process.env.OTEL_SERVICE_NAME ??= 'gatehouse';
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const [{ NodeSDK }, { HttpInstrumentation }, { KoaInstrumentation }, { PgInstrumentation }, { MongoDBInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-koa'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-mongodb'),
  ]);
  const sdk = new NodeSDK({
    instrumentations: [
      // Health probes every few seconds would drown the traces that matter.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/health' || req.url === '/ready' }),
      new KoaInstrumentation(),
      // A span only inside a request's trace: the periodic purge and change-feed polls would each start a trace.
      new PgInstrumentation({ requireParentSpan: true }),
      new MongoDBInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  const require = createRequire(import.meta.url);
  for (const name of INSTRUMENTED) require(name);
  return () => sdk.shutdown();
}
