// /api/v1/me and /api/v1/me/sessions: the signed-in user's account and sign-ins.
import { z } from 'zod';
import { RateLimitedError, ServerBusyError, SessionNotFoundError, WeakPasswordError, WrongPasswordError } from '../../errors.ts';
import type { AccountSettings } from '../../services/account-settings.ts';
import type { RoleService } from '../../services/roles.ts';
import type { SessionService } from '../../services/sessions.ts';
import { apiSignInSource } from '../../oidc/device-info.ts';
import { authedRoute, type ApiRoute } from './route.ts';
import { nameField, passwordField, pictureField, sessionSchema, toSession, toUser, userSchema } from './schemas.ts';

export interface MeRouteDeps {
  settings: AccountSettings;
  sessions: SessionService;
  roles: Pick<RoleService, 'permissionsOf'>;
}

// A password check is a sign-in attempt (API.md), under the same limits.
const passwordCheckErrors = [RateLimitedError, ServerBusyError];

export function meRoutes(deps: MeRouteDeps): ApiRoute[] {
  return [
    authedRoute({
      method: 'get', path: '/api/v1/me', tag: 'me', operationId: 'getMe',
      summary: 'The signed-in user',
      responses: { 200: { description: 'The user', schema: userSchema } },
      async handle({ auth }) {
        return { status: 200, body: toUser(auth.account, await deps.roles.permissionsOf(auth.account.role)) };
      },
    }),

    authedRoute<undefined, undefined, { name?: string | null; picture?: string | null }>({
      method: 'patch', path: '/api/v1/me', tag: 'me', operationId: 'updateMe',
      summary: 'Change the profile',
      description: 'Only `name` and `picture` change here; any other member (`email`, `role`, `id`…) is refused with 400 VALIDATION_FAILED rather than ignored, so a client never believes a change was made.',
      // Strict: an unknown key is an error naming it, not silently dropped.
      body: z.strictObject({ name: nameField.optional(), picture: pictureField.optional() }),
      responses: { 200: { description: 'The updated user', schema: userSchema } },
      async handle({ body, auth }) {
        const account = await deps.settings.updateProfile(auth.account, body);
        return { status: 200, body: toUser(account, await deps.roles.permissionsOf(account.role)) };
      },
    }),

    authedRoute<undefined, undefined, { password: string }>({
      method: 'delete', path: '/api/v1/me', tag: 'me', operationId: 'deleteMe',
      summary: 'Delete the account with its sessions, grants and tokens',
      description: 'Its organization memberships go too, and every organization it was the only owner of is deleted, '
        + 'with that organization\'s other memberships and its invitations. Make someone else owner first to keep one.',
      body: z.object({ password: passwordField }),
      responses: { 204: { description: 'Deleted' } },
      errors: [WrongPasswordError, ...passwordCheckErrors],
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
      errors: [WrongPasswordError, { error: WeakPasswordError, description: 'The new password breaks the policy.' }, ...passwordCheckErrors],
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
      errors: [SessionNotFoundError],
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
