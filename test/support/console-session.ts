// Signing in to a console over plain HTTP, as a browser without JavaScript
// would: /console/login, the provider's login page, and back.
import assert from 'node:assert/strict';
import type { PageSession, PageResponse } from './page-session.ts';

/** Open `path` (a console page) signed out, sign in on the real login page, and answer the page reached. */
export async function signInToConsole(
  session: PageSession,
  base: string,
  path: string,
  credentials: { email: string; password: string },
): Promise<PageResponse> {
  const login = await session.follow(`${base}${path}`);
  assert.equal(login.status, 200, `expected the login page, got ${login.status} at ${login.url}`);
  assert.match(login.body, /name="password"/, 'the login page');
  const submitted = await session.submit(login, { ...credentials, action: 'login' });
  assert.ok(submitted.location, `login answered ${submitted.status}: ${submitted.body.slice(0, 300)}`);
  return session.follow(submitted.location);
}
