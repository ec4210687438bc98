// The consoles' guard: the cookie's access token passes the same checks as a
// bearer token at /api/v1 (signature, audience, expiry, the session still
// live, the account not disabled, and for an admin page the role's
// permissions as stored now), refreshed through the token endpoint when it
// has expired. No valid sign-in: off to /console/login and back. Signed in
// without the permission: a 403 page.
import type { Context, Middleware } from 'koa';
import { UnauthenticatedError } from '../../errors.ts';
import { grants, type AdminCaller } from '../../http/middleware/require-admin.ts';
import type { Account, SessionRecord } from '../../storage/ports.ts';
import { clearTokens, readTokens, writeTokens, type ConsoleTokens } from './console-cookies.ts';
import type { ConsoleSignInDeps } from './console-deps.ts';
import { consoleLoginUrl } from './console-sign-in.ts';
import { ConsoleTokenError, refreshTokens } from './console-tokens.ts';

/** What a console handler finds in ctx.state.console. */
export interface ConsoleState {
  account: Account;
  session: SessionRecord;
  /** The account as an admin-API caller: its role and that role's permissions now. */
  caller: AdminCaller;
  /** A valid API access token of this sign-in (for calling services on the account's behalf, or the API). */
  accessToken: string;
  /** When the person last signed in with their password (seconds since the epoch). */
  authTime: number;
}

export interface RequireConsoleOptions {
  /** An admin permission without `admin:` (`users:write`), or `*` for any admin:* permission; none for the account console. */
  permission?: string;
}

/** Refresh a little early, so a token does not expire between this check and its use. */
const EXPIRY_MARGIN_MS = 30_000;

export type RequireConsole = (options?: RequireConsoleOptions) => Middleware;

/** Where a missing or ended sign-in goes: back to this page (a GET) after signing in. */
function signInAgain(ctx: Context): void {
  clearTokens(ctx);
  ctx.status = 303;
  ctx.redirect(consoleLoginUrl(backOf(ctx)));
}

/** A GET comes back to itself; a form post to the page at its path (each console action has one). */
const backOf = (ctx: Context) => (ctx.method === 'GET' || ctx.method === 'HEAD' ? ctx.originalUrl : ctx.path);

export function createRequireConsole(deps: ConsoleSignInDeps): RequireConsole {
  async function validTokens(ctx: Context, tokens: ConsoleTokens) {
    if (tokens.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
      const claims = await deps.verifyAccessToken(tokens.accessToken);
      if (claims) return { tokens, claims };
    }
    // Expired (or signed with a key since retired): the refresh token's turn.
    const fresh = await refreshTokens(deps, ctx, tokens);
    const claims = await deps.verifyAccessToken(fresh.accessToken);
    if (!claims) throw new ConsoleTokenError('the refreshed access token does not verify');
    writeTokens(ctx, fresh);
    return { tokens: fresh, claims };
  }

  return ({ permission } = {}) => async function requireConsole(ctx, next) {
    const held = readTokens(ctx);
    if (!held) return signInAgain(ctx);
    let state: ConsoleState;
    try {
      const { tokens, claims } = await validTokens(ctx, held);
      // The console's tokens are never DPoP-bound and always act for an account.
      if (claims.kind !== 'user' || claims.jkt !== undefined || claims.accountId !== held.accountId) return signInAgain(ctx);
      const { account, session } = await deps.liveSession(claims);
      const permissions = await deps.permissionsOf(account.role);
      state = {
        account, session,
        caller: { type: 'user', id: account.id, role: account.role, permissions },
        accessToken: tokens.accessToken,
        authTime: tokens.authTime,
      };
    } catch (err) {
      if (err instanceof ConsoleTokenError || err instanceof UnauthenticatedError) return signInAgain(ctx);
      throw err;
    }
    if (permission !== undefined && !grants(state.caller.permissions, permission)) {
      await deps.render(ctx, 'error', {
        title: 'Not allowed',
        message: permission === '*' ? 'This page needs an admin permission.' : `This page needs the admin:${permission} permission.`,
        hint: 'Ask an administrator for access, or go back to your account.',
      }, 403);
      return;
    }
    ctx.state.console = state;
    await next();
  };
}

/**
 * For destructive actions: the sign-in must be at most `maxAgeSeconds` old,
 * or the browser signs in again (max_age makes the provider ask for the
 * password) and comes back. Runs after requireConsole.
 */
export function requireRecentSignIn(maxAgeSeconds: number): Middleware {
  return async function requireRecentSignInStep(ctx, next) {
    const state = ctx.state.console as ConsoleState | undefined;
    if (!state) throw new Error('requireRecentSignIn runs after requireConsole');
    if (Date.now() / 1000 - state.authTime > maxAgeSeconds) {
      // Not clearTokens: the current sign-in stays valid for everything else.
      ctx.status = 303;
      ctx.redirect(consoleLoginUrl(backOf(ctx), maxAgeSeconds));
      return;
    }
    await next();
  };
}
