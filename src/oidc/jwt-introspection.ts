// RFC 7662 introspection of the JWT access tokens (the API's, RFC 9068).
// oidc-provider refuses every structured token at its introspection endpoint
// with `400 unsupported_token_type` (lib/shared/reject_structured_tokens.js),
// after it has authenticated the client; API gateways that introspect every
// token they see then fail. API.md wants an answer: `active` while the
// signature, expiry and the session behind the token hold, shown only to the
// token's own client or a resource server, `{active:false}` otherwise.
//
// The check is the API's own (access-token-verifier.ts through
// live-client-tokens.ts, so a deleted client's token is inactive too) plus
// the session row, read as /api/v1 reads it. It runs around oidc-provider's
// route: that refusal is the sign that client authentication passed and the
// token is a JWT, so nothing of oidc-provider's own checking is repeated.
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import type { SessionService } from '../services/sessions.ts';
import type { AccessTokenVerifier, ApiTokenClaims } from './access-token-verifier.ts';
import { introspectionAllowed } from './client-policies.ts';

type Client = InstanceType<Provider['Client']>;

export interface JwtIntrospectionDeps {
  /** The API's verifier: signature, issuer, audience, typ, expiry, live client. */
  verifyAccessToken: AccessTokenVerifier;
  sessions: Pick<SessionService, 'findLiveWithAccount'>;
}

const INACTIVE = Object.freeze({ active: false });
/** What extraTokenClaims (configuration.ts) adds; opaque tokens show it at introspection too. */
const EXTRA_CLAIMS = ['role', 'permissions', 'amr'] as const;

async function sessionHolds(claims: ApiTokenClaims, sessions: JwtIntrospectionDeps['sessions']): Promise<boolean> {
  if (claims.kind !== 'user') return true;
  const found = await sessions.findLiveWithAccount(claims.sessionId);
  return found !== undefined && found.session.accountId === claims.accountId && !found.account.disabled;
}

/** The members oidc-provider gives an opaque access token, from the JWT's verified claims. */
function activeResponse(claims: ApiTokenClaims): Record<string, unknown> {
  const { payload } = claims;
  const extra = Object.fromEntries(EXTRA_CLAIMS.filter((name) => payload[name] !== undefined).map((name) => [name, payload[name]]));
  return {
    ...extra,
    active: true,
    sub: payload.sub,
    client_id: payload.client_id,
    scope: payload.scope,
    exp: payload.exp,
    iat: payload.iat,
    iss: payload.iss,
    aud: payload.aud,
    sid: payload.sid,
    jti: payload.jti,
    // RFC 9449 §6.2: a bound token says so, and to which key.
    token_type: claims.jkt === undefined ? 'Bearer' : 'DPoP',
    ...(claims.jkt !== undefined && { cnf: { jkt: claims.jkt } }),
  };
}

async function introspectJwt(ctx: KoaContextWithOIDC, client: Client, token: string, deps: JwtIntrospectionDeps) {
  const claims = await deps.verifyAccessToken(token);
  if (!claims) return INACTIVE;
  // The same rule as for opaque tokens; it throws for a public client.
  if (!(await introspectionAllowed(ctx, client, { clientId: claims.clientId }))) return INACTIVE;
  if (!(await sessionHolds(claims, deps.sessions))) return INACTIVE;
  return activeResponse(claims);
}

function refusedStructuredToken(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc?.route === 'introspection' && ctx.status === 400
    && (ctx.body as { error?: unknown } | undefined)?.error === 'unsupported_token_type';
}

export function answerJwtIntrospection(provider: Provider, deps: JwtIntrospectionDeps): void {
  provider.use(async function introspectJwtAccessTokens(ctx, next) {
    await next();
    const oidcCtx = ctx as KoaContextWithOIDC;
    const client = oidcCtx.oidc?.client;
    const token = (oidcCtx.oidc?.params as { token?: unknown } | undefined)?.token;
    if (!refusedStructuredToken(oidcCtx) || !client || typeof token !== 'string') return;
    try {
      ctx.body = await introspectJwt(oidcCtx, client, token, deps);
      ctx.status = 200;
    } catch (err) {
      // Outside oidc-provider's route, so its errors are rendered here, as it would.
      if (!(err instanceof errors.OIDCProviderError)) throw err;
      ctx.status = err.statusCode;
      ctx.body = { error: err.error, error_description: err.error_description };
    }
  });
}
