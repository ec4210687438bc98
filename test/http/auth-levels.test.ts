// Route auth levels: 'none' runs no authenticator, 'user' needs a bearer
// token of a live session, 'admin:<permission>' also a role that grants the
// permission. Real tokens from the real login route, checked by the real
// verifier and session store of the same server.
import { createAudit } from '../../src/services/audit.ts';
import assert from 'node:assert/strict';
import Koa from 'koa';
import request from 'supertest';
import { z } from 'zod';
import { errorHandler } from '../../src/http/middleware/error-handler.ts';
import { adminRoute, authedRoute, publicRoute } from '../../src/http/api/route.ts';
import { buildOpenApiDocument } from '../../src/http/api/openapi.ts';
import { createApiRouter } from '../../src/http/api/router.ts';
import { createAdminAuth } from '../../src/http/middleware/require-admin.ts';
import { createDpopProofCheck, DPOP_REPLAY_RULE } from '../../src/http/middleware/dpop-proof.ts';
import { createRequestTokenCheck, createSessionCheck, createUserAuth } from '../../src/http/middleware/require-bearer.ts';
import { createRoleService } from '../../src/services/roles.ts';
import { createLogger } from '../../src/logger.ts';
import { createAccessTokenVerifier } from '../../src/oidc/access-token-verifier.ts';
import { loadOrCreateSecrets } from '../../src/oidc/secrets.ts';
import { createSessionService } from '../../src/services/sessions.ts';
import { bearer, login } from '../support/api.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

const whoAmI = z.object({ id: z.string() });
const ROUTES = [
  publicRoute({
    method: 'get', path: '/levels/none', tag: 't', operationId: 'none', summary: 'anyone',
    responses: { 200: { description: 'ok', schema: whoAmI } },
    async handle() { return { status: 200, body: { id: 'anonymous' } }; },
  }),
  authedRoute({
    method: 'get', path: '/levels/user', tag: 't', operationId: 'user', summary: 'a user',
    responses: { 200: { description: 'ok', schema: whoAmI } },
    async handle({ auth }) { return { status: 200, body: { id: auth.account.id } }; },
  }),
  adminRoute('users:read', {
    method: 'get', path: '/levels/admin', tag: 't', operationId: 'admin', summary: 'an admin',
    responses: { 200: { description: 'ok', schema: whoAmI } },
    async handle({ auth }) { return { status: 200, body: { id: auth.caller.id } }; },
  }),
];

describe('route auth levels', function () {
  let server: TestServer;
  let app: Koa;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  before(async () => {
    server = await startTestServer();
    for (const role of ['user', 'admin'] as const) {
      const email = `${role}@example.com`;
      ids[role] = (await createTestAccount(server, { email, password: 'a long enough passphrase', role })).id;
      tokens[role] = (await login(server, { email, password: 'a long enough passphrase' })).access_token;
    }
    const secrets = await loadOrCreateSecrets(server.store.secrets);
    const audit = createAudit({ store: server.store.audit, hashIdentifier: (address) => address, logger: createLogger('silent') });
    const verify = createRequestTokenCheck({
      verifyAccessToken: createAccessTokenVerifier({ secrets, issuer: server.issuer, apiAudience: server.config.apiAudience }),
      checkDpopProof: createDpopProofCheck({ publicUrl: server.config.publicUrl, replay: server.store.createRateLimiter(DPOP_REPLAY_RULE) }),
    });
    const liveSession = createSessionCheck(
      createSessionService({ sessions: server.store.sessions, oidc: server.store.oidc, clients: server.store.clients, audit }),
    );
    const user = createUserAuth(verify, liveSession);
    const admin = createAdminAuth({ verify, liveSession, clients: server.store.clients, roles: createRoleService(server.store.roles) });
    app = new Koa();
    app.use(errorHandler(createLogger('silent')));
    app.use(createApiRouter(ROUTES, { user, admin }, audit).routes());
  });
  after(() => server.close());

  const get = (path: string, token?: string) => request(app.callback()).get(path).set(token ? bearer(token) : {});

  it("'none' answers without a token", async function () {
    assert.deepEqual((await get('/levels/none')).body, { id: 'anonymous' });
  });

  it("'user' needs a valid bearer token: 401 UNAUTHENTICATED without one", async function () {
    const res = await get('/levels/user');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    assert.deepEqual((await get('/levels/user', tokens.user)).body, { id: ids.user });
  });

  it("'admin:<permission>' refuses a user with 403 FORBIDDEN and lets an admin in", async function () {
    assert.equal((await get('/levels/admin')).status, 401);
    const user = await get('/levels/admin', tokens.user);
    assert.equal(user.status, 403);
    assert.equal(user.body.error.code, 'FORBIDDEN');
    assert.deepEqual((await get('/levels/admin', tokens.admin)).body, { id: ids.admin });
  });

  it('documents each level: security and UNAUTHENTICATED above none, FORBIDDEN and the permission for admin', function () {
    const doc = buildOpenApiDocument(ROUTES, { serverUrl: 'http://localhost', version: '0' });
    const op = (path: string) => doc.paths[path]!.get as { security?: unknown; responses: Record<string, unknown>; 'x-permission'?: string };
    assert.equal(op('/levels/none').security, undefined);
    assert.ok(op('/levels/user').responses['401'] && !op('/levels/user').responses['403']);
    assert.ok(op('/levels/admin').responses['401'] && op('/levels/admin').responses['403']);
    assert.equal(op('/levels/admin')['x-permission'], 'users:read');
  });
});
