// Driving the admin console over plain HTTP: the header's sign-out form comes
// first on every admin page, so posts name their action instead of taking
// the page's first form.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { loadOrCreateSecrets } from '../../src/oidc/secrets.ts';
import type { PageResponse, PageSession } from './page-session.ts';
import type { TestServer } from './server.ts';

export function csrfOf(page: PageResponse): string {
  return /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? assert.fail(`no CSRF field on ${page.url}`);
}

/** Post `fields` to `action` with the page's CSRF token; the raw answer. */
export function postForm(session: PageSession, base: string, page: PageResponse, action: string, fields: Record<string, string> = {}) {
  return session.request(`${base}${action}`, { form: { _csrf: csrfOf(page), ...fields } });
}

const COOKIE = 'gatehouse.console';

/** Rewrite the console cookie as if the sign-in happened `secondsAgo` ago (signed with the server's cookie key). */
export async function ageSignIn(server: TestServer, session: PageSession, secondsAgo: number): Promise<string> {
  const raw = session.cookie(COOKIE) ?? assert.fail('no console cookie');
  const tokens = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
  const { cookieKeys } = await loadOrCreateSecrets(server.store.secrets);
  const value = Buffer.from(JSON.stringify({ ...tokens, authTime: Math.floor(Date.now() / 1000) - secondsAgo })).toString('base64url');
  const sig = createHmac('sha1', cookieKeys[0]!).update(`${COOKIE}=${value}`).digest('base64')
    .replace(/\//g, '_').replace(/\+/g, '-').replace(/=/g, '');
  return `${COOKIE}=${value}; ${COOKIE}.sig=${sig}`;
}
