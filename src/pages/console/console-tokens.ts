// The consoles' calls to the token endpoint, in process (src/oidc/token-endpoint.ts,
// the path /api/v1/auth/login takes): the code exchange and the refresh, with
// the grant's own checks (PKCE, redirect URI, rotation and reuse detection).
import type { Context } from 'koa';
import { CONSOLE_CLIENT_ID, consoleRedirectUri } from '../../oidc/console-client.ts';
import type { TokenEndpoint } from '../../oidc/token-endpoint.ts';
import type { ConsoleTokens } from './console-cookies.ts';

export interface ConsoleTokenDeps {
  tokenEndpoint: TokenEndpoint;
  publicUrl: string;
  apiAudience: string;
}

/** A refused exchange or refresh: the console signs in again. */
export class ConsoleTokenError extends Error {}

interface TokenAnswer {
  access_token?: unknown;
  refresh_token?: unknown;
  id_token?: unknown;
  expires_in?: unknown;
}

/** The payload of a JWT the token endpoint just handed us in process (no network: its signature needs no check, OIDC Core §3.1.3.7). */
function payloadOf(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (!part) throw new ConsoleTokenError('malformed ID token');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function call(deps: ConsoleTokenDeps, ctx: Context, form: Record<string, string>): Promise<TokenAnswer> {
  const { status, body } = await deps.tokenEndpoint(ctx, { client_id: CONSOLE_CLIENT_ID, resource: deps.apiAudience, ...form });
  if (status !== 200 || typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
    throw new ConsoleTokenError(`token endpoint refused: ${typeof body.error === 'string' ? body.error : status}`);
  }
  return body;
}

const expiry = (answer: TokenAnswer) => Date.now() + (typeof answer.expires_in === 'number' ? answer.expires_in : 0) * 1000;

/** Exchange the callback's code; the ID token must carry the flow's nonce. */
export async function exchangeCode(
  deps: ConsoleTokenDeps,
  ctx: Context,
  input: { code: string; verifier: string; nonce: string },
): Promise<Omit<ConsoleTokens, 'sessionId' | 'accountId'>> {
  const answer = await call(deps, ctx, {
    grant_type: 'authorization_code',
    code: input.code,
    code_verifier: input.verifier,
    redirect_uri: consoleRedirectUri(deps.publicUrl),
  });
  if (typeof answer.id_token !== 'string') throw new ConsoleTokenError('no ID token');
  const claims = payloadOf(answer.id_token);
  if (claims.nonce !== input.nonce) throw new ConsoleTokenError('the ID token does not carry this flow\'s nonce');
  if (typeof claims.auth_time !== 'number') throw new ConsoleTokenError('the ID token lacks auth_time');
  return {
    accessToken: answer.access_token as string,
    refreshToken: answer.refresh_token as string,
    expiresAt: expiry(answer),
    authTime: claims.auth_time,
  };
}

/** New tokens for the same sign-in (the refresh token rotates). */
export async function refreshTokens(deps: ConsoleTokenDeps, ctx: Context, tokens: ConsoleTokens): Promise<ConsoleTokens> {
  const answer = await call(deps, ctx, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
  return { ...tokens, accessToken: answer.access_token as string, refreshToken: answer.refresh_token as string, expiresAt: expiry(answer) };
}
