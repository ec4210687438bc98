// /api/v1/me and /api/v1/me/sessions: the signed-in user's account and sign-ins.
import { z } from 'zod';
import type { AccountSettings } from '../../services/account-settings.ts';
import type { SessionService } from '../../services/sessions.ts';
import { apiSignInSource } from '../device-info.ts';
import { authedRoute, type ApiRoute } from './route.ts';
import { nameField, passwordField, sessionSchema, toSession, toUser, userSchema } from './schemas.ts';

export interface MeRouteDeps {
  settings: AccountSettings;
  sessions: SessionService;
}

const wrongPassword = { status: 403, code: 'WRONG_PASSWORD', description: 'The password given is not the account\'s.' };
// A password check is a sign-in attempt (API.md), under the same limits.
const rateLimited = { status: 429, code: 'RATE_LIMITED', description: 'Too many failed password checks or sign-ins; see Retry-After.' };
const busy = { status: 503, code: 'UNAVAILABLE', description: 'Password hashing is saturated; see Retry-After.' };

export function meRoutes(deps: MeRouteDeps): ApiRoute[] {
  return [
    authedRoute({
      method: 'get', path: '/api/v1/me', tag: 'me', operationId: 'getMe',
      summary: 'The signed-in user',
      responses: { 200: { description: 'The user', schema: userSchema } },
      async handle({ auth }) {
        return { status: 200, body: toUser(auth.account) };
      },
    }),

    authedRoute<undefined, undefined, { name?: string | null }>({
      method: 'patch', path: '/api/v1/me', tag: 'me', operationId: 'updateMe',
      summary: 'Change the profile',
      body: z.object({ name: nameField.optional() }),
      responses: { 200: { description: 'The updated user', schema: userSchema } },
      async handle({ body, auth }) {
        return { status: 200, body: toUser(await deps.settings.updateProfile(auth.account, body)) };
      },
    }),

    authedRoute<undefined, undefined, { password: string }>({
      method: 'delete', path: '/api/v1/me', tag: 'me', operationId: 'deleteMe',
      summary: 'Delete the account with its sessions, grants and tokens',
      body: z.object({ password: passwordField }),
      responses: { 204: { description: 'Deleted' } },
      errors: [wrongPassword, rateLimited, busy],
      async handle({ body, auth, ctx }) {
        await deps.settings.deleteAccount(auth.account, body.password, apiSignInSource(ctx));
        return { status: 204 };
      },
    }),

    authedRoute<undefined, undefined, { current_password: string; new_password: string }>({
      method: 'post', path: '/api/v1/me/password', tag: 'me', operationId: 'changePassword',
      summary: 'Change the password; ends every other session',
      body: z.object({ current_password: passwordField, new_password: passwordField }),
      responses: { 204: { description: 'Changed' } },
      errors: [wrongPassword, { status: 400, code: 'WEAK_PASSWORD', description: 'The new password breaks the policy.' }, rateLimited, busy],
      async handle({ body, auth, ctx }) {
        await deps.settings.changePassword(auth.account, {
          currentPassword: body.current_password,
          newPassword: body.new_password,
          currentSessionId: auth.session.id,
        }, apiSignInSource(ctx));
        return { status: 204 };
      },
    }),

    authedRoute({
      method: 'get', path: '/api/v1/me/sessions', tag: 'sessions', operationId: 'listSessions',
      summary: 'Live sessions of the account, newest first',
      responses: { 200: { description: 'Sessions', schema: z.array(sessionSchema) } },
      async handle({ auth }) {
        const sessions = await deps.sessions.list(auth.account.id);
        return { status: 200, body: sessions.map((s) => toSession(s, auth.session.id)) };
      },
    }),

    authedRoute<{ id: string }>({
      method: 'delete', path: '/api/v1/me/sessions/:id', tag: 'sessions', operationId: 'revokeSession',
      summary: 'End one session',
      params: z.object({ id: z.string().min(1).max(128) }),
      responses: { 204: { description: 'Ended' } },
      errors: [{ status: 404, code: 'SESSION_NOT_FOUND', description: 'No such live session of this account.' }],
      async handle({ params, auth }) {
        await deps.sessions.revoke(auth.account.id, params.id);
        return { status: 204 };
      },
    }),

    authedRoute({
      method: 'delete', path: '/api/v1/me/sessions', tag: 'sessions', operationId: 'revokeOtherSessions',
      summary: 'End every session but the current one',
      responses: { 200: { description: 'How many ended', schema: z.object({ revoked: z.number().int() }) } },
      async handle({ auth }) {
        return { status: 200, body: { revoked: await deps.sessions.revokeOthers(auth.account.id, auth.session.id) } };
      },
    }),
  ];
}
