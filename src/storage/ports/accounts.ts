// Accounts: identity, password hash, role and status.

/** A role's name: any stored role (see RoleStore); `user` and `admin` are built in. */
export type Role = string;

export interface Account {
  id: string;
  /** Normalised (see normalizeEmail); unique. */
  email: string;
  emailVerified: boolean;
  name: string | null;
  /** An https URL of the person's picture (the OIDC `picture` claim), or null. */
  picture: string | null;
  role: Role;
  passwordHash: string;
  /** A disabled account cannot sign in by any route; its sessions were revoked when it was disabled. */
  disabled: boolean;
  lastSignInAt: Date | null;
  /** Until when some sign-in source is locked out of the account (rate limits); null or past: not locked. */
  lockedUntil: Date | null;
  /** Part of every rate-limit key of the account: raising it (unlock) lifts every lock at once. */
  lockGeneration: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAccount {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  role: Role;
  passwordHash: string;
  disabled?: boolean;
}

export interface AccountPatch {
  name?: string | null;
  picture?: string | null;
  emailVerified?: boolean;
  role?: Role;
  passwordHash?: string;
  disabled?: boolean;
}

export type AccountStatus = 'active' | 'disabled' | 'locked';

export interface AccountListQuery {
  /** Email or name contains this, case-insensitively. */
  q?: string;
  role?: Role;
  /** disabled: disabled; locked: lockedUntil > now; active: neither. */
  status?: AccountStatus;
  now: Date;
  limit: number;
  /** Continue after this account (order: createdAt descending, then id descending). */
  after?: { createdAt: Date; id: string };
}

export interface AccountWriteOptions {
  /**
   * Refuse with LastAdminError when, after this write, no enabled account
   * would have the `admin` role; decided atomically with the write, so two
   * admins demoting each other at once cannot both succeed.
   */
  keepAnAdmin?: boolean;
}

export interface AccountStore {
  /** Insert; rejects with EmailExistsError when the (normalised) email is taken, also under concurrency. */
  insert(account: NewAccount): Promise<Account>;
  /** The account, or undefined. */
  findById(id: string): Promise<Account | undefined>;
  /** The account with this already-normalised email, or undefined. */
  findByEmail(email: string): Promise<Account | undefined>;
  /** A page of accounts, newest first. */
  list(query: AccountListQuery): Promise<Account[]>;
  /** Apply the patch and bump updatedAt; undefined when the account does not exist. LastAdminError: see options. */
  update(id: string, patch: AccountPatch, options?: AccountWriteOptions): Promise<Account | undefined>;
  /** Set lastSignInAt (no updatedAt bump). */
  recordSignIn(id: string, at: Date): Promise<void>;
  /** Move lockedUntil to `until` when later, unless the lock generation has moved on (an unlock raced the lock). */
  markLocked(id: string, lockGeneration: number, until: Date): Promise<void>;
  /** Raise lockGeneration and clear lockedUntil in one write; undefined when the account does not exist. */
  unlock(id: string): Promise<Account | undefined>;
  /** Delete the account with its sessions and one-time tokens (not its OIDC records: see OidcStore.revokeByAccountId); true when something was deleted. LastAdminError: see options. */
  delete(id: string, options?: AccountWriteOptions): Promise<boolean>;
}
