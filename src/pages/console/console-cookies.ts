// The two cookies of a console sign-in. Both are signed (app.keys), HttpOnly,
// SameSite=Lax and, under https, `__Host-` (Secure, Path=/, no Domain), as the
// CSRF cookie is (src/pages/csrf.ts): scripts cannot read them, another site
// cannot plant or change them, and they ride along on the provider's redirect
// back (a top-level GET).
//
// The tokens live in the browser's cookie rather than in a server-side table:
// they are the account's own tokens (what the JSON login hands a first-party
// SPA), a console session then needs no storage of its own and works on every
// instance behind a load balancer, and ending it is ending the provider
// session (tokens included), which the session list and revocation already do.
import type { Context } from 'koa';
import { z } from 'zod';

const FLOW_COOKIE = 'gatehouse.console-flow';
const SESSION_COOKIE = 'gatehouse.console';
const FLOW_TTL_MS = 10 * 60_000;

/** What the callback needs of the flow /console/login started. */
export interface ConsoleFlow {
  verifier: string;
  state: string;
  nonce: string;
  /** A local path: where the console goes once signed in. */
  returnTo: string;
}

/** The console's tokens and what it knows of them without asking. */
export interface ConsoleTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (ms since the epoch). */
  expiresAt: number;
  /** The ID token's auth_time (seconds): when the person last proved who they are. */
  authTime: number;
  /** The provider session the tokens belong to (the `sid`), for signing out. */
  sessionId: string;
  accountId: string;
}

const flowShape = z.object({ verifier: z.string(), state: z.string(), nonce: z.string(), returnTo: z.string() });
const tokensShape = z.object({
  accessToken: z.string(), refreshToken: z.string(), expiresAt: z.number(), authTime: z.number(), sessionId: z.string(), accountId: z.string(),
});

const nameOf = (ctx: Context, name: string) => (ctx.secure ? `__Host-${name}` : name);

function write(ctx: Context, name: string, value: object | null, maxAge?: number): void {
  ctx.cookies.set(nameOf(ctx, name), value === null ? null : Buffer.from(JSON.stringify(value)).toString('base64url'), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    overwrite: true,
    ...(maxAge === undefined ? {} : { maxAge }),
  });
}

function read<T>(ctx: Context, name: string, shape: z.ZodType<T>): T | undefined {
  const raw = ctx.cookies.get(nameOf(ctx, name), { signed: true });
  if (!raw) return undefined;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const readFlow = (ctx: Context) => read(ctx, FLOW_COOKIE, flowShape);
export const writeFlow = (ctx: Context, flow: ConsoleFlow) => write(ctx, FLOW_COOKIE, flow, FLOW_TTL_MS);
export const clearFlow = (ctx: Context) => write(ctx, FLOW_COOKIE, null);

export const readTokens = (ctx: Context) => read(ctx, SESSION_COOKIE, tokensShape);
/** A browser-session cookie: gone when the browser closes; the refresh token's own lifetime bounds it anyway. */
export const writeTokens = (ctx: Context, tokens: ConsoleTokens) => write(ctx, SESSION_COOKIE, tokens);
export const clearTokens = (ctx: Context) => write(ctx, SESSION_COOKIE, null);
