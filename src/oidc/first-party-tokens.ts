// /api/v1/auth/login and /refresh: the token endpoint's password and refresh
// grants for the built-in client, answered in API.md's shape and codes.
import type { Context } from 'koa';
import { decodeJwt } from 'jose';
import { InternalError, InvalidCredentialsError, InvalidMfaTokenError, InvalidRefreshTokenError, type AppError } from '../errors.ts';
import type { AccountService } from '../services/accounts.ts';
import type { Account } from '../storage/ports.ts';
import { accountLoadedBy } from './find-account.ts';
import { MFA_GRANT } from './mfa-grant.ts';
import { PASSKEY_GRANT } from './passkey-grant.ts';
import { signInRefusalOf } from './password-grant.ts';
import type { TokenEndpoint, TokenEndpointResult } from './token-endpoint.ts';

/** The token endpoint's answer with the account it was issued for (http/api/auth-routes.ts declares what it needs of it). */
type Issued = Record<'access_token' | 'refresh_token' | 'scope', string> & { token_type: 'Bearer'; expires_in: number; id_token?: string; account: Account };

// What the API's own app asks for: an ID token and a refresh token, besides
// the API access token every password grant carries.
const SCOPE = 'openid offline_access';

function unexpected(result: TokenEndpointResult): AppError {
  // Server errors were logged by oidc-provider's server_error listener.
  return new InternalError(new Error(`token endpoint answered ${result.status} ${String(result.body.error)}`));
}

/** The steps' other fields (accept_terms…), which travel as grant parameters. */
const parametersOf = (fields: Record<string, unknown> = {}): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined).map(([name, value]) => [name, String(value)]));

export function createFirstPartyTokens(deps: { tokenEndpoint: TokenEndpoint; accounts: Pick<AccountService, 'findById' | 'assertSignInCapacity'> }) {
  async function issued(result: TokenEndpointResult, onMissingAccount: () => AppError): Promise<Issued> {
    const body = result.body as Omit<Issued, 'account'>;
    // Our own token, issued a moment ago in this process: reading it is enough.
    const accountId = decodeJwt(body.access_token).sub;
    const seen = accountLoadedBy(result.context);
    const account = !accountId ? undefined : seen?.id === accountId ? seen : await deps.accounts.findById(accountId);
    if (!account) throw onMissingAccount();
    return { ...body, account };
  }

  return {
    /** The sign-in steps' refusal as they gave it (InvalidCredentialsError, RateLimitedError…). */
    async login(ctx: Context, input: { email: string; password: string; rememberMe: boolean; fields?: Record<string, unknown> }): Promise<Issued> {
      // Shed at once when the hashing line is full: running the token
      // endpoint only to be refused in its grant costs the event loop more.
      deps.accounts.assertSignInCapacity();
      const result = await deps.tokenEndpoint(ctx, {
        ...parametersOf(input.fields),
        grant_type: 'password',
        username: input.email,
        password: input.password,
        scope: SCOPE,
        ...(input.rememberMe && { remember_me: 'true' }),
      });
      if (result.status === 200) return issued(result, () => new InvalidCredentialsError());
      throw signInRefusalOf(result.context) ?? unexpected(result);
    },

    /**
     * Finish a sign-in that answered MFA_REQUIRED: the MFA grant with its
     * mfa_token and one answer. The steps' refusal as they gave it
     * (InvalidMfaCodeError, InvalidMfaTokenError, RateLimitedError…).
     */
    async loginMfa(ctx: Context, input: { mfaToken: string; code?: string; recoveryCode?: string; webauthnResponse?: string }): Promise<Issued> {
      const result = await deps.tokenEndpoint(ctx, {
        grant_type: MFA_GRANT,
        mfa_token: input.mfaToken,
        ...(input.code !== undefined && { code: input.code }),
        ...(input.recoveryCode !== undefined && { recovery_code: input.recoveryCode }),
        ...(input.webauthnResponse !== undefined && { webauthn_response: input.webauthnResponse }),
      });
      if (result.status === 200) return issued(result, () => new InvalidMfaTokenError());
      throw signInRefusalOf(result.context) ?? unexpected(result);
    },

    /** Sign in with a passkey (the passkey grant): InvalidCredentialsError, AccountDisabledError, EmailNotVerifiedError, the other steps' refusals. */
    async passkey(ctx: Context, input: { response: Record<string, unknown>; rememberMe: boolean; fields?: Record<string, unknown> }): Promise<Issued> {
      const result = await deps.tokenEndpoint(ctx, {
        ...parametersOf(input.fields),
        grant_type: PASSKEY_GRANT,
        webauthn_response: JSON.stringify(input.response),
        scope: SCOPE,
        ...(input.rememberMe && { remember_me: 'true' }),
      });
      if (result.status === 200) return issued(result, () => new InvalidCredentialsError());
      throw signInRefusalOf(result.context) ?? unexpected(result);
    },

    /** InvalidRefreshTokenError for anything the token endpoint refuses (also a replay, which ends the session). */
    async refresh(ctx: Context, refreshToken: string): Promise<Issued> {
      const result = await deps.tokenEndpoint(ctx, { grant_type: 'refresh_token', refresh_token: refreshToken });
      if (result.status === 200) return issued(result, () => new InvalidRefreshTokenError());
      if (result.status >= 400 && result.status < 500) throw new InvalidRefreshTokenError();
      throw unexpected(result);
    },
  };
}
