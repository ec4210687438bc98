// The mongoose schemas of every port but the OIDC payloads (oidc-models.ts),
// with the indexes each query relies on. Indexes are declared here and built
// once at open by syncIndexes() (mongo-store.ts); the connection runs with
// autoIndex off, so no request ever builds one.
//
// Every schema keys documents by the port's own id (`_id: String`), has no
// `__v` (no document is saved twice through mongoose) and keeps empty objects
// (`minimize: false`: a stored `{}` reads back as `{}`).
import { Schema, type Connection, type Model } from 'mongoose';
import type { ClientSource, OneTimeTokenPurpose, Role, SecretKind, SessionKind } from '../ports.ts';
import { auditEventSchema, type AuditEventDoc } from './audit-models.ts';
import { factorSchema, pendingSignInSchema, recoveryCodesSchema, type FactorDoc, type PendingSignInDoc, type RecoveryCodesDoc } from './mfa-models.ts';
import { OPTIONS, TTL } from './schema-options.ts';

// The audit log's and the second factors' schemas live beside this file.
export * from './audit-models.ts';
export * from './mfa-models.ts';

export interface AccountDoc {
  _id: string;
  /** Normalised by the caller (normalizeEmail); unique. */
  email: string;
  emailVerified: boolean;
  name: string | null;
  /** Absent on documents written before the field: read as null. */
  picture?: string | null;
  role: Role;
  passwordHash: string;
  /** Absent on documents written before these fields: read as false / null / 0. */
  disabled?: boolean;
  lastSignInAt?: Date | null;
  lockedUntil?: Date | null;
  lockGeneration?: number;
  createdAt: Date;
  updatedAt: Date;
}

export const accountSchema = new Schema<AccountDoc>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true },
    emailVerified: { type: Boolean, required: true },
    name: { type: String, default: null },
    picture: { type: String, default: null },
    role: { type: String, required: true },
    passwordHash: { type: String, required: true },
    disabled: { type: Boolean, default: false },
    lastSignInAt: { type: Date, default: null },
    lockedUntil: { type: Date, default: null },
    lockGeneration: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...OPTIONS, collection: 'accounts' },
);
// The unique index, not a prior lookup, decides between concurrent sign-ups.
accountSchema.index({ email: 1 }, { unique: true });
// The admin list pages newest first; ROLE_IN_USE and LAST_ADMIN count by role.
accountSchema.index({ createdAt: -1, _id: -1 });
accountSchema.index({ role: 1 });

export interface RoleDoc {
  /** The role's name. */
  _id: string;
  description: string;
  permissions: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const roleSchema = new Schema<RoleDoc>(
  {
    _id: { type: String, required: true },
    description: { type: String, default: '' },
    permissions: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...OPTIONS, collection: 'roles' },
);

export interface SessionDoc {
  _id: string;
  accountId: string;
  kind: SessionKind;
  clientId: string | null;
  deviceName: string | null;
  deviceType: string | null;
  userAgent: string | null;
  ipAddress: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** Set by revokeAllForAccount to read back exactly the sessions that call revoked. */
  revokedBy?: string;
  /** Absent on sessions stored before it was recorded: read as []. */
  amr?: string[];
}

export const sessionSchema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    kind: { type: String, enum: ['api', 'browser'], required: true },
    clientId: { type: String, default: null },
    deviceName: { type: String, default: null },
    deviceType: { type: String, default: null },
    userAgent: { type: String, default: null },
    ipAddress: { type: String, default: null },
    createdAt: { type: Date, required: true },
    lastActiveAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    revokedBy: { type: String },
    amr: { type: [String], default: undefined },
  },
  { ...OPTIONS, collection: 'sessions' },
);
// findLiveByAccount: newest first.
sessionSchema.index({ accountId: 1, createdAt: -1 });
sessionSchema.index({ revokedBy: 1 }, { partialFilterExpression: { revokedBy: { $type: 'string' } } });
sessionSchema.index({ expiresAt: 1 }, TTL);
// deleteExpired also removes sessions revoked before its cutoff.
sessionSchema.index({ revokedAt: 1 }, { partialFilterExpression: { revokedAt: { $type: 'date' } } });

export interface OneTimeTokenDoc {
  /**
   * The token's slot, `<purpose>:<accountId>` (oneTimeTokenSlot): one token
   * per account and purpose, so storing a new one replaces the old one in a
   * single write (insertReplacing) and no transaction is needed.
   */
  _id: string;
  /** SHA-256 of the token, hex. */
  hash: string;
  accountId: string;
  purpose: OneTimeTokenPurpose;
  expiresAt: Date;
  consumedAt: Date | null;
  createdAt: Date;
}

/** Purposes contain no ':', so the slot splits back unambiguously. */
export const oneTimeTokenSlot = (purpose: OneTimeTokenPurpose, accountId: string): string => `${purpose}:${accountId}`;

