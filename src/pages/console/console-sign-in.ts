// /console/login, /console/callback and /console/logout: the consoles sign in
// as the built-in `gatehouse-console` client (src/oidc/console-client.ts)
// through the provider's own authorization-code flow, with PKCE, state and
// nonce, exactly as any web app would, and keep the tokens in a cookie
// (console-cookies.ts).
import { createHash, randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { CONSOLE_CLIENT_ID, CONSOLE_SCOPE, consoleRedirectUri } from '../../oidc/console-client.ts';
import { csrfToken, requireCsrf } from '../csrf.ts';
import { formBody } from '../form-body.ts';
import { clearFlow, clearTokens, readFlow, readTokens, writeFlow, writeTokens } from './console-cookies.ts';
import type { ConsoleSignInDeps } from './console-deps.ts';
import { ConsoleTokenError, exchangeCode } from './console-tokens.ts';
import { localPathOr } from './local-path.ts';

const random = () => randomBytes(32).toString('base64url');
const MAX_AGE = /^\d{1,9}$/;

/** The URL of /console/login that comes back to `returnTo`, re-authenticating when `maxAge` is given. */
export function consoleLoginUrl(returnTo: string, maxAge?: number): string {
  const query = new URLSearchParams({ return: returnTo });
  if (maxAge !== undefined) query.set('max_age', String(maxAge));
  return `/console/login?${query}`;
}

export function createConsoleSignInRouter(deps: ConsoleSignInDeps): Router {
  const router = new Router({ prefix: '/console' });
  const failed = (ctx: Context, message: string, status = 400) => deps.render(ctx, 'account-message', {
    title: 'Sign-in did not finish',
    message,
    failed: true,
    hint: 'Open the console again to start over.',
    retry: { href: '/console/login', text: 'Sign in again' },
  }, status);

  router.get('/login', async function startConsoleSignIn(ctx) {
    const flow = { verifier: random(), state: random(), nonce: random(), returnTo: localPathOr(ctx.query.return) };
    writeFlow(ctx, flow);
    const query = new URLSearchParams({
      client_id: CONSOLE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: consoleRedirectUri(deps.publicUrl),
      scope: CONSOLE_SCOPE,
      resource: deps.apiAudience,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: createHash('sha256').update(flow.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const maxAge = ctx.query.max_age;
    if (typeof maxAge === 'string' && MAX_AGE.test(maxAge)) query.set('max_age', maxAge);
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(`${deps.issuer}/auth?${query}`);
  });

  router.get('/callback', async function finishConsoleSignIn(ctx) {
    const flow = readFlow(ctx);
    clearFlow(ctx);
    const { code, state, error } = ctx.query;
    if (!flow || typeof state !== 'string' || state !== flow.state) {
      return failed(ctx, 'This sign-in was started elsewhere or has expired.');
    }
    if (typeof error === 'string') {
      return failed(ctx, error === 'access_denied' ? 'The sign-in was cancelled.' : 'The sign-in was refused.');
    }
    if (typeof code !== 'string') return failed(ctx, 'The sign-in came back without a code.');
    try {
      const tokens = await exchangeCode(deps, ctx, { code, verifier: flow.verifier, nonce: flow.nonce });
      const claims = await deps.verifyAccessToken(tokens.accessToken);
      if (claims?.kind !== 'user') throw new ConsoleTokenError('the access token does not act for an account');
      writeTokens(ctx, { ...tokens, sessionId: claims.sessionId, accountId: claims.accountId });
    } catch (err) {
      if (err instanceof ConsoleTokenError) return failed(ctx, 'The sign-in could not be completed.');
      throw err;
    }
    ctx.status = 303;
    ctx.redirect(flow.returnTo);
  });

  // Ends the provider session the console signed in with (its tokens, its
  // grants that do not outlive it) and forgets the cookie.
  router.post('/logout', formBody(), csrfToken(), requireCsrf(deps.render), async function consoleSignOut(ctx) {
    const tokens = readTokens(ctx);
    clearTokens(ctx);
    const session = tokens && (await deps.sessions.findLive(tokens.sessionId));
    if (session && session.accountId === tokens.accountId) await deps.sessions.signOut(session, false);
    ctx.status = 303;
    ctx.redirect('/');
  });

  return router;
}
