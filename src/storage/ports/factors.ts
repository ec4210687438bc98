// Second factors (TOTP secrets, WebAuthn credentials), recovery codes and the
// pending sign-ins that wait for a second factor (the mfa_token).
//
// The port holds a TOTP secret as the string it is given: the Store the
// server uses seals it with ENCRYPTION_KEY before it reaches a backend
// (services/factor-encryption.ts, applied in oidc/at-rest.ts).

export type FactorType = 'totp' | 'webauthn';

export interface Factor {
  id: string;
  accountId: string;
  type: FactorType;
  name: string;
  /** TOTP: the shared secret (base32); null for WebAuthn. */
  secret: string | null;
  /** WebAuthn: the credential id (base64url), unique across accounts; null for TOTP. */
  credentialId: string | null;
  /** WebAuthn: the COSE public key (base64url); null for TOTP. */
  publicKey: string | null;
  /** WebAuthn signature counter; 0 for TOTP and for authenticators without one. */
  counter: number;
  /** WebAuthn transports the browser reported (`usb`, `internal`, …); empty for TOTP. */
  transports: string[];
  /** Null while a TOTP factor waits for its first code: a pending factor never signs in. */
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
  /** TOTP replay guard: the last time step accepted; a code is accepted only for a later step. */
  lastUsedStep: number | null;
  createdAt: Date;
}

export interface NewFactor {
  id: string;
  accountId: string;
  type: FactorType;
  name: string;
  secret?: string | null;
  credentialId?: string | null;
  publicKey?: string | null;
  counter?: number;
  transports?: string[];
  /** WebAuthn factors are confirmed by their registration; TOTP ones start pending (null). */
  confirmedAt: Date | null;
  createdAt: Date;
}

/** A sign-in whose password (or first step) passed and that waits for a second factor. */
export interface NewPendingSignIn {
  /** SHA-256 of the mfa_token, hex; the token itself is never stored. */
  hash: string;
  accountId: string;
  /** What the sign-in carries to its end (remember_me, client, amr so far, …); JSON, never a secret. */
  context: Record<string, unknown>;
  expiresAt: Date;
}

export interface PendingSignIn {
  accountId: string;
  context: Record<string, unknown>;
  expiresAt: Date;
}

export interface FactorStore {
  /** Store a factor; FactorExistsError when its credentialId is registered already (also under concurrency). */
  insert(factor: NewFactor): Promise<Factor>;
  /** The factor, or undefined. */
  find(id: string): Promise<Factor | undefined>;
  /** The WebAuthn factor with this credential id (passkey sign-in), or undefined. */
  findByCredentialId(credentialId: string): Promise<Factor | undefined>;
  /** The account's factors, pending ones included, oldest first (ties by id). */
  listByAccount(accountId: string): Promise<Factor[]>;
  /**
   * Accept a TOTP code of time step `step`, atomically (one conditional
   * write): only when the factor is TOTP and `step` is above lastUsedStep.
   * Sets lastUsedStep and lastUsedAt; with `confirm`, also confirms a pending
   * factor (a pending factor is accepted only with `confirm`, a confirmed one
   * only without it). The factor after the write, or undefined when refused.
   * Of concurrent callers with the same step exactly one wins.
   */
  useTotpStep(id: string, step: number, now: Date, options?: { confirm?: boolean }): Promise<Factor | undefined>;
  /**
   * Record a WebAuthn assertion: sets counter and lastUsedAt, only when
   * `counter` is above the stored one or both are 0 (authenticators without
   * a counter). The factor after the write, or undefined when refused (a
   * cloned authenticator, or a concurrent use of the same assertion).
   */
  useWebauthnCounter(id: string, counter: number, now: Date): Promise<Factor | undefined>;
  /** Rename; the factor, or undefined when it is not this account's. */
  rename(id: string, accountId: string, name: string): Promise<Factor | undefined>;
  /** Delete the account's factor; false when it is not this account's. */
  delete(id: string, accountId: string): Promise<boolean>;
  /** Delete TOTP factors still pending that were created before `cutoff`; returns how many. */
  deletePendingBefore(cutoff: Date): Promise<number>;
  /** Delete every factor, recovery code and pending sign-in of the account (admin reset); returns how many factors. */
  deleteAllForAccount(accountId: string): Promise<number>;

  /** Atomically replace the account's recovery codes (SHA-256 hashes, hex) by these: the older ones stop working at once. */
  replaceRecoveryCodes(accountId: string, hashes: string[], now: Date): Promise<void>;
  /** Use a recovery code, atomically: true for exactly one caller; false when unknown, used or another account's. */
  consumeRecoveryCode(accountId: string, hash: string, now: Date): Promise<boolean>;
  /** How many of the account's recovery codes are unused. */
  countRecoveryCodes(accountId: string): Promise<number>;

  /** Store a pending sign-in under its mfa_token's hash. */
  insertPendingSignIn(pending: NewPendingSignIn): Promise<void>;
  /** The pending sign-in when it exists and expiresAt > now; else undefined. */
  findPendingSignIn(hash: string, now: Date): Promise<PendingSignIn | undefined>;
  /** Replace a live pending sign-in's context (e.g. a WebAuthn challenge bound to it); false when unknown, used or expired. */
  setPendingSignInContext(hash: string, context: Record<string, unknown>, now: Date): Promise<boolean>;
  /** Use the pending sign-in up, atomically: it for exactly one caller; undefined when unknown, used or expired. */
  consumePendingSignIn(hash: string, now: Date): Promise<PendingSignIn | undefined>;
  /** Delete pending sign-ins that expired at or before `now` (and used ones); returns how many. */
  deleteExpiredPendingSignIns(now: Date): Promise<number>;
}
