// The JSON shapes of API.md, as zod schemas shared by the routes (validation)
// and the OpenAPI document (generated from them), plus the presenters that
// turn store records into them. Presenters list fields explicitly: nothing is
// spread from a record, so a new column can never leak by accident.
import { z } from 'zod';
import type { Account } from '../../storage/ports.ts';
import type { SessionView } from '../../services/session-views.ts';

export { emailField, nameField, passwordField, pictureField, tokenField } from '../../fields.ts';

const timestamp = z.iso.datetime();

export const userSchema = z
  .object({
    id: z.string().meta({ example: '8c5f0e1a-3b7d-4e29-9a61-0f2d4c8b7e53' }),
    email: z.string().meta({ example: 'ada@example.com' }),
    email_verified: z.boolean().meta({ example: true }),
    name: z.string().nullable().meta({ example: 'Ada Lovelace' }),
    picture: z.string().nullable().describe('An https URL of a picture of the person, or null').meta({ example: 'https://images.example.com/ada.png' }),
    role: z.string().meta({ example: 'user' }),
    permissions: z.array(z.string()).describe('The permissions of the role').meta({ example: [] }),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'User' });

export const sessionSchema = z
  .object({
    id: z.string().meta({ example: 'q3Zt8KfW1mN5rB7yD0sLxVc2' }),
    current: z.boolean().meta({ example: true }),
    device_name: z.string().nullable().meta({ example: 'Ada\'s laptop' }),
    device_type: z.string().nullable().meta({ example: 'desktop' }),
    user_agent: z.string().nullable().meta({ example: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' }),
    ip_address: z.string().nullable().meta({ example: '203.0.113.7' }),
    created_at: timestamp,
    last_active_at: timestamp,
    expires_at: timestamp,
    clients: z
      .array(z.object({ client_id: z.string().meta({ example: 'web-app' }), client_name: z.string().nullable().meta({ example: 'Web App' }) }))
      .describe('The OAuth clients holding grants from this session'),
    amr: z.array(z.string()).describe('How the session was signed in (RFC 8176: pwd, otp, hwk, mfa…); empty when not recorded').meta({ example: ['pwd', 'otp', 'mfa'] }),
  })
  .meta({ id: 'Session' });

export const tokenResponseSchema = z
  .object({
    access_token: z.string().meta({ example: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiI4YzVm…' }),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().meta({ example: 900 }),
    refresh_token: z.string().meta({ example: 'Xb7Kq2…' }),
    id_token: z.string().optional().meta({ example: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiI4YzVm…' }),
    scope: z.string().meta({ example: 'openid offline_access api' }),
    user: userSchema,
  })
  .meta({ id: 'TokenResponse' });

/** Cookie mode: the tokens went into HttpOnly cookies; the body keeps the rest (no ID token either). */
export const cookieTokenResponseSchema = z
  .object({
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().meta({ example: 900 }),
    scope: z.string().meta({ example: 'openid offline_access api' }),
    user: userSchema,
  })
  .meta({ id: 'CookieTokenResponse' });

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
    picture: account.picture,
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
    amr: session.amr,
  };
}
