// Helpers for the organization tests: calls as one signed-in user, and the
// token of an invitation mail's link.
import assert from 'node:assert/strict';
import { api, bearer } from './api.ts';
import type { TestServer } from './server.ts';
import type { CapturedMail } from './smtp.ts';

export function as(server: TestServer, who: { token: string }) {
  return {
    get: (path: string) => api(server).get(path).set(bearer(who.token)),
    post: (path: string, body?: object) => api(server).post(path).set(bearer(who.token)).send(body),
    patch: (path: string, body: object) => api(server).patch(path).set(bearer(who.token)).send(body),
    delete: (path: string, body?: object) => api(server).delete(path).set(bearer(who.token)).send(body),
  };
}

/** The token of the link in an invitation mail (text part). */
export function invitationToken(mail: CapturedMail): string {
  const match = /\/account\/organizations\/accept\?token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '');
  assert.ok(match, `no invitation link in mail: ${mail.text}`);
  return match[1]!;
}

/** The stored audit events of one type, newest first (read from the store directly). */
export async function auditTypes(server: TestServer, type: string): Promise<Array<Record<string, unknown>>> {
  const events = await server.store.audit.list({ type }, { limit: 200 });
  return events as unknown as Array<Record<string, unknown>>;
}
