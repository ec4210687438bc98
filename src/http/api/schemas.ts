// The JSON shapes of API.md, as zod schemas shared by the routes (validation)
// and the OpenAPI document (generated from them), plus the presenters that
// turn store records into them. Presenters list fields explicitly: nothing is
// spread from a record, so a new column can never leak by accident.
import { z } from 'zod';
import type { Account } from '../../storage/ports.ts';
import type { SessionView } from '../../services/session-views.ts';

export { emailField, nameField, passwordField, tokenField } from '../../fields.ts';

const timestamp = z.iso.datetime();

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    email_verified: z.boolean(),
    name: z.string().nullable(),
    role: z.string(),
    permissions: z.array(z.string()).describe('The permissions of the role'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'User' });

export const sessionSchema = z
  .object({
    id: z.string(),
    current: z.boolean(),
    device_name: z.string().nullable(),
    device_type: z.string().nullable(),
    user_agent: z.string().nullable(),
    ip_address: z.string().nullable(),
    created_at: timestamp,
    last_active_at: timestamp,
    expires_at: timestamp,
    clients: z
      .array(z.object({ client_id: z.string(), client_name: z.string().nullable() }))
      .describe('The OAuth clients holding grants from this session'),
  })
  .meta({ id: 'Session' });

export const tokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string(),
    id_token: z.string().optional(),
    scope: z.string(),
    user: userSchema,
  })
  .meta({ id: 'TokenResponse' });

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      request_id: z.string().meta({ description: 'The X-Request-Id of the request, also in the server\'s log line.' }),
    }),
  })
  .meta({ id: 'Error' });

export function toUser(account: Account, permissions: readonly string[]): z.input<typeof userSchema> {
  return {
    id: account.id,
    email: account.email,
    email_verified: account.emailVerified,
    name: account.name,
    role: account.role,
    permissions: [...permissions],
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
  };
}

export function toSession(session: SessionView, currentId: string): z.input<typeof sessionSchema> {
  return {
    id: session.id,
    current: session.id === currentId,
    device_name: session.deviceName,
    device_type: session.deviceType,
    user_agent: session.userAgent,
    ip_address: session.ipAddress,
    created_at: session.createdAt.toISOString(),
    last_active_at: session.lastActiveAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    clients: session.clients.map((c) => ({ client_id: c.clientId, client_name: c.clientName })),
  };
}
