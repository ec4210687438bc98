// WebAuthn credentials (@simplewebauthn/server): registration as a second
// factor, and the request options a second-factor sign-in answers. Every
// challenge is random, single use and stored server-side as a pending record
// keyed by its hash (the factor store's pending sign-ins, 5 minutes), bound to
// the account and to what it is for (`enrol` from one session, or the
// mfa_token it answers): an enrolment started in one session is refused when
// finished from another of the same account (a stolen challenge is useless);
// the browser's answer names its challenge in clientDataJSON, which is how
// the record is found and used up, before the signature is even checked.
import { createHash, randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { FactorExistsError, InvalidMfaResponseError, WrongPasswordError } from '../../errors.ts';
import type { Account, Factor, FactorStore } from '../../storage/ports.ts';
import type { AccountService, SignInSource } from '../accounts.ts';
import type { Audit } from '../audit.ts';
import { issueRecoveryCodes } from './recovery-codes.ts';

const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const DEFAULT_NAME = 'Security key';

export interface WebauthnRelyingParty {
  /** PUBLIC_URL's host. */
  id: string;
  name: string;
  /** PUBLIC_URL's origin: the only origin a browser's answer may come from. */
  origin: string;
}

export function relyingPartyOf(publicUrl: string, name: string): WebauthnRelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, name, origin: url.origin };
}

/** What binds a second-factor challenge of the MFA page to its interaction (oidc-provider's uid, found by the interaction cookie). */
export const interactionBinding = (uid: string): string => createHash('sha256').update(`interaction:${uid}`).digest('hex');

const challengeKey = (challenge: string) => createHash('sha256').update(`webauthn:${challenge}`).digest('hex');

/** The challenge the browser signed, from clientDataJSON; undefined for anything malformed. */
export function challengeOf(response: unknown): string | undefined {
  try {
    const data = (response as { response?: { clientDataJSON?: unknown } })?.response?.clientDataJSON;
    if (typeof data !== 'string') return undefined;
    const challenge = (JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as { challenge?: unknown }).challenge;
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 256 ? challenge : undefined;
  } catch {
    return undefined;
  }
}

