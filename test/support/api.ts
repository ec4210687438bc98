// Small helpers for the /api/v1 tests: JSON requests through supertest and
// sign-in through the real login route.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { TestServer } from './server.ts';
import type { CapturedMail } from './smtp.ts';

export interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  expires_in: number;
  scope: string;
  token_type: string;
  user: Record<string, unknown>;
}

export function api(server: Pick<TestServer, 'url'>) {
  return request(server.url);
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** POST /api/v1/auth/login and expect success. */
export async function login(
  server: Pick<TestServer, 'url'>,
  credentials: { email: string; password: string; remember_me?: boolean },
  headers: Record<string, string> = {},
): Promise<Tokens> {
  const res = await api(server).post('/api/v1/auth/login').set(headers).send(credentials);
  assert.equal(res.status, 200, `login answered ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Tokens;
}

/** Expect API.md's error envelope with this status and code. */
export function assertError(res: { status: number; body: unknown }, status: number, code: string): void {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { error?: { code?: unknown; message?: unknown } };
  assert.equal(body.error?.code, code);
  assert.equal(typeof body.error?.message, 'string');
}

/** The token of the account link in a captured mail (text part). */
export function linkToken(mail: CapturedMail, path: '/account/verify-email' | '/account/reset-password'): string {
  const match = new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text ?? '');
  assert.ok(match, `no ${path} link in mail: ${mail.text}`);
  return match[1]!;
}
