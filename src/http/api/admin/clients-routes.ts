// /api/v1/admin/clients: OAuth clients at run time (services/client-admin.ts).
import { z } from 'zod';
import { ClientExistsError, ClientManagedByFileError, ClientNotFoundError, InvalidClientMetadataError, RoleNotFoundError } from '../../../errors.ts';
import { MAX_PREVIOUS_SECRET_SECONDS, type ClientAdmin } from '../../../services/client-admin.ts';
import type { ClientRecord } from '../../../storage/ports.ts';
import { adminRoute, type ApiRoute } from '../route.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './paging.ts';

const clientIdField = z.string().min(1).max(255);

// Metadata as RFC 7591 names it; oidc-provider validates the rest.
const metadataBody = z
  .object({
    client_id: clientIdField.optional(),
    role: z.string().min(1).max(64).nullable().optional().describe('The role of the client\'s client_credentials tokens'),
    first_party: z.boolean().nullable().optional(),
    api_access: z.boolean().nullable().optional(),
    resource_server: z.boolean().nullable().optional(),
    require_mfa: z.boolean().nullable().optional().meta({ description: 'Only sessions that used a second factor; a user without one enrols at sign-in.' }),
    require_pkce: z.boolean().nullable().optional().meta({ description: 'false: a confidential client may leave PKCE out and must send nonce instead (RFC 9700 §2.1.1); refused for public clients.' }),
  })
  .loose()
  .meta({
    description: 'RFC 7591 client metadata, plus first_party, api_access, resource_server, require_mfa, require_pkce and role. client_secret is generated, never sent.',
    example: { client_name: 'Web App', redirect_uris: ['https://app.example.com/callback'], grant_types: ['authorization_code', 'refresh_token'], api_access: true },
  });

type MetadataBody = z.output<typeof metadataBody>;

const adminClientSchema = z
  .object({
    client_id: z.string().meta({ example: 'web-app' }),
    source: z.enum(['file', 'api']).meta({ example: 'api' }).describe('file: read-only here (from CLIENTS_FILE, or built in); api: created here'),
    built_in: z.boolean().describe('The server\'s own client of the first-party JSON API (reported as source "file": the server is its truth)'),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .loose()
  .meta({ id: 'AdminClient', description: 'The client\'s metadata without any secret, with its source and dates.' });

const createdClientSchema = adminClientSchema
  .extend({ client_secret: z.string().optional().describe('Confidential clients only; shown this once').meta({ example: 'q7Vd2…' }) })
  .meta({ id: 'CreatedClient' });

const SECRET_FIELDS = new Set(['client_secret']);

/** The metadata without any secret: a presenter that strips, so no stored secret form ever leaves. */
export function toAdminClient(client: ClientRecord): z.input<typeof adminClientSchema> {
  const metadata = Object.fromEntries(Object.entries(client.metadata).filter(([name]) => !SECRET_FIELDS.has(name)));
  return {
    ...metadata,
    client_id: client.clientId,
    // API.md knows two sources; the built-in client is read-only like a file client.
    source: client.source === 'api' ? 'api' : 'file',
    built_in: client.source === 'builtin',
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  };
}

const idParams = z.object({ id: clientIdField });
/** A client list's position: the client_id the next page starts after. */
const cursorSchema = z.object({ after: clientIdField });

export function adminClientRoutes(deps: { clients: ClientAdmin }): ApiRoute[] {
  const { clients } = deps;
  return [
    adminRoute<undefined, { limit: number; cursor?: string }>('clients:read', {
      method: 'get', path: '/api/v1/admin/clients', tag: 'admin', operationId: 'adminListClients',
      summary: 'OAuth clients, by client_id',
      query: z.object(pageQuery),
      responses: { 200: { description: 'One page of clients', schema: pageSchema(adminClientSchema) } },
      async handle({ query }) {
        const after = decodeCursor(query.cursor, cursorSchema)?.after;
        const rows = await clients.list({ after, limit: query.limit + 1 });
        return { status: 200, body: pageOf(rows, query.limit, (c) => ({ after: c.clientId }), toAdminClient) };
      },
    }),

    adminRoute<undefined, undefined, MetadataBody>('clients:write', {
      method: 'post', path: '/api/v1/admin/clients', tag: 'admin', operationId: 'adminCreateClient',
      summary: 'Register a client; a confidential client\'s secret is answered once',
      body: metadataBody,
      responses: { 201: { description: 'Created', schema: createdClientSchema } },
      errors: [InvalidClientMetadataError, ClientExistsError, RoleNotFoundError],
      async handle({ body }) {
        const { client, clientSecret } = await clients.create(body);
        return { status: 201, body: { ...toAdminClient(client), ...(clientSecret !== undefined && { client_secret: clientSecret }) } };
      },
    }),

    adminRoute<{ id: string }>('clients:read', {
      method: 'get', path: '/api/v1/admin/clients/:id', tag: 'admin', operationId: 'adminGetClient',
      summary: 'One client',
      params: idParams,
      responses: { 200: { description: 'The client', schema: adminClientSchema } },
      errors: [ClientNotFoundError],
      async handle({ params }) {
        return { status: 200, body: toAdminClient(await clients.get(params.id)) };
      },
    }),

    adminRoute<{ id: string }, undefined, MetadataBody>('clients:write', {
      method: 'patch', path: '/api/v1/admin/clients/:id', tag: 'admin', operationId: 'adminUpdateClient',
      summary: 'Change metadata fields (null removes one); re-validated as a whole',
      params: idParams,
      body: metadataBody,
      responses: { 200: { description: 'The updated client', schema: adminClientSchema } },
      errors: [InvalidClientMetadataError, ClientNotFoundError, ClientManagedByFileError, RoleNotFoundError],
      async handle({ params, body }) {
        return { status: 200, body: toAdminClient(await clients.update(params.id, body)) };
      },
    }),

    adminRoute<{ id: string }>('clients:write', {
      method: 'delete', path: '/api/v1/admin/clients/:id', tag: 'admin', operationId: 'adminDeleteClient',
      summary: 'Delete a client with its grants and tokens',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [ClientNotFoundError, ClientManagedByFileError],
      async handle({ params }) {
        await clients.delete(params.id);
        return { status: 204 };
      },
    }),

    adminRoute<{ id: string }, undefined, { previous_secret_valid_for: number } | undefined>('clients:write', {
      method: 'post', path: '/api/v1/admin/clients/:id/secrets', tag: 'admin', operationId: 'adminRotateClientSecret',
      summary: 'Issue a new client secret; the previous one may keep working for a while',
      params: idParams,
      body: z.object({
        previous_secret_valid_for: z
          .number().int().min(0).max(MAX_PREVIOUS_SECRET_SECONDS).default(0)
          .describe('Seconds the previous secret keeps authenticating (0: it stops at once; at most 7 days)'),
      }).optional(),
      responses: {
        201: {
          description: 'The new secret, shown once',
          schema: z.object({ client_secret: z.string(), previous_secret_expires_at: z.iso.datetime().nullable() }),
        },
      },
      errors: [ClientNotFoundError, ClientManagedByFileError, InvalidClientMetadataError],
      async handle({ params, body }) {
        const rotated = await clients.rotateSecret(params.id, body?.previous_secret_valid_for ?? 0);
        return {
          status: 201,
          body: { client_secret: rotated.clientSecret, previous_secret_expires_at: rotated.previousSecretExpiresAt?.toISOString() ?? null },
        };
      },
    }),
  ];
}
