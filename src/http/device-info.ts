// What a session records about the device that signed in (API.md: session).
// `ctx.ip` reads X-Forwarded-For only as many hops from the right as
// TRUST_PROXY_HOPS says (http/public-origin.ts sets app.proxy and
// maxIpsCount on both Koa apps), so a client cannot choose the address it is
// recorded under.
import type { DeviceInfo } from '../services/sessions.ts';

interface RequestLike {
  get(field: string): string;
  ip: string;
}

const orNull = (value: string) => (value === '' ? null : value);

export function deviceInfoOf(ctx: RequestLike): DeviceInfo {
  return {
    deviceName: orNull(ctx.get('x-device-name')),
    deviceType: orNull(ctx.get('x-device-type')),
    userAgent: orNull(ctx.get('user-agent')),
    ipAddress: orNull(ctx.ip),
  };
}
