// Entry point: read config, start, shut down cleanly on SIGTERM/SIGINT.
// With WEB_CONCURRENCY > 1 this process becomes the cluster primary
// (cluster.ts) and each forked worker runs this file again to serve.
import { parseConfigOrExit, readEnvFile, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { ClientsFileError } from './oidc/client-metadata.ts';
import { startServer, type RunningServer } from './server.ts';
import { isClusterPrimary, isClusterWorker, runPrimary } from './cluster.ts';

function warnUnsafeDefaults(config: Readonly<Config>, logger: Logger): void {
  if (config.publicUrl.startsWith('http:') && config.env === 'production') {
    logger.warn('PUBLIC_URL is not https: cookies are not marked Secure');
  }
}

async function serve(config: Readonly<Config>, logger: Logger): Promise<void> {
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
    logger.info({ signal }, 'shutdown complete: requests drained, database closed');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function main(): Promise<void> {
  // Before the config is read (it reads process.env); the environment wins over the file.
  const envFile = readEnvFile();
  const config = parseConfigOrExit();
  const logger = createLogger(config.logLevel);
  if (envFile && !isClusterWorker()) logger.info('read .env (variables set in the environment win over it)');
  if (!isClusterWorker()) warnUnsafeDefaults(config, logger);
  if (isClusterPrimary(config.webConcurrency)) return runPrimary({ workers: config.webConcurrency, logger, ...(config.metrics && { metrics: config.metrics }) });
  await serve(config, logger);
}

main().catch((err: unknown) => {
  // The one place a startup failure is reported; no stack trace for a user to read.
  console.error(`Gatehouse failed to start: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
