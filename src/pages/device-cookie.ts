// The browser's device cookie: proof that this browser signed in to an
// account before, so its sign-ins count against that device and not against
// its IP (services/sign-in-source.ts). Set after each successful sign-in on
// the login page; signed with app.keys (Koa's keygrip HMAC, the keys of the
// CSRF cookie and oidc-provider's cookies), so a stranger can neither forge
// one nor move one to another account: the value names the account it was
// issued for. HttpOnly keeps it from scripts; it carries no authority but
// "count my failures on their own".
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { SignInSource } from '../services/accounts.ts';

export const DEVICE_COOKIE = 'gatehouse.device';
// Under https (ctx.secure follows PUBLIC_URL) the __Host- prefix pins it to
// this origin: Secure, Path=/, no Domain (RFC 6265bis §4.1.3.2).
const deviceCookieName = (ctx: Context) => (ctx.secure ? `__Host-${DEVICE_COOKIE}` : DEVICE_COOKIE);
/** Chromium caps cookie lifetimes at 400 days (RFC 6265bis §5.5). */
const MAX_AGE_MS = 400 * 24 * 3600 * 1000;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const VALUE = new RegExp(`^(${UUID})\\.([\\w-]{1,128})$`);

/** The device the request's signed cookie proves, if any. */
export function deviceOf(ctx: Context): SignInSource['device'] {
  const match = VALUE.exec(ctx.cookies.get(deviceCookieName(ctx), { signed: true }) ?? '');
  return match ? { id: match[1]!, accountId: match[2]! } : undefined;
}

/** After a successful sign-in: this browser is now a device of `accountId` (one account per browser, the latest). */
export function rememberDevice(ctx: Context, accountId: string): void {
  const previous = deviceOf(ctx);
  const id = previous?.accountId === accountId ? previous.id : randomUUID();
  ctx.cookies.set(deviceCookieName(ctx), `${id}.${accountId}`, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    maxAge: MAX_AGE_MS,
    overwrite: true,
  });
}

/** The source of a login page post: its IP and, when it proves one, its device. */
export function pageSignInSource(ctx: Context): SignInSource {
  return { ip: ctx.ip, device: deviceOf(ctx) };
}
