// The `organizations` scope and claim (API.md, "Organizations"): with the
// scope, ID tokens and API access tokens carry `organizations: [{id, role}]`;
// without it, neither does. Read by decoding the tokens the server issued.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { claimsOf } from '../support/admin.ts';
import { CLIENTS, codeFlow, startFixture, tokenRequest, USER, type Fixture } from './fixtures.ts';

describe('organizations scope and claim', function () {
  let fx: Fixture;
  const orgs = { owned: randomUUID(), joined: randomUUID() };
  let expected: Array<{ id: string; role: string }>;

  before(async () => {
    fx = await startFixture();
    const { organizations, accounts } = fx.server.store;
    await organizations.insert({ id: orgs.owned, name: 'Owned' }, fx.accountId);
    const other = await accounts.insert({ id: randomUUID(), email: `${randomUUID()}@example.com`, emailVerified: true, name: null, role: 'user', passwordHash: 'h' });
    await organizations.insert({ id: orgs.joined, name: 'Joined' }, other.id);
    await organizations.insertMembership({ organizationId: orgs.joined, accountId: fx.accountId, role: 'member', joinedAt: new Date() });
    // Listed by organization name: Joined, then Owned.
    expected = [{ id: orgs.joined, role: 'member' }, { id: orgs.owned, role: 'owner' }];
  });
  after(async () => fx?.server.close());

  const password = (scope: string) =>
    tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'password', username: USER.email, password: USER.password, scope });

  it('password grant: ID and API access tokens carry the claim with the scope, and again after a refresh', async () => {
    const res = await password('openid offline_access organizations');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(claimsOf(res.body.id_token as string).organizations, expected);
    assert.deepEqual(claimsOf(res.body.access_token as string).organizations, expected);

    const refreshed = await tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'refresh_token', refresh_token: res.body.refresh_token as string });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.deepEqual(claimsOf(refreshed.body.id_token as string).organizations, expected);
    assert.deepEqual(claimsOf(refreshed.body.access_token as string).organizations, expected);
  });

  it('password grant without the scope: no claim in either token', async () => {
    const res = await password('openid offline_access');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(claimsOf(res.body.id_token as string).organizations, undefined);
    assert.equal(claimsOf(res.body.access_token as string).organizations, undefined);
  });

  it('code flow: the ID token and the API access token carry it when the scope is granted', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { tokens } = await codeFlow(config, { scope: 'openid organizations', resource: fx.server.config.apiAudience });
    assert.deepEqual(tokens.claims()?.organizations, expected);
    assert.deepEqual(claimsOf(tokens.access_token).organizations, expected);

    const without = await codeFlow(await fx.rp(CLIENTS.web), { scope: 'openid', resource: fx.server.config.apiAudience });
    assert.equal(without.tokens.claims()?.organizations, undefined);
    assert.equal(claimsOf(without.tokens.access_token).organizations, undefined);
  });

  it('is advertised in discovery', async () => {
    const res = await fetch(`${fx.server.issuer}/.well-known/openid-configuration`);
    const meta = (await res.json()) as { scopes_supported: string[]; claims_supported: string[] };
    assert.ok(meta.scopes_supported.includes('organizations'));
    assert.ok(meta.claims_supported.includes('organizations'));
  });
});
