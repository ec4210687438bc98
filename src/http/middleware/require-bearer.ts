// The bearer check of /api/v1 (API.md): a valid API access token whose
// session is still live, for an account that still exists. Reading the
// session on every request is what makes revocation take effect at once.
import { setAuditActor, userActor } from '../../services/audit.ts';
import type { Context } from 'koa';
import { UnauthenticatedError } from '../../errors.ts';
import { InvalidDpopProofError, type DpopProofCheck } from './dpop-proof.ts';
import type { SessionService } from '../../services/sessions.ts';
import type { Account, SessionRecord } from '../../storage/ports.ts';

export interface Auth {
  account: Account;
  session: SessionRecord;
}

/** Resolves the claims of a valid API access token; undefined for anything else (src/oidc/access-token-verifier.ts). */
export type AccessTokenVerifier = (token: string) => Promise<{ accountId: string; sessionId: string; jkt?: string } | undefined>;

export type Authenticate = (ctx: Context) => Promise<Auth>;

// RFC 6750 §2.1 and RFC 9449 §7.1: the same token68 under either scheme.
const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/;

export function createBearerAuth(deps: {
  verifyAccessToken: AccessTokenVerifier;
  sessions: Pick<SessionService, 'findLiveWithAccount' | 'touch'>;
  checkDpopProof: DpopProofCheck;
}): Authenticate {
  return async function authenticate(ctx) {
    const match = AUTHORIZATION.exec(ctx.get('authorization'));
    if (!match) throw new UnauthenticatedError();
    const [, scheme, token] = match as unknown as [string, string, string];
    const claims = await deps.verifyAccessToken(token);
    if (!claims) throw new UnauthenticatedError('The access token is invalid or expired.');
    // A bound token is worthless without its key's proof, so never as a bearer (RFC 9449 §7.1).
    if (claims.jkt !== undefined) {
      if (scheme !== 'DPoP') throw new InvalidDpopProofError('This access token is DPoP-bound: send it as "Authorization: DPoP" with a DPoP proof.');
      await deps.checkDpopProof(ctx, token, claims.jkt);
    } else if (scheme === 'DPoP') {
      throw new UnauthenticatedError('This access token is not DPoP-bound: send it as "Authorization: Bearer".');
    }
    // A deleted account has no sessions left (its deletion removes them), so
    // "no live session" also covers "no account".
    const found = await deps.sessions.findLiveWithAccount(claims.sessionId);
    if (!found || found.session.accountId !== claims.accountId) throw new UnauthenticatedError('The session has ended.');
    const { session, account } = found;
    await deps.sessions.touch(session);
    // The caller of this request, for every audit event it writes (also a
    // refusal that follows, such as an admin route's 403).
    setAuditActor(userActor(account.id), session.id);
    return { account, session };
  };
}
