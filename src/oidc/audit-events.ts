// oidc-provider's own events as audit events. Its listeners are called
// synchronously inside the request and not awaited; a middleware holds the
// answer until the events the request emitted are written, so they are
// stored when the answer goes out, as every other event is. The request's IP
// and user agent come from the audit request context.
//
// - grant.success: `token.granted` for grants that are not a password
//   sign-in (that one is the flow's `sign_in`) nor a refresh (routine
//   rotation; a replayed refresh token is `refresh_token.reuse`, session-lifecycle.ts).
// - grant.error: `token.refused` with the OAuth error as reason, unless the
//   sign-in flow already recorded the refusal of a password grant.
// - grant.revoked: `grant.revoked` (revocation endpoint, sign-out, reuse).
// - end_session.success: `sign_out` for RP-initiated logout.
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { clientActor, userActor, type Audit } from '../services/audit.ts';
import { MFA_GRANT } from './mfa-grant.ts';
import { PASSKEY_GRANT } from './passkey-grant.ts';
import { signInRefusalOf } from './password-grant.ts';

const QUIET_GRANTS = new Set(['password', 'refresh_token', MFA_GRANT, PASSKEY_GRANT]);

/** The account a token request or logout is about, from whichever entity oidc-provider loaded. */
function accountIdOf(ctx: KoaContextWithOIDC): string | null {
  const { entities } = ctx.oidc;
  const candidates = [entities.Account?.accountId, entities.Grant?.accountId, entities.RefreshToken?.accountId,
    entities.AuthorizationCode?.accountId, entities.Session?.accountId];
  return candidates.find((id): id is string => typeof id === 'string') ?? null;
}

const grantTypeOf = (ctx: KoaContextWithOIDC) => {
  const value = (ctx.oidc.params as { grant_type?: unknown } | undefined)?.grant_type;
  return typeof value === 'string' ? value.slice(0, 128) : null;
};

export function auditProviderEvents(provider: Provider, { record }: Pick<Audit, 'record'>): void {
  const pending = new WeakMap<object, Array<Promise<void>>>();
  const audit = {
    record(ctx: object, event: Parameters<typeof record>[0]): Promise<void> {
      const written = record(event);
      pending.set(ctx, [...(pending.get(ctx) ?? []), written]);
      return written;
    },
  };
  provider.use(async function awaitAuditEvents(ctx, next) {
    try {
      await next();
    } finally {
      // record() never rejects.
      await Promise.all(pending.get(ctx) ?? []);
    }
  });

  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = grantTypeOf(ctx);
    if (grantType === null || QUIET_GRANTS.has(grantType)) return;
    const accountId = accountIdOf(ctx);
    const clientId = ctx.oidc.client?.clientId ?? null;
    const actor = accountId ? userActor(accountId) : clientId ? clientActor(clientId) : undefined;
    void audit.record(ctx, { type: 'token.granted', ...(actor && { actor }), subjectId: accountId, clientId, details: { grant_type: grantType } });
  });

  provider.on('grant.error', (ctx: KoaContextWithOIDC, err: { error?: unknown }) => {
    if (signInRefusalOf(ctx)) return;
    const clientId = ctx.oidc.client?.clientId ?? null;
    void audit.record(ctx, {
      type: 'token.refused', result: 'failure',
      reason: typeof err.error === 'string' ? err.error : 'server_error',
      subjectId: accountIdOf(ctx), clientId,
      details: { grant_type: grantTypeOf(ctx) },
    });
  });

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    const accountId = accountIdOf(ctx);
    void audit.record(ctx, {
      type: 'grant.revoked', ...(accountId && { actor: userActor(accountId) }), subjectId: accountId,
      clientId: ctx.oidc.client?.clientId ?? null, details: { grant_id: grantId },
    });
  });

  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    const session = ctx.oidc.session;
    const accountId = session?.accountId ?? null;
    void audit.record(ctx, {
      type: 'sign_out', ...(accountId && { actor: userActor(accountId) }), subjectId: accountId,
      sessionId: session?.uid ?? null, clientId: ctx.oidc.client?.clientId ?? null,
      details: { rp_initiated: true },
    });
  });
}
