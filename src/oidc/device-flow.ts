// The device flow's code entry at /oidc/device (RFC 8628 §3.3), guarded
// against guessing (§5.1: user codes are short, so the page must limit
// attempts). Every POST takes one point of the IP's limit before
// oidc-provider looks the code up, atomically, so a burst cannot get more
// than the limit evaluated; a code that matched gives its point back, so
// only wrong codes count. Past the limit the page answers 429 with
// Retry-After and oidc-provider never sees the request.
//
// verification_uri_complete (`?user_code=`) makes oidc-provider answer an
// auto-submitting form; the code is taken off the query instead and the
// entry page shows it filled in, for the user to check and send.
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { RateLimitedError } from '../errors.ts';
import type { Audit } from '../services/audit.ts';
import type { RateLimits } from '../services/rate-limits.ts';
import type { ProviderPages } from './configuration.ts';

/** Where the entry page (pages/device-pages.ts) finds a code from verification_uri_complete. */
export const DEVICE_CODE_PREFILL = 'deviceUserCode';

const ENTRY_PATH = '/device';

export interface DeviceFlowGuardDeps {
  rateLimits: Pick<RateLimits, 'reserveDeviceCode'>;
  audit: Pick<Audit, 'record'>;
  pages: Pick<ProviderPages, 'userCodeRateLimited'>;
}

function submittedCode(ctx: KoaContextWithOIDC): boolean {
  const code = (ctx.oidc?.params as { user_code?: unknown } | undefined)?.user_code;
  return typeof code === 'string' && code.length > 0;
}

export function guardDeviceCodeEntry(provider: Provider, deps: DeviceFlowGuardDeps): void {
  provider.use(async (ctx, next) => {
    if (ctx.path !== ENTRY_PATH) return next();
    if (ctx.method === 'GET' && typeof ctx.query.user_code === 'string') {
      ctx.state[DEVICE_CODE_PREFILL] = ctx.query.user_code.slice(0, 32);
      ctx.querystring = '';
      return next();
    }
    if (ctx.method !== 'POST') return next();

    let reservation: Awaited<ReturnType<RateLimits['reserveDeviceCode']>>;
    try {
      reservation = await deps.rateLimits.reserveDeviceCode(ctx.ip);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      await deps.audit.record({ type: 'device_code.refused', result: 'failure', reason: err.code, details: { rate_limited: true } });
      ctx.status = 429;
      ctx.set('Retry-After', String(err.retryAfterSeconds));
      await deps.pages.userCodeRateLimited(ctx as KoaContextWithOIDC, err.retryAfterSeconds);
      return;
    }
    await next();
    const oidcCtx = ctx as KoaContextWithOIDC;
    // oidc-provider loads the DeviceCode only for a code that exists, unused and unexpired.
    if (oidcCtx.oidc?.entities.DeviceCode) {
      await reservation.matched();
    } else if (submittedCode(oidcCtx)) {
      await deps.audit.record({ type: 'device_code.refused', result: 'failure', reason: 'INVALID_USER_CODE' });
    }
  });
}
