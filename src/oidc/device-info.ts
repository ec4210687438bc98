// What a session records about the device that signed in (API.md: session).
// `ctx.ip` honours X-Forwarded-For only when TRUST_PROXY sets app.proxy /
// provider.proxy, so a client cannot choose the address it is recorded under.
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
