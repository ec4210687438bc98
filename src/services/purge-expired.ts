// Expired OIDC rows, sessions and one-time tokens are already invisible to
// find*/consume; this removes them so the tables stay bounded (oidc-provider
// relies on the adapter for expiry). Revoked sessions go too: they are never
// listed or revived (SessionStore.upsert), so nothing reads them again.
// Audit events are kept AUDIT_RETENTION_DAYS, then deleted here too. Pending
// sign-ins (mfa_tokens) go once expired or used, TOTP factors never confirmed
// after a day. Organization invitations go once expired.
import type { AuditStore, FactorStore, OidcStore, OneTimeTokenStore, OrganizationStore, SessionStore } from '../storage/ports.ts';

export interface PurgeLogger {
  warn(obj: object, msg: string): void;
}

export interface ExpiredPurge {
  stop(): void;
}

export interface PurgeDeps {
  oidc: Pick<OidcStore, 'deleteExpired'>;
  sessions: Pick<SessionStore, 'deleteExpired'>;
  oneTimeTokens: Pick<OneTimeTokenStore, 'deleteExpired'>;
  audit: Pick<AuditStore, 'deleteOlderThan'>;
  factors?: Pick<FactorStore, 'deleteExpiredPendingSignIns' | 'deletePendingBefore'>;
  organizations?: Pick<OrganizationStore, 'deleteExpiredInvitations'>;
  /** AUDIT_RETENTION_DAYS: events older than this many days go. */
  auditRetentionDays: number;
  intervalMs: number;
  logger?: PurgeLogger;
}

const DAY_MS = 86_400_000;

interface PurgeStep {
  name: string;
  run(now: Date): Promise<number>;
}

function purgeSteps(deps: PurgeDeps): PurgeStep[] {
  const { factors, organizations } = deps;
  return [
    { name: 'OIDC records', run: (now) => deps.oidc.deleteExpired(now) },
    { name: 'sessions', run: (now) => deps.sessions.deleteExpired(now) },
    { name: 'one-time tokens', run: (now) => deps.oneTimeTokens.deleteExpired(now) },
    { name: 'audit events', run: (now) => deps.audit.deleteOlderThan(new Date(now.getTime() - deps.auditRetentionDays * DAY_MS)) },
    ...(factors === undefined ? [] : [
      { name: 'pending sign-ins', run: (now: Date) => factors.deleteExpiredPendingSignIns(now) },
      { name: 'unconfirmed factors', run: (now: Date) => factors.deletePendingBefore(new Date(now.getTime() - DAY_MS)) },
    ]),
    ...(organizations === undefined ? [] : [
      { name: 'organization invitations', run: (now: Date) => organizations.deleteExpiredInvitations(now) },
    ]),
  ];
}

export function startExpiredPurge(deps: PurgeDeps): ExpiredPurge {
  const steps = purgeSteps(deps);

  // One after another, not all at once, to keep the load on the database low;
  // a failing step is logged and does not stop the others.
  async function purgeOnce(): Promise<void> {
    const now = new Date();
    for (const step of steps) {
      await step.run(now).catch((err: unknown) => {
        deps.logger?.warn({ err, step: step.name }, `purging expired ${step.name} failed`);
      });
    }
  }

  let running = false;
  const timer = setInterval(() => {
    // A slow purge must not pile up behind itself on a busy database.
    if (running) return;
    running = true;
    void purgeOnce().finally(() => {
      running = false;
    });
  }, deps.intervalMs);
  // Housekeeping must never keep the process alive on shutdown.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
