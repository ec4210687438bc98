// oidc-provider internals used by src/oidc/provider-keys.ts (see there why).
declare module 'oidc-provider/lib/helpers/initialize_keystore.js' {
  import type { Provider } from 'oidc-provider';

  export default function initializeKeystore(this: Provider, jwks: { keys: Record<string, unknown>[] }): void;
}
