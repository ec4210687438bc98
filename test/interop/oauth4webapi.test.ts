// oauth4webapi (panva's low-level OAuth 2.0 / OIDC client, strict about the
// specifications) against a running Gatehouse: discovery, client
// credentials, the code flow with PKCE through the real pages, refresh,
// userinfo, introspection, revocation and RFC 9068 access tokens for the API.
// A regression in what a spec-following relying party needs fails here.
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { signInThroughPages } from './page-sign-in.ts';

const SECRET = 'oauth4webapi-client-secret-0123456789abcdef';
// Nothing listens there: the page driver stops at the redirect and hands the URL to the library.
const REDIRECT_URI = 'http://127.0.0.1:1/oauth4webapi/callback';
const USER = { email: 'o4w@example.com', password: 'a passphrase for the interop suite', name: 'Ada Oauth' };
const WEB: oauth.Client = { client_id: 'o4w-web', token_endpoint_auth_method: 'client_secret_basic' };
const SERVICE: oauth.Client = { client_id: 'o4w-service', token_endpoint_auth_method: 'client_secret_basic' };
// Every request here is plain http on loopback: the library refuses that unless told.
const INSECURE = { [oauth.allowInsecureRequests]: true } as const;

describe('interop: oauth4webapi 3.8.8', function () {
  this.timeout(60_000);
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  let accountId: string;
  const auth = oauth.ClientSecretBasic(SECRET);

  before(async () => {
    server = await startTestServer({
      clients: [
        {
          client_id: WEB.client_id, client_secret: SECRET, client_name: 'oauth4webapi app',
          redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], api_access: true,
        },
        {
          client_id: SERVICE.client_id, client_secret: SECRET, redirect_uris: [], response_types: [],
          grant_types: ['client_credentials'], api_access: true,
        },
      ],
    });
    ({ id: accountId } = await createTestAccount(server, USER));
    const issuer = new URL(server.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...INSECURE }));
  });

  after(async () => {
    await server?.close();
  });

  /** The code flow as the library's README shows it: PKCE, state, nonce; the pages in between. */
  async function codeFlow(extra: Record<string, string> = {}): Promise<oauth.TokenEndpointResponse> {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: WEB.client_id, redirect_uri: REDIRECT_URI, response_type: 'code',
      scope: 'openid email profile offline_access', prompt: 'consent', state, nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    }).toString();
    const callback = await signInThroughPages(url.href, REDIRECT_URI, USER);
    const params = oauth.validateAuthResponse(as, WEB, callback, state);
    const res = await oauth.authorizationCodeGrantRequest(as, WEB, auth, params, REDIRECT_URI, verifier, INSECURE);
    return oauth.processAuthorizationCodeResponse(as, WEB, res, { expectedNonce: nonce, requireIdToken: true });
  }

  it('discovers the issuer by OpenID Connect Discovery, and the metadata names every endpoint it uses', () => {
    assert.equal(as.issuer, server.issuer);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'jwks_uri'] as const) {
      assert.ok(as[endpoint]?.startsWith(`${server.issuer}/`), `${endpoint}: ${as[endpoint]}`);
    }
    assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
  });

  it('discovers the same metadata at the RFC 8414 §3.1 location (algorithm: oauth2)', async () => {
    const issuer = new URL(server.issuer);
    const res = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...INSECURE });
    assert.equal(new URL(res.url).pathname, '/.well-known/oauth-authorization-server/oidc');
    const metadata = await oauth.processDiscoveryResponse(issuer, res);
    assert.deepEqual(metadata, as);
  });

  it('gets a client_credentials token and introspects it as its own client', async () => {
    const res = await oauth.clientCredentialsGrantRequest(as, SERVICE, auth, {}, INSECURE);
    const tokens = await oauth.processClientCredentialsResponse(as, SERVICE, res);
    assert.equal(tokens.token_type, 'bearer');
    const introspected = await oauth.processIntrospectionResponse(as, SERVICE,
      await oauth.introspectionRequest(as, SERVICE, auth, tokens.access_token, INSECURE));
    assert.equal(introspected.active, true);
    assert.equal(introspected.client_id, SERVICE.client_id);
  });

  it('runs the code flow with PKCE: a validated ID token for the account, and userinfo with the scopes\' claims', async () => {
    const tokens = await codeFlow();
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    assert.equal(claims.sub, accountId);
    assert.equal(claims.aud, WEB.client_id);
    assert.equal(claims.email, USER.email, 'the ID token carries the granted scopes\' claims');
    assert.equal(claims.name, USER.name);
    assert.ok(tokens.refresh_token, 'offline_access with prompt=consent yields a refresh token');
    const info = await oauth.processUserInfoResponse(as, WEB, accountId,
      await oauth.userInfoRequest(as, WEB, tokens.access_token, INSECURE));
    assert.equal(info.email, USER.email);
    assert.equal(info.email_verified, true);
    assert.equal(info.name, USER.name);
  });

  it('refreshes (the refresh token rotates) and revokes: the revoked refresh token no longer works', async () => {
    const first = await codeFlow();
    const refreshed = await oauth.processRefreshTokenResponse(as, WEB,
      await oauth.refreshTokenGrantRequest(as, WEB, auth, first.refresh_token!, INSECURE));
    assert.ok(refreshed.access_token);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== first.refresh_token, 'rotated on use');
    assert.equal(oauth.getValidatedIdTokenClaims(refreshed)?.sub, accountId);

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, WEB, auth, refreshed.refresh_token!, INSECURE));
    const again = oauth.refreshTokenGrantRequest(as, WEB, auth, refreshed.refresh_token!, INSECURE)
      .then((res) => oauth.processRefreshTokenResponse(as, WEB, res));
    await assert.rejects(again, (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant');
  });

  it('introspects an access token as active, and as inactive once revoked', async () => {
    const { access_token: token } = await codeFlow();
    const before = await oauth.processIntrospectionResponse(as, WEB, await oauth.introspectionRequest(as, WEB, auth, token, INSECURE));
    assert.equal(before.active, true);
    assert.equal(before.sub, accountId);
    assert.equal(before.client_id, WEB.client_id);

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, WEB, auth, token, INSECURE));
    const after = await oauth.processIntrospectionResponse(as, WEB, await oauth.introspectionRequest(as, WEB, auth, token, INSECURE));
    assert.equal(after.active, false);
  });

  it('asks for the API resource and gets an RFC 9068 access token the library validates against the JWKS', async () => {
    const audience = server.config.apiAudience;
    const tokens = await codeFlow({ resource: audience, scope: 'openid email api' });
    const request = new Request(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, audience, INSECURE);
    assert.equal(claims.sub, accountId);
    assert.equal(claims.client_id, WEB.client_id);
    assert.match(String(claims.scope), /\bapi\b/);
  });
});
