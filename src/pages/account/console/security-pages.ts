// The console's security section: the second factors (list, set up an
// authenticator app, rename, remove) and the recovery codes. The QR code is drawn
// here as inline SVG (no third-party asset, nothing the CSP must allow);
// the secret and its otpauth:// URI are shown beside it once, and recovery
// codes once, on the page that answers the post (never in a URL).
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { AppError, InvalidMfaCodeError, RateLimitedError, WrongPasswordError } from '../../../errors.ts';
import type { Mfa } from '../../../services/mfa/mfa.ts';
import { csrfToken, requireCsrf } from '../../csrf.ts';
import { pageSignInSource } from '../../device-cookie.ts';
import { formBody, formOf } from '../../form-body.ts';
import type { RequireConsole } from '../../console/require-console.ts';
import { consoleState, type ConsoleKit } from './kit.ts';

export type SecurityMfa = Pick<Mfa, 'list' | 'enrolTotp' | 'confirmTotp' | 'rename' | 'remove' | 'regenerateRecoveryCodes'>;

const text = (value: unknown, max: number) => (typeof value === 'string' && value.trim() !== '' && value.length <= max ? value.trim() : undefined);

/** A refusal's words on a form of this section, and the field it marks. */
function refusalOf(err: AppError, field: string): { error: string; errorFields: string[] } {
  if (err instanceof WrongPasswordError) return { error: 'This is not your current password.', errorFields: [field] };
  if (err instanceof RateLimitedError) return { error: 'Too many attempts. Try again later.', errorFields: [field] };
  return { error: err.message, errorFields: [field] };
}

export function addSecurityPages(router: Router, deps: { kit: ConsoleKit; requireConsole: RequireConsole; mfa: SecurityMfa }): void {
  const { kit, mfa } = deps;
  const form = [formBody(), csrfToken(), requireCsrf(kit.render)];

  async function showOverview(ctx: Context, extra: Record<string, unknown> = {}, status?: number) {
    const { factors, recoveryCodesRemaining } = await mfa.list(consoleState(ctx).account.id);
    await kit.render(ctx, 'account-security', { current: 'security', factors, recoveryCodesRemaining, ...extra }, status);
  }

  /** Run a service call of a form; an AppError of the 4xx kind is shown on the overview, on `field` of form `formId`. */
  async function attempt<T>(ctx: Context, formId: string, field: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      ctx.set(err.headers);
      await showOverview(ctx, { failedForm: formId, ...refusalOf(err, field) }, err.status);
      return undefined;
    }
  }

  router.get('/account/security', deps.requireConsole(), csrfToken(), async function showSecurity(ctx) {
    await showOverview(ctx);
  });

  router.post('/account/security/totp', deps.requireConsole(), ...form, async function startTotp(ctx) {
    const password = text(formOf(ctx).password, 256);
    if (!password) return showOverview(ctx, { failedForm: 'totp', error: 'Enter your current password.', errorFields: ['totp_password'] }, 400);
    const { account } = consoleState(ctx);
    const enrolled = await attempt(ctx, 'totp', 'totp_password', () => mfa.enrolTotp(account, password, pageSignInSource(ctx)));
    if (!enrolled) return;
    const qrSvg = await QRCode.toString(enrolled.otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    await kit.render(ctx, 'account-security-totp', {
      current: 'security', factorId: enrolled.id, secret: enrolled.secret, otpauthUri: enrolled.otpauthUri, qrSvg,
    });
  });

  router.post('/account/security/totp/:id/confirm', deps.requireConsole(), ...form, async function confirmTotp(ctx) {
    const id = ctx.params.id!;
    const code = text(formOf(ctx).code, 16);
    const again = (err: AppError) => {
      ctx.set(err.headers);
      return kit.render(ctx, 'account-security-totp', { current: 'security', factorId: id, ...refusalOf(err, 'code') }, err.status);
    };
    if (!code) return again(new InvalidMfaCodeError());
    try {
      const { recoveryCodes } = await mfa.confirmTotp(consoleState(ctx).account, id, code);
      if (!recoveryCodes) {
        ctx.status = 303;
        return ctx.redirect('/account/security?done=mfa-added');
      }
      return kit.render(ctx, 'account-security-codes', { current: 'security', recoveryCodes, first: true });
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return again(err);
      throw err;
    }
  });

  router.post('/account/security/factors/:id/rename', deps.requireConsole(), ...form, async function renameFactor(ctx) {
    const id = ctx.params.id!;
    // The API's rule for a name (PATCH /api/v1/me/mfa/:id): 1 to 64 characters once trimmed.
    const name = text(formOf(ctx).name, 64);
    const field = `rename_name_${id}`;
    if (!name) return showOverview(ctx, { failedForm: `rename-${id}`, error: 'Enter a name of at most 64 characters.', errorFields: [field] }, 400);
    const done = await attempt(ctx, `rename-${id}`, field, () => mfa.rename(consoleState(ctx).account.id, id, name));
    if (!done) return;
    ctx.status = 303;
    ctx.redirect('/account/security?done=mfa-renamed');
  });

  router.post('/account/security/factors/:id/remove', deps.requireConsole(), ...form, async function removeFactor(ctx) {
    const id = ctx.params.id!;
    const password = text(formOf(ctx).password, 256);
    const field = `remove_password_${id}`;
    if (!password) return showOverview(ctx, { failedForm: `remove-${id}`, error: 'Enter your current password.', errorFields: [field] }, 400);
    const { account } = consoleState(ctx);
    const done = await attempt(ctx, `remove-${id}`, field, async () => {
      await mfa.remove(account, id, password, pageSignInSource(ctx));
      return true;
    });
    if (!done) return;
    ctx.status = 303;
    ctx.redirect('/account/security?done=mfa-removed');
  });

  router.post('/account/security/recovery-codes', deps.requireConsole(), ...form, async function regenerateCodes(ctx) {
    const password = text(formOf(ctx).password, 256);
    if (!password) return showOverview(ctx, { failedForm: 'codes', error: 'Enter your current password.', errorFields: ['codes_password'] }, 400);
    const { account } = consoleState(ctx);
    const recoveryCodes = await attempt(ctx, 'codes', 'codes_password', () => mfa.regenerateRecoveryCodes(account, password, pageSignInSource(ctx)));
    if (!recoveryCodes) return;
    await kit.render(ctx, 'account-security-codes', { current: 'security', recoveryCodes, first: false });
  });
}
