// GET /api/v1/admin/users?q=: an admin searching accounts by part of an
// address. On the grown store the search runs over every seeded account
// (a "contains" match cannot use the email's btree index), so this row shows
// what the admin list costs as the account table grows.
import { ADMIN_USER, apiLogin } from '../fixtures.ts';
import { checkOnce, type Scenario } from './scenario.ts';

export const adminUsersSearch: Scenario = {
  id: 'admin-users-search',
  title: 'GET /api/v1/admin/users?q=',
  connections: 8,
  async prepare(server) {
    const { access_token: token } = await apiLogin(server.url, ADMIN_USER);
    const headers = { authorization: `Bearer ${token}` };
    // Matches one bench user; on the grown store every seeded account is read to find it.
    const path = '/api/v1/admin/users?q=user-4&limit=50';
    await checkOnce(`${server.url}${path}`, { headers }, { body: (text) => text.includes('"items"') });
    return { url: server.url, connections: this.connections, requests: () => [{ method: 'GET', path, headers }] };
  },
};
