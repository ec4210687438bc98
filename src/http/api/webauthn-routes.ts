// WebAuthn on the API (API.md, "Multi-factor authentication"): enrolling a
// security key or passkey, and the request options of a second-factor sign-in.
// The options are @simplewebauthn's JSON, passed to the browser's
// navigator.credentials.create/get after decoding the base64url members.
import { z } from 'zod';
import {
  InvalidMfaResponseError,
  InvalidMfaTokenError,
  RateLimitedError,
  ServerBusyError,
  WrongPasswordError,
} from '../../errors.ts';
import { apiSignInSource } from '../../oidc/device-info.ts';
import type { Mfa } from '../../services/mfa/mfa.ts';
import { authedRoute, publicRoute, type ApiRoute } from './route.ts';
import { passwordField } from './schemas.ts';

export interface WebauthnRouteDeps {
  mfa: Pick<Mfa, 'webauthn' | 'webauthnOptions'>;
}

const TAG = 'mfa';
const options = z.record(z.string(), z.unknown()).meta({ description: 'WebAuthn options (JSON, binary members base64url)' });
/** The browser's PublicKeyCredential as JSON (toJSON(), or built by hand with base64url members). */
export const webauthnResponseField = z.record(z.string(), z.unknown())
  .meta({ description: 'The PublicKeyCredential as JSON: {id, rawId, type, response: {clientDataJSON, …}}, binary members base64url.' });

export function webauthnRoutes(deps: WebauthnRouteDeps): ApiRoute[] {
  const { mfa } = deps;
  return [
    authedRoute<undefined, undefined, { password: string }>({
      method: 'post', path: '/api/v1/me/mfa/webauthn/options', tag: TAG, operationId: 'webauthnRegistrationOptions',
      summary: 'Start enrolling a security key or passkey',
      description: 'Creation options for a discoverable credential (residentKey required, userVerification preferred), '
        + 'excluding the credentials already enrolled. The challenge works once, for this account and this session '
        + '(the access token\'s), within 5 minutes.',
      body: z.object({ password: passwordField }),
      responses: { 200: { description: 'Creation options', schema: options } },
      errors: [WrongPasswordError, RateLimitedError, ServerBusyError],
      async handle({ body, auth, ctx }) {
        return { status: 200, body: await mfa.webauthn.registrationOptions(auth.account, body.password, apiSignInSource(ctx), auth.session.id) };
      },
    }),

    authedRoute<undefined, undefined, { name?: string; response: Record<string, unknown> }>({
      method: 'post', path: '/api/v1/me/mfa/webauthn', tag: TAG, operationId: 'enrolWebauthn',
      summary: 'Finish enrolling a security key or passkey',
      description: 'The browser\'s answer to the creation options, from the session that asked for them. The credential is '
        + 'discoverable, so it also signs in without a password. recovery_codes only when this is the account\'s first factor.',
      body: z.object({ name: z.string().trim().min(1).max(64).optional(), response: webauthnResponseField }),
      responses: {
        201: {
          description: 'Enrolled',
          schema: z.object({
            id: z.string(), type: z.literal('webauthn'), name: z.string(), created_at: z.iso.datetime(), last_used_at: z.iso.datetime().nullable(),
            recovery_codes: z.array(z.string()).optional()
              .meta({ description: 'Only for the account\'s first factor: 10 codes, shown once; each works once.', example: ['k7p2m-x4qaz', 'r3vte-9jd2w'] }),
          }),
        },
      },
      errors: [InvalidMfaResponseError],
      async handle({ body, auth }) {
        const { factor: f, recoveryCodes } = await mfa.webauthn.register(auth.account, auth.session.id, body.name, body.response);
        return {
          status: 201,
          body: {
            id: f.id, type: 'webauthn' as const, name: f.name, created_at: f.createdAt.toISOString(), last_used_at: f.lastUsedAt?.toISOString() ?? null,
            ...(recoveryCodes && { recovery_codes: recoveryCodes }),
          },
        };
      },
    }),

    publicRoute<undefined, undefined, { mfa_token: string }>({
      method: 'post', path: '/api/v1/auth/login/mfa/options', tag: TAG, operationId: 'loginMfaOptions',
      summary: 'WebAuthn request options for a sign-in waiting on its second factor',
      description: 'For the mfa_token of MFA_REQUIRED: the account\'s security keys as allowCredentials. The challenge works once, '
        + 'for this token; answer at POST /api/v1/auth/login/mfa with webauthn_response.',
      body: z.object({ mfa_token: z.string().min(1).max(256) }),
      responses: { 200: { description: 'Request options', schema: options } },
      errors: [InvalidMfaTokenError],
      async handle({ body }) {
        return { status: 200, body: await mfa.webauthnOptions(body.mfa_token) };
      },
    }),
  ];
}
