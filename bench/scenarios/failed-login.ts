// Issue #3: unknown email and wrong password give the same answer in about
// the same time, or the time tells which addresses are registered. Tests may
// not time, so the bench does: failed JSON logins with an unknown email,
// measured side by side with failed logins with a wrong password for the
// bench's accounts (the anchor); ratio = unknown-email req/s ÷ wrong-password
// req/s, expected within 0.9–1.1. Both answer 401 INVALID_CREDENTIALS, the
// only status that counts as ok here. The bench raises the server's
// failed-login rate limits (processes.ts) so the load measures the work, not
// the lock.
import { USERS, type BenchUser } from '../fixtures.ts';
import type { LoadSpec } from '../load.ts';
import { checkOnce, type Scenario, type ServerUnderTest } from './scenario.ts';
import { LOGIN_CONNECTIONS } from './password-login.ts';

const PATH = '/api/v1/auth/login';
const headers = { 'content-type': 'application/json' };
const isInvalidCredentials = (text: string) => (JSON.parse(text) as { error?: { code?: string } }).error?.code === 'INVALID_CREDENTIALS';

const wrongPasswordOf = (slot: number): BenchUser => {
  const user = USERS[slot % USERS.length]!;
  return { email: user.email, password: `${user.password}, but wrong` };
};
/** Never registered: the bench's accounts are bench-user-N. */
const unknownEmailOf = (slot: number): BenchUser => ({ email: `nobody-${slot}@bench.example`, password: USERS[slot % USERS.length]!.password });

async function failedLogins(server: ServerUnderTest, userOf: (slot: number) => BenchUser): Promise<LoadSpec> {
  const body = (slot: number) => JSON.stringify({ email: userOf(slot).email, password: userOf(slot).password });
  await checkOnce(`${server.url}${PATH}`, { method: 'POST', headers, body: body(0) }, { status: 401, body: isInvalidCredentials });
  return {
    url: server.url,
    connections: LOGIN_CONNECTIONS,
    expectStatus: 401,
    requests: (slot) => [{ method: 'POST', path: PATH, headers, body: body(slot) }],
  };
}

export const failedLogin: Scenario = {
  id: 'failed-login',
  title: 'failed login, unknown email',
  connections: LOGIN_CONNECTIONS,
  anchor: {
    kind: 'same-server',
    title: 'failed login, wrong password',
    label: 'wrong password',
    prepare: (server) => failedLogins(server, wrongPasswordOf),
  },
  goal: { kind: 'range', min: 0.9, max: 1.1 },
  // Both sides are argon2 verifications, on any store; the empty one answers the question.
  growth: false,
  prepare: (server) => failedLogins(server, unknownEmailOf),
};
