// /api/v1/me/mfa: the signed-in user's second factors and recovery codes.
import { z } from 'zod';
import {
  FactorNotFoundError,
  InvalidMfaCodeError,
  RateLimitedError,
  ServerBusyError,
  WrongPasswordError,
} from '../../errors.ts';
import { apiSignInSource } from '../../oidc/device-info.ts';
import type { FactorView } from '../../services/mfa/factors.ts';
import type { Mfa } from '../../services/mfa/mfa.ts';
import { authedRoute, type ApiRoute } from './route.ts';
import { passwordField } from './schemas.ts';

export interface MeMfaRouteDeps {
  mfa: Pick<Mfa, 'list' | 'enrolTotp' | 'confirmTotp' | 'rename' | 'remove' | 'regenerateRecoveryCodes'>;
}

const TAG = 'mfa';
// A password check is a sign-in attempt (API.md), under the same limits.
const passwordErrors = [WrongPasswordError, RateLimitedError, ServerBusyError];
const timestamp = z.iso.datetime();
const idParams = z.object({ id: z.string().min(1).max(64) });
const recoveryCodes = z.array(z.string()).meta({ description: 'Shown once; each works once.', example: ['k7p2m-x4qaz', 'r3vte-9jd2w'] });

const factorName = z.string().trim().min(1).max(64);
const factorBody = (f: FactorView) => ({
  id: f.id, type: f.type, name: f.name, created_at: f.createdAt.toISOString(), last_used_at: f.lastUsedAt?.toISOString() ?? null,
});

const factorSchema = z
  .object({
    id: z.string(),
    type: z.enum(['totp', 'webauthn']),
    name: z.string(),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
  })
  .meta({ id: 'MfaFactor' });

export function meMfaRoutes(deps: MeMfaRouteDeps): ApiRoute[] {
  const { mfa } = deps;
  return [
    authedRoute({
      method: 'get', path: '/api/v1/me/mfa', tag: TAG, operationId: 'listMfa',
      summary: 'The confirmed second factors and how many recovery codes are left',
      responses: {
        200: { description: 'Factors', schema: z.object({ factors: z.array(factorSchema), recovery_codes_remaining: z.number().int() }) },
      },
      async handle({ auth }) {
        const { factors, recoveryCodesRemaining } = await mfa.list(auth.account.id);
        return {
          status: 200,
          body: {
            factors: factors.map(factorBody),
            recovery_codes_remaining: recoveryCodesRemaining,
          },
        };
      },
    }),

    authedRoute<undefined, undefined, { password: string; name?: string }>({
      method: 'post', path: '/api/v1/me/mfa/totp', tag: TAG, operationId: 'enrolTotp',
      summary: 'Start enrolling an authenticator app (TOTP)',
      description: 'Answers the secret and its otpauth:// URI once; the factor stays pending (not listed, not asked at sign-in) '
        + 'until confirmed with a first code. RFC 6238: SHA-1, 6 digits, 30 seconds.',
      body: z.object({ password: passwordField, name: factorName.optional() }),
      responses: {
        201: {
          description: 'Pending factor',
          schema: z.object({
            id: z.string(),
            secret: z.string().meta({ description: 'Base32', example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' }),
            otpauth_uri: z.string().meta({ example: 'otpauth://totp/Gatehouse:ada%40example.com?secret=JBSW…&issuer=Gatehouse' }),
          }),
        },
      },
      errors: passwordErrors,
      async handle({ body, auth, ctx }) {
        const enrolled = await mfa.enrolTotp(auth.account, body.password, apiSignInSource(ctx), body.name);
        return { status: 201, body: { id: enrolled.id, secret: enrolled.secret, otpauth_uri: enrolled.otpauthUri } };
      },
    }),

    authedRoute<{ id: string }, undefined, { code: string }>({
      method: 'post', path: '/api/v1/me/mfa/totp/:id/confirm', tag: TAG, operationId: 'confirmTotp',
      summary: 'Confirm a pending authenticator app with a first code',
      description: 'recovery_codes only when this is the account\'s first factor.',
      params: idParams,
      body: z.object({ code: z.string().trim().min(1).max(16) }),
      responses: { 200: { description: 'Confirmed', schema: z.object({ recovery_codes: recoveryCodes.optional() }) } },
      errors: [InvalidMfaCodeError, FactorNotFoundError, RateLimitedError],
      async handle({ params, body, auth }) {
        const { recoveryCodes: codes } = await mfa.confirmTotp(auth.account, params.id, body.code);
        return { status: 200, body: codes ? { recovery_codes: codes } : {} };
      },
    }),

    authedRoute<{ id: string }, undefined, { name: string }>({
      method: 'patch', path: '/api/v1/me/mfa/:id', tag: TAG, operationId: 'renameMfaFactor',
      summary: 'Rename a second factor',
      description: 'The name is only a label (which phone, which key); how the factor signs in does not change, so no password is asked.',
      params: idParams,
      body: z.object({ name: factorName.meta({ example: 'Work laptop' }) }),
      responses: { 200: { description: 'Renamed', schema: factorSchema } },
      errors: [FactorNotFoundError],
      async handle({ params, body, auth }) {
        return { status: 200, body: factorBody(await mfa.rename(auth.account.id, params.id, body.name)) };
      },
    }),

    authedRoute<{ id: string }, undefined, { password: string }>({
      method: 'delete', path: '/api/v1/me/mfa/:id', tag: TAG, operationId: 'removeMfaFactor',
      summary: 'Remove a second factor',
      description: 'Removing the last one also voids the recovery codes.',
      params: idParams,
      body: z.object({ password: passwordField }),
      responses: { 204: { description: 'Removed' } },
      errors: [...passwordErrors, FactorNotFoundError],
      async handle({ params, body, auth, ctx }) {
        await mfa.remove(auth.account, params.id, body.password, apiSignInSource(ctx));
        return { status: 204 };
      },
    }),

    authedRoute<undefined, undefined, { password: string }>({
      method: 'post', path: '/api/v1/me/mfa/recovery-codes', tag: TAG, operationId: 'regenerateRecoveryCodes',
      summary: 'Replace the recovery codes with 10 new ones',
      description: 'The older codes stop working at once.',
      body: z.object({ password: passwordField }),
      responses: { 200: { description: 'New codes', schema: z.object({ recovery_codes: recoveryCodes }) } },
      errors: passwordErrors,
      async handle({ body, auth, ctx }) {
        return { status: 200, body: { recovery_codes: await mfa.regenerateRecoveryCodes(auth.account, body.password, apiSignInSource(ctx)) } };
      },
    }),
  ];
}
