// Entry point: read config, start, shut down cleanly on SIGTERM/SIGINT.
import { parseConfigOrExit } from './config.ts';
import { createLogger } from './logger.ts';
import { ClientsFileError } from './oidc/client-metadata.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  const config = parseConfigOrExit();
  const logger = createLogger(config.logLevel);
  if (!config.smtpUrl) logger.warn('SMTP_URL is not set: mail is written to this log instead of sent (development only)');
  if (config.publicUrl.startsWith('http:') && config.env === 'production') {
    logger.warn('PUBLIC_URL is not https: cookies are not marked Secure');
  }

  let running;
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

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await running.close();
    clearTimeout(timer);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // The one place a startup failure is reported; no stack trace for a user to read.
  console.error(`Gatehouse failed to start: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
