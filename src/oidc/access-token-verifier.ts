// Verification of the API's access tokens (RFC 9068 JWTs, API.md): signature
// against our own public keys, issuer, audience, `typ: at+jwt` (RFC 9068 §4,
// so an ID token can never pass as an access token) and expiry. In process,
// no HTTP round trip to the JWKS: the keys are the ones this server signs with.
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_ALG, type ServerSecrets } from './secrets.ts';
import { API_SCOPE } from './resource-server.ts';

interface TokenClaimsBase {
  scope: string[];
  /** RFC 9068 `client_id`: the client the token was issued to. */
  clientId?: string;
  /** RFC 9449 `cnf.jkt`: the token is DPoP-bound to the key with this thumbprint. */
  jkt?: string;
  /** Every verified claim, for introspection (jwt-introspection.ts) to answer with. */
  payload: Readonly<JWTPayload>;
}

/** A token acting for an account, from one of its sessions. */
export interface UserTokenClaims extends TokenClaimsBase {
  kind: 'user';
  accountId: string;
  sessionId: string;
}

/** A client_credentials token: the client acts for itself (RFC 9068 §2.2: `sub` is its client_id). */
export interface ClientTokenClaims extends TokenClaimsBase {
  kind: 'client';
  clientId: string;
}

export type ApiTokenClaims = UserTokenClaims | ClientTokenClaims;

/** Resolves the claims of a valid API token; undefined for anything else. */
export type AccessTokenVerifier = (token: string) => Promise<ApiTokenClaims | undefined>;

const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi']);

/**
 * Tokens already verified, with their claims, until they expire. A client
 * sends the same token for its whole lifetime, and checking the signature
 * again gives the same answer until `exp`, so it is checked once per process
 * (the signature was a quarter of GET /api/v1/me's CPU in the benchmark's
 * profile). Revocation is unaffected: the session row is read on every request.
 */
const VERIFIED_CACHE_SIZE = 10_000;

/** The public JWK set of the access-token keys among `secrets`. */
function accessTokenKeySet(secrets: ServerSecrets) {
  const keys = secrets.signingKeys
    .filter((key) => key.alg === ACCESS_TOKEN_ALG)
    .map((key) => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_JWK_MEMBERS.has(name))));
  return createLocalJWKSet({ keys });
}

export function createAccessTokenVerifier(deps: {
  /**
   * The keys, or a function giving the ones in use now (key-ring.ts): when
   * it returns a new object the key set is rebuilt and every cached
   * verification dropped, so a token signed by a retired key stops passing.
   */
  secrets: ServerSecrets | (() => ServerSecrets);
  issuer: string;
  apiAudience: string;
  now?: () => number;
}): AccessTokenVerifier {
  const now = deps.now ?? Date.now;
  const secretsNow = typeof deps.secrets === 'function' ? deps.secrets : () => deps.secrets as ServerSecrets;
  const verified = new Map<string, { claims: ApiTokenClaims; expiresAtMs: number }>();
  let secrets = secretsNow();
  let keySet = accessTokenKeySet(secrets);

  return async function verify(token) {
    const latest = secretsNow();
    if (latest !== secrets) {
      secrets = latest;
      keySet = accessTokenKeySet(latest);
      verified.clear();
    }
    const verifiedWith = secrets;
    const hit = verified.get(token);
    if (hit) {
      if (hit.expiresAtMs > now()) return hit.claims;
      verified.delete(token);
      return undefined;
    }
    try {
      const { payload } = await jwtVerify(token, keySet, {
        currentDate: new Date(now()),
        issuer: deps.issuer,
        audience: deps.apiAudience,
        typ: 'at+jwt',
        algorithms: [ACCESS_TOKEN_ALG],
        requiredClaims: ['sub', 'exp'],
      });
      const scope = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (!payload.sub || !scope.includes(API_SCOPE)) return undefined;
      const jkt = (payload.cnf as { jkt?: unknown } | undefined)?.jkt;
      const common = {
        scope: Object.freeze(scope) as string[],
        ...(typeof payload.client_id === 'string' ? { clientId: payload.client_id } : {}),
        ...(typeof jkt === 'string' ? { jkt } : {}),
        payload: Object.freeze(payload),
      };
      let claims: ApiTokenClaims;
      if (typeof payload.sid === 'string') {
        claims = Object.freeze({ kind: 'user', accountId: payload.sub, sessionId: payload.sid, ...common });
      } else if (payload.client_id === payload.sub) {
        // No session: a client_credentials token, which acts for no user.
        claims = Object.freeze({ kind: 'client', clientId: payload.sub, ...common });
      } else {
        return undefined;
      }
      // Keys swapped while this one was checked: it may have passed with a retired key, so check it again with the new ones.
      if (secretsNow() !== verifiedWith) return await verify(token);
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(token, { claims, expiresAtMs: payload.exp! * 1000 });
      return claims;
    } catch {
      return undefined;
    }
  };
}
