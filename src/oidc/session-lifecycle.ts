// How API.md's sessions follow oidc-provider's own records.
//
// Browser sign-ins: oidc-provider keeps a Session (cookie-bound, saved on
// every request that touches it); its `uid` is stable for the life of the
// sign-in and is what tokens carry as `sid`, so it is our session's id. The
// row is written when the adapter stores a signed-in Session, before any code
// or token of that sign-in exists.
//
// Ends: a replayed refresh token ends its whole session (API.md: "reuse
// revokes the session"); revoking an API session's refresh token at the
// revocation endpoint ends that session, whose one grant is then gone; RP-
// initiated logout ends the browser session. These run inside the adapter
// call oidc-provider awaits, so the session is over before the response goes
// out (an event listener would run after it).
import { Provider, type KoaContextWithOIDC } from 'oidc-provider';
import { deviceInfoOf } from './device-info.ts';
import type { Logger } from '../logger.ts';
import type { SessionService } from '../services/sessions.ts';
import type { AdapterHooks } from './adapter.ts';
import { SESSION_TTL_SECONDS } from './configuration.ts';

const NO_DEVICE = { deviceName: null, deviceType: null, userAgent: null, ipAddress: null };

/** The request oidc-provider is serving (it runs each in an AsyncLocalStorage); undefined outside one. */
function currentContext(): KoaContextWithOIDC | undefined {
  return Provider.ctx as KoaContextWithOIDC | undefined;
}

export function createSessionHooks(sessions: SessionService): AdapterHooks {
  return {
    async onSessionSaved({ uid, accountId }, expiresAt) {
      const ctx = currentContext();
      await sessions.recordBrowserSession({
        id: uid,
        accountId,
        expiresAt: expiresAt ?? new Date(Date.now() + SESSION_TTL_SECONDS * 1000),
        device: ctx ? deviceInfoOf(ctx) : NO_DEVICE,
      });
    },

    async onGrantDestroyed() {
      const refreshToken = currentContext()?.oidc.entities.RefreshToken;
      if (!refreshToken?.sessionUid) return;
      const session = await sessions.findLive(refreshToken.sessionUid);
      // A browser session spans the grants of several clients: revoking one
      // client's token ends only that grant, unless it was a replay.
      if (session && (session.kind === 'api' || refreshToken.consumed)) await sessions.end(session);
    },

    async onReplay(sessionUid) {
      const session = await sessions.findLive(sessionUid);
      if (session) await sessions.end(session);
    },
  };
}

/**
 * RP-initiated logout destroys the oidc-provider Session (and revokes its
 * grants itself); end our row with it. `session.destroyed` fires only for a
 * real destroy, not for the id rotation at login (Session#save drops the old
 * id through the adapter directly).
 */
export function endBrowserSessionsOnLogout(provider: Provider, sessions: SessionService, logger: Logger): void {
  provider.on('session.destroyed', (session: { uid?: string; accountId?: string }) => {
    if (!session.uid || !session.accountId) return;
    sessions.endBrowserSession(session.uid, session.accountId).catch((err: unknown) => {
      logger.error({ err }, 'could not end the browser session after logout');
    });
  });
}
