// Swapping oidc-provider's keys in a running provider. oidc-provider reads
// its signing keys (`jwks`) and cookie keys once, in the Provider
// constructor, and has no public API to change them. This file is the one
// place that relies on its internals, so an upgrade that breaks them breaks
// here, and test/oidc/provider-keys.test.ts says so:
//
// - Signing keys: lib/provider.js calls lib/helpers/initialize_keystore.js as
//   `initialize.call(provider, jwks)`, which validates the keys and sets the
//   provider's private `keystore` (what ID tokens, JWT access tokens and
//   id_token_hint checks select keys from, per call) and `jwks` (what
//   /oidc/jwks serves). Calling it again on the provider replaces both. The
//   package has no "exports" map, so the file can be imported by path.
// - Cookie keys: Provider extends Koa and the constructor copies
//   `cookies.keys` to the Koa `keys` property, which each request's
//   ctx.cookies (and oidc-provider's own context, built with
//   provider.createContext) reads anew; assigning `provider.keys` is enough.
import type { Provider } from 'oidc-provider';
import initializeKeystore from 'oidc-provider/lib/helpers/initialize_keystore.js';
import type { ServerSecrets } from './secrets.ts';

/**
 * Give the provider new signing and cookie keys. Signing keys are newest
 * first: for each algorithm oidc-provider signs with the first key and
 * verifies with all. Throws (keeping the old keys) if it refuses a key.
 */
export function replaceProviderKeys(provider: Provider, secrets: ServerSecrets): void {
  // It keeps (and may complete) what it is given: hand it copies.
  initializeKeystore.call(provider, { keys: structuredClone(secrets.signingKeys) });
  provider.keys = [...secrets.cookieKeys];
}
