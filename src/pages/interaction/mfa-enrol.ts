// Enrolling a second factor during sign-in: a client that requires MFA
// (require_mfa, the MFA acr) and an account without a factor. The session
// proved the password; the page asks it again (enrolling is a change to the
// account, as on /account/security), shows the QR code, and the first code
// confirms the factor, which is the second factor of this sign-in: the login
// result says pwd, otp, mfa. Recovery codes are shown once before going on.
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { AppError, InvalidMfaCodeError, RateLimitedError, WrongPasswordError } from '../../errors.ts';
import { acrOf } from '../../oidc/mfa-policy.ts';
import { pageSignInSource } from '../device-cookie.ts';
import type { FormFields } from '../form-body.ts';
import { clientDisplayName } from './load.ts';
import type { InteractionDeps, InteractionDetails } from './types.ts';

export const MFA_ENROL_STEP = 'mfa-enrol';

const text = (value: unknown, max: number) => (typeof value === 'string' && value.trim() !== '' && value.length <= max ? value.trim() : undefined);

function refusalOf(err: AppError, field: string) {
  if (err instanceof WrongPasswordError) return { error: 'This is not your current password.', errorFields: [field] };
  if (err instanceof RateLimitedError) return { error: 'Too many attempts. Try again later.', errorFields: [field] };
  return { error: err.message, errorFields: [field] };
}

async function draw(ctx: Context, deps: InteractionDeps, details: InteractionDetails, data: Record<string, unknown>, status?: number) {
  await deps.render(ctx, 'mfa-enrol', { ...data, uid: details.uid, step: MFA_ENROL_STEP, clientName: await clientDisplayName(deps, details) }, status);
}

export async function showMfaEnrol(ctx: Context, deps: InteractionDeps, details: InteractionDetails): Promise<void> {
  await draw(ctx, deps, details, { stage: 'password' });
}

export async function submitMfaEnrol(
  ctx: Context,
  deps: InteractionDeps,
  details: InteractionDetails,
  form: FormFields,
  signedIn: { accountId: string; amr: string[] },
): Promise<void> {
  const enrolment = deps.mfaEnrolment;
  const account = enrolment && (await enrolment.findAccount(signedIn.accountId));
  if (!enrolment || !account) return draw(ctx, deps, details, { stage: 'password', error: 'Two-step verification cannot be set up now.' }, 503);
  const fail = (err: unknown, stage: string, field: string, extra: Record<string, unknown> = {}) => {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    ctx.set(err.headers);
    return draw(ctx, deps, details, { stage, ...extra, ...refusalOf(err, field) }, err.status);
  };

  const factorId = text(form.factor_id, 64);
  if (factorId === undefined) {
    const password = text(form.password, 256);
    if (!password) return draw(ctx, deps, details, { stage: 'password', error: 'Enter your password.', errorFields: ['password'] }, 400);
    try {
      const enrolled = await enrolment.enrolTotp(account, password, pageSignInSource(ctx));
      const qrSvg = await QRCode.toString(enrolled.otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return draw(ctx, deps, details, { stage: 'code', factorId: enrolled.id, secret: enrolled.secret, otpauthUri: enrolled.otpauthUri, qrSvg });
    } catch (err) {
      return fail(err, 'password', 'password');
    }
  }

  const code = text(form.code, 16);
  let recoveryCodes: string[] | undefined;
  try {
    if (!code) throw new InvalidMfaCodeError();
    ({ recoveryCodes } = await enrolment.confirmTotp(account, factorId, code));
  } catch (err) {
    return fail(err, 'code', 'code', { factorId });
  }
  const amr = [...new Set([...signedIn.amr, 'otp', 'mfa'])];
  const returnTo = await deps.provider.interactionResult(ctx.req, ctx.res, { login: { accountId: account.id, amr, acr: acrOf(amr) } }, { mergeWithLastSubmission: false });
  if (!recoveryCodes) {
    ctx.status = 303;
    return ctx.redirect(returnTo);
  }
  await draw(ctx, deps, details, { stage: 'codes', recoveryCodes, returnTo });
}
