// The second factor: required once the account has a confirmed factor. Pages
// show the `mfa` view and post `code`, `recovery_code` or a security key's
// `webauthn_response` (the interaction holds where the sign-in stands, and
// the page adds `interaction`, the uid its challenge was bound to). The one-request surfaces cannot ask in
// the same request, so the step defers there: MFA_REQUIRED with an mfa_token
// that holds the sign-in, finished by the MFA grant (oidc/mfa-grant.ts) with
// the token and the code. What it proves is added to `amr` here: `otp` and
// `mfa` after the password's `pwd` (`hwk` and `mfa` for a security key).
import { z } from 'zod';
import { InvalidMfaCodeError, InvalidMfaResponseError, InvalidMfaTokenError, MfaRequiredError, RateLimitedError, AppError } from '../errors.ts';
import type { AccountService } from '../services/accounts.ts';
import type { Mfa } from '../services/mfa/mfa.ts';
import type { SecondFactorAnswer } from '../services/mfa/second-factor.ts';
import { parseWebauthnResponse } from '../services/mfa/webauthn.ts';
import { passed, refused, type SignInStep, type StepInput } from './step.ts';

export const MFA_STEP_ID = 'mfa';

/** The members of a second-factor answer: page form fields, MFA grant parameters, /api/v1/auth/login/mfa's body. */
export const mfaAnswerFields = {
  code: z.string().trim().min(1).max(16).optional().meta({ description: 'A 6-digit code of an authenticator app (TOTP).' }),
  recovery_code: z.string().trim().min(1).max(32).optional().meta({ description: 'One of the recovery codes, used up by this sign-in.' }),
  webauthn_response: z.string().min(1).max(16384).optional()
    .meta({ description: 'A security key\'s or passkey\'s assertion (the browser\'s PublicKeyCredential as JSON) to the challenge of the login/mfa/options.' }),
};

function answerOf(input: StepInput): SecondFactorAnswer | undefined {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  const code = text(input.code);
  if (code !== undefined) return { code };
  const webauthn = parseWebauthnResponse(input.webauthn_response);
  if (webauthn !== undefined) {
    return {
      webauthn: {
        response: webauthn,
        ...(typeof input.mfa_token === 'string' && { mfaToken: input.mfa_token }),
        ...(typeof input.interaction === 'string' && { interaction: input.interaction }),
      },
    };
  }
  const recoveryCode = text(input.recovery_code);
  return recoveryCode === undefined ? undefined : { recoveryCode };
}

export function createMfaStep(deps: {
  mfa?: Pick<Mfa, 'activeFactors' | 'verify' | 'challenge' | 'pending'>;
  accounts: Pick<AccountService, 'findById'>;
}): SignInStep | undefined {
  const { mfa } = deps;
  if (!mfa) return undefined;
  return {
    id: MFA_STEP_ID,
    factor: true,
    // Not /api/v1/auth/login's members: that route answers MFA_REQUIRED, and the code goes to /login/mfa.
    fields: {},
    errors: [MfaRequiredError, InvalidMfaCodeError, InvalidMfaResponseError, InvalidMfaTokenError, RateLimitedError],

    required: async (state) => state.accountId !== undefined && (await mfa.activeFactors(state.accountId)).length > 0,

    show: (_state, { input }) => ({ view: 'mfa', data: { recovery: typeof input?.recovery_code === 'string' } }),

    async defer(input, state, source, run) {
      if (answerOf(input) !== undefined) return undefined;
      const challenge = await mfa.challenge(state.accountId!, {
        completed: state.completed, amr: state.amr, clientId: source.clientId ?? null, carry: run.carry ?? {},
      });
      return refused(new MfaRequiredError(challenge));
    },

    async submit(input, state, source) {
      const answer = answerOf(input);
      if (answer === undefined) return refused(new InvalidMfaCodeError());
      const account = state.account ?? (state.accountId === undefined ? undefined : await deps.accounts.findById(state.accountId));
      if (!account) return refused(new InvalidMfaTokenError());
      let proof;
      try {
        proof = await mfa.verify(account, answer, { clientId: source.clientId ?? null });
      } catch (err) {
        if (err instanceof AppError) return refused(err, { accountId: account.id });
        throw err;
      }
      // The MFA grant's token is used up only by a correct answer: a wrong
      // code leaves it for the next try (the lock bounds the tries). Of two
      // requests racing with right answers, one finishes the sign-in.
      if (typeof input.mfa_token === 'string' && !(await mfa.pending.consume(input.mfa_token))) {
        return refused(new InvalidMfaTokenError(), { accountId: account.id });
      }
      return passed({ ...state, account, amr: [...new Set([...state.amr, ...proof.amr])] });
    },
  };
}
