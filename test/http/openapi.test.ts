// /openapi.json and /docs: the document is valid OpenAPI 3.1, lists every
// row of API.md's /api/v1 table and every route the server mounts, its refs
// resolve, it never describes a secret in a response, and /docs renders it
// as a page that passes the pages' CSP.
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { createSignInSteps } from '../../src/sign-in/steps.ts';
import { adminRolesRoutes } from '../../src/http/api/admin/roles-routes.ts';
import { adminUsersRoutes } from '../../src/http/api/admin/users-routes.ts';
import { authRoutes } from '../../src/http/api/auth-routes.ts';
import { meRoutes } from '../../src/http/api/me-routes.ts';
import { meEventsRoutes } from '../../src/http/api/me-events-routes.ts';
import { meMfaRoutes } from '../../src/http/api/me-mfa-routes.ts';
import { webauthnRoutes } from '../../src/http/api/webauthn-routes.ts';
import { adminAuditRoutes } from '../../src/http/api/admin/audit-routes.ts';
import { adminClientRoutes } from '../../src/http/api/admin/clients-routes.ts';
import { keysRoutes } from '../../src/http/api/admin/keys-routes.ts';
import { adminOrganizationRoutes } from '../../src/http/api/admin/organizations-routes.ts';
import { organizationRoutes } from '../../src/http/api/organization-routes.ts';
import { toOpenApiPath } from '../../src/http/api/openapi.ts';
import type { ApiRoute } from '../../src/http/api/route.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

type Json = Record<string, unknown>;
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

// API.md "First-party JSON API": the contract, copied row by row.
const API_MD_ROUTES = [
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/verify-email',
  'POST /api/v1/auth/verify-email/resend',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/login/mfa',
  'POST /api/v1/auth/login/mfa/options',
  'POST /api/v1/auth/passkey/options',
  'POST /api/v1/auth/passkey',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/password-reset',
  'POST /api/v1/auth/password-reset/confirm',
  'GET /api/v1/me',
  'PATCH /api/v1/me',
  'DELETE /api/v1/me',
  'POST /api/v1/me/password',
  'GET /api/v1/me/sessions',
  'DELETE /api/v1/me/sessions/:id',
  'DELETE /api/v1/me/sessions',
  'GET /api/v1/me/events',
  // "Multi-factor authentication".
  'GET /api/v1/me/mfa',
  'POST /api/v1/me/mfa/totp',
  'POST /api/v1/me/mfa/totp/:id/confirm',
  'POST /api/v1/me/mfa/webauthn/options',
  'POST /api/v1/me/mfa/webauthn',
  'DELETE /api/v1/me/mfa/:id',
  'POST /api/v1/me/mfa/recovery-codes',
  // Beyond API.md's rows: naming a factor after enrolment (README, "MFA").
  'PATCH /api/v1/me/mfa/:id',
  // "Organizations".
  'GET /api/v1/me/organizations',
  'POST /api/v1/organizations',
  'GET /api/v1/organizations/:id',
  'PATCH /api/v1/organizations/:id',
  'DELETE /api/v1/organizations/:id',
  'GET /api/v1/organizations/:id/members',
  'PATCH /api/v1/organizations/:id/members/:user_id',
  'DELETE /api/v1/organizations/:id/members/:user_id',
  'POST /api/v1/organizations/:id/invitations',
  'GET /api/v1/organizations/:id/invitations',
  'DELETE /api/v1/organizations/:id/invitations/:iid',
  'POST /api/v1/invitations/accept',
  // "Administration API (/api/v1/admin)".
  'GET /api/v1/admin/users',
  'POST /api/v1/admin/users',
  'GET /api/v1/admin/users/:id',
  'PATCH /api/v1/admin/users/:id',
  'DELETE /api/v1/admin/users/:id',
  'POST /api/v1/admin/users/:id/password-reset',
  'POST /api/v1/admin/users/:id/unlock',
  'DELETE /api/v1/admin/users/:id/mfa',
  'GET /api/v1/admin/users/:id/sessions',
  'DELETE /api/v1/admin/users/:id/sessions',
  'DELETE /api/v1/admin/users/:id/sessions/:sid',
  'GET /api/v1/admin/roles',
  'POST /api/v1/admin/roles',
  'PATCH /api/v1/admin/roles/:name',
  'DELETE /api/v1/admin/roles/:name',
  'GET /api/v1/admin/audit-events',
  'GET /api/v1/admin/clients',
  'POST /api/v1/admin/clients',
  'GET /api/v1/admin/clients/:id',
  'PATCH /api/v1/admin/clients/:id',
  'DELETE /api/v1/admin/clients/:id',
  'POST /api/v1/admin/clients/:id/secrets',
  'GET /api/v1/admin/keys',
  'POST /api/v1/admin/keys/rotate',
  'DELETE /api/v1/admin/keys/:kid',
  'GET /api/v1/admin/organizations',
];

