// HIDE_EXISTING_ACCOUNTS: register answers 202 alike for a new and a taken
// address, so the answer's time must not tell them apart either (or sign-up
// would enumerate accounts). Tests may not time, so the bench does: register
// with the bench's own (taken) addresses, measured side by side with register
// of addresses never seen (the anchor); ratio = taken req/s ÷ new req/s,
// expected within 0.9–1.1. Both answer 202, the only status counted as ok.
// The bench server runs with HIDE_EXISTING_ACCOUNTS=true and the per-IP
// registration limit raised (processes.ts), so the load measures the work.
import { randomUUID } from 'node:crypto';
import { USERS } from '../fixtures.ts';
import type autocannon from 'autocannon';
import type { LoadSpec } from '../load.ts';
import { checkOnce, type Scenario, type ServerUnderTest } from './scenario.ts';
import { LOGIN_CONNECTIONS } from './password-login.ts';

const PATH = '/api/v1/auth/register';
const headers = { 'content-type': 'application/json' };
// Strong by the policy, and not built on any of the addresses.
const PASSWORD = 'violet lantern orchard ninety';
const isAccepted = (text: string) => typeof (JSON.parse(text) as { message?: unknown }).message === 'string';
// One run per process: a new address for every request, never one a previous request took.
const run = randomUUID().slice(0, 8);
let sequence = 0;
const newAddress = () => `new-${run}-${(sequence += 1)}@bench.example`;

async function registrations(server: ServerUnderTest, emailOf: (slot: number) => string, fresh: boolean): Promise<LoadSpec> {
  const body = (email: string) => JSON.stringify({ email, password: PASSWORD });
  await checkOnce(`${server.url}${PATH}`, { method: 'POST', headers, body: body(emailOf(0)) }, { status: 202, body: isAccepted });
  return {
    url: server.url,
    connections: LOGIN_CONNECTIONS,
    expectStatus: 202,
    requests: (slot) => [{
      method: 'POST', path: PATH, headers, body: body(emailOf(slot)),
      // autocannon repeats a connection's requests; a new address must be new on every one.
      ...(fresh ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: body(newAddress()) }) } : {}),
    }],
  };
}

export const registerHidden: Scenario = {
  id: 'register-hidden',
  title: 'register (hidden), taken address',
  connections: LOGIN_CONNECTIONS,
  anchor: {
    kind: 'same-server',
    title: 'register (hidden), new address',
    label: 'new address',
    prepare: (server) => registrations(server, () => newAddress(), true),
  },
  goal: { kind: 'range', min: 0.9, max: 1.1 },
  // Both sides hash a password with argon2; the empty store answers the question.
  growth: false,
  prepare: (server) => registrations(server, (slot) => USERS[slot % USERS.length]!.email, false),
};
