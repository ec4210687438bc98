// The password step: email and password, checked by AccountService.authenticate
// (the same work for an unknown email and a wrong password). It names the
// account for the steps after it.
import { AccountDisabledError, EmailNotVerifiedError, InvalidCredentialsError, RateLimitedError, ServerBusyError, ValidationError, type AppError } from '../errors.ts';
import { emailField, passwordField } from '../fields.ts';
import type { AccountService, AuthenticationResult } from '../services/accounts.ts';
import { z } from 'zod';
import { passed, refused, type SignInStep } from './step.ts';

/**
 * What the step needs from any surface: something in both fields. The rest
 * (format, length) is the account service's business, which answers
 * INVALID_CREDENTIALS for anything that is not an account's password.
 */
const credentials = z.object({ email: z.string().trim().min(1), password: z.string().min(1) });

type Failure = Extract<AuthenticationResult, { ok: false }>;

/**
 * The one translation of the account service's refusals; every surface shows
 * the AppError it yields. A new reason there is a compile error here until
 * it gets its line.
 */
const REFUSALS: { [R in Failure['reason']]: (failure: Failure & { reason: R }) => AppError } = {
  INVALID_CREDENTIALS: () => new InvalidCredentialsError(),
  EMAIL_NOT_VERIFIED: () => new EmailNotVerifiedError(),
  ACCOUNT_DISABLED: () => new AccountDisabledError(),
  RATE_LIMITED: (failure) => new RateLimitedError(failure.retryAfterSeconds),
  UNAVAILABLE: (failure) => new ServerBusyError(failure.retryAfterSeconds),
};

function refusalOf<F extends Failure>(failure: F): AppError {
  return (REFUSALS[failure.reason] as (f: F) => AppError)(failure);
}

export function createPasswordStep(deps: { accounts: Pick<AccountService, 'authenticate'> }): SignInStep {
  return {
    id: 'password',
    amr: 'pwd',
    factor: true,
    fields: { email: emailField, password: passwordField },
    errors: [InvalidCredentialsError, EmailNotVerifiedError, AccountDisabledError, RateLimitedError, ServerBusyError],

    show(_state, { input, loginHint }) {
      const typed = typeof input?.email === 'string' ? input.email : undefined;
      return { view: 'login', data: { email: typed ?? loginHint ?? '' } };
    },

    async submit(input, state, source) {
      const parsed = credentials.safeParse(input);
      if (!parsed.success) return refused(new ValidationError([], 'Enter your email and password.'));
      // The address as typed: authenticate normalises it, and rate limits key on it.
      const result = await deps.accounts.authenticate(input.email as string, parsed.data.password, source);
      if (!result.ok) return refused(refusalOf(result), { accountId: result.accountId, locked: result.locked === true });
      return passed({ ...state, accountId: result.account.id, account: result.account });
    },
  };
}