// API.md's `user` and `session` objects, field for field.
const USER_FIELDS = ['id', 'email', 'email_verified', 'name', 'picture', 'role', 'permissions', 'created_at', 'updated_at'];
const SESSION_FIELDS = ['id', 'current', 'device_name', 'device_type', 'user_agent', 'ip_address', 'created_at', 'last_active_at', 'expires_at', 'clients', 'amr'];
const SECRET_FIELD = /pass|hash|secret|salt/i;
// API.md: a new client secret is answered once, on creation and on rotation, by design.
// So is a TOTP secret, on enrolment (the authenticator app must get it).
const SHOWN_ONCE = new Set(['client_secret', 'previous_secret_expires_at', 'secret']);

// The route definitions server.ts mounts; their handlers are never called here.
const signIn = createSignInSteps({ accounts: {} as never });
const ROUTES: ApiRoute[] = [
  ...authRoutes({ signIn } as never), ...meRoutes({} as never), ...meEventsRoutes({} as never), ...meMfaRoutes({} as never), ...webauthnRoutes({} as never),
  ...adminUsersRoutes({} as never), ...adminRolesRoutes({} as never), ...adminAuditRoutes({} as never), ...adminClientRoutes({} as never),
  ...keysRoutes({} as never), ...organizationRoutes({} as never), ...adminOrganizationRoutes({} as never),
];

const operationKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

function operationsOf(doc: Doc): Map<string, Json> {
  const operations = new Map<string, Json>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) operations.set(operationKey(method, path), op);
  }
  return operations;
}

/** Every value in the document, with its JSON pointer. */
function* walk(value: unknown, pointer = '#'): Generator<[string, unknown]> {
  yield [pointer, value];
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* walk(item, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
  }
}

