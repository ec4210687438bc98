// What a session records about the device that signed in (API.md: session).
// `ctx.ip` reads X-Forwarded-For only as many hops from the right as
// TRUST_PROXY_HOPS says (public-origin.ts sets app.proxy and
// maxIpsCount on both Koa apps), so a client cannot choose the address it is
// recorded under.
import { headerText } from '../services/display-text.ts';
import type { DeviceInfo } from '../services/sessions.ts';
import type { SignInSource } from '../services/accounts.ts';

interface RequestLike {
  get(field: string): string;
  ip: string;
}

const orNull = (value: string) => (value === '' ? null : value);
// Controls and bidi marks are removed by the session service (display-text.ts).
const header = (ctx: RequestLike, field: string) => orNull(headerText(ctx.get(field)));

export function deviceInfoOf(ctx: RequestLike): DeviceInfo {
  return {
    deviceName: header(ctx, 'x-device-name'),
    deviceType: header(ctx, 'x-device-type'),
    userAgent: header(ctx, 'user-agent'),
    ipAddress: orNull(ctx.ip),
  };
}

/** The source of an API sign-in or password check: its IP and the device name it says it is. */
export function apiSignInSource(ctx: RequestLike): SignInSource {
  return { ip: ctx.ip, deviceName: ctx.get('x-device-name') || undefined };
}