export const oneTimeTokenSchema = new Schema<OneTimeTokenDoc>(
  {
    _id: { type: String, required: true },
    hash: { type: String, required: true },
    accountId: { type: String, required: true },
    purpose: { type: String, enum: ['verify-email', 'reset-password'], required: true },
    expiresAt: { type: Date, required: true },
    consumedAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { ...OPTIONS, collection: 'one_time_tokens' },
);
// findLive and consume look tokens up by hash; unique like the SQL primary key.
oneTimeTokenSchema.index({ hash: 1 }, { unique: true });
// Deleting an account deletes its tokens.
oneTimeTokenSchema.index({ accountId: 1 });
oneTimeTokenSchema.index({ expiresAt: 1 }, TTL);

export interface ClientDoc {
  _id: string;
  metadata: Record<string, unknown>;
  /** Absent on clients stored before sources existed: those came from CLIENTS_FILE (or are the built-in one). */
  source?: ClientSource;
  /** A rotated-out secret in its stored (hashed) form, valid until previousSecretExpiresAt. */
  previousSecret?: string | null;
  previousSecretExpiresAt?: Date | null;
  /** Bumped by every update (absent on clients stored before: 0). */
  revision?: number;
  createdAt: Date;
  updatedAt: Date;
}

export const clientSchema = new Schema<ClientDoc>(
  {
    _id: { type: String, required: true },
    metadata: { type: Schema.Types.Mixed, required: true },
    source: { type: String, enum: ['builtin', 'file', 'api'] },
    previousSecret: { type: String, default: null },
    previousSecretExpiresAt: { type: Date, default: null },
    revision: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...OPTIONS, collection: 'clients' },
);

/** The change feed (ChangeStore): one document per topic. */
export interface ChangeDoc {
  _id: string;
  version: number;
}

export const changeSchema = new Schema<ChangeDoc>(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
  },
  { ...OPTIONS, collection: 'change_versions' },
);

export interface SecretDoc {
  _id: string;
  kind: SecretKind;
  material: Record<string, unknown>;
  createdAt: Date;
  /**
   * Breaks createdAt ties (two keys generated in one millisecond): an
   * ObjectId made by the inserting process, increasing within that process.
   */
  seq: string;
}

export const secretSchema = new Schema<SecretDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['signing-key', 'cookie-key', 'audit-key'], required: true },
    material: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    seq: { type: String, required: true },
  },
  { ...OPTIONS, collection: 'secrets' },
);
secretSchema.index({ kind: 1, createdAt: -1, seq: -1 });

/** rate-limiter-flexible's RateLimiterMongo document; the collection every rule shares. */
export interface RateLimitDoc {
  key: string;
  points: number;
  expire: Date | null;
}

export const RATE_LIMIT_COLLECTION = 'rate_limits';

export const rateLimitSchema = new Schema<RateLimitDoc>(
  {
    key: { type: String, required: true },
    points: { type: Number, required: true },
    expire: { type: Date, default: null },
  },
  { versionKey: false, collection: RATE_LIMIT_COLLECTION },
);
// The two indexes RateLimiterMongo.createIndexes() would build on first use
// (same keys, so the same names); built here at open instead, and the limiters
// run with disableIndexesCreation.
rateLimitSchema.index({ expire: -1 }, TTL);
rateLimitSchema.index({ key: 1 }, { unique: true });

export interface Models {
  accounts: Model<AccountDoc>;
  roles: Model<RoleDoc>;
  sessions: Model<SessionDoc>;
  oneTimeTokens: Model<OneTimeTokenDoc>;
  clients: Model<ClientDoc>;
  changes: Model<ChangeDoc>;
  secrets: Model<SecretDoc>;
  rateLimits: Model<RateLimitDoc>;
  auditEvents: Model<AuditEventDoc>;
  factors: Model<FactorDoc>;
  recoveryCodes: Model<RecoveryCodesDoc>;
  pendingSignIns: Model<PendingSignInDoc>;
}

/** Compile every schema on this connection (no I/O). */
export function defineModels(connection: Connection): Models {
  return {
    accounts: connection.model<AccountDoc>('Account', accountSchema),
    roles: connection.model<RoleDoc>('Role', roleSchema),
    sessions: connection.model<SessionDoc>('Session', sessionSchema),
    oneTimeTokens: connection.model<OneTimeTokenDoc>('OneTimeToken', oneTimeTokenSchema),
    clients: connection.model<ClientDoc>('Client', clientSchema),
    changes: connection.model<ChangeDoc>('Change', changeSchema),
    secrets: connection.model<SecretDoc>('Secret', secretSchema),
    rateLimits: connection.model<RateLimitDoc>('RateLimit', rateLimitSchema),
    auditEvents: connection.model<AuditEventDoc>('AuditEvent', auditEventSchema),
    factors: connection.model<FactorDoc>('MfaFactor', factorSchema),
    recoveryCodes: connection.model<RecoveryCodesDoc>('MfaRecoveryCodes', recoveryCodesSchema),
    pendingSignIns: connection.model<PendingSignInDoc>('MfaPendingSignIn', pendingSignInSchema),
  };
}
