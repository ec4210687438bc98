// An account with a confirmed TOTP factor, enrolled through the JSON API, and
// codes computed here by otplib from the secret the API handed out.
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { api, bearer, login } from './api.ts';
import { createTestAccount, type TestServer } from './server.ts';

const STEP = 30;

export interface TotpUser {
  email: string;
  password: string;
  accountId: string;
  secret: string;
  recoveryCodes: string[];
  /** The last TOTP step the server accepted for this factor. */
  lastStep: number;
}

/**
 * A code of a step the server has not accepted yet and within its ±1 window
 * now: the current step, or the next one once the current was used.
 */
export function nextCode(user: Pick<TotpUser, 'secret' | 'lastStep'>): Promise<string> {
  const current = Math.floor(Date.now() / 1000 / STEP);
  const step = Math.max(current, user.lastStep + 1);
  assert.ok(step <= current + 1, 'test bug: no unused step left in the window');
  user.lastStep = step;
  return generate({ secret: user.secret, epoch: step * STEP });
}

/** A 6-digit code that is none of the codes of the steps around now (so it is surely wrong). */
export async function wrongCode(user: Pick<TotpUser, 'secret'>): Promise<string> {
  const current = Math.floor(Date.now() / 1000 / STEP);
  const valid = new Set(await Promise.all([-2, -1, 0, 1, 2].map((d) => generate({ secret: user.secret, epoch: (current + d) * STEP }))));
  for (let n = 0; ; n += 1) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

export async function enrolTotpUser(server: TestServer, email: string, password: string): Promise<TotpUser> {
  const { id: accountId } = await createTestAccount(server, { email, password });
  const tokens = await login(server, { email, password });
  const start = await api(server).post('/api/v1/me/mfa/totp').set(bearer(tokens.access_token)).send({ password });
  assert.equal(start.status, 201, JSON.stringify(start.body));
  const user: TotpUser = { email, password, accountId, secret: start.body.secret, recoveryCodes: [], lastStep: 0 };
  const confirm = await api(server).post(`/api/v1/me/mfa/totp/${start.body.id}/confirm`).set(bearer(tokens.access_token))
    .send({ code: await nextCode(user) });
  assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
  user.recoveryCodes = confirm.body.recovery_codes;
  return user;
}
