// A burst of sign-ins past what argon2 can take: 200 connections send failed
// JSON logins without pause while one connection asks GET /health; the row is
// /health's rate and latency under that load. Password hashing runs in a
// bounded line (services/hashing-queue.ts), so the burst is answered 401 or,
// past the line, 503 + Retry-After, and the process stays responsive. The
// bench raises the failed-login limits (processes.ts), so the load measures
// the hashing line, not the lock; 429 is accepted as well, for servers that
// lock anyway.
import { USERS } from '../fixtures.ts';
import type { LoadSpec } from '../load.ts';
import { checkOnce, type Scenario, type ServerUnderTest } from './scenario.ts';

export const BURST_CONNECTIONS = 200;
const PATH = '/api/v1/auth/login';
const headers = { 'content-type': 'application/json' };

async function prepare(server: ServerUnderTest): Promise<LoadSpec> {
  await checkOnce(`${server.url}/health`, { method: 'GET' }, { status: 200 });
  const wrong = (slot: number) => {
    const user = USERS[slot % USERS.length]!;
    return JSON.stringify({ email: user.email, password: `${user.password}, but wrong` });
  };
  return {
    url: server.url,
    connections: 1 + BURST_CONNECTIONS,
    expectStatus: 200,
    background: { fromSlot: 1, statuses: [401, 429, 503] },
    requests: (slot) => (slot === 0
      ? [{ method: 'GET', path: '/health' }]
      : [{ method: 'POST', path: PATH, headers, body: wrong(slot) }]),
  };
}

export const loginBurst: Scenario = {
  id: 'login-burst',
  title: `GET /health beside ${BURST_CONNECTIONS} connections of failed logins (login burst)`,
  connections: 1 + BURST_CONNECTIONS,
  // /health's own figures are the answer; there is nothing to divide them by.
  growth: false,
  prepare,
};
