// The second factors' schemas (FactorStore): factors, recovery codes and
// sign-ins waiting for their second factor.
import { Schema } from 'mongoose';
import type { FactorType } from '../ports.ts';
import { OPTIONS, TTL } from './schema-options.ts';

export interface FactorDoc {
  _id: string;
  accountId: string;
  type: FactorType;
  name: string;
  secret: string | null;
  /** Absent (never null) on TOTP factors: FerretDB builds no partial index, and its unique index skips missing fields only. */
  credentialId?: string;
  publicKey: string | null;
  counter: number;
  transports: string[];
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedStep: number | null;
  createdAt: Date;
}

export const factorSchema = new Schema<FactorDoc>(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    type: { type: String, enum: ['totp', 'webauthn'], required: true },
    name: { type: String, required: true },
    secret: { type: String, default: null },
    credentialId: { type: String },
    publicKey: { type: String, default: null },
    counter: { type: Number, default: 0 },
    transports: { type: [String], default: [] },
    confirmedAt: { type: Date, default: null },
    lastUsedAt: { type: Date, default: null },
    lastUsedStep: { type: Number, default: null },
    createdAt: { type: Date, required: true },
  },
  { ...OPTIONS, collection: 'mfa_factors' },
);
// The unique index decides between two registrations of one credential.
factorSchema.index({ credentialId: 1 }, { unique: true, partialFilterExpression: { credentialId: { $type: 'string' } } });
factorSchema.index({ accountId: 1, createdAt: 1, _id: 1 });
factorSchema.index({ confirmedAt: 1, createdAt: 1 });

/**
 * An account's recovery codes, all in one document keyed by the account:
 * replacing them is one write, and using one is a compare-and-set on
 * `revision` (no positional update, which FerretDB 1.x lacks).
 */
export interface RecoveryCodesDoc {
  _id: string;
  codes: { hash: string; usedAt: Date | null }[];
  revision: number;
  updatedAt: Date;
}

export const recoveryCodesSchema = new Schema<RecoveryCodesDoc>(
  {
    _id: { type: String, required: true },
    codes: { type: [{ _id: false, hash: { type: String, required: true }, usedAt: { type: Date, default: null } }], default: [] },
    revision: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...OPTIONS, collection: 'mfa_recovery_codes' },
);

export interface PendingSignInDoc {
  /** SHA-256 of the mfa_token, hex. */
  _id: string;
  accountId: string;
  context: Record<string, unknown>;
  expiresAt: Date;
  consumedAt: Date | null;
}

export const pendingSignInSchema = new Schema<PendingSignInDoc>(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    context: { type: Schema.Types.Mixed, required: true },
    expiresAt: { type: Date, required: true },
    consumedAt: { type: Date, default: null },
  },
  { ...OPTIONS, collection: 'mfa_pending_sign_ins' },
);
pendingSignInSchema.index({ accountId: 1 });
pendingSignInSchema.index({ expiresAt: 1 }, TTL);
