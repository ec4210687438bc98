// WEB_CONCURRENCY > 1: a primary process that only forks and supervises
// workers; each worker runs the whole server (main.ts -> startServer) on the
// shared PORT, and node:cluster hands connections out to them round-robin.
// Workers share nothing but the database (keys, sessions and tokens all live
// there), which is why config.ts refuses this with the embedded PGlite.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './logger.ts';
import { listenForMetrics, metricsUrlOf } from './metrics/listener.ts';
import { clusterMetricsSource } from './metrics/prometheus.ts';

/** Past this the primary kills what is left; each worker gives itself 10 s (main.ts). */
const SHUTDOWN_TIMEOUT_MS = 12_000;

/** True in the process that should fork `workers` workers instead of serving. */
export function isClusterPrimary(workers: number): boolean {
  return workers > 1 && cluster.isPrimary;
}

/** True in a forked worker (which leaves start-up warnings to the primary). */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

class WorkerStartError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`worker exited with code ${exitCode} before listening`);
    this.exitCode = exitCode;
  }
}

/** Workers that got as far as listening: only these are replaced when they die. */
const serving = new WeakSet<Worker>();

/** Fork one worker; resolves once its server listens, rejects if it exits first. */
function forkWorker(): Promise<Worker> {
  const worker = cluster.fork();
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new WorkerStartError(code || 1));
    worker.once('exit', onExit);
    worker.once('listening', () => {
      worker.off('exit', onExit);
      serving.add(worker);
      resolve(worker);
    });
  });
}

function exited(worker: Worker): Promise<number> {
  if (worker.isDead()) return Promise.resolve(worker.process.exitCode ?? 1);
  return new Promise((resolve) => worker.once('exit', (code: number | null) => resolve(code ?? 1)));
}

/**
 * Fork `workers` workers, replace any that dies, and on SIGTERM/SIGINT stop
 * them gracefully (each finishes its in-flight requests) before exiting.
 * A worker that exits before listening (bad clients file, database down)
 * stops the whole cluster with its exit code: it already said why on stderr.
 */
export async function runPrimary({ workers, logger, metrics }: { workers: number; logger: Logger; metrics?: { port: number; host: string } }): Promise<void> {
  let stopping = false;

  async function shutdown(signal: string, exitCode = 0): Promise<never> {
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'stopping workers');
    const timer = setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    // SIGTERM, whatever the primary got: a worker may already have had SIGINT
    // from the terminal's process group, and handles each signal once.
    for (const worker of live) worker.process.kill('SIGTERM');
    const codes = await Promise.all(live.map(exited));
    clearTimeout(timer);
    process.exit(codes.every((code) => code === 0) ? exitCode : 1);
  }

  // A repeated signal while stopping changes nothing; the timeout bounds the wait.
  const onSignal = (signal: string) => {
    if (!stopping) void shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const startOrStop = async (): Promise<void> => {
    try {
      await forkWorker();
    } catch (err) {
      if (stopping) return;
      await shutdown('worker failed to start', err instanceof WorkerStartError ? err.exitCode : 1);
    }
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping || !serving.has(worker)) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting a replacement');
    void startOrStop();
  });

  // One after another: the first applies migrations and creates the keys
  // alone, and a configuration every worker would refuse is reported once.
  for (let i = 0; i < workers && !stopping; i += 1) await startOrStop();
  if (stopping) return;
  if (metrics) {
    await listenForMetrics(clusterMetricsSource(), metrics);
    logger.info(`metrics of every worker: ${metricsUrlOf(metrics)}`);
  }
  logger.info({ workers }, 'gatehouse cluster listening');
}
