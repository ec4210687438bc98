// Where Koa (and oidc-provider mounted on it) gets the origin of the URLs it
// builds: discovery, redirects, the `htu` a DPoP proof is checked against.
// Koa reads ctx.host from the Host header (X-Forwarded-Host with app.proxy),
// ctx.protocol from X-Forwarded-Proto, and ctx.href from an absolute-form
// request target: all written by the client. PUBLIC_URL is the one external
// origin (API.md), so these getters are pinned to it on the app's request
// prototype, and TRUST_PROXY_HOPS only ever concerns the client IP.
import type Koa from 'koa';

export function pinPublicOrigin(app: Koa, publicUrl: string): void {
  const { host, protocol } = new URL(publicUrl);
  const scheme = protocol.slice(0, -1);
  Object.defineProperties(app.request, {
    host: { get: () => host, configurable: true },
    protocol: { get: () => scheme, configurable: true },
    href: {
      get(this: Koa.Request) {
        // `GET http://evil.example/x HTTP/1.1` is a valid request line (RFC 9112 §3.2.2).
        const target = this.originalUrl;
        const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? pathAndQuery(target) : target;
        return `${scheme}://${host}${path}`;
      },
      configurable: true,
    },
    URL: { get(this: Koa.Request) { return new URL(this.href); }, configurable: true },
  });
}

function pathAndQuery(absolute: string): string {
  try {
    const url = new URL(absolute);
    return `${url.pathname}${url.search}`;
  } catch {
    return '/';
  }
}

/** Koa's client-IP settings for this many trusted proxies: the IP is that many hops from the right of X-Forwarded-For. */
export function trustProxyHops(app: Koa, hops: number): void {
  app.proxy = hops > 0;
  app.maxIpsCount = hops;
}
