// What every scenario needs from a running Gatehouse: the bench's clients and
// accounts, and tokens obtained the way a real client obtains them (password
// grant, JSON login, the code flow through the pages).
import { createHash, randomBytes } from 'node:crypto';
import type { Argon2Params } from '../src/services/password-hasher.ts';
import { createPasswordHasher } from '../src/services/password-hasher.ts';
import type { AccountStore } from '../src/storage/ports.ts';
import { PageSession } from '../test/support/page-session.ts';
import { basicAuth, form } from './load.ts';

const SECRET = 'bench-client-secret-0123456789abcdefghijklmnopqrstuvwxyz';
export const CALLBACK = 'http://127.0.0.1:1/callback';

export interface BenchClient {
  client_id: string;
  client_secret: string;
  [key: string]: unknown;
}

export const CLIENTS = {
  /** Gatehouse's own app: password grant, refresh tokens, API JWTs, no consent. */
  firstParty: {
    client_id: 'bench-first-party',
    client_secret: SECRET,
    redirect_uris: [CALLBACK],
    grant_types: ['password', 'refresh_token', 'authorization_code'],
    first_party: true,
  },
  /** A third-party web app: code flow with consent; its access tokens are opaque (no resource). */
  web: {
    client_id: 'bench-web',
    client_secret: SECRET,
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
  },
  /** A backend service (client_credentials only); the bare oidc-provider gets the same metadata. */
  service: {
    client_id: 'bench-service',
    client_secret: SECRET,
    redirect_uris: [],
    response_types: [],
    grant_types: ['client_credentials'],
  },
} satisfies Record<string, BenchClient>;

export interface BenchUser {
  email: string;
  password: string;
}

/** The bench's sign-in accounts (verified); login connections take turns over them. */
export const USERS: BenchUser[] = Array.from({ length: 8 }, (_, i) => ({
  email: `bench-user-${i}@bench.example`,
  password: `bench passphrase number ${i} for gatehouse`,
}));

/** The admin the admin API scenarios sign in as. */
export const ADMIN_USER: BenchUser = { email: 'bench-admin@bench.example', password: 'bench admin passphrase for gatehouse' };

/** Insert USERS and ADMIN_USER with the server's argon2 parameters; returns one hash for seeding. */
export async function createBenchAccounts(accounts: AccountStore, params: Argon2Params): Promise<string> {
  const hasher = await createPasswordHasher(params);
  let last = '';
  for (const user of USERS) {
    last = await hasher.hash(user.password);
    await accounts.insert({ id: crypto.randomUUID(), email: user.email, emailVerified: true, name: 'Bench', role: 'user', passwordHash: last });
  }
  const adminHash = await hasher.hash(ADMIN_USER.password);
  await accounts.insert({ id: crypto.randomUUID(), email: ADMIN_USER.email, emailVerified: true, name: 'Bench admin', role: 'admin', passwordHash: adminHash });
  return last;
}

export const authHeader = (client: BenchClient) => basicAuth(client.client_id, client.client_secret);

async function postJson(url: string, init: { headers: Record<string, string>; body: string }): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', ...init });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${new URL(url).pathname} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
}

/** grant_type=password with the first-party client. */
export async function passwordGrant(issuer: string, user: BenchUser, scope = 'openid offline_access'): Promise<TokenSet> {
  return (await postJson(`${issuer}/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: authHeader(CLIENTS.firstParty) },
    body: form({ grant_type: 'password', username: user.email, password: user.password, scope }),
  })) as unknown as TokenSet;
}

/** POST /api/v1/auth/login (API.md). */
export async function apiLogin(baseUrl: string, user: BenchUser): Promise<TokenSet> {
  return (await postJson(`${baseUrl}/api/v1/auth/login`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  })) as unknown as TokenSet;
}

const base64url = (buf: Buffer) => buf.toString('base64url');

/**
 * The code flow with PKCE for the web client, through the login and consent
 * pages as a browser without JavaScript drives them: an opaque access token
 * (no resource indicator), the kind userinfo and introspection serve.
 */
export async function codeFlowTokens(issuer: string, user: BenchUser): Promise<TokenSet> {
  const verifier = base64url(randomBytes(32));
  const auth = new URL(`${issuer}/auth`);
  auth.search = form({
    client_id: CLIENTS.web.client_id,
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid email profile',
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    state: base64url(randomBytes(12)),
    nonce: base64url(randomBytes(12)),
  });
  const session = new PageSession();
  const atCallback = (location: string) => location.startsWith(CALLBACK);
  let res = await session.follow(auth.href, atCallback);
  for (let step = 0; !res.location && step < 4; step += 1) {
    if (res.status !== 200) throw new Error(`code flow: ${res.status} at ${res.url}: ${res.body.slice(0, 300)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(res.body)?.[1];
    const posted = prompt === 'login'
      ? await session.submit(res, { email: user.email, password: user.password, action: 'login' })
      : await session.submit(res, { action: 'allow' });
    if (posted.status !== 303 || !posted.location) throw new Error(`code flow: form post answered ${posted.status}: ${posted.body.slice(0, 300)}`);
    res = atCallback(posted.location) ? { ...posted, location: posted.location } : await session.follow(posted.location, atCallback);
  }
  const code = res.location ? new URL(res.location).searchParams.get('code') : null;
  if (!code) throw new Error(`code flow: no code at the callback (${res.location ?? res.status})`);
  return (await postJson(`${issuer}/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: authHeader(CLIENTS.web) },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }),
  })) as unknown as TokenSet;
}
