// How API.md's sessions follow oidc-provider's own records.
//
// Browser sign-ins: oidc-provider keeps a Session (cookie-bound, saved on
// every request that touches it); its `uid` is stable for the life of the
// sign-in and is what tokens carry as `sid`, so it is our session's id. The
// row is written when the adapter stores a signed-in Session, before any code
// or token of that sign-in exists.
//
// A refresh token outlives the browser session it came from when the client
// asked for `offline_access` (oidc-provider keeps such grants at RP-initiated
// logout: `persistsLogout`). API.md keeps the session listed, and revocable,
// while any such grant lives, so that "sign out other sessions", a password
// change or revoking it still reach the grant: storing a new grant's refresh
// token moves the session's expiresAt to the token's, and a sign-out ends the
// row only when no grant from it is left.
//
// Ends: a replayed refresh token ends its whole session (API.md: "reuse
// revokes the session"); revoking an API session's refresh token at the
// revocation endpoint ends that session, whose one grant is then gone; RP-
// initiated logout ends the browser session. These run inside the adapter
// call oidc-provider awaits, so the session is over before the response goes
// out (an event listener would run after it).
import { Provider, type KoaContextWithOIDC } from 'oidc-provider';
import { deviceInfoOf } from './device-info.ts';
import type { SessionService } from '../services/sessions.ts';
import type { Audit } from '../services/audit.ts';
import type { AdapterHooks } from './adapter.ts';
import { SESSION_IDLE_SECONDS } from './session-ttl.ts';

const NO_DEVICE = { deviceName: null, deviceType: null, userAgent: null, ipAddress: null };

/** The request oidc-provider is serving (it runs each in an AsyncLocalStorage); undefined outside one. */
function currentContext(): KoaContextWithOIDC | undefined {
  return Provider.ctx as KoaContextWithOIDC | undefined;
}

/** A replayed refresh token (API.md: reuse revokes the session), told apart from its session's end. */
async function recordReuse(
  audit: Pick<Audit, 'record'>,
  input: { model?: string; accountId: string | null; sessionId: string; clientId: string | null },
) {
  await audit.record({
    // A code redeemed twice at once is the same theft signal as a replayed refresh token.
    type: input.model === undefined || input.model === 'RefreshToken' ? 'refresh_token.reuse' : 'authorization_code.reuse', result: 'failure', reason: 'INVALID_REFRESH_TOKEN',
    subjectId: input.accountId, sessionId: input.sessionId, clientId: input.clientId,
    details: { session_revoked: true },
  });
}

export function createSessionHooks(sessions: SessionService, audit: Pick<Audit, 'record'>): AdapterHooks {
  return {
    async onSessionSaved({ uid, accountId, amr }, expiresAt) {
      const ctx = currentContext();
      await sessions.recordBrowserSession({
        id: uid,
        accountId,
        expiresAt: expiresAt ?? new Date(Date.now() + SESSION_IDLE_SECONDS * 1000),
        device: ctx ? deviceInfoOf(ctx) : NO_DEVICE,
        ...(amr && { amr }),
      });
    },

    async onGrantDestroyed() {
      const refreshToken = currentContext()?.oidc.entities.RefreshToken;
      if (!refreshToken?.sessionUid) return;
      const session = await sessions.findLive(refreshToken.sessionUid);
      // A browser session spans the grants of several clients: revoking one
      // client's token ends only that grant, unless it was a replay.
      if (session && (session.kind === 'api' || refreshToken.consumed)) await sessions.end(session);
      if (refreshToken.consumed) {
        await recordReuse(audit, {
          accountId: refreshToken.accountId ?? null, sessionId: refreshToken.sessionUid, clientId: refreshToken.clientId ?? null,
        });
      }
    },

    async onReplay(sessionUid, model) {
      const session = await sessions.findLive(sessionUid);
      if (session) await sessions.end(session);
      await recordReuse(audit, {
        model,
        accountId: session?.accountId ?? null, sessionId: sessionUid, clientId: currentContext()?.oidc.client?.clientId ?? null,
      });
    },

    async onRefreshTokenSaved(sessionUid, expiresAt) {
      // A rotated token inherits what was left of its predecessor's life
      // (ttl.RefreshToken), so only a grant's first token can move the end.
      if (currentContext()?.oidc.entities.RotatedRefreshToken) return;
      await sessions.extend(sessionUid, expiresAt);
    },

    async onSessionDestroyed(id) {
      // Session#save destroys the id it rotates away from at login through
      // the adapter too; only the destroy of the request's own session, by
      // its current id, is a sign-out (end_session.js: session.destroy()).
      const session = currentContext()?.oidc.entities.Session;
      if (!session || session.jti !== id || !session.accountId) return;
      await sessions.signedOut(session.uid, session.accountId);
    },
  };
}