function resolve(doc: unknown, ref: string): unknown {
  let node = doc;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

/** The error codes a response documents (its examples are keyed by code). */
function codesOf(response: Json | undefined): string[] {
  const content = response?.content as Record<string, { examples?: Json }> | undefined;
  return Object.keys(content?.['application/json']?.examples ?? {});
}

describe('OpenAPI document and /docs', function () {
  let server: TestServer;
  let doc: Doc;
  let operations: Map<string, Json>;

  before(async () => {
    server = await startTestServer();
    const res = await request(server.url).get('/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    doc = res.body as Doc;
    operations = operationsOf(doc);
  });
  after(async () => server?.close());

  it('validates as OpenAPI 3.1', async function () {
    assert.equal(doc.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
  });

  it('lists every route of API.md\'s /api/v1 table, and nothing else', function () {
    const expected = API_MD_ROUTES.map((row) => {
      const [method, path] = row.split(' ') as [string, string];
      return operationKey(method, toOpenApiPath(path).path);
    });
    assert.deepEqual([...operations.keys()].sort(), expected.sort());
    assert.ok(operations.has('DELETE /api/v1/me/sessions/{id}'), 'path parameters use OpenAPI {id} syntax');
  });

  it('describes every route definition the server mounts, as declared', function () {
    assert.equal(operations.size, ROUTES.length);
    for (const route of ROUTES) {
      const op = operations.get(operationKey(route.method, toOpenApiPath(route.path).path));
      assert.ok(op, `${route.method} ${route.path} is missing`);
      assert.equal(op.operationId, route.operationId);
      assert.equal(op.summary, route.summary);
      assert.deepEqual(op.tags, [route.tag]);
      assert.equal(Boolean(op.requestBody), Boolean(route.body), `${route.operationId} request body`);
      const responses = op.responses as Record<string, Json>;
      for (const status of Object.keys(route.responses)) assert.ok(responses[status], `${route.operationId} ${status}`);
      for (const declared of route.errors ?? []) {
        const error = 'error' in declared ? declared.error : declared;
        assert.ok(codesOf(responses[String(error.status)]).includes(error.code), `${route.operationId}: ${error.status} ${error.code}`);
      }
    }
  });

  it('answers every documented operation on the server (none falls through to the /api 404)', async function () {
    for (const key of operations.keys()) {
      const [method, path] = key.split(' ') as [string, string];
      const res = await request(server.url)[method.toLowerCase() as 'get'](path.replace('{id}', 'no-such-session'));
      assert.notEqual(res.body?.error?.code, 'NOT_FOUND', `${key} is documented but not mounted`);
      assert.ok(res.status < 500, `${key}: ${res.status}`);
    }
  });

  it('documents the generic failures each route can give, with the Error envelope', function () {
    const errorRef = '#/components/schemas/Error';
    for (const route of ROUTES) {
      const op = operations.get(operationKey(route.method, toOpenApiPath(route.path).path))!;
      const responses = op.responses as Record<string, Json>;
      const expect = (status: number, code: string) =>
        assert.ok(codesOf(responses[String(status)]).includes(code), `${route.operationId} lacks ${status} ${code}`);
      expect(500, 'INTERNAL');
      expect(503, 'UNAVAILABLE');
      if (route.body ?? route.params ?? route.query) expect(400, 'VALIDATION_FAILED');
      if (route.body) {
        expect(400, 'MALFORMED_JSON');
        expect(413, 'PAYLOAD_TOO_LARGE');
        expect(415, 'UNSUPPORTED_MEDIA_TYPE');
      }
      if (route.auth !== 'none') {
        expect(401, 'UNAUTHENTICATED');
        assert.deepEqual(op.security, [{ bearerAuth: [] }], route.operationId);
        assert.ok((responses['401']!.headers as Json)['WWW-Authenticate'], `${route.operationId} 401 names WWW-Authenticate`);
      } else {
        assert.equal(op.security, undefined, route.operationId);
      }
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        const schema = (response.content as Record<string, Json>)['application/json']!.schema as Json;
        assert.equal(schema.$ref, errorRef, `${route.operationId} ${status}`);
        for (const code of codesOf(response)) assert.match(String(response.description), new RegExp(`\`${code}\``));
      }
    }
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
      ...doc.components.securitySchemes.bearerAuth, type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
    });
  });

  it('has path parameters for every {name} in a path', function () {
    for (const [key, op] of operations) {
      const names = [...key.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const params = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path');
      assert.deepEqual(params.map((p) => p.name), names, key);
      for (const p of params) assert.equal(p.required, true, key);
    }
    const id = (operations.get('DELETE /api/v1/me/sessions/{id}')!.parameters as Json[])[0]!;
    assert.deepEqual(id.schema, { type: 'string', minLength: 1, maxLength: 128 });
  });

  it('resolves every $ref and uses no JSON Schema $defs of its own', function () {
    let refs = 0;
    for (const [pointer, value] of walk(doc)) {
      if (pointer.endsWith('/$defs')) assert.fail(`$defs left at ${pointer}`);
      if (!pointer.endsWith('/$ref')) continue;
      refs++;
      assert.equal(typeof value, 'string', pointer);
      assert.match(value as string, /^#\/components\/schemas\/[A-Za-z0-9_]+$/, pointer);
      assert.notEqual(resolve(doc, value as string), undefined, `${pointer}: ${String(value)} does not resolve`);
    }
    assert.ok(refs > 20, `only ${refs} refs`);
    for (const name of ['User', 'Session', 'TokenResponse', 'Error']) assert.ok(doc.components.schemas[name], name);
  });

  it('converts request bodies as input and responses as output', function () {
    const register = operations.get('POST /api/v1/auth/register')!;
    const body = ((register.requestBody as Json).content as Record<string, Json>)['application/json']!.schema as Json;
    // The email field is a string before its trim transform; an output conversion would have thrown.
    assert.deepEqual((body.properties as Record<string, Json>).email!.type, 'string');
    assert.deepEqual(body.required, ['email', 'password']);
    assert.equal((operations.get('POST /api/v1/auth/logout')!.requestBody as Json).required, false);
    // Responses are filtered by their schema: no undeclared key can appear.
    assert.equal(doc.components.schemas.User!.additionalProperties, false);
  });

  it('never describes a password, hash or other secret in User, Session or any response', function () {
    const user = doc.components.schemas.User!;
    assert.deepEqual(Object.keys(user.properties as Json).sort(), [...USER_FIELDS].sort());
    assert.deepEqual([...(user.required as string[])].sort(), [...USER_FIELDS].sort());
    const session = doc.components.schemas.Session!;
    assert.deepEqual(Object.keys(session.properties as Json).sort(), [...SESSION_FIELDS].sort());
    const responseSchemas = [...operations.values()].flatMap((op) =>
      Object.values(op.responses as Record<string, Json>).map((r) => r.content));
    for (const [pointer, value] of walk({ responseSchemas, schemas: doc.components.schemas })) {
      if (!pointer.endsWith('/properties')) continue;
      for (const field of Object.keys(value as Json)) {
        if (!SHOWN_ONCE.has(field)) assert.doesNotMatch(field, SECRET_FIELD, `${pointer}/${field}`);
      }
    }
  });

  it('GET /docs renders every operation as HTML with no script or inline style', async function () {
    const res = await request(server.url).get('/docs');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
    assert.match(res.headers['content-security-policy'] ?? '', /default-src 'self'/);
    assert.doesNotMatch(res.headers['content-security-policy'] ?? '', /unsafe-inline/);
    const html = res.text;
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<style/i);
    assert.doesNotMatch(html, /\sstyle=/i);
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'inline event handler');
    assert.doesNotMatch(html, /javascript:/i);
    assert.match(html, /<link rel="stylesheet" href="\/assets\/app.css">/);
    for (const [key, op] of operations) {
      const [method, path] = key.split(' ') as [string, string];
      assert.ok(html.includes(`id="${String(op.operationId)}"`), `${key}: no section`);
      const section = html.slice(html.indexOf(`id="${String(op.operationId)}"`)).split('<section')[0]!;
      assert.ok(section.includes(`>${method}</span>`), `${key}: method`);
      assert.ok(section.includes(`<code class="docs-path">${path}</code>`), `${key}: path`);
      assert.ok(section.includes(String(op.summary).replaceAll('\'', '&#39;')), `${key}: summary`);
      assert.match(section, op.security ? /bearer<\/span> token required/ : /no authentication/, `${key}: auth`);
      for (const response of Object.values(op.responses as Record<string, Json>)) {
        for (const code of codesOf(response)) assert.ok(section.includes(`<code>${code}</code>`), `${key}: ${code}`);
      }
      if (op.requestBody) assert.match(section, /Request body[\s\S]*<pre tabindex="0" class="docs-schema">\{/, `${key}: body schema`);
      // A request example, when there is a body, and always a curl line.
      if (op.requestBody) assert.match(section, /Request body[\s\S]*<pre tabindex="0" class="docs-code"><code>\{/, `${key}: body example`);
      assert.ok(section.includes(`<code>curl -X ${method} &quot;$PUBLIC_URL`), `${key}: curl`);
    }
    // Schemas are pretty-printed JSON in <pre>, escaped.
    assert.match(html, /<h3 id="schema-User">User<\/h3>\s*<pre tabindex="0" class="docs-schema">\{\n {2}&quot;type&quot;: &quot;object&quot;/);
    const css = await request(server.url).get('/assets/app.css');
    assert.match(css.text, /\.docs-schema \{/);
  });
});
