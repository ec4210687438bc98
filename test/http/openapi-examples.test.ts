// The examples /openapi.json and /docs show are derived from the schemas
// (src/http/api/openapi-examples.ts): each must be a value the route itself
// accepts (requests) or could answer (responses), so a reader copying one
// gets a working request. And the curl lines quote what they send.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { adminAuditRoutes } from '../../src/http/api/admin/audit-routes.ts';
import { adminClientRoutes } from '../../src/http/api/admin/clients-routes.ts';
import { keysRoutes } from '../../src/http/api/admin/keys-routes.ts';
import { adminRolesRoutes } from '../../src/http/api/admin/roles-routes.ts';
import { adminUsersRoutes } from '../../src/http/api/admin/users-routes.ts';
import { authRoutes } from '../../src/http/api/auth-routes.ts';
import { meEventsRoutes } from '../../src/http/api/me-events-routes.ts';
import { meMfaRoutes } from '../../src/http/api/me-mfa-routes.ts';
import { webauthnRoutes } from '../../src/http/api/webauthn-routes.ts';
import { meRoutes } from '../../src/http/api/me-routes.ts';
import { buildOpenApiDocument, toOpenApiPath } from '../../src/http/api/openapi.ts';
import type { ApiRoute } from '../../src/http/api/route.ts';
import { curlOf, docsView } from '../../src/pages/api-docs.ts';
import { createSignInSteps } from '../../src/sign-in/steps.ts';

type Json = Record<string, unknown>;

// The route definitions server.ts mounts; their handlers are never called here.
const ROUTES: ApiRoute[] = [
  ...authRoutes({ signIn: createSignInSteps({ accounts: {} as never }) } as never), ...meRoutes({} as never), ...meEventsRoutes({} as never), ...meMfaRoutes({} as never), ...webauthnRoutes({} as never),
  ...adminUsersRoutes({} as never), ...adminRolesRoutes({} as never), ...adminAuditRoutes({} as never), ...adminClientRoutes({} as never),
  ...keysRoutes({} as never),
];
const doc = buildOpenApiDocument(ROUTES, { serverUrl: 'https://id.example.com', version: '1.0.0' });

const operation = (route: ApiRoute) => doc.paths[toOpenApiPath(route.path).path]![route.method]!;
const exampleIn = (content: unknown) => (content as { 'application/json'?: { example?: unknown } } | undefined)?.['application/json']?.example;

describe('OpenAPI examples and curl lines', function () {
  it('every request body example is accepted by the route\'s own schema', function () {
    for (const route of ROUTES.filter((r) => r.body)) {
      const example = exampleIn((operation(route).requestBody as Json).content);
      assert.notEqual(example, undefined, `${route.operationId}: no request example`);
      const parsed = route.body!.safeParse(example);
      assert.ok(parsed.success, `${route.operationId}: ${JSON.stringify(example)} ${parsed.error?.message}`);
    }
  });

  it('every success response with a body has an example its schema accepts', function () {
    for (const route of ROUTES) {
      for (const [status, spec] of Object.entries(route.responses)) {
        if (!spec.schema) continue;
        const example = exampleIn((operation(route).responses as Record<string, Json>)[status]!.content);
        assert.notEqual(example, undefined, `${route.operationId} ${status}: no example`);
        const parsed = spec.schema.safeParse(example);
        assert.ok(parsed.success, `${route.operationId} ${status}: ${JSON.stringify(example)} ${parsed.error?.message}`);
      }
    }
  });

  it('/docs has a curl line for every operation, with $PUBLIC_URL, $TOKEN when it needs one, and its path parameters', function () {
    const view = docsView(doc);
    assert.equal(view.operations.length, ROUTES.length);
    for (const op of view.operations) {
      assert.ok(op.curl.startsWith(`curl -X ${op.method} "$PUBLIC_URL/api/v1`), op.curl);
      assert.equal(op.curl.includes('Bearer $TOKEN'), op.auth, op.anchor);
      const url = /^curl -X \w+ "([^"]+)"/.exec(op.curl)![1]!;
      assert.doesNotMatch(url, /[{}]/, `${op.anchor}: unreplaced path parameter in ${url}`);
    }
    const session = view.operations.find((op) => op.anchor === 'adminRevokeUserSession' || op.path === '/api/v1/admin/users/{id}/sessions/{sid}');
    assert.match(session!.curl, /"\$PUBLIC_URL\/api\/v1\/admin\/users\/\$ID\/sessions\/\$SID"/);
  });

  it('a curl line hands the shell exactly the JSON body, quotes included', function () {
    const body = { name: "Ada's laptop", note: 'say "hi" $HOME `id`' };
    const line = curlOf('POST', '/api/v1/x', false, body);
    const data = /-d ('.*')$/s.exec(line)![1]!;
    // The shell parses the quoted argument back; nothing in it is expanded.
    const echoed = execFileSync('sh', ['-c', `printf %s ${data}`], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(echoed), body);
  });
});
