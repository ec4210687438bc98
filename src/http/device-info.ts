// What a session records about the device that signed in (API.md: session).
// `ctx.ip` honours X-Forwarded-For only when TRUST_PROXY sets app.proxy /
// provider.proxy, so a client cannot choose the address it is recorded under.
import { headerText } from '../services/display-text.ts';
import type { DeviceInfo } from '../services/sessions.ts';

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
