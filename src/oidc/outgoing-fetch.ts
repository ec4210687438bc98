// oidc-provider's outgoing requests (back-channel logout, jwks_uri,
// sector_identifier_uri, request_uri) go through its `fetch` setting, with a
// dispatcher that drops connections to loopback, private and link-local
// addresses (helpers/fetch_request.js). API.md allows them when PUBLIC_URL is
// itself on loopback: a development server whose clients run beside it.
import type { Configuration } from 'oidc-provider';

type Fetch = NonNullable<Configuration['fetch']>;

export function outgoingFetch(privateTargetsAllowed: boolean): Fetch {
  return (url, options) => {
    if (!privateTargetsAllowed) return globalThis.fetch(url, options);
    const unchecked: RequestInit & { dispatcher?: unknown } = { ...options };
    delete unchecked.dispatcher;
    return globalThis.fetch(url, unchecked);
  };
}
