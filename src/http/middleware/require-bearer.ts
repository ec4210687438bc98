// The bearer check of /api/v1 (API.md): a valid API access token whose
// session is still live, for an account that still exists and is not
// disabled. Reading the session on every request is what makes revocation
// take effect at once.
import { setAuditActor, userActor } from '../../services/audit.ts';
import type { Context } from 'koa';
import { UnauthenticatedError } from '../../errors.ts';
import { InvalidDpopProofError, type DpopProofCheck } from './dpop-proof.ts';
import type { SessionService } from '../../services/sessions.ts';
import type { Account, SessionRecord } from '../../storage/ports.ts';
import type { ApiTokenClaims } from '../../oidc/access-token-verifier.ts';
import type { TokenCookies } from './token-cookies.ts';

export interface Auth {
  account: Account;
  session: SessionRecord;
}

/** Resolves the claims of a valid API access token; undefined for anything else (src/oidc/access-token-verifier.ts). */
export type AccessTokenVerifier = (token: string) => Promise<ApiTokenClaims | undefined>;

export type Authenticate = (ctx: Context) => Promise<Auth>;

/** The claims of the request's valid token (scheme and DPoP proof checked), whoever it acts for. */
export type VerifyRequestToken = (ctx: Context) => Promise<ApiTokenClaims>;

// RFC 6750 §2.1 and RFC 9449 §7.1: the same token68 under either scheme.
const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/;

/**
 * The scheme and token of the request: its Authorization header, else (cookie
 * mode) the access cookie as a bearer, for a request from an allowed origin.
 */
function tokenOf(ctx: Context, cookies: TokenCookies | undefined): [scheme: string, token: string] {
  const header = ctx.get('authorization');
  const cookie = header === '' ? cookies?.access(ctx) : undefined;
  if (cookie !== undefined) {
    cookies!.assertAllowedOrigin(ctx);
    return ['Bearer', cookie];
  }
  const match = AUTHORIZATION.exec(header);
  if (!match) throw new UnauthenticatedError();
  return [match[1]!, match[2]!];
}

export function createRequestTokenCheck(deps: {
  verifyAccessToken: AccessTokenVerifier;
  checkDpopProof: DpopProofCheck;
  /** The message for a refused token: what is wrong with it and what to request instead (oidc/token-refusal.ts). */
  explainRefusal?: (token: string) => string;
  /** Cookie mode: the access cookie stands in for the bearer (token-cookies.ts). */
  cookies?: TokenCookies;
}): VerifyRequestToken {
  return async function verifyRequestToken(ctx) {
    const [scheme, token] = tokenOf(ctx, deps.cookies);
    const claims = await deps.verifyAccessToken(token);
    if (!claims) throw new UnauthenticatedError(deps.explainRefusal?.(token) ?? 'The access token is invalid or expired.');
    // A bound token is worthless without its key's proof, so never as a bearer (RFC 9449 §7.1).
    if (claims.jkt !== undefined) {
      if (scheme !== 'DPoP') throw new InvalidDpopProofError('This access token is DPoP-bound: send it as "Authorization: DPoP" with a DPoP proof.');
      await deps.checkDpopProof(ctx, token, claims.jkt);
    } else if (scheme === 'DPoP') {
      throw new UnauthenticatedError('This access token is not DPoP-bound: send it as "Authorization: Bearer".');
    }
    return claims;
  };
}

/** The live session and account behind a user's token; UnauthenticatedError when either has ended. */
export function createSessionCheck(sessions: Pick<SessionService, 'findLiveWithAccount' | 'touch'>) {
  return async function liveSession(claims: { accountId: string; sessionId: string }): Promise<Auth> {
    // A deleted account has no sessions left (its deletion removes them), so
    // "no live session" also covers "no account".
    const found = await sessions.findLiveWithAccount(claims.sessionId);
    if (!found || found.session.accountId !== claims.accountId) throw new UnauthenticatedError('The session has ended.');
    // Disabling revokes every session too; this holds even for a request racing that revocation.
    if (found.account.disabled) throw new UnauthenticatedError('The account is disabled.');
    await sessions.touch(found.session);
    // The caller of this request, for every audit event it writes (also a
    // refusal that follows, such as an admin route's 403).
    setAuditActor(userActor(found.account.id), found.session.id);
    return found;
  };
}

export function createBearerAuth(deps: {
  verifyAccessToken: AccessTokenVerifier;
  sessions: Pick<SessionService, 'findLiveWithAccount' | 'touch'>;
  checkDpopProof: DpopProofCheck;
}): Authenticate {
  return createUserAuth(createRequestTokenCheck(deps), createSessionCheck(deps.sessions));
}

/** The 'user' auth level from its two parts (shared with the admin level, src/surfaces/api.ts). */
export function createUserAuth(verify: VerifyRequestToken, liveSession: ReturnType<typeof createSessionCheck>): Authenticate {
  return async function authenticate(ctx) {
    const claims = await verify(ctx);
    // A client_credentials token acts for no user.
    if (claims.kind !== 'user') throw new UnauthenticatedError('This route needs a token issued to a user.');
    return liveSession(claims);
  };
}
