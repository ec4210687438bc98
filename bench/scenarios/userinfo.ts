// GET /oidc/userinfo with the opaque access token of a code flow (userinfo
// takes only tokens without a resource indicator, as oidc-provider requires).
import { codeFlowTokens, USERS } from '../fixtures.ts';
import { checkOnce, issuerPath, type Scenario } from './scenario.ts';

export const userinfo: Scenario = {
  id: 'userinfo',
  title: 'userinfo',
  connections: 8,
  async prepare(server) {
    const { access_token: token } = await codeFlowTokens(server.issuer, USERS[1]!);
    const path = issuerPath(server, '/userinfo');
    const headers = { authorization: `Bearer ${token}` };
    await checkOnce(`${server.url}${path}`, { headers });
    return { url: server.url, connections: this.connections, requests: () => [{ method: 'GET', path, headers }] };
  },
};
