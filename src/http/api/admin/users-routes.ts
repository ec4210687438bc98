// /api/v1/admin/users: accounts as an administrator sees them (API.md).
import { z } from 'zod';
import {
  EmailExistsError, LastAdminError, RoleNotFoundError, SessionNotFoundError, UserNotFoundError, WeakPasswordError,
} from '../../../errors.ts';
import type { AdminUsers } from '../../../services/admin-users.ts';
import { adminRoute, type ApiRoute } from '../route.ts';
import { emailField, nameField, passwordField, sessionSchema, toSession } from '../schemas.ts';
import { adminUserSchema, roleNameField, toAdminUser } from './admin-schemas.ts';
import { decodeCursor, pageQuery, pageSchema, toPage } from './paging.ts';

const TAG = 'admin';
const idParams = z.object({ id: z.string().min(1).max(128) });
const position = z.object({ c: z.iso.datetime(), i: z.string().max(128) });

interface ListQuery { q?: string; role?: string; status?: 'active' | 'disabled' | 'locked'; limit: number; cursor?: string }
interface CreateBody { email: string; name?: string | null; role?: string; email_verified?: boolean; password?: string }
interface PatchBody { name?: string | null; role?: string; email_verified?: boolean; disabled?: boolean }

export function adminUsersRoutes(deps: { adminUsers: AdminUsers }): ApiRoute[] {
  const { adminUsers } = deps;
  return [
    adminRoute<undefined, ListQuery>('users:read', {
      method: 'get', path: '/api/v1/admin/users', tag: TAG, operationId: 'adminListUsers',
      summary: 'Accounts, newest first',
      description: 'status: `disabled`; `locked` (some sign-in source is locked out by the rate limits); `active` (neither).',
      query: z.object({
        q: z.string().max(256).optional().describe('Email or name contains this (case-insensitive)'),
        role: roleNameField.optional(),
        status: z.enum(['active', 'disabled', 'locked']).optional(),
        ...pageQuery,
      }),
      responses: { 200: { description: 'A page of accounts', schema: pageSchema(adminUserSchema) } },
      async handle({ query }) {
        const after = decodeCursor(query.cursor, position);
        const found = await adminUsers.list({
          q: query.q, role: query.role, status: query.status, limit: query.limit + 1,
          after: after && { createdAt: new Date(after.c), id: after.i },
        });
        const page = toPage(found, query.limit, (v) => ({ c: v.account.createdAt.toISOString(), i: v.account.id }));
        return { status: 200, body: { items: page.items.map(toAdminUser), next_cursor: page.next_cursor } };
      },
    }),

    adminRoute<undefined, undefined, CreateBody>('users:write', {
      method: 'post', path: '/api/v1/admin/users', tag: TAG, operationId: 'adminCreateUser',
      summary: 'Create an account',
      description: 'Without `password`, the person is mailed an invitation: a link to choose a password, valid 7 days.',
      body: z.strictObject({
        email: emailField, name: nameField.optional(), role: roleNameField.optional(),
        email_verified: z.boolean().optional(), password: passwordField.optional(),
      }),
      responses: { 201: { description: 'Created', schema: adminUserSchema } },
      errors: [EmailExistsError, WeakPasswordError, RoleNotFoundError],
      async handle({ body }) {
        const view = await adminUsers.create({
          email: body.email, name: body.name, role: body.role, emailVerified: body.email_verified, password: body.password,
        });
        return { status: 201, body: toAdminUser(view) };
      },
    }),

    adminRoute<{ id: string }>('users:read', {
      method: 'get', path: '/api/v1/admin/users/:id', tag: TAG, operationId: 'adminGetUser',
      summary: 'One account',
      params: idParams,
      responses: { 200: { description: 'The account', schema: adminUserSchema } },
      errors: [UserNotFoundError],
      async handle({ params }) {
        return { status: 200, body: toAdminUser(await adminUsers.get(params.id)) };
      },
    }),

    adminRoute<{ id: string }, undefined, PatchBody>('users:write', {
      method: 'patch', path: '/api/v1/admin/users/:id', tag: TAG, operationId: 'adminUpdateUser',
      summary: 'Change name, role, verification or disabled',
      description: 'disabled: true ends every session, grant and token of the account at once, and refuses its sign-ins '
        + '(403 ACCOUNT_DISABLED after a correct password) until it is enabled again.',
      params: idParams,
      body: z.strictObject({
        name: nameField.optional(), role: roleNameField.optional(),
        email_verified: z.boolean().optional(), disabled: z.boolean().optional(),
      }),
      responses: { 200: { description: 'The account', schema: adminUserSchema } },
      errors: [UserNotFoundError, RoleNotFoundError, LastAdminError],
      async handle({ params, body }) {
        const view = await adminUsers.update(params.id, {
          name: body.name, role: body.role, emailVerified: body.email_verified, disabled: body.disabled,
        });
        return { status: 200, body: toAdminUser(view) };
      },
    }),

    adminRoute<{ id: string }>('users:write', {
      method: 'delete', path: '/api/v1/admin/users/:id', tag: TAG, operationId: 'adminDeleteUser',
      summary: 'Delete an account with its sessions, grants and tokens',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [UserNotFoundError, LastAdminError],
      async handle({ params }) {
        await adminUsers.delete(params.id);
        return { status: 204 };
      },
    }),

    adminRoute<{ id: string }>('users:write', {
      method: 'post', path: '/api/v1/admin/users/:id/password-reset', tag: TAG, operationId: 'adminSendPasswordReset',
      summary: 'Mail the account a password reset link',
      params: idParams,
      responses: { 202: { description: 'The mail is on its way' } },
      errors: [UserNotFoundError],
      async handle({ params }) {
        await adminUsers.sendPasswordReset(params.id);
        return { status: 202 };
      },
    }),

    adminRoute<{ id: string }>('users:write', {
      method: 'post', path: '/api/v1/admin/users/:id/unlock', tag: TAG, operationId: 'adminUnlockUser',
      summary: 'Lift every sign-in lock of the account',
      params: idParams,
      responses: { 204: { description: 'Unlocked' } },
      errors: [UserNotFoundError],
      async handle({ params }) {
        await adminUsers.unlock(params.id);
        return { status: 204 };
      },
    }),

    adminRoute<{ id: string }>('users:write', {
      method: 'delete', path: '/api/v1/admin/users/:id/mfa', tag: TAG, operationId: 'adminRemoveMfa',
      summary: 'Remove every MFA factor and recovery code of the account',
      description: 'Also ends the sign-ins waiting for a second factor and lifts the MFA lock; the user can sign in with the password alone.',
      params: idParams,
      responses: { 204: { description: 'Removed' } },
      errors: [UserNotFoundError],
      async handle({ params }) {
        await adminUsers.removeMfa(params.id);
        return { status: 204 };
      },
    }),

    adminRoute<{ id: string }>('users:read', {
      method: 'get', path: '/api/v1/admin/users/:id/sessions', tag: TAG, operationId: 'adminListUserSessions',
      summary: 'Live sessions of the account, newest first (`current` is always false)',
      params: idParams,
      responses: { 200: { description: 'Sessions', schema: z.array(sessionSchema) } },
      errors: [UserNotFoundError],
      async handle({ params }) {
        const sessions = await adminUsers.sessions(params.id);
        return { status: 200, body: sessions.map((s) => toSession(s, '')) };
      },
    }),

    adminRoute<{ id: string }>('users:write', {
      method: 'delete', path: '/api/v1/admin/users/:id/sessions', tag: TAG, operationId: 'adminRevokeUserSessions',
      summary: 'End every session, grant and token of the account',
      params: idParams,
      responses: { 200: { description: 'How many sessions ended', schema: z.object({ revoked: z.number().int() }) } },
      errors: [UserNotFoundError],
      async handle({ params }) {
        return { status: 200, body: { revoked: await adminUsers.revokeSessions(params.id) } };
      },
    }),

    adminRoute<{ id: string; sid: string }>('users:write', {
      method: 'delete', path: '/api/v1/admin/users/:id/sessions/:sid', tag: TAG, operationId: 'adminRevokeUserSession',
      summary: 'End one session of the account',
      params: z.object({ id: z.string().min(1).max(128), sid: z.string().min(1).max(128) }),
      responses: { 204: { description: 'Ended' } },
      errors: [UserNotFoundError, SessionNotFoundError],
      async handle({ params }) {
        await adminUsers.revokeSession(params.id, params.sid);
        return { status: 204 };
      },
    }),
  ];
}
