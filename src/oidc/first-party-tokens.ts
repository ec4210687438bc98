// /api/v1/auth/login and /refresh: the token endpoint's password and refresh
// grants for the built-in client, answered in API.md's shape and codes.
import type { Context } from 'koa';
import { decodeJwt } from 'jose';
import {
  AppError,
  EmailNotVerifiedError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  RateLimitedError,
  ServerBusyError,
} from '../errors.ts';
import type { AccountService } from '../services/accounts.ts';
import type { Account } from '../storage/ports.ts';
import { accountLoadedBy } from './find-account.ts';
import { passwordGrantFailure } from './password-grant.ts';
import type { TokenEndpoint, TokenEndpointResult } from './token-endpoint.ts';

export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  id_token?: string;
  scope: string;
  account: Account;
}

export interface FirstPartyTokens {
  /** InvalidCredentialsError, EmailNotVerifiedError, RateLimitedError, ServerBusyError. */
  login(ctx: Context, input: { email: string; password: string; rememberMe: boolean }): Promise<IssuedTokens>;
  /** InvalidRefreshTokenError for anything the token endpoint refuses (also a replay, which ends the session). */
  refresh(ctx: Context, refreshToken: string): Promise<IssuedTokens>;
}

// What the API's own app asks for: an ID token and a refresh token, besides
// the API access token every password grant carries.
const SCOPE = 'openid offline_access';

function unexpected(result: TokenEndpointResult): AppError {
  // Server errors were logged by oidc-provider's server_error listener.
  return new AppError('INTERNAL', 500, 'Something went wrong on our side.', {
    cause: new Error(`token endpoint answered ${result.status} ${String(result.body.error)}`),
  });
}

export function createFirstPartyTokens(deps: { tokenEndpoint: TokenEndpoint; accounts: Pick<AccountService, 'findById' | 'assertSignInCapacity'> }): FirstPartyTokens {
  async function issued(result: TokenEndpointResult, onMissingAccount: () => AppError): Promise<IssuedTokens> {
    const body = result.body as Omit<IssuedTokens, 'account'>;
    // Our own token, issued a moment ago in this process: reading it is enough.
    const accountId = decodeJwt(body.access_token).sub;
    const seen = accountLoadedBy(result.context);
    const account = !accountId ? undefined : seen?.id === accountId ? seen : await deps.accounts.findById(accountId);
    if (!account) throw onMissingAccount();
    return { ...body, account };
  }

  return {
    async login(ctx, { email, password, rememberMe }) {
      // Shed at once when the hashing line is full: running the token
      // endpoint only to be refused in its grant costs the event loop more.
      deps.accounts.assertSignInCapacity();
      const result = await deps.tokenEndpoint(ctx, {
        grant_type: 'password',
        username: email,
        password,
        scope: SCOPE,
        ...(rememberMe && { remember_me: 'true' }),
      });
      if (result.status === 200) return issued(result, () => new InvalidCredentialsError());
      switch (passwordGrantFailure(result.context)) {
        case 'INVALID_CREDENTIALS': throw new InvalidCredentialsError();
        case 'EMAIL_NOT_VERIFIED': throw new EmailNotVerifiedError();
        case 'RATE_LIMITED': throw new RateLimitedError(Number(result.headers['retry-after'] ?? 60));
        case 'UNAVAILABLE': throw new ServerBusyError(Number(result.headers['retry-after'] ?? 1));
        default: throw unexpected(result);
      }
    },

    async refresh(ctx, refreshToken) {
      const result = await deps.tokenEndpoint(ctx, { grant_type: 'refresh_token', refresh_token: refreshToken });
      if (result.status === 200) return issued(result, () => new InvalidRefreshTokenError());
      if (result.status >= 400 && result.status < 500) throw new InvalidRefreshTokenError();
      throw unexpected(result);
    },
  };
}
