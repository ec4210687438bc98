// The generated-input test of issue 3: every /api/v1 route gets a few hundred
// bad requests generated with fast-check (wrong types, nulls, arrays, huge
// strings, operator objects, prototype keys, unicode edge cases, very long
// numbers, deep nesting), malformed JSON, wrong content types, bad bearer
// tokens and bad path parameters. Every answer must be a 4xx in API.md's
// envelope, with a code the route documents in /openapi.json; never a 5xx,
// never a stack trace. Afterwards the account still signs in and reads /me.
//
// The seed is fixed (FUZZ_SEED overrides it) so a failure reproduces; on a
// failure fast-check also prints the seed and path of the shrunk case.
// FUZZ_VERBOSE=1 prints every request and answer.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { z } from 'zod';
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
import { cleanDisplayText } from '../../src/services/display-text.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20260611);
const BAD_BODY_RUNS = 36; // per route with a body (×8 routes)
const UNAUTHENTICATED_RUNS = 8; // per route with a bearer (×8 routes)
const WELL_TYPED_RUNS = 6; // per route with string fields; these reach argon2 on login, register and /me

// API.md "Errors" and the notable failures of its /api/v1 table: a client may see these and nothing else.
const API_MD_CODES = new Set([
  'VALIDATION_FAILED', 'MALFORMED_JSON', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE', 'RATE_LIMITED', 'EMAIL_EXISTS', 'WEAK_PASSWORD', 'INVALID_TOKEN', 'INVALID_CREDENTIALS',
  'EMAIL_NOT_VERIFIED', 'INVALID_REFRESH_TOKEN', 'WRONG_PASSWORD', 'SESSION_NOT_FOUND',
  // The Administration API's table.
  'ACCOUNT_DISABLED', 'USER_NOT_FOUND', 'ROLE_NOT_FOUND', 'ROLE_EXISTS', 'ROLE_BUILT_IN', 'ROLE_IN_USE', 'LAST_ADMIN',
  // The Multi-factor authentication table.
  'INVALID_MFA_CODE', 'INVALID_MFA_TOKEN', 'INVALID_MFA_RESPONSE',
  // The Organizations table and the errors table.
  'ORGANIZATION_NOT_FOUND', 'LAST_OWNER', 'ALREADY_MEMBER', 'REGISTRATION_DISABLED',
  // Beyond API.md, documented in the README's "Organizations" and OpenAPI.
  'MEMBER_NOT_FOUND', 'INVITATION_NOT_FOUND',
]);
const STACK_OR_PATH = /\n\s*at |\bat [\w.<>]+ \(|node_modules|file:\/\/|\/work\/|\/src\/|\.ts:\d+|\.js:\d+/;

// Limits high enough that the fuzz exercises validation, not the rate limiter.
const HIGH_LIMITS = {
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100000',
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: '100000',
  RATE_LIMIT_REGISTRATIONS_PER_IP_PER_HOUR: '100000',
  RATE_LIMIT_MAIL_PER_EMAIL_PER_HOUR: '100000',
  RATE_LIMIT_MAIL_PER_IP_PER_HOUR: '100000',
};
// An admin, so the admin routes' bodies are fuzzed past the permission check.
const OWNER = { email: 'fuzz-owner@example.com', password: 'owner passphrase for the fuzz 7', role: 'admin' };
// Wrong passwords count toward a per-account lock: login fuzzing never names the owner.
const THROWAWAY = { email: 'fuzz-throwaway@example.com', password: 'throwaway passphrase 4' };

// The definitions server.ts mounts (handlers never run here; their schemas decide what "bad" means).
const signIn = createSignInSteps({ accounts: {} as never });
const ROUTES: ApiRoute[] = [
  ...authRoutes({ signIn } as never), ...meRoutes({} as never), ...meEventsRoutes({} as never), ...meMfaRoutes({} as never), ...webauthnRoutes({} as never),
  ...adminUsersRoutes({} as never), ...adminRolesRoutes({} as never), ...adminAuditRoutes({} as never), ...adminClientRoutes({} as never),
  ...keysRoutes({} as never), ...organizationRoutes({} as never), ...adminOrganizationRoutes({} as never),
];

type Json = Record<string, unknown>;

// ---- Inputs -----------------------------------------------------------------

interface BodyCase {
  label: string;
  text: string | Uint8Array;
  contentType?: string;
  /** Sent chunked (no Content-Length). */
  stream?: () => ReadableStream<Uint8Array>;
}

const JSON_TYPE = 'application/json';
const KIB = 1024;

const HOSTILE_STRINGS = [
  '\uD800', '\uDFFF', 'a\uDC00b', '\uDBFF\uDBFF', // lone surrogates
  '\u202Eevil\u202C', 'مرحبا بالعالم', '\u200B', '\u200D\u200C', '\uFEFF', '\u2060', // RTL, zero-width
  'a\u0000b', '\u0000', '\u0007\u001B[31m\u007F', '\r\n\t', '\u0085\u2028\u2029', // NUL, controls, separators
  '👩‍👩‍👧‍👦', '🏳️‍🌈', 'e\u0301', '\uFB00', 'İı', 'ß', 'Ａｄｍｉｎ', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', // emoji, NFKC fodder
  '<script>alert(1)</script>', "' OR '1'='1' --", '"; DROP TABLE accounts; --', '${jndi:ldap://x/a}', '{{7*7}}',
  '%00%0d%0a', '../../../etc/passwd', '\\', '"', ' ', '', 'null', 'undefined', 'NaN', 'true', '[]', '{}', '__proto__',
];

/** Sent in every string field of every route, deterministically. */
const CORE_HOSTILE = ['a\u0000b', '\uD800', '\u202Eevil\u202C', 'a\u200Bb', '👩‍👩‍👧‍👦', "' OR '1'='1' --"];

/** Strings a careful server must survive, in any field. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
  fc.array(fc.constantFrom(...HOSTILE_STRINGS), { minLength: 2, maxLength: 5 }).map((parts) => parts.join('x')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 3 }),
);

// JSON texts JSON.stringify cannot produce: placeholders in a value are
// replaced by these after stringifying.
const RAW_JSON = [
  `1${'0'.repeat(400)}`, `-${'9'.repeat(400)}`, '1e999', '-1e999', '1e-999', `0.${'0'.repeat(300)}1`,
  '123456789012345678901234567890', '-0', '9007199254740993', '1E+2',
  `${'['.repeat(3000)}${']'.repeat(3000)}`, `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`,
];
const rawPlaceholder = (index: number) => `\u0001raw${index}\u0001`;
const serialize = (value: unknown) =>
  JSON.stringify(value).replace(/"\\u0001raw(\d+)\\u0001"/g, (_match, index: string) => RAW_JSON[Number(index)]!);

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, '', [], {}), weight: 3 },
  fc.integer(),
  fc.double(),
  { arbitrary: hostileString, weight: 3 },
  fc.constantFrom('x'.repeat(10 * KIB), 'é'.repeat(10 * KIB), '🙂'.repeat(2600), '\u0000'.repeat(2 * KIB), 'x'.repeat(70 * KIB)),
  // Operator objects, as a MongoDB or an ORM query builder would read them.
  fc.constantFrom<unknown>({ $gt: '' }, { $ne: null }, { $ne: 1 }, { $where: 'sleep(100) || true' }, { $regex: '.*' },
    { $exists: true }, { $in: [] }, { $or: [{}, { a: 1 }] }, { $expr: { $eq: [1, 1] } }),
  // Prototype pollution: JSON.parse makes __proto__ an own key, as the server's parser does.
  fc.constantFrom<unknown>(JSON.parse('{"__proto__":{"role":"admin","polluted":true,"isAdmin":true}}'),
    JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'), JSON.parse('{"__proto__":null}'),
    { toString: 'x', valueOf: 1, hasOwnProperty: null }),
  fc.integer({ min: 0, max: RAW_JSON.length - 1 }).map(rawPlaceholder),
);

const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', '$gt', 'email', 'role', 'id'));

const tree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: leaf, weight: 3 },
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(key, tie('node'), { maxKeys: 3 }),
  ),
})).node;

/** JSON bodies: either any value, or an object with the route's own fields set to any value. */
function jsonBody(fields: string[]): fc.Arbitrary<BodyCase> {
  const shaped = fields.length ? fc.dictionary(fc.constantFrom(...fields), tree, { minKeys: 1, maxKeys: fields.length }) : tree;
  return fc
    .tuple(fc.oneof({ arbitrary: shaped, weight: 3 }, { arbitrary: tree, weight: 2 }),
      fc.constantFrom(JSON_TYPE, 'application/json; charset=utf-8', 'application/merge-patch+json'))
    .map(([value, contentType]) => {
      const text = serialize(value);
      return { label: `${contentType} body (${text.length} chars) ${text.slice(0, 300)}`, text, contentType };
    });
}

function chunked(bytes: number): () => ReadableStream<Uint8Array> {
  return () => {
    let sent = 0;
    return new ReadableStream({
      pull(controller) {
        if (sent >= bytes) return controller.close();
        const chunk = new TextEncoder().encode(sent === 0 ? '{"email":"' : 'x'.repeat(8 * KIB));
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
  };
}

const ALL_FIELDS_WRONG = ['email', 'password', 'name', 'token', 'refresh_token', 'all', 'remember_me', 'new_password', 'current_password']
  .map((field) => `"${field}":[1]`).join(',');

/** Malformed JSON, wrong content types and oversized bodies, each sent to every route with a body. */
const BODY_CASES: BodyCase[] = [
  ...['', '{', '{"email":', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '{"a":1}{"b":2}', '\uFEFF{"a":', ')]}\'\n{}', 'nul',
    '{"a":"\\x41"}', '"unterminated', '{"a":tru}', '[1,2', '{"a" 1}', '\u0000', '{}\u0000', `{"email":"${'\\'.repeat(3)}"}`]
    .map((text) => ({ label: `malformed ${JSON.stringify(text)}`, text, contentType: JSON_TYPE })),
  { label: 'invalid UTF-8', text: new Uint8Array([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28]), contentType: JSON_TYPE },
  { label: 'duplicate keys, the last an operator', text: '{"email":"a@example.com","email":{"$gt":""},"all":{"$ne":null}}', contentType: JSON_TYPE },
  { label: 'a 5000-digit number in every field', text: `{"email":1${'0'.repeat(5000)},"all":1${'0'.repeat(5000)},"name":1${'0'.repeat(5000)}}`, contentType: JSON_TYPE },
  { label: 'deep array (20000 levels)', text: `${'['.repeat(20000)}${']'.repeat(20000)}`, contentType: JSON_TYPE },
  { label: 'deep object in a field', text: `{"email":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)},"name":${'['.repeat(9000)}${']'.repeat(9000)}}`, contentType: JSON_TYPE },
  // Prototype keys at the top, every known field of the wrong type so no route accepts it.
  { label: '__proto__ at the top', text: `{"__proto__":{"role":"admin","polluted":true,"isAdmin":true},${ALL_FIELDS_WRONG}}`, contentType: JSON_TYPE },
  { label: 'constructor.prototype at the top', text: `{"constructor":{"prototype":{"polluted":true}},${ALL_FIELDS_WRONG}}`, contentType: JSON_TYPE },
  { label: 'text/plain JSON', text: '{"email":"a@example.com"}', contentType: 'text/plain' },
  { label: 'form', text: 'email=a%40example.com&password=x&all=true', contentType: 'application/x-www-form-urlencoded' },
  { label: 'multipart', text: '--XYZ\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com\r\n--XYZ--\r\n', contentType: 'multipart/form-data; boundary=XYZ' },
  { label: 'XML', text: '<?xml version="1.0"?><email>a@example.com</email>', contentType: 'application/xml' },
  { label: 'javascript', text: '({})', contentType: 'application/javascript' },
  { label: 'json-seq', text: '\u001e{}\n', contentType: 'application/json-seq' },
  { label: 'bytes with no content type', text: new TextEncoder().encode('{"all":true}') },
  { label: 'PNG bytes', text: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), contentType: 'image/png' },
  { label: '70 KiB JSON', text: JSON.stringify({ email: 'x'.repeat(70 * KIB), all: 'x'.repeat(1024) }), contentType: JSON_TYPE },
  { label: '64 KiB + 1 byte', text: `"${'x'.repeat(64 * KIB - 1)}"`, contentType: JSON_TYPE },
  { label: '70 KiB chunked (no Content-Length)', text: '', contentType: JSON_TYPE, stream: chunked(70 * KIB) },
];

/** Authorization headers that must all answer 401 UNAUTHENTICATED. */
function badBearers(token: string): string[] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Json;
  const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
  return [
    '', 'Bearer', 'Bearer ', `Basic ${Buffer.from('a:b').toString('base64')}`, `Token ${token}`, token,
    `Bearer ${header}.${payload}.${flipped}`,
    // Elevated claims (the owner is an admin already, so the permissions are what changes).
    `Bearer ${header}.${b64({ ...claims, role: 'admin', permissions: ['admin:everything'] })}.${signature}`,
    `Bearer ${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
    `Bearer ${b64({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: 'HS256' })}.${payload}.${signature}`,
    `Bearer ${token}x`, `Bearer ${token} ${token}`, 'Bearer x.y.z', `Bearer ${'a'.repeat(8 * KIB)}`,
    'Bearer null', 'Bearer {"$ne":null}',
  ];
}

/** Path segments for :id, percent-encoded or raw-malformed, never a dot segment. */
const sessionIds: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  hostileString.filter((s) => s.length > 0 && s.isWellFormed()).map(encodeURIComponent),
  fc.constantFrom('%00', '%', '%E0%A4%A', '%ZZ', '%C0%80', '%ED%A0%80', '%FF', 'x'.repeat(129), 'x'.repeat(2000),
    '%24gt', encodeURIComponent('{"$ne":null}'), "1'%20OR%20'1'%3D'1", '00000000-0000-0000-0000-000000000000', '__proto__'),
).filter((id) => !/^(\.|%2e)*$/i.test(id));

/** Well-formed Unicode without NUL: what a store can keep as text unchanged. */
const isWellFormedText = (value: string) => value.isWellFormed() && !value.includes('\u0000');

// ---- The test ---------------------------------------------------------------
interface Sent {
  route: ApiRoute;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
  /** For the failure message. */
  label: string;
}
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

describe('generated bad input on every /api/v1 route', function () {
  this.timeout(120_000);
  let server: TestServer;
  let token: string;
  let initialUser: Json;
  let expectedName: unknown;
  let documented: Map<string, Record<string, string[]>>;
  const stats = new Map<string, number>();
  let requests = 0;

  const bearer = () => ({ Authorization: `Bearer ${token}` });

  async function send({ route, path = route.path, headers = {}, body }: Sent): Promise<Answer> {
    requests++;
    const res = await fetch(server.url + path, { method: route.method.toUpperCase(), headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
    const text = await res.text();
    if (process.env.FUZZ_VERBOSE) console.log(`${route.method.toUpperCase()} ${path} ${JSON.stringify(String(body ?? '').slice(0, 200))} → ${res.status} ${text.slice(0, 200)}`);
    return { status: res.status, headers: res.headers, text };
  }

  /** 4xx (or 2xx when `success` allows), in the envelope, with a code this route documents for this status. */
  function check(sent: Sent, answer: Answer, options: { success?: boolean } = {}): Json {
    const where = `${sent.route.method.toUpperCase()} ${sent.path ?? sent.route.path} ${sent.label}\n→ ${answer.status} ${answer.text.slice(0, 400)}`;
    stats.set(String(answer.status), (stats.get(String(answer.status)) ?? 0) + 1);
    assert.ok(answer.status < 500, `5xx: ${where}`);
    assert.doesNotMatch(answer.text, STACK_OR_PATH, `stack trace or internal path: ${where}`);
    if (answer.status < 300 && options.success) {
      return /^application\/json/.test(answer.headers.get('content-type') ?? '') ? (JSON.parse(answer.text) as Json) : {};
    }
    assert.ok(answer.status >= 400, `not refused: ${where}`);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/, `not JSON: ${where}`);
    const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    assert.deepEqual(Object.keys(body), ['error'], `not the envelope: ${where}`);
    const { code, message, details } = body.error ?? {};
    assert.equal(typeof code, 'string', `no code: ${where}`);
    assert.equal(typeof message, 'string', `no message: ${where}`);
    assert.ok(details === undefined || Array.isArray(details), `details: ${where}`);
    assert.ok(API_MD_CODES.has(code as string), `code not in API.md: ${where}`);
    const codes = documented.get(sent.route.operationId)?.[String(answer.status)] ?? [];
    assert.ok(codes.includes(code as string), `${String(code)} is not documented for ${answer.status} on this route: ${where}`);
    if (code === 'UNAUTHENTICATED') assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/, `no WWW-Authenticate: ${where}`);
    return body;
  }

  /** Would the router accept this body? (Then it is not a bad body and may succeed.) */
  function accepts(route: ApiRoute, bodyCase: BodyCase): boolean {
    if (!route.body) return true;
    if (bodyCase.stream) return false;
    const json = /^application\/(.+\+)?json\b/i.test(bodyCase.contentType ?? '');
    if (bodyCase.text === '') return (route.body as z.ZodType).safeParse(undefined).success;
    if (!json || typeof bodyCase.text !== 'string' || Buffer.byteLength(bodyCase.text) > 64 * KIB) return false;
    let value: unknown;
    try {
      // The body reader drops a leading byte order mark, as RFC 8259 §8.1 allows.
      value = JSON.parse(bodyCase.text.replace(/^\uFEFF/, ''));
    } catch {
      return false;
    }
    return (route.body as z.ZodType).safeParse(value).success;
  }

  /** The body's field names (logout's body is an optional object). */
  function propertiesOf(route: ApiRoute): string[] {
    const schema = route.body instanceof z.ZodOptional ? route.body.unwrap() : route.body;
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  }

  before(async function () {
    console.log(`      fast-check seed ${SEED} (set FUZZ_SEED to change it)`);
    server = await startTestServer({ env: HIGH_LIMITS });
    await createTestAccount(server, OWNER);
    await createTestAccount(server, THROWAWAY);
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
    });
    assert.equal(login.status, 200);
    const tokens = (await login.json()) as { access_token: string; user: Json };
    token = tokens.access_token;
    initialUser = tokens.user;
    expectedName = initialUser.name;

    // Which codes each route documents per status, from the document the server serves.
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Json>> };
    documented = new Map();
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        const byStatus: Record<string, string[]> = {};
        for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
          const examples = ((response.content as Record<string, Json> | undefined)?.['application/json']?.examples ?? {}) as Json;
          byStatus[status] = Object.keys(examples);
        }
        documented.set(String(op.operationId), byStatus);
      }
    }
    const mounted = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)).sort();
    assert.deepEqual(mounted, ROUTES.map((r) => `${r.method} ${toOpenApiPath(r.path).path}`).sort(), 'the fuzzed routes are the mounted ones');
  });

  after(async function () {
    if (requests) console.log(`      ${requests} requests; statuses ${JSON.stringify(Object.fromEntries([...stats].sort()))}`);
    await server?.close();
  });

  const withBody = ROUTES.filter((r) => r.body);
  const withAuth = ROUTES.filter((r) => r.auth !== 'none');
  // No such session, account or role: a fuzzed request never changes a real one.
  const pathOf = (route: ApiRoute) => route.path.replace(/:\w+/g, 'no-such-session');

  withBody.forEach((route, index) => {
    it(`${route.method.toUpperCase()} ${route.path}: generated bad bodies → 4xx`, async function () {
      const bad = jsonBody(propertiesOf(route)).filter((c) => !accepts(route, c));
      await fc.assert(
        fc.asyncProperty(bad, async (bodyCase) => {
          const sent: Sent = { route, path: pathOf(route), label: bodyCase.label, headers: { ...(route.auth !== 'none' ? bearer() : {}), 'content-type': bodyCase.contentType! }, body: bodyCase.text };
          check(sent, await send(sent));
        }),
        { seed: SEED + index, numRuns: BAD_BODY_RUNS },
      );
    });

    it(`${route.method.toUpperCase()} ${route.path}: malformed JSON, wrong content types, oversized bodies → 4xx`, async function () {
      for (const bodyCase of BODY_CASES) {
        if (accepts(route, bodyCase)) continue;
        const headers: Record<string, string> = { ...(route.auth !== 'none' ? bearer() : {}) };
        if (bodyCase.contentType) headers['content-type'] = bodyCase.contentType;
        const sent: Sent = { route, path: pathOf(route), label: bodyCase.label, headers, body: bodyCase.stream ? bodyCase.stream() : bodyCase.text };
        check(sent, await send(sent));
      }
    });
  });

  withAuth.forEach((route, index) => {
    it(`${route.method.toUpperCase()} ${route.path}: bad bearer tokens, and bad bodies without one → 401`, async function () {
      for (const authorization of badBearers(token)) {
        const sent: Sent = { route, path: pathOf(route), label: `Authorization: ${authorization.slice(0, 60)}`, headers: { authorization } };
        const body = check(sent, await send(sent));
        assert.equal((body.error as Json).code, 'UNAUTHENTICATED');
      }
      if (route.method === 'get') return; // fetch sends no body with a GET
      await fc.assert(
        fc.asyncProperty(jsonBody(propertiesOf(route)), async (bodyCase) => {
          const sent: Sent = { route, path: pathOf(route), label: `no token, ${bodyCase.label}`, headers: { 'content-type': bodyCase.contentType! }, body: bodyCase.text };
          const answer = await send(sent);
          check(sent, answer);
          assert.equal(answer.status, 401, sent.label);
        }),
        { seed: SEED + 100 + index, numRuns: UNAUTHENTICATED_RUNS },
      );
    });
  });

  it('DELETE /api/v1/me/sessions/:id: generated session ids → 400 or 404', async function () {
    const route = ROUTES.find((r) => r.operationId === 'revokeSession')!;
    await fc.assert(
      fc.asyncProperty(sessionIds, async (id) => {
        const sent: Sent = { route, path: `/api/v1/me/sessions/${id}`, label: `id ${JSON.stringify(id.slice(0, 80))}`, headers: bearer() };
        const answer = await send(sent);
        check(sent, answer);
        assert.ok([400, 404].includes(answer.status), sent.label);
      }),
      { seed: SEED + 200, numRuns: 40 },
    );
  });

  // Well-typed bodies whose strings are hostile: these pass the schema and reach
  // the services and the database. 2xx is allowed (a weird but valid name is a
  // name); 5xx, a stack trace or an undocumented code is not.
  withBody.filter((r) => propertiesOf(r).length > 0 && r.operationId !== 'logout').forEach((route, index) => {
    it(`${route.method.toUpperCase()} ${route.path}: well-typed bodies with hostile strings → never 5xx`, async function () {
      const fields = propertiesOf(route);
      const arbitrary = fc.record(Object.fromEntries(fields.map((field) => [field, valueFor(route, field)])));
      const examples = coreExamples(route, fields); // counted in numRuns
      await fc.assert(
        fc.asyncProperty(arbitrary, async (value) => {
          const text = JSON.stringify(value);
          const sent: Sent = { route, path: pathOf(route), label: `body ${text.slice(0, 300)}`, headers: { ...(route.auth !== 'none' ? bearer() : {}), 'content-type': 'application/json' }, body: text };
          const answer = await send(sent);
          const body = check(sent, answer, { success: true });
          if (route.operationId === 'updateMe' && answer.status === 200) await checkNameStored(value.name, body.name);
        }),
        // Each core hostile string in each field, the others plausible, runs first on every seed.
        // No shrinking: each step may cost an argon2 hash; the failing body is reported as found.
        { seed: SEED + 300 + index, numRuns: examples.length + WELL_TYPED_RUNS, examples, endOnFailure: true },
      );
    });
  });

  let plausibleCount = 0;
  /** A value the schema accepts and that reaches the service: a fresh email, a password no one has. */
  function plausible(route: ApiRoute, field: string): unknown {
    if (field === 'email') return route.operationId === 'login' ? THROWAWAY.email : `fuzz-plausible-${++plausibleCount}@example.com`;
    if (field === 'name') return 'Ada Lovelace';
    if (field === 'remember_me' || field === 'all') return false;
    return `plausible but wrong passphrase ${++plausibleCount}`;
  }

  function coreExamples(route: ApiRoute, fields: string[]): Array<[Json]> {
    const hostile = fields
      .filter((field) => !['remember_me', 'all'].includes(field))
      .flatMap((field) => CORE_HOSTILE.map((text): [Json] => [Object.fromEntries(fields.map((f) => [
        f, f !== field ? plausible(route, f) : field === 'email' ? `${text}@example.com` : text,
      ]))]));
    // A body the schema accepts, carrying prototype keys (own keys, as JSON.parse makes them) to a handler.
    const polluting = JSON.parse('{"__proto__":{"role":"admin","polluted":true,"email_verified":true},"constructor":{"prototype":{"polluted":true}}}') as Json;
    for (const field of fields) polluting[field] = plausible(route, field);
    return [...hostile, [polluting]];
  }

  function valueFor(route: ApiRoute, field: string): fc.Arbitrary<unknown> {
    if (field === 'email') {
      // Login fuzzing never names the owner: wrong passwords would lock the account.
      const known = route.operationId === 'login' ? [THROWAWAY.email] : [THROWAWAY.email, OWNER.email];
      return fc.oneof(fc.constantFrom(...known), fc.emailAddress(), hostileString.map((s) => `${s}@example.com`), hostileString);
    }
    if (field === 'remember_me' || field === 'all') return fc.boolean();
    return hostileString;
  }

  /** A 200 from PATCH /me stored exactly the name it answered with: the one sent, trimmed, without controls and bidi marks. */
  async function checkNameStored(sent: unknown, answered: unknown): Promise<void> {
    const me = (await (await fetch(`${server.url}/api/v1/me`, { headers: bearer() })).json()) as Json;
    assert.equal(me.name, answered, 'GET /me disagrees with the PATCH answer');
    if (typeof sent === 'string' && isWellFormedText(sent)) assert.equal(answered, cleanDisplayText(sent.trim()), 'the stored name differs from the one sent');
    expectedName = answered;
  }

  it('leaves the account intact: it still signs in, /me is unchanged, no prototype was polluted', async function () {
    const me = await fetch(`${server.url}/api/v1/me`, { headers: bearer() });
    assert.equal(me.status, 200, 'the original access token still works');
    const user = (await me.json()) as Json;
    // Only name (and updated_at) may have changed, through PATCH /me with a well-typed name.
    const fixed = (u: Json) => ({ ...u, name: undefined, updated_at: undefined });
    assert.deepEqual(fixed(user), fixed(initialUser));
    assert.equal(user.name, expectedName);

    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
    });
    assert.equal(login.status, 200, 'the owner still signs in with the same password');
    assert.deepEqual(((await login.json()) as { user: Json }).user, user);

    // The server runs in this process: a polluted Object.prototype would show here.
    const probe = {} as Json;
    for (const key of ['role', 'admin', 'polluted', 'isAdmin']) assert.equal(probe[key], undefined, `Object.prototype.${key}`);
  });
});
