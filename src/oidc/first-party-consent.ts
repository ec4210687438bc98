// First-party clients skip the consent page: the user is signing in to
// Gatehouse's own product, so asking them to "allow" it is noise. Done in
// oidc-provider's documented hook, loadExistingGrant, by granting exactly what
// the request asks for; third-party clients get oidc-provider's default
// behaviour (the grant remembered for this session, else the consent prompt).
import type { KoaContextWithOIDC } from 'oidc-provider';

export async function loadFirstPartyGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const client = oidc.client!;
  const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (client.metadata().first_party !== true) return existing;

  const grant = existing ?? new oidc.provider.Grant({ clientId: client.clientId, accountId: oidc.session!.accountId! });
  grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
  const claims = [...oidc.requestParamClaims];
  if (claims.length > 0) grant.addOIDCClaims(claims);
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    grant.addResourceScope(indicator, server.scope);
  }
  await grant.save();
  return grant;
}
