// Shared set-up for the OAuth flow tests: a running Gatehouse with one client
// of each kind, a verified account, and openid-client as the relying party.
import * as oidc from 'openid-client';
import { startTestServer, createTestAccount, type TestServer } from '../support/server.ts';
import { PageSession } from '../support/page-session.ts';

export const SECRET = 'a-client-secret-long-enough-for-hs256-0123456789';
export const CALLBACK = 'http://127.0.0.1:1/callback';
export const USER = { email: 'alice@example.com', password: 'correct horse battery staple', name: 'Alice' };

export const CLIENTS = {
  web: {
    client_id: 'web-app',
    client_name: 'Web App',
    client_secret: SECRET,
    redirect_uris: [CALLBACK],
    post_logout_redirect_uris: ['http://127.0.0.1:1/logged-out'],
    grant_types: ['authorization_code', 'refresh_token'],
    api_access: true,
  },
  firstParty: {
    client_id: 'first-party',
    client_name: 'Gatehouse App',
    client_secret: SECRET,
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token', 'password'],
    first_party: true,
  },
  thirdPartyPassword: {
    client_id: 'third-party-password',
    client_secret: SECRET,
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'password'],
  },
  service: {
    client_id: 'service',
    client_secret: SECRET,
    redirect_uris: [],
    response_types: [],
    grant_types: ['client_credentials'],
    api_access: true,
  },
  /** An API that introspects other clients' tokens (RFC 7662). */
  resourceServer: {
    client_id: 'resource-server',
    client_secret: SECRET,
    redirect_uris: [],
    response_types: [],
    grant_types: ['client_credentials'],
    resource_server: true,
  },
  /** A confidential third-party app with neither api_access nor resource_server. */
  other: {
    client_id: 'other-app',
    client_secret: SECRET,
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  },
  /** Registered to use PAR (RFC 9126) for every authorization request. */
  parOnly: {
    client_id: 'par-only',
    client_secret: SECRET,
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code'],
    require_pushed_authorization_requests: true,
  },
  spa: {
    client_id: 'spa',
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
  },
} as const;

export interface Fixture {
  server: TestServer;
  accountId: string;
  rp(client: { client_id: string; client_secret?: string }): Promise<oidc.Configuration>;
}

export async function startFixture(env: Record<string, string> = {}): Promise<Fixture> {
  const server = await startTestServer({ clients: Object.values(CLIENTS) as never, env });
  const { id } = await createTestAccount(server, { ...USER, emailVerified: true });
  return {
    server,
    accountId: id,
    async rp(client) {
      const auth = client.client_secret ? oidc.ClientSecretBasic(client.client_secret) : oidc.None();
      return oidc.discovery(new URL(server.issuer), client.client_id, undefined, auth, { execute: [oidc.allowInsecureRequests] });
    },
  };
}

export interface Authorization {
  /** Where the browser landed: the client's redirect_uri with code (or error) and state. */
  callback: URL;
  verifier: string;
  state: string;
  nonce: string;
  /** The prompts shown on the way, in order ('login', 'consent'). */
  pages: string[];
}

/**
 * The front half of the code flow with PKCE: through the real login and
 * consent pages by form posts, as a browser without JavaScript would, until
 * the redirect to the client. `consent` is the button pressed on the consent page.
 */
export async function authorize(
  config: oidc.Configuration,
  params: Record<string, string> = {},
  session = new PageSession(),
  consent: 'allow' | 'cancel' = 'allow',
): Promise<Authorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid email profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    prompt: 'consent',
    ...params,
  });
  return { ...(await signInAt(url, session, consent)), verifier, state, nonce };
}

/**
 * From an authorization URL (built by authorize(), or PAR's request_uri URL)
 * through the login and consent pages to the redirect to the client.
 */
export async function signInAt(
  url: URL,
  session = new PageSession(),
  consent: 'allow' | 'cancel' = 'allow',
): Promise<{ callback: URL; pages: string[] }> {
  const atCallback = (location: string) => location.startsWith(CALLBACK);
  const pages: string[] = [];
  let res = await session.follow(url.href, atCallback);
  while (!res.location) {
    if (res.status !== 200) throw new Error(`unexpected ${res.status} at ${res.url}: ${res.body.slice(0, 300)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(res.body)?.[1];
    pages.push(prompt ?? 'unknown');
    const posted =
      prompt === 'login'
        ? await session.submit(res, { email: USER.email, password: USER.password, action: 'login' })
        : await session.submit(res, { action: consent });
    if (posted.status !== 303 || !posted.location) throw new Error(`form post answered ${posted.status}: ${posted.body.slice(0, 300)}`);
    res = atCallback(posted.location) ? { ...posted, location: posted.location } : await session.follow(posted.location, atCallback);
  }
  return { callback: new URL(res.location), pages };
}

export interface CodeFlowResult {
  tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  pages: string[];
  session: PageSession;
}

/** The whole code flow: authorize through the pages, then openid-client exchanges the code. */
export async function codeFlow(
  config: oidc.Configuration,
  params: Record<string, string> = {},
  session = new PageSession(),
): Promise<CodeFlowResult> {
  const { callback, verifier, state, nonce, pages } = await authorize(config, params, session);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { tokens, pages, session };
}

/** A raw token endpoint call (for the failures openid-client would throw on). */
export async function tokenRequest(
  server: TestServer,
  client: { client_id: string; client_secret?: string },
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(form);
  if (client.client_secret) {
    headers.authorization = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
  } else {
    body.set('client_id', client.client_id);
  }
  const res = await fetch(`${server.issuer}/token`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
