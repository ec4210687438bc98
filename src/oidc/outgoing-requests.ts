// Where oidc-provider's own requests may go (API.md "Outgoing requests"):
// back-channel logout, a client's jwks_uri, sector_identifier_uri,
// request_uri. A client's metadata names these URLs, so without a rule an
// admin, or anyone who can register a client, could aim Gatehouse at
// internal services (SSRF). Loopback, private, link-local and other
// non-global addresses are refused unless PUBLIC_URL is itself on loopback
// (a development machine, whose RPs run beside it) or the operator set
// ALLOW_PRIVATE_NETWORK_TARGETS=true.
//
// The host name is resolved and every address it resolves to is checked
// before the request, so the refusal is clear. The connection itself still
// goes through the dispatcher oidc-provider sets (lib/helpers/fetch_request.js),
// which closes a socket whose peer is such an address: a name that resolves
// differently a moment later (DNS rebinding) gains nothing.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Not globally reachable (IANA special-purpose registries, RFC 6890). */
const NON_GLOBAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_GLOBAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NON_GLOBAL.addSubnet(network, prefix, 'ipv6');

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

export class PrivateNetworkTargetError extends Error {}

/** An address that is not globally reachable; IPv4-mapped IPv6 addresses are judged by their IPv4 address (BlockList does). */
export function isNonGlobalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return NON_GLOBAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** API.md's rule: private targets only for a loopback PUBLIC_URL or with ALLOW_PRIVATE_NETWORK_TARGETS. */
export function privateTargetsAllowed(publicUrl: string, allowPrivateNetworkTargets: boolean): boolean {
  if (allowPrivateNetworkTargets) return true;
  const { hostname } = new URL(publicUrl);
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Refuses a URL whose host is, or resolves to, an address that is not globally reachable. */
export async function assertPublicTarget(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  const refused = addresses.find(isNonGlobalAddress);
  if (refused !== undefined) {
    throw new PrivateNetworkTargetError(
      `outgoing request to ${url.host} refused: it resolves to ${refused}, a private, loopback or link-local address (ALLOW_PRIVATE_NETWORK_TARGETS)`,
    );
  }
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** oidc-provider's `fetch` hook under the rule. */
export function createOutgoingFetch(options: { allowPrivate: boolean; fetch?: Fetch }): Fetch {
  const send = options.fetch ?? globalThis.fetch;
  return async function outgoingFetch(input, init) {
    if (options.allowPrivate) {
      // oidc-provider's dispatcher refuses private peers; the default one does not.
      const rest: RequestInit & { dispatcher?: unknown } = { ...init };
      delete rest.dispatcher;
      return send(input, rest);
    }
    await assertPublicTarget(new URL(input instanceof Request ? input.url : input));
    return send(input, init);
  };
}
