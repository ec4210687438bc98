// Signing in with a passkey and no password (API.md, POST /api/v1/auth/passkey):
// a discoverable credential enrolled as a second factor (webauthn.ts) names
// its account itself. The request options carry no allowCredentials; the
// challenge is random and single use: issuing it takes the first of two
// points of a rate-limit key made of its hash, using it the second, so only
// the first use of an issued challenge finds exactly two (atomic in every
// backend); a challenge never issued finds one, a used one is refused.
// User verification is required: the passkey proves possession and the user
// (amr hwk and user).
import { createHash } from 'node:crypto';
import { generateAuthenticationOptions, verifyAuthenticationResponse, type AuthenticationResponseJSON, type AuthenticatorTransport, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { AccountDisabledError, EmailNotVerifiedError, InvalidCredentialsError } from '../../errors.ts';
import type { Account, FactorStore } from '../../storage/ports.ts';
import type { AccountService } from '../accounts.ts';
import { userActor, type Audit } from '../audit.ts';
import { challengeOf, type WebauthnRelyingParty } from './webauthn.ts';

export const PASSKEY_CHALLENGE_TTL_SECONDS = 300;
export const PASSKEY_AMR = ['hwk', 'user'];

export interface PasskeyDeps {
  factors: Pick<FactorStore, 'findByCredentialId' | 'useWebauthnCounter'>;
  accounts: Pick<AccountService, 'findById'>;
  audit: Pick<Audit, 'record'>;
  rp: WebauthnRelyingParty;
  /** A limiter of 2 points per PASSKEY_CHALLENGE_TTL_SECONDS (store.createRateLimiter). */
  challenges: RateLimiterAbstract;
  /** REQUIRE_EMAIL_VERIFICATION: refused as after a correct password (AccountService.authenticate). */
  requireEmailVerification: boolean;
}

const keyOf = (challenge: string) => createHash('sha256').update(challenge).digest('hex');

export function createPasskeys(deps: PasskeyDeps) {
  const { factors, audit, rp, challenges } = deps;

  async function useChallenge(challenge: string): Promise<boolean> {
    try {
      return (await challenges.consume(keyOf(challenge))).consumedPoints === 2;
    } catch (err) {
      if (err instanceof Error) throw err;
      return false; // the limiter's refusal: used already
    }
  }

  return {
    async options(): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required' });
      await challenges.consume(keyOf(options.challenge));
      return options;
    },

    /**
     * The account the passkey signs in: InvalidCredentialsError for an
     * unknown, used or foreign challenge, an unknown credential or a bad
     * signature; AccountDisabledError; EmailNotVerifiedError (with
     * REQUIRE_EMAIL_VERIFICATION, told only after a valid passkey, as after a
     * correct password). Failures and the success are audited
     * as sign_in with method passkey; the counter moves forward atomically.
     */
    async signIn(response: unknown, context: { clientId: string | null; ip?: string }): Promise<Account> {
      const common = { clientId: context.clientId, ...(context.ip !== undefined && { ip: context.ip }) };
      const refuse = async (err: InvalidCredentialsError | AccountDisabledError | EmailNotVerifiedError, subjectId: string | null): Promise<never> => {
        await audit.record({ type: 'sign_in', result: 'failure', reason: (err.constructor as typeof InvalidCredentialsError).code, subjectId, ...common, details: { method: 'passkey' } });
        throw err;
      };
      const challenge = challengeOf(response);
      const credentialId = (response as { id?: unknown } | null)?.id;
      if (challenge === undefined || typeof credentialId !== 'string' || !(await useChallenge(challenge))) return refuse(new InvalidCredentialsError(), null);
      const factor = await factors.findByCredentialId(credentialId);
      if (!factor || factor.type !== 'webauthn' || factor.confirmedAt === null || !factor.publicKey) return refuse(new InvalidCredentialsError(), null);
      let verified;
      try {
        verified = await verifyAuthenticationResponse({
          response: response as AuthenticationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          credential: { id: credentialId, publicKey: Buffer.from(factor.publicKey, 'base64url'), counter: factor.counter, transports: factor.transports as AuthenticatorTransport[] },
          requireUserVerification: true,
        });
      } catch {
        return refuse(new InvalidCredentialsError(), factor.accountId);
      }
      // The user handle, when given, is the account the credential was made for.
      const userHandle = (response as { response?: { userHandle?: unknown } }).response?.userHandle;
      if (!verified.verified || (typeof userHandle === 'string' && userHandle !== Buffer.from(factor.accountId).toString('base64url'))) {
        return refuse(new InvalidCredentialsError(), factor.accountId);
      }
      const account = await deps.accounts.findById(factor.accountId);
      if (!account) return refuse(new InvalidCredentialsError(), null);
      if (account.disabled) return refuse(new AccountDisabledError(), account.id);
      if (deps.requireEmailVerification && !account.emailVerified) return refuse(new EmailNotVerifiedError(), account.id);
      if (!(await factors.useWebauthnCounter(factor.id, verified.authenticationInfo.newCounter, new Date()))) {
        return refuse(new InvalidCredentialsError(), account.id);
      }
      await audit.record({
        type: 'sign_in', actor: userActor(account.id), subjectId: account.id, ...common,
        details: { method: 'passkey', amr: PASSKEY_AMR, factor_id: factor.id },
      });
      return account;
    },
  };
}

export type Passkeys = ReturnType<typeof createPasskeys>;
