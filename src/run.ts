// The process, once main.ts has read .env and started tracing: read config,
// start, shut down cleanly on SIGTERM/SIGINT. With WEB_CONCURRENCY > 1 this
// process becomes the cluster primary (cluster.ts) and each forked worker
// runs main.ts again to serve.
import { parseConfigOrExit, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { ClientsFileError } from './oidc/client-metadata.ts';
import { startServer, type RunningServer } from './server.ts';
import { isClusterPrimary, isClusterWorker, runPrimary } from './cluster.ts';

function warnUnsafeDefaults(config: Readonly<Config>, logger: Logger): void {
  if (config.publicUrl.startsWith('http:') && config.env === 'production') {
    logger.warn('PUBLIC_URL is not https: cookies are not marked Secure');
  }
}

export interface RunOptions {
  /** A .env file was read (main.ts). */
  envFile: boolean;
  /** Called before the process exits after a shutdown (flushes the traces). */
  beforeExit?: () => Promise<void>;
}

async function serve(config: Readonly<Config>, logger: Logger, options: RunOptions): Promise<void> {
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (err) {
    if (err instanceof ClientsFileError || (err as { name?: string }).name === 'InvalidClientMetadata') {
      const e = err as Error & { error_description?: string };
      console.error(`Invalid configuration: ${e.error_description ?? e.message}`);
      process.exit(1);
    }
    throw err;
  }
  logger.info({ url: config.publicUrl, issuer: config.issuer }, 'gatehouse listening');

  let stopping = false;
  // Idempotent: under a cluster a worker can get SIGINT from the terminal and
  // SIGTERM from the primary; a second signal must not kill it mid-drain.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await running.close();
    clearTimeout(timer);
    await options.beforeExit?.().catch(() => undefined);
    logger.info({ signal }, 'shutdown complete: requests drained, database closed');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

export async function run(options: RunOptions): Promise<void> {
  const config = parseConfigOrExit();
  const logger = createLogger(config.logLevel);
  if (options.envFile && !isClusterWorker()) logger.info('read .env (variables set in the environment win over it)');
  if (!isClusterWorker()) warnUnsafeDefaults(config, logger);
  if (isClusterPrimary(config.webConcurrency)) return runPrimary({ workers: config.webConcurrency, logger, ...(config.metrics && { metrics: config.metrics }) });
  await serve(config, logger, options);
}
