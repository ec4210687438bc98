// The bearer check of /api/v1 (API.md): a valid API access token whose
// session is still live, for an account that still exists. Reading the
// session on every request is what makes revocation take effect at once.
import type { Context } from 'koa';
import { UnauthenticatedError } from '../../errors.ts';
import type { SessionService } from '../../services/sessions.ts';
import type { Account, SessionRecord } from '../../storage/ports.ts';

export interface Auth {
  account: Account;
  session: SessionRecord;
}

/** Resolves the claims of a valid API access token; undefined for anything else (src/oidc/access-token-verifier.ts). */
export type AccessTokenVerifier = (token: string) => Promise<{ accountId: string; sessionId: string } | undefined>;

export type Authenticate = (ctx: Context) => Promise<Auth>;

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/;

export function createBearerAuth(deps: {
  verifyAccessToken: AccessTokenVerifier;
  sessions: Pick<SessionService, 'findLiveWithAccount' | 'touch'>;
}): Authenticate {
  return async function authenticate(ctx) {
    const match = BEARER.exec(ctx.get('authorization'));
    if (!match) throw new UnauthenticatedError();
    const claims = await deps.verifyAccessToken(match[1]!);
    if (!claims) throw new UnauthenticatedError('The access token is invalid or expired.');
    // A deleted account has no sessions left (its deletion removes them), so
    // "no live session" also covers "no account".
    const found = await deps.sessions.findLiveWithAccount(claims.sessionId);
    if (!found || found.session.accountId !== claims.accountId) throw new UnauthenticatedError('The session has ended.');
    const { session, account } = found;
    await deps.sessions.touch(session);
    return { account, session };
  };
}
