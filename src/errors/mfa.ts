// Errors of multi-factor authentication (API.md, "Multi-factor authentication").
import { AppError, NotFoundError } from './base.ts';

export class InvalidMfaCodeError extends AppError {
  static override readonly code = 'INVALID_MFA_CODE';
  static override readonly status = 400;
  static override readonly description = 'The one-time or recovery code is wrong, expired or already used.';

  constructor() {
    super('The code is not valid.');
  }
}

export class InvalidMfaTokenError extends AppError {
  static override readonly code = 'INVALID_MFA_TOKEN';
  static override readonly status = 401;
  static override readonly description = 'The mfa_token is unknown, expired or already used.';

  constructor() {
    super('This sign-in has expired or is unknown; sign in again.');
  }
}

export class InvalidMfaResponseError extends AppError {
  static override readonly code = 'INVALID_MFA_RESPONSE';
  static override readonly status = 400;
  static override readonly description = 'The security key\'s response does not verify.';

  constructor(message = 'The security key response could not be verified.') {
    super(message);
  }
}

export class FactorNotFoundError extends NotFoundError {
  static override readonly code = 'NOT_FOUND';
  static override readonly description = 'No such factor of this account.';

  constructor() {
    super('No such factor.');
  }
}

/** Stores reject with this when a WebAuthn credential id is already registered. */
export class FactorExistsError extends InvalidMfaResponseError {
  constructor() {
    super('This security key is already registered.');
  }
}

/** The body member that goes with MFA_REQUIRED: what the client needs to finish the sign-in. */
export interface MfaChallengeBody {
  /** The mfa_token: random, single use, bound to the account and the pending sign-in. */
  token: string;
  expires_in: number;
  factors: { id: string; type: 'totp' | 'webauthn' }[];
}

/** A correct password for an account with a second factor: the sign-in goes on at POST /api/v1/auth/login/mfa. */
export class MfaRequiredError extends AppError {
  static override readonly code = 'MFA_REQUIRED';
  static override readonly status = 403;
  static override readonly description = 'The password is right; finish with a second factor at POST /api/v1/auth/login/mfa using the `mfa` member of the body.';

  readonly mfa: MfaChallengeBody;

  constructor(mfa: MfaChallengeBody) {
    super('A second factor is required to finish signing in.', { body: { mfa } });
    this.mfa = mfa;
  }
}
