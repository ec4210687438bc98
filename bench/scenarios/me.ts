// GET /api/v1/me with the JWT access token of POST /api/v1/auth/login.
import { apiLogin, USERS } from '../fixtures.ts';
import { checkOnce, type Scenario } from './scenario.ts';

export const me: Scenario = {
  id: 'me',
  title: 'GET /api/v1/me',
  connections: 8,
  goal: { kind: 'per-core', min: 3000 },
  async prepare(server) {
    const { access_token: token } = await apiLogin(server.url, USERS[2]!);
    const headers = { authorization: `Bearer ${token}` };
    await checkOnce(`${server.url}/api/v1/me`, { headers });
    return { url: server.url, connections: this.connections, requests: () => [{ method: 'GET', path: '/api/v1/me', headers }] };
  },
};
