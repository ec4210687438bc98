// `gatehouse clients …`: /api/v1/admin/clients (API.md). Metadata uses the
// RFC 7591 names; give it as flags, or whole with --file <json>.
import { readFile } from 'node:fs/promises';
import { type CommandContext, type CommandGroup, int, list, str } from './command.ts';
import { UsageError } from './errors.ts';
import { fieldRows } from './output.ts';
import { PAGING_OPTIONS, fetchPages, noteNextPage } from './paging.ts';

type Client = Record<string, unknown> & { client_id: string; client_secret?: string };

const CLIENT_FIELDS = [
  'client_id', 'client_name', 'source', 'token_endpoint_auth_method', 'grant_types', 'redirect_uris', 'post_logout_redirect_uris',
  'first_party', 'api_access', 'resource_server', 'role', 'require_pkce', 'created_at', 'updated_at',
];

const METADATA_OPTIONS = {
  file: { type: 'string' as const },
  id: { type: 'string' as const },
  name: { type: 'string' as const },
  'redirect-uri': { type: 'string' as const, multiple: true },
  'grant-type': { type: 'string' as const, multiple: true },
  public: { type: 'boolean' as const },
  'first-party': { type: 'boolean' as const },
  'api-access': { type: 'boolean' as const },
  'resource-server': { type: 'boolean' as const },
  role: { type: 'string' as const },
};

/** Grant types that send the browser to a redirect URI. */
const REDIRECTING_GRANTS = ['authorization_code', 'implicit'];

/**
 * A client without a redirecting grant (a `client_credentials` service) has
 * no redirect URIs or response types; RFC 7591's defaults (`code`) would make
 * oidc-provider ask for redirect URIs, so a new one gets empty lists unless
 * the metadata names them.
 */
function withoutRedirects(body: Record<string, unknown>): Record<string, unknown> {
  const grants = body.grant_types;
  if (!Array.isArray(grants) || grants.some((g) => REDIRECTING_GRANTS.includes(g as string))) return body;
  return { redirect_uris: [], response_types: [], ...body };
}

/** Metadata from --file, then the flags given on top. */
async function metadata(ctx: CommandContext): Promise<Record<string, unknown>> {
  const file = str(ctx, 'file');
  let body: Record<string, unknown> = {};
  if (file !== undefined) {
    try {
      body = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`--file ${file}: ${(err as Error).message}`);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new UsageError(`--file ${file}: not a JSON object`);
  }
  const set = (field: string, value: unknown) => value !== undefined && (body[field] = value);
  set('client_id', str(ctx, 'id'));
  set('client_name', str(ctx, 'name'));
  set('redirect_uris', list(ctx, 'redirect-uri'));
  set('grant_types', list(ctx, 'grant-type'));
  set('role', str(ctx, 'role'));
  if (ctx.values.public === true) body.token_endpoint_auth_method = 'none';
  for (const flag of ['first-party', 'api-access', 'resource-server']) if (ctx.values[flag] === true) body[flag.replaceAll('-', '_')] = true;
  return body;
}

const clientPath = (ctx: CommandContext) => `/api/v1/admin/clients/${encodeURIComponent(ctx.positionals[0]!)}`;

function showClient(ctx: CommandContext, client: Client): void {
  ctx.out.result(client, () => fieldRows(client, CLIENT_FIELDS));
  if (client.client_secret) ctx.out.line(`client_secret: ${client.client_secret}  (shown once: store it now)`);
}

export const clientsCommands: CommandGroup = {
  name: 'clients',
  summary: 'OAuth clients: list, show, create, update, delete, rotate-secret',
  commands: [
    {
      name: 'list',
      usage: '[--limit <n>] [--cursor <c>] [--all]',
      summary: 'OAuth clients',
      options: PAGING_OPTIONS,
      async run(ctx) {
        const page = await fetchPages<Client>(ctx, '/api/v1/admin/clients');
        ctx.out.result(page, () => [
          ['CLIENT_ID', 'NAME', 'SOURCE', 'GRANT_TYPES', 'ROLE'],
          ...page.items.map((c) => [c.client_id, c.client_name, c.source, c.grant_types, c.role]),
        ]);
        noteNextPage(ctx, page);
      },
    },
    {
      name: 'show',
      usage: '<client_id>',
      summary: 'One client (never its secret)',
      args: 1,
      async run(ctx) {
        showClient(ctx, (await (await ctx.api()).request('get', clientPath(ctx))) as Client);
      },
    },
    {
      name: 'create',
      usage: '[--file <metadata.json>] [--id <client_id>] [--name <name>] [--redirect-uri <uri>]… [--grant-type <type>]… [--public] [--first-party] [--api-access] [--resource-server] [--role <role>]',
      summary: 'Register a client; a confidential one\'s secret is printed once',
      options: METADATA_OPTIONS,
      async run(ctx) {
        const body = withoutRedirects(await metadata(ctx));
        showClient(ctx, (await (await ctx.api()).request('post', '/api/v1/admin/clients', { body })) as Client);
      },
    },
    {
      name: 'update',
      usage: '<client_id> [--file <metadata.json>] [metadata flags as for create]',
      summary: 'Change a client\'s metadata',
      args: 1,
      options: METADATA_OPTIONS,
      async run(ctx) {
        const body = await metadata(ctx);
        if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --file or metadata flags');
        showClient(ctx, (await (await ctx.api()).request('patch', clientPath(ctx), { body })) as Client);
      },
    },
    {
      name: 'delete',
      usage: '<client_id>',
      summary: 'Delete a client; its grants and tokens are revoked',
      args: 1,
      async run(ctx) {
        await (await ctx.api()).request('delete', clientPath(ctx));
        ctx.out.done({ deleted: ctx.positionals[0] }, `deleted client ${ctx.positionals[0]}`);
      },
    },
    {
      name: 'rotate-secret',
      usage: '<client_id> [--previous-valid-for <seconds>]',
      summary: 'A new secret, printed once; the old one keeps working for the time given (default 0)',
      args: 1,
      options: { 'previous-valid-for': { type: 'string' } },
      async run(ctx) {
        const seconds = int(ctx, 'previous-valid-for');
        const body = seconds === undefined ? {} : { previous_secret_valid_for: seconds };
        const answer = (await (await ctx.api()).request('post', `${clientPath(ctx)}/secrets`, { body })) as {
          client_secret: string;
          previous_secret_expires_at: string | null;
        };
        ctx.out.done(
          answer,
          `client_secret: ${answer.client_secret}  (shown once: store it now)\n` +
            `previous secret valid until: ${answer.previous_secret_expires_at ?? 'no longer valid'}`,
        );
      },
    },
  ],
};
