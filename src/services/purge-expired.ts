// Expired OIDC rows are already invisible to find*/consume; this removes them
// so the table stays bounded (oidc-provider relies on the adapter for expiry).
import type { OidcStore } from '../storage/ports.ts';

export interface PurgeLogger {
  warn(obj: object, msg: string): void;
}

export interface ExpiredPurge {
  stop(): void;
}

export function startExpiredPurge(deps: {
  oidc: Pick<OidcStore, 'deleteExpired'>;
  intervalMs: number;
  logger?: PurgeLogger;
}): ExpiredPurge {
  let running = false;
  const timer = setInterval(() => {
    // A slow purge must not pile up behind itself on a busy database.
    if (running) return;
    running = true;
    deps.oidc
      .deleteExpired(new Date())
      .catch((err: unknown) => deps.logger?.warn({ err }, 'purging expired OIDC records failed'))
      .finally(() => {
        running = false;
      });
  }, deps.intervalMs);
  // Housekeeping must never keep the process alive on shutdown.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
