import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Audit } from '../../services/audit.ts';
import type { Mfa } from '../../services/mfa/mfa.ts';
import type { Account } from '../../storage/ports.ts';
import type { Passkeys } from '../../services/mfa/passkeys.ts';
import type { SignIn } from '../../sign-in/flow.ts';
import type { FormFields } from '../form-body.ts';
import type { Renderer } from '../render.ts';

export interface InteractionDeps {
  provider: Provider;
  signIn: SignIn;
  render: Renderer;
  audit: Pick<Audit, 'record'>;
  /** The signed-in account's address, for "Signed in as …" (undefined: no such account). */
  accountEmail(accountId: string): Promise<string | undefined>;
  /** Enrolling a second factor during sign-in, for a client that requires one (absent: not offered). */
  mfaEnrolment?: {
    findAccount(id: string): Promise<Account | undefined>;
    enrolTotp: Mfa['enrolTotp'];
    confirmTotp: Mfa['confirmTotp'];
  };
  /** Client URLs (logo, policy, terms) may be http on a loopback host: not in production. */
  allowLoopbackHttp: boolean;
  /** Signing in with a passkey (the login page's button); without it the button is not offered. */
  passkeys?: Pick<Passkeys, 'signIn'>;
  /** The MFA page's "Use a security key": which kinds of factor the account has, and request options bound to the interaction. */
  securityKeys?: {
    activeFactors: Mfa['activeFactors'];
    options: Mfa['webauthn']['secondFactorOptions'];
  };
}

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * One of oidc-provider's prompts as the pages handle it (prompts as data,
 * after oidc-provider's interaction policy): the page that asks, and the
 * handling of its form.
 */
export interface InteractionPrompt {
  show(ctx: Context, deps: InteractionDeps, details: InteractionDetails): Promise<void>;
  submit(ctx: Context, deps: InteractionDeps, details: InteractionDetails, form: FormFields): Promise<void>;
}
