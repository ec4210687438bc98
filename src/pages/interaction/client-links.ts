// What the consent page shows of a client's own URLs (logo_uri, policy_uri,
// tos_uri). They are chosen by whoever registered the client, so each is
// re-checked here whatever the registration allowed: https only (http on a
// loopback host outside production, for a developer's own client), never
// javascript:, data: or a relative URL, and only credential-free.
import type { Context } from 'koa';
import { allowImageOrigin } from '../../http/middleware/security-headers.ts';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** The URL, normalised, when a page may link to or load it; undefined otherwise. */
export function safeClientUrl(value: unknown, options: { allowLoopbackHttp: boolean }): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.username || url.password) return undefined;
  if (url.protocol === 'https:') return url.toString();
  if (url.protocol === 'http:' && options.allowLoopbackHttp && LOOPBACK.test(url.hostname)) return url.toString();
  return undefined;
}

export interface ClientPresentation {
  logoUri: string | undefined;
  policyUri: string | undefined;
  tosUri: string | undefined;
}

interface ClientUrls {
  logoUri?: unknown;
  policyUri?: unknown;
  tosUri?: unknown;
}

export function presentClient(client: ClientUrls | undefined, options: { allowLoopbackHttp: boolean }): ClientPresentation {
  return {
    logoUri: safeClientUrl(client?.logoUri, options),
    policyUri: safeClientUrl(client?.policyUri, options),
    tosUri: safeClientUrl(client?.tosUri, options),
  };
}

/**
 * Let this one answer load the client's logo: its origin joins img-src for
 * this page only, so no other page (and no other client's page) can load
 * images from it. The browser fetches the logo itself (no proxy here: a
 * proxy would make Gatehouse fetch arbitrary client-chosen URLs, an SSRF
 * surface); Referrer-Policy: no-referrer keeps the interaction URL from it.
 */
export function allowClientLogo(ctx: Pick<Context, 'response' | 'set'>, logoUri: string | undefined): void {
  if (!logoUri) return;
  const policy = ctx.response.get('Content-Security-Policy');
  if (policy) ctx.set('Content-Security-Policy', allowImageOrigin(policy, new URL(logoUri).origin));
}
