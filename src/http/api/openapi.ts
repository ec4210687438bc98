// The OpenAPI 3.1 document of /api/v1, generated from the ApiRoute
// definitions (the same zod schemas the router validates and filters with),
// so the document cannot drift from what the server does. Schemas come from
// zod 4's native z.toJSONSchema, which emits JSON Schema 2020-12: the dialect
// OAS 3.1 Schema Objects use (OAS 3.1 §4.8.24), so no translation is needed.
//
// Requests are converted with io 'input' (what a client may send: the email
// field before its trim transform) and responses with io 'output' (what the
// server answers after the response schema has stripped unknown keys).
// Schemas named with `.meta({ id })` become components/schemas entries.
import { z } from 'zod';
import {
  ForbiddenError,
  InternalError,
  MalformedJsonError,
  PayloadTooLargeError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
  type AppErrorClass,
} from '../../errors.ts';
import { exampleOf } from './openapi-examples.ts';
import { errorEnvelopeSchema } from './schemas.ts';
import type { ApiRoute } from './route.ts';

/** An error as the document lists it: the class's code and status, and the route's or the class's description. */
export interface ErrorSpec {
  status: number;
  code: string;
  description: string;
  type: AppErrorClass;
}

type Json = Record<string, unknown>;
type Io = 'input' | 'output';

export interface OpenApiOptions {
  /** Absolute base URL of the server (PUBLIC_URL); paths in the document start with /api/v1. */
  serverUrl: string;
  /** The API's version (info.version). */
  version: string;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

export const SECURITY_SCHEME = 'bearerAuth';
const ERROR_SCHEMA_ID = 'Error';
const EXAMPLE_REQUEST_ID = '3f2c8a61-5d0e-4b7a-9c1e-2a6f0d9b8e47';

const hasInput = (r: ApiRoute) => Boolean(r.params ?? r.query ?? r.body);
const hasBody = (r: ApiRoute) => Boolean(r.body);

/** The refusals every route can give besides its own (API.md "Errors"), and when. */
const GENERIC_ERRORS: ReadonlyArray<[AppErrorClass, (r: ApiRoute) => boolean]> = [
  [ValidationError, hasInput],
  [MalformedJsonError, hasBody],
  [UnauthenticatedError, (r) => r.auth !== 'none'],
  [ForbiddenError, (r) => r.auth.startsWith('admin:')],
  [PayloadTooLargeError, hasBody],
  [UnsupportedMediaTypeError, hasBody],
  [InternalError, () => true],
  [UnavailableError, () => true],
];

/**
 * Collects components/schemas across every z.toJSONSchema call. Each call
 * puts the `.meta({ id })` schemas it meets under its own `$defs`; they are
 * hoisted here and the refs rewritten. A named schema whose input form differs
 * from its output form (a transform, a default) is listed twice: `<id>` as
 * answered, `<id>Input` as accepted.
 */
function createSchemaConverter() {
  const components: Record<string, Json> = {};
  const toJson = (schema: z.core.$ZodType, io: Io) => z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'throw' }) as Json;

  function componentName(id: string, io: Io): string {
    if (io === 'output') return id;
    const named = z.globalRegistry._idmap.get(id);
    const same = named !== undefined && JSON.stringify(toJson(named, 'input')) === JSON.stringify(toJson(named, 'output'));
    return same ? id : `${id}Input`;
  }

  function convert(schema: z.ZodType, io: Io): Json {
    // $schema is dropped: OAS 3.1 Schema Objects are 2020-12 by default (jsonSchemaDialect).
    const { $schema, $defs, ...root } = toJson(schema, io);
    void $schema;
    const defs = ($defs ?? {}) as Record<string, Json>;
    const names = new Map(Object.keys(defs).map((id) => [id, componentName(id, io)]));
    for (const [id, def] of Object.entries(defs)) {
      const name = names.get(id)!;
      const rewritten = rewriteRefs(def, names) as Json;
      const existing = components[name];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(rewritten)) {
        throw new Error(`OpenAPI: two different schemas are named ${name}`);
      }
      components[name] = rewritten;
    }
    return rewriteRefs(root, names) as Json;
  }

  return { components, convert, example: (schema: Json) => exampleOf(schema, components) };
}

function rewriteRefs(value: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')) {
      const id = item.slice('#/$defs/'.length);
      out[key] = `#/components/schemas/${names.get(id) ?? id}`;
    } else {
      out[key] = rewriteRefs(item, names);
    }
  }
  return out;
}

/** `/api/v1/me/sessions/:id` → `/api/v1/me/sessions/{id}`, and the parameter names in order. */
export function toOpenApiPath(path: string): { path: string; names: string[] } {
  // Only plain named segments: optional, wildcard or regexp parameters would
  // need a different description, so they fail here instead of lying there.
  if (/[?*()[\]{}+]/.test(path)) throw new Error(`OpenAPI: unsupported route path syntax in ${path}`);
  const names: string[] = [];
  const converted = path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
    names.push(name);
    return `{${name}}`;
  });
  if (converted.includes(':')) throw new Error(`OpenAPI: unsupported route path syntax in ${path}`);
  return { path: converted, names };
}

