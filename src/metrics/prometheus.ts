// The Metrics port (services/metrics.ts) in prom-client: Prometheus names
// (`gatehouse_…_total` counters, `_seconds` for durations, base units), one
// registry per server so tests starting several servers in one process do
// not share counts.
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../services/metrics.ts';

export interface PoolUse {
  inUse: number;
  waiting: number;
}

export interface PrometheusMetrics extends Metrics {
  registry: Registry;
}

/**
 * Durations from a fast token introspection (a few ms) to a sign-in queued
 * behind argon2 under load (seconds).
 */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function defineCounters(registry: Registry) {
  const registers = [registry];
  const labelled = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter({ name, help, labelNames, registers });
  const http = { method: 'method', route: 'route', status: 'status' } as const;
  return {
    requests: labelled('gatehouse_http_requests_total', 'HTTP requests answered, by method, route template and status.', Object.values(http)),
    durations: new Histogram({
      name: 'gatehouse_http_request_duration_seconds', help: 'Time to answer an HTTP request, by method, route template and status.',
      labelNames: Object.values(http), buckets: DURATION_BUCKETS, registers,
    }),
    signIns: labelled('gatehouse_sign_ins_total', 'Sign-ins on every surface, by method and result.', ['method', 'result']),
    grants: labelled('gatehouse_token_grants_total', 'Tokens issued by the token endpoint, by grant type.', ['grant_type']),
    reuse: labelled('gatehouse_refresh_token_reuse_total', 'Replayed refresh tokens (each ends its session).', []),
    locks: labelled('gatehouse_rate_limit_locks_total', 'Locks engaged by the abuse limits, by limit (login, mfa).', ['limit']),
    mfa: labelled('gatehouse_mfa_results_total', 'Second-factor checks, by factor type and result.', ['type', 'result']),
    auditFailures: labelled('gatehouse_audit_write_failures_total', 'Audit events that could not be written (each is also logged).', []),
  };
}

function definePoolGauge(registry: Registry, pool: () => PoolUse | undefined): void {
  new Gauge({
    name: 'gatehouse_db_pool_connections', help: 'Database pool connections in use, and requests waiting for one.',
    labelNames: ['state'] as const, registers: [registry],
    // Read at scrape time: the pool keeps the numbers, nothing to update per query.
    collect() {
      const use = pool();
      if (!use) return;
      this.set({ state: 'in_use' }, use.inUse);
      this.set({ state: 'waiting' }, use.waiting);
    },
  });
}

export function createPrometheusMetrics(options: { pool?: () => PoolUse | undefined } = {}): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = defineCounters(registry);
  if (options.pool) definePoolGauge(registry, options.pool);
  return {
    registry,
    httpRequest({ method, route, status, seconds }) {
      const labels = { method, route, status: String(status) };
      m.requests.inc(labels);
      m.durations.observe(labels, seconds);
    },
    signIn: (method, result) => m.signIns.inc({ method, result }),
    tokenGranted: (grantType) => m.grants.inc({ grant_type: grantType }),
    refreshTokenReused: () => m.reuse.inc(),
    rateLimitLocked: (limit) => m.locks.inc({ limit }),
    mfaResult: (type, result) => m.mfa.inc({ type, result }),
    auditWriteFailed: () => m.auditFailures.inc(),
  };
}

/**
 * WEB_CONCURRENCY > 1: the workers share PORT, so one of them answering a
 * scrape would give one worker's counts. The primary listens on METRICS_PORT
 * instead and asks every worker for its registry over the cluster's IPC
 * channel (prom-client's AggregatorRegistry sums them).
 */
export function answerClusterPrimary(registry: Registry): void {
  // Constructing one installs the worker's answer to the primary's request.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

/** In the cluster primary: every worker's metrics, summed. */
export function clusterMetricsSource(): { metrics(): Promise<string>; contentType: string } {
  const aggregator = new AggregatorRegistry();
  return { metrics: () => aggregator.clusterMetrics(), contentType: aggregator.contentType };
}
