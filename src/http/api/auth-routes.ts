// /api/v1/auth/*: sign-up, verification, sign-in, refresh, sign-out, reset.
import { z } from 'zod';
import {
  AccountDisabledError,
  EmailNotVerifiedError,
  EmailExistsError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidMfaCodeError,
  InvalidMfaResponseError,
  InvalidMfaTokenError,
  InvalidRefreshTokenError,
  MfaRequiredError,
  InvalidTokenError,
  RateLimitedError,
  RegistrationDisabledError,
  WeakPasswordError,
} from '../../errors.ts';
import type { Context } from 'koa';
import type { Account } from '../../storage/ports.ts';
import type { PasswordReset } from '../../services/password-reset.ts';
import type { RoleService } from '../../services/roles.ts';
import type { Registration } from '../../services/registration.ts';
import type { SessionService } from '../../services/sessions.ts';
import type { SignIn } from '../../sign-in/flow.ts';
import { mfaAnswerFields } from '../../sign-in/mfa.ts';
import type { Passkeys } from '../../services/mfa/passkeys.ts';
import { webauthnResponseField } from './webauthn-routes.ts';
import { organizationNameField } from './organization-schemas.ts';
import { authedRoute, publicRoute, type ApiRoute } from './route.ts';
import { cookieTokenResponseSchema, emailField, nameField, passwordField, tokenField, tokenResponseSchema, toUser, userSchema } from './schemas.ts';
import type { TokenCookies } from '../middleware/token-cookies.ts';

/** Tokens of a sign-in or a refresh, with the account they were issued for. */
export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  id_token?: string;
  scope: string;
  account: Account;
}

/** The token endpoint's password and refresh grants for the built-in client (src/oidc/first-party-tokens.ts). */
export interface FirstPartyTokens {
  /** Throws the sign-in steps' refusal (InvalidCredentialsError, RateLimitedError…). */
  login(ctx: Context, input: { email: string; password: string; rememberMe: boolean; fields?: Record<string, unknown> }): Promise<IssuedTokens>;
  /** The MFA grant: finish a sign-in that answered MFA_REQUIRED. */
  loginMfa(ctx: Context, input: { mfaToken: string; code?: string; recoveryCode?: string; webauthnResponse?: string }): Promise<IssuedTokens>;
  /** InvalidRefreshTokenError for anything the token endpoint refuses. */
  refresh(ctx: Context, refreshToken: string): Promise<IssuedTokens>;
  /** InvalidCredentialsError, AccountDisabledError. */
  passkey(ctx: Context, input: { response: Record<string, unknown>; rememberMe: boolean; fields?: Record<string, unknown> }): Promise<IssuedTokens>;
}

export interface AuthRouteDeps {
  registration: Registration;
  passwordReset: PasswordReset;
  tokens: FirstPartyTokens;
  sessions: SessionService;
  /** The login body is the sign-in steps' fields (email, password, accept_terms…). */
  signIn: Pick<SignIn, 'fields' | 'errors' | 'afterFactorFields' | 'afterFactorErrors'>;
  roles: Pick<RoleService, 'permissionsOf'>;
  passkeys: Pick<Passkeys, 'options'>;
  /** Cookie mode (src/http/middleware/token-cookies.ts). */
  cookies: TokenCookies;
}

const TAG = 'auth';
const useCookiesField = z.boolean().optional()
  .describe('Cookie mode: the access and refresh tokens are set as HttpOnly cookies and left out of the body (README, "Browsers and other origins").');
const signedIn = (description: string) => ({ 200: { description, schema: z.union([tokenResponseSchema, cookieTokenResponseSchema]) } });
const accepted = {
  202: { description: 'Accepted. The same answer whether or not an account has this email.', schema: z.object({ message: z.string() }) },
};
/** One body for known and unknown addresses alike. */
const ACCEPTED_BODY = { message: 'If an account exists for this address, an email is on its way.' };
/** HIDE_EXISTING_ACCOUNTS: one body for a new and a taken address. */
const REGISTER_ACCEPTED_BODY = { message: 'Check your mail: we sent a message to this address telling you what to do next.' };