/** A WebAuthn response as given (a JSON string from a form or grant parameter, or an object); undefined when neither. */
export function parseWebauthnResponse(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      return parseWebauthnResponse(JSON.parse(value));
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export interface WebauthnDeps {
  factors: FactorStore;
  accounts: Pick<AccountService, 'verifyPassword'>;
  audit: Pick<Audit, 'record'>;
  rp: WebauthnRelyingParty;
}

export function createWebauthn(deps: WebauthnDeps) {
  const { factors, audit, rp } = deps;
  const credentials = async (accountId: string) =>
    (await factors.listByAccount(accountId)).filter((f) => f.type === 'webauthn' && f.confirmedAt !== null && f.credentialId !== null);
  const transportsOf = (f: Factor) => f.transports as AuthenticatorTransport[];

  async function remember(challenge: string, accountId: string, context: Record<string, unknown>): Promise<void> {
    await factors.insertPendingSignIn({ hash: challengeKey(challenge), accountId, context, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS) });
  }

  /** Use the response's challenge up: its record when it was issued for this purpose (and account); else undefined. */
  async function useChallenge(response: unknown, purpose: string): Promise<{ challenge: string; accountId: string; context: Record<string, unknown> } | undefined> {
    const challenge = challengeOf(response);
    if (challenge === undefined) return undefined;
    const record = await factors.consumePendingSignIn(challengeKey(challenge), new Date());
    if (!record || record.context.webauthn !== purpose) return undefined;
    return { challenge, accountId: record.accountId, context: record.context };
  }

  return {
    /**
     * WrongPasswordError (a sign-in attempt). Creation options for a
     * discoverable credential, its challenge kept for `register` from the
     * same session (`sessionId`: the access token's, or the console's).
     */
    async registrationOptions(account: Account, password: string, source: SignInSource, sessionId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
      try {
        if (!(await deps.accounts.verifyPassword(account, password, source))) throw new WrongPasswordError();
      } catch (err) {
        const reason = (err as { code?: unknown }).code;
        if (typeof reason === 'string') await audit.record({ type: 'mfa.enrolled', result: 'failure', reason, subjectId: account.id, details: { type: 'webauthn' } });
        throw err;
      }
      const options = await generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: account.email,
        userID: new TextEncoder().encode(account.id),
        attestationType: 'none',
        excludeCredentials: (await credentials(account.id)).map((f) => ({ id: f.credentialId!, transports: transportsOf(f) })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      });
      await remember(options.challenge, account.id, { webauthn: 'enrol', session: sessionId });
      return options;
    },

    /**
     * InvalidMfaResponseError for an unknown, used or foreign challenge (another
     * account's, or issued to another session), or an answer that does not
     * verify. The new factor, with recovery codes when it is the account's
     * first (as a confirmed TOTP app gets them).
     */
    async register(account: Account, sessionId: string, name: string | undefined, response: unknown): Promise<{ factor: Factor; recoveryCodes?: string[] }> {
      const fail = async (reason = InvalidMfaResponseError.code): Promise<never> => {
        await audit.record({ type: 'mfa.enrolled', result: 'failure', reason, subjectId: account.id, details: { type: 'webauthn' } });
        throw new InvalidMfaResponseError();
      };
      const used = await useChallenge(response, 'enrol');
      if (!used || used.accountId !== account.id || used.context.session !== sessionId) return fail();
      let verified;
      try {
        verified = await verifyRegistrationResponse({
          response: response as RegistrationResponseJSON,
          expectedChallenge: used.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: false,
        });
      } catch {
        return fail();
      }
      if (!verified.verified) return fail();
      const { credential } = verified.registrationInfo;
      const hadFactor = (await factors.listByAccount(account.id)).some((f) => f.confirmedAt !== null);
      let factor;
      try {
        factor = await factors.insert({
          id: randomUUID(), accountId: account.id, type: 'webauthn', name: name ?? DEFAULT_NAME,
          credentialId: credential.id,
          publicKey: Buffer.from(credential.publicKey).toString('base64url'),
          counter: credential.counter,
          transports: credential.transports ?? [],
          confirmedAt: new Date(), createdAt: new Date(),
        });
      } catch (err) {
        if (err instanceof FactorExistsError) return fail('CREDENTIAL_EXISTS');
        throw err;
      }
      await audit.record({ type: 'mfa.enrolled', subjectId: account.id, details: { factor_id: factor.id, type: 'webauthn' } });
      return hadFactor ? { factor } : { factor, recoveryCodes: await issueRecoveryCodes(factors, account.id) };
    },

    /** Request options for the account's credentials, the challenge bound to `bound` (the mfa_token's hash, or interactionBinding). */
    async secondFactorOptions(accountId: string, bound: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const options = await generateAuthenticationOptions({
        rpID: rp.id,
        userVerification: 'preferred',
        allowCredentials: (await credentials(accountId)).map((f) => ({ id: f.credentialId!, transports: transportsOf(f) })),
      });
      await remember(options.challenge, accountId, { webauthn: 'mfa', bound });
      return options;
    },

    /**
     * Check a second-factor answer: its challenge issued for this account
     * (and `bound`), its credential one of the account's, the signature, and
     * the counter moved forward atomically. The factor's id, or undefined.
     */
    async verifyAssertion(accountId: string, bound: string, response: unknown): Promise<string | undefined> {
      const used = await useChallenge(response, 'mfa');
      if (!used || used.accountId !== accountId || used.context.bound !== bound) return undefined;
      const credentialId = (response as { id?: unknown }).id;
      if (typeof credentialId !== 'string') return undefined;
      const factor = await factors.findByCredentialId(credentialId);
      if (!factor || factor.accountId !== accountId || factor.type !== 'webauthn' || factor.confirmedAt === null || !factor.publicKey) return undefined;
      let verified;
      try {
        verified = await verifyAuthenticationResponse({
          response: response as unknown as AuthenticationResponseJSON,
          expectedChallenge: used.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          credential: { id: factor.credentialId!, publicKey: Buffer.from(factor.publicKey, 'base64url'), counter: factor.counter, transports: transportsOf(factor) },
          requireUserVerification: false,
        });
      } catch {
        return undefined;
      }
      if (!verified.verified) return undefined;
      const moved = await factors.useWebauthnCounter(factor.id, verified.authenticationInfo.newCounter, new Date());
      return moved ? factor.id : undefined;
    },
  };
}

export type Webauthn = ReturnType<typeof createWebauthn>;