function parametersOf(
  route: ApiRoute,
  pathNames: string[],
  convert: (s: z.ZodType, io: Io) => Json,
): Json[] {
  const parameters: Json[] = [];
  const params = route.params ? objectProperties(convert(route.params, 'input'), route, 'params') : undefined;
  for (const name of pathNames) {
    parameters.push({ name, in: 'path', required: true, schema: params?.properties[name] ?? { type: 'string' } });
  }
  const extra = Object.keys(params?.properties ?? {}).filter((name) => !pathNames.includes(name));
  if (extra.length) throw new Error(`OpenAPI: ${route.operationId} declares params not in its path: ${extra.join(', ')}`);
  if (route.query) {
    const query = objectProperties(convert(route.query, 'input'), route, 'query');
    for (const [name, schema] of Object.entries(query.properties)) {
      parameters.push({ name, in: 'query', required: query.required.includes(name), schema });
    }
  }
  return parameters;
}

function objectProperties(schema: Json, route: ApiRoute, where: string): { properties: Record<string, Json>; required: string[] } {
  if (schema.type !== 'object' || typeof schema.properties !== 'object') {
    throw new Error(`OpenAPI: ${route.operationId} ${where} must be a z.object`);
  }
  return { properties: schema.properties as Record<string, Json>, required: (schema.required as string[] | undefined) ?? [] };
}

/** Every error the route can answer with: its own, then the generic ones that apply. */
export function errorsOf(route: ApiRoute): ErrorSpec[] {
  const own = (route.errors ?? []).map((declared) => {
    const [type, description] = 'error' in declared ? [declared.error, declared.description] : [declared, declared.description];
    return { status: type.status, code: type.code, description, type };
  });
  const generic = GENERIC_ERRORS
    .filter(([type, applies]) => applies(route) && !own.some((e) => e.code === type.code))
    .map(([type]) => ({ status: type.status, code: type.code, description: type.description, type }));
  return [...own, ...generic];
}

function errorResponses(route: ApiRoute, errorRef: Json): Record<string, Json> {
  const byStatus = new Map<number, ErrorSpec[]>();
  for (const error of errorsOf(route)) byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
  const responses: Record<string, Json> = {};
  for (const [status, errors] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers = Object.assign({}, ...errors.map((e) => e.type.documentedHeaders ?? {})) as Record<string, Json>;
    responses[String(status)] = {
      description: errors.map((e) => `\`${e.code}\`: ${e.description}`).join('\n\n'),
      ...(Object.keys(headers).length ? { headers } : {}),
      content: {
        'application/json': {
          schema: errorRef,
          examples: Object.fromEntries(errors.map((e) => [e.code, { summary: e.description, value: { error: { code: e.code, message: e.description, request_id: EXAMPLE_REQUEST_ID } } }])),
        },
      },
    };
  }
  return responses;
}

/** A media type object with its schema and an example derived from it (openapi-examples.ts). */
function jsonContent(schema: Json, example: (s: Json) => unknown): Json {
  return { 'application/json': { schema, example: example(schema) } };
}

function operationOf(
  route: ApiRoute,
  pathNames: string[],
  { convert, example }: { convert: (s: z.ZodType, io: Io) => Json; example: (s: Json) => unknown },
  errorRef: Json,
): Json {
  const responses: Record<string, Json> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.schema ? { content: jsonContent(convert(spec.schema, 'output'), example) } : {}),
    };
  }
  for (const [status, response] of Object.entries(errorResponses(route, errorRef))) {
    if (responses[status]) throw new Error(`OpenAPI: ${route.operationId} declares ${status} as both success and error`);
    responses[status] = response;
  }
  const parameters = parametersOf(route, pathNames, convert);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
        requestBody: {
          // An optional body schema (logout's) accepts an empty request.
          required: !route.body.safeParse(undefined).success,
          content: jsonContent(convert(route.body, 'input'), example),
        },
      }
      : {}),
    responses,
    ...(route.auth === 'none' ? {} : { security: [{ [SECURITY_SCHEME]: [] }] }),
    ...(route.auth.startsWith('admin:') ? { 'x-permission': route.auth.slice('admin:'.length) } : {}),
  };
}

export function buildOpenApiDocument(routes: readonly ApiRoute[], { serverUrl, version }: OpenApiOptions): OpenApiDocument {
  const converter = createSchemaConverter();
  const { components, convert } = converter;
  const errorRef = convert(errorEnvelopeSchema, 'output');
  if (errorRef.$ref !== `#/components/schemas/${ERROR_SCHEMA_ID}`) throw new Error('OpenAPI: the error envelope must carry .meta({ id: "Error" })');

  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  for (const route of routes) {
    if (operationIds.has(route.operationId)) throw new Error(`OpenAPI: duplicate operationId ${route.operationId}`);
    operationIds.add(route.operationId);
    const { path, names } = toOpenApiPath(route.path);
    const item = (paths[path] ??= {});
    if (item[route.method]) throw new Error(`OpenAPI: two routes for ${route.method.toUpperCase()} ${route.path}`);
    item[route.method] = operationOf(route, names, converter, errorRef);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse API',
      version,
      description: 'The first-party account API. Errors are JSON: `{"error": {"code", "message", "details?", "request_id"}}`; '
        + 'each response lists the codes it can carry. OAuth 2.0 and OpenID Connect endpoints live under /oidc and are '
        + 'described by /oidc/.well-known/openid-configuration.',
    },
    servers: [{ url: serverUrl.replace(/\/+$/, '') }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token for this API (RFC 9068 JWT) from POST /api/v1/auth/login, /api/v1/auth/refresh '
            + 'or the /oidc token endpoint with resource=PUBLIC_URL/api.',
        },
      },
    },
  };
}
