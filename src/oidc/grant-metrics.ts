// gatehouse_token_grants_total: every token the token endpoint issues, by
// grant type, from oidc-provider's `grant.success` event (emitted once per
// successful token request, refreshes and the first-party grants included).
// The grant type is one the provider has registered, so the label is bounded.
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { Metrics } from '../services/metrics.ts';

export function countTokenGrants(provider: Provider, metrics: Pick<Metrics, 'tokenGranted'>): void {
  provider.on('grant.success', function countGrant(ctx: KoaContextWithOIDC) {
    const grantType = (ctx.oidc.params as { grant_type?: unknown } | undefined)?.grant_type;
    if (typeof grantType === 'string') metrics.tokenGranted(grantType);
  });
}
