// Password sign-in, the argon2-bound scenarios: at the token endpoint
// (grant_type=password, first-party client) and at POST /api/v1/auth/login.
// Each connection signs in one of the bench's accounts over and over; the
// anchor is argon2id verifications/s at the same concurrency (argon2-bound.ts).
import { apiLogin, authHeader, CLIENTS, passwordGrant, USERS } from '../fixtures.ts';
import { form } from '../load.ts';
import { issuerPath, type Scenario } from './scenario.ts';

/** libuv's thread pool has 4 threads: 4 logins in flight keep every one busy. */
export const LOGIN_CONNECTIONS = 4;

const userOf = (slot: number) => USERS[slot % USERS.length]!;

export const loginAtTokenEndpoint: Scenario = {
  id: 'login-token',
  title: 'password login, token endpoint',
  connections: LOGIN_CONNECTIONS,
  anchor: { kind: 'argon2' },
  goal: { kind: 'ratio', min: 0.9 },
  async prepare(server) {
    await passwordGrant(server.issuer, userOf(0));
    return {
      url: server.url,
      connections: this.connections,
      requests: (slot) => [{
        method: 'POST',
        path: issuerPath(server, '/token'),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: authHeader(CLIENTS.firstParty) },
        body: form({ grant_type: 'password', username: userOf(slot).email, password: userOf(slot).password, scope: 'openid offline_access' }),
      }],
    };
  },
};

export const loginAtApi: Scenario = {
  id: 'login-api',
  title: 'password login, POST /api/v1/auth/login',
  connections: LOGIN_CONNECTIONS,
  anchor: { kind: 'argon2' },
  goal: { kind: 'ratio', min: 0.9 },
  async prepare(server) {
    await apiLogin(server.url, userOf(0));
    return {
      url: server.url,
      connections: this.connections,
      requests: (slot) => [{
        method: 'POST',
        path: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: userOf(slot).email, password: userOf(slot).password }),
      }],
    };
  },
};
