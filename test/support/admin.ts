// Helpers for the admin API tests: accounts of a given role signed in
// through the real login route, and client_credentials tokens for the API.
import assert from 'node:assert/strict';
import { createTestAccount, type TestServer } from './server.ts';
import { login } from './api.ts';

export const PASSWORD = 'correct horse battery staple';
let counter = 0;
export const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;

export interface SignedIn {
  id: string;
  email: string;
  token: string;
  refreshToken: string;
}

/** A new verified account with this role, signed in. */
export async function signedIn(server: TestServer, role: string, tag = role): Promise<SignedIn> {
  const email = uniqueEmail(tag);
  const { id } = await createTestAccount(server, { email, password: PASSWORD, role });
  const tokens = await login(server, { email, password: PASSWORD });
  return { id, email, token: tokens.access_token, refreshToken: tokens.refresh_token };
}

/** A client_credentials access token for the API (resource PUBLIC_URL/api, scope api). */
export async function clientToken(server: TestServer, client: { client_id: string; client_secret: string }): Promise<string> {
  const res = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: server.config.apiAudience, scope: 'api' }),
  });
  const body = (await res.json()) as { access_token?: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.access_token!;
}

/** The payload of a JWT, unverified (the server verified it; tests read its claims). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