export function authRoutes(deps: AuthRouteDeps): ApiRoute[] {
  const tokenBody = async ({ account, ...tokens }: IssuedTokens) =>
    ({ ...tokens, user: toUser(account, await deps.roles.permissionsOf(account.role)) });
  /** The answer of a sign-in or refresh: tokens in the body, or in cookies (the body keeps the rest). */
  const answer = async (ctx: Context, issued: IssuedTokens, useCookies: boolean | undefined) => {
    if (!useCookies) return { status: 200, body: await tokenBody(issued) };
    deps.cookies.set(ctx, issued);
    const { token_type, expires_in, scope, account } = issued;
    return { status: 200, body: { token_type, expires_in, scope, user: toUser(account, await deps.roles.permissionsOf(account.role)) } };
  };
  return [
    publicRoute<undefined, undefined, { email: string; password: string; name?: string | null; organization?: { name: string } }>({
      method: 'post', path: '/api/v1/auth/register', tag: TAG, operationId: 'register',
      summary: 'Create an account',
      description: 'Sends a verification mail. With REQUIRE_EMAIL_VERIFICATION, sign-in waits for it. With `organization`, the organization is created and the user is its owner. '
        + 'With HIDE_EXISTING_ACCOUNTS, answers 202 for a new and a taken address alike (never 409) and mails the owner of a taken one.',
      body: z.object({ email: emailField, password: passwordField, name: nameField.optional(), organization: z.strictObject({ name: organizationNameField }).optional() }),
      responses: {
        201: { description: 'Created', schema: z.object({ user: userSchema, verification_required: z.boolean() }) },
        202: { description: 'When the server hides existing accounts: the same answer for a new and a taken address; a mail is on its way either way.', schema: z.object({ message: z.string() }) },
      },
      errors: [
        { error: EmailExistsError, description: 'The address is taken (unless the server hides existing accounts).' },
        WeakPasswordError,
        RateLimitedError,
        RegistrationDisabledError,
      ],
      async handle({ body, ctx }) {
        const result = await deps.registration.register(body, ctx.ip);
        if (result.outcome === 'accepted') return { status: 202, body: REGISTER_ACCEPTED_BODY };
        const { account, verificationRequired } = result;
        return { status: 201, body: { user: toUser(account, await deps.roles.permissionsOf(account.role)), verification_required: verificationRequired } };
      },
    }),

    publicRoute<undefined, undefined, { token: string }>({
      method: 'post', path: '/api/v1/auth/verify-email', tag: TAG, operationId: 'verifyEmail',
      summary: 'Confirm an email address with the token from the mail',
      body: z.object({ token: tokenField }),
      responses: { 204: { description: 'Verified' } },
      errors: [InvalidTokenError],
      async handle({ body }) {
        await deps.registration.verifyEmail(body.token);
        return { status: 204 };
      },
    }),

    publicRoute<undefined, undefined, { email: string }>({
      method: 'post', path: '/api/v1/auth/verify-email/resend', tag: TAG, operationId: 'resendVerification',
      summary: 'Send a new verification mail',
      body: z.object({ email: emailField }),
      responses: accepted,
      errors: [RateLimitedError],
      async handle({ body, ctx }) {
        await deps.registration.resendVerification(body.email, ctx.ip);
        return { status: 202, body: ACCEPTED_BODY };
      },
    }),

    publicRoute<undefined, undefined, { email: string; password: string; remember_me?: boolean; use_cookies?: boolean } & Record<string, unknown>>({
      method: 'post', path: '/api/v1/auth/login', tag: TAG, operationId: 'login',
      summary: 'Sign in with email and password',
      description: 'The password grant of the token endpoint, for the built-in first-party client. Starts a session '
        + '(X-Device-Name, X-Device-Type headers are recorded). remember_me: the session lasts 30 days instead of 24 hours.',
      body: z.object({ ...deps.signIn.fields, email: emailField, password: passwordField, remember_me: z.boolean().optional(), use_cookies: useCookiesField }),
      responses: signedIn('Signed in'),
      errors: [
        ...deps.signIn.errors.filter((error) => error !== MfaRequiredError),
        {
          error: MfaRequiredError,
          description: 'The password is right and the account has a second factor. Besides `error`, the body has '
            + '`mfa: {token, expires_in: 300, factors: [{id, type}]}`: finish at POST /api/v1/auth/login/mfa with that token.',
        },
      ],
      async handle({ body, ctx }) {
        const { email, password, remember_me: rememberMe, use_cookies: useCookies, ...fields } = body;
        const issued = await deps.tokens.login(ctx, { email, password, rememberMe: rememberMe === true, fields });
        return answer(ctx, issued, useCookies);
      },
    }),

    publicRoute<undefined, undefined, { mfa_token: string; code?: string; recovery_code?: string; webauthn_response?: Record<string, unknown>; use_cookies?: boolean }>({
      method: 'post', path: '/api/v1/auth/login/mfa', tag: TAG, operationId: 'loginMfa',
      summary: 'Finish a sign-in with a second factor',
      description: 'After MFA_REQUIRED: the `mfa.token` of that answer with a TOTP `code`, a `recovery_code` or a `webauthn_response` '
        + '(to the options of POST /api/v1/auth/login/mfa/options; amr ["pwd","hwk","mfa"]). '
        + 'A wrong code leaves the token usable until it expires (5 minutes); a right one uses it up. 5 wrong codes in 15 minutes '
        + 'lock MFA for the account for 15 minutes. The session and tokens carry amr ["pwd","otp","mfa"].',
      body: z
        .object({ mfa_token: z.string().min(1).max(256), ...mfaAnswerFields, webauthn_response: webauthnResponseField.optional(), use_cookies: useCookiesField })
        .refine((b) => b.code !== undefined || b.recovery_code !== undefined || b.webauthn_response !== undefined, {
          message: 'give code, recovery_code or webauthn_response', path: ['code'],
        }),
      responses: signedIn('Signed in'),
      errors: [InvalidMfaCodeError, InvalidMfaResponseError, InvalidMfaTokenError, RateLimitedError],
      async handle({ body, ctx }) {
        const issued = await deps.tokens.loginMfa(ctx, {
          mfaToken: body.mfa_token,
          ...(body.code !== undefined ? { code: body.code }
            : body.recovery_code !== undefined ? { recoveryCode: body.recovery_code }
              : { webauthnResponse: JSON.stringify(body.webauthn_response) }),
        });
        return answer(ctx, issued, body.use_cookies);
      },
    }),

    publicRoute({
      method: 'post', path: '/api/v1/auth/passkey/options', tag: TAG, operationId: 'passkeyOptions',
      summary: 'WebAuthn request options to sign in with a passkey',
      description: 'No allowCredentials: the browser offers the passkeys it holds for this site. User verification required; '
        + 'the challenge works once, within 5 minutes.',
      responses: { 200: { description: 'Request options', schema: z.record(z.string(), z.unknown()) } },
      async handle() {
        return { status: 200, body: await deps.passkeys.options() };
      },
    }),

    publicRoute<undefined, undefined, { response: Record<string, unknown>; remember_me?: boolean; use_cookies?: boolean } & Record<string, unknown>>({
      method: 'post', path: '/api/v1/auth/passkey', tag: TAG, operationId: 'loginPasskey',
      summary: 'Sign in with a passkey, without a password',
      description: 'The browser\'s answer to the options of POST /api/v1/auth/passkey/options; the passkey grant of the token '
        + 'endpoint for the built-in client. The session and tokens carry amr ["hwk","user"]. The passkey stands in for the '
        + 'password and the second factor; the other sign-in steps apply as at POST /api/v1/auth/login (accept_terms when '
        + 'TERMS_URL is set; EMAIL_NOT_VERIFIED with REQUIRE_EMAIL_VERIFICATION).',
      body: z.object({ ...deps.signIn.afterFactorFields, response: webauthnResponseField, remember_me: z.boolean().optional(), use_cookies: useCookiesField }),
      responses: signedIn('Signed in'),
      errors: [...new Set([InvalidCredentialsError, AccountDisabledError, EmailNotVerifiedError, ...deps.signIn.afterFactorErrors])],
      async handle({ body, ctx }) {
        const { response, remember_me: rememberMe, use_cookies: useCookies, ...fields } = body;
        return answer(ctx, await deps.tokens.passkey(ctx, { response, rememberMe: rememberMe === true, fields }), useCookies);
      },
    }),

    publicRoute<undefined, undefined, { refresh_token?: string; use_cookies?: boolean }>({
      method: 'post', path: '/api/v1/auth/refresh', tag: TAG, operationId: 'refresh',
      summary: 'Exchange a refresh token for new tokens (the refresh token rotates)',
      description: 'Cookie mode: `{use_cookies: true}` without `refresh_token` reads the refresh cookie (from this site or CORS_ORIGINS only) and sets new cookies.',
      body: z
        .object({ refresh_token: z.string().min(1).max(4096).optional(), use_cookies: useCookiesField })
        .refine((b) => b.refresh_token !== undefined || b.use_cookies === true, { message: 'give refresh_token, or use_cookies: true', path: ['refresh_token'] }),
      responses: signedIn('New tokens'),
      errors: [InvalidRefreshTokenError, { error: ForbiddenError, description: 'Cookie mode, from an origin that is neither this site nor in CORS_ORIGINS.' }],
      async handle({ body, ctx }) {
        let refreshToken = body.refresh_token;
        if (refreshToken === undefined) {
          deps.cookies.assertAllowedOrigin(ctx);
          refreshToken = deps.cookies.refresh(ctx);
          if (refreshToken === undefined) throw new InvalidRefreshTokenError();
        }
        return answer(ctx, await deps.tokens.refresh(ctx, refreshToken), body.use_cookies);
      },
    }),

    authedRoute<undefined, undefined, { all?: boolean } | undefined>({
      method: 'post', path: '/api/v1/auth/logout', tag: TAG, operationId: 'logout',
      summary: 'End the current session, or every session of the account',
      description: 'all: true also ends browser sessions and OAuth grants of every client. Clears the cookie-mode cookies.',
      body: z.object({ all: z.boolean().optional() }).optional(),
      responses: { 204: { description: 'Signed out' } },
      async handle({ body, auth, ctx }) {
        await deps.sessions.signOut(auth.session, body?.all === true);
        deps.cookies.clear(ctx);
        return { status: 204 };
      },
    }),

    publicRoute<undefined, undefined, { email: string }>({
      method: 'post', path: '/api/v1/auth/password-reset', tag: TAG, operationId: 'requestPasswordReset',
      summary: 'Mail a password reset link',
      body: z.object({ email: emailField }),
      responses: accepted,
      errors: [RateLimitedError],
      async handle({ body, ctx }) {
        await deps.passwordReset.requestReset(body.email, ctx.ip);
        return { status: 202, body: ACCEPTED_BODY };
      },
    }),

    publicRoute<undefined, undefined, { token: string; new_password: string }>({
      method: 'post', path: '/api/v1/auth/password-reset/confirm', tag: TAG, operationId: 'confirmPasswordReset',
      summary: 'Set a new password with the token from the mail; ends every session',
      body: z.object({ token: tokenField, new_password: passwordField }),
      responses: { 204: { description: 'Password changed' } },
      errors: [
        InvalidTokenError,
        { error: WeakPasswordError, description: 'The password breaks the policy; the token stays usable.' },
      ],
      async handle({ body }) {
        await deps.passwordReset.confirmReset(body.token, body.new_password);
        return { status: 204 };
      },
    }),
  ];
}
