// GET /openapi.json: the OpenAPI 3.1 document of /api/v1, generated from the
// route definitions once at start. GET /docs: the same document as a plain
// server-rendered page (no JavaScript, so it works under the pages' CSP).
import { Router } from '@koa/router';
import type { Context } from 'koa';
import packageJson from '../../package.json' with { type: 'json' };
import { buildOpenApiDocument, SECURITY_SCHEME, type OpenApiDocument } from '../http/api/openapi.ts';
import type { ApiRoute } from '../http/api/route.ts';
import { GUIDES } from './docs-guides.ts';
import type { Renderer } from './render.ts';

export interface DocsRouterDeps {
  routes: readonly ApiRoute[];
  /** PUBLIC_URL: the document's server. */
  serverUrl: string;
  render: Renderer;
  /** info.version; defaults to package.json's. */
  version?: string;
}

type Json = Record<string, unknown>;

interface SchemaView {
  json: string;
  refs: string[];
}

interface OperationView {
  anchor: string;
  /** A curl command for the route, with $PUBLIC_URL, $TOKEN and $<PARAM> placeholders. */
  curl: string;
  method: string;
  path: string;
  summary: string;
  description?: string;
  auth: boolean;
  parameters: Array<{ name: string; in: string; required: boolean; schema: SchemaView }>;
  requestBody?: { required: boolean; schema: SchemaView; example?: string };
  responses: Array<{ status: string; description: string; schema?: SchemaView; example?: string }>;
  errors: Array<{ status: string; code: string; description: string }>;
}

const ERROR_REF = '#/components/schemas/Error';

function schemaView(schema: unknown): SchemaView {
  const json = JSON.stringify(schema, null, 2);
  const refs = [...json.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  return { json, refs: [...new Set(refs)] };
}

function jsonSchemaOf(content: unknown): unknown {
  return (content as { 'application/json'?: { schema?: unknown } } | undefined)?.['application/json']?.schema;
}

/** The example the document carries for a body (src/http/api/openapi-examples.ts), pretty-printed. */
function exampleOf(content: unknown): string | undefined {
  const example = (content as { 'application/json'?: { example?: unknown } } | undefined)?.['application/json']?.example;
  return example === undefined ? undefined : JSON.stringify(example, null, 2);
}

/** Single-quoted for a POSIX shell: every `'` closes, escapes and reopens the quote. */
const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The route as a curl command. $PUBLIC_URL and $TOKEN are the reader's to set
 * (the page says so); a path parameter `{id}` becomes `$ID`.
 */
export function curlOf(method: string, path: string, auth: boolean, body: unknown): string {
  const url = path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => `$${name.toUpperCase()}`);
  const lines = [`curl -X ${method} "$PUBLIC_URL${url}"`];
  if (auth) lines.push('-H "Authorization: Bearer $TOKEN"');
  if (body !== undefined) lines.push('-H "Content-Type: application/json"', `-d ${shellQuote(JSON.stringify(body))}`);
  return lines.join(' \\\n  ');
}

function operationView(path: string, method: string, op: Json): OperationView {
  const view: OperationView = {
    anchor: String(op.operationId),
    method: method.toUpperCase(),
    path,
    summary: String(op.summary ?? ''),
    auth: Array.isArray(op.security) && op.security.some((s) => SECURITY_SCHEME in (s as Json)),
    curl: '',
    parameters: ((op.parameters ?? []) as Json[]).map((p) => ({
      name: String(p.name), in: String(p.in), required: p.required === true, schema: schemaView(p.schema),
    })),
    responses: [],
    errors: [],
  };
  if (typeof op.description === 'string') view.description = op.description;
  const body = op.requestBody as { required?: boolean; content?: unknown } | undefined;
  const requestExample = exampleOf(body?.content);
  if (body) view.requestBody = { required: body.required === true, schema: schemaView(jsonSchemaOf(body.content)), ...(requestExample && { example: requestExample }) };
  view.curl = curlOf(view.method, path, view.auth, requestExample === undefined ? undefined : JSON.parse(requestExample));
  for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
    const schema = jsonSchemaOf(response.content);
    if ((schema as Json | undefined)?.$ref === ERROR_REF) {
      const examples = ((response.content as Record<string, Json>)['application/json']!.examples ?? {}) as Record<string, Json>;
      for (const [code, example] of Object.entries(examples)) view.errors.push({ status, code, description: String(example.summary ?? '') });
    } else {
      const example = exampleOf(response.content);
      view.responses.push({ status, description: String(response.description ?? ''), ...(schema ? { schema: schemaView(schema) } : {}), ...(example && { example }) });
    }
  }
  return view;
}

/** The page's view model, read from the document itself so /docs shows exactly what /openapi.json says. */
export function docsView(doc: OpenApiDocument) {
  const operations: OperationView[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) operations.push(operationView(path, method, op));
  }
  const schemas = Object.entries(doc.components.schemas).map(([name, schema]) => ({ name, json: JSON.stringify(schema, null, 2) }));
  return { title: 'API reference', info: doc.info, server: doc.servers[0]?.url ?? '', operations, schemas, guides: GUIDES };
}

export function createDocsRouter({ routes, serverUrl, render, version = packageJson.version }: DocsRouterDeps): Router {
  const document = buildOpenApiDocument(routes, { serverUrl, version });
  const json = JSON.stringify(document);
  const view = docsView(document);
  const router = new Router();

  router.get('/openapi.json', function openApiDocument(ctx: Context) {
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = json;
  });

  router.get('/docs', async function apiDocs(ctx: Context) {
    await render(ctx, 'docs', view);
  });

  return router;
}
