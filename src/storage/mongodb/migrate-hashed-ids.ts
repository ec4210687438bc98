// The MongoDB counterpart of SQL migration 003-hashed-token-ids: records of
// bearer models saved with their clear value as _id move to its SHA-256 hex
// (src/oidc/stored-ids.ts), without `jti`; Interactions in the old form are
// dropped (short-lived, and they hold a copy of the session cookie value).
// A record written by the first MongoDB layout (the payload as a
// subdocument, `payload`) is rewritten in the current one (`data` as JSON
// text with the lookup fields beside it, oidc-models.ts) on the way.
// Run at every open; a document is in the old form when its _id is not 64 hex
// digits (oidc-provider's values are 43-character nanoids), so a finished or
// interrupted run simply has nothing (or less) left to do.
import { createHash } from 'node:crypto';
import type { Model } from 'mongoose';
import type { OidcPayload } from '../ports.ts';
import { op } from './guards.ts';
import { lookupFields, type OidcDoc, type OidcModels } from './oidc-models.ts';

/** Frozen with the migration, like the SQL one: the models hashed when it was written. */
const MODELS = [
  'AccessToken', 'AuthorizationCode', 'BackchannelAuthenticationRequest', 'ClientCredentials', 'DeviceCode',
  'InitialAccessToken', 'PreAuthorizedCode', 'PushedAuthorizationRequest', 'RefreshToken', 'RegistrationAccessToken',
  'ReplayDetection', 'Session',
];

const OLD_FORM = { _id: op({ $not: /^[0-9a-f]{64}$/ }) };

/** A stored document in either layout. */
type AnyDoc = Partial<OidcDoc> & { _id: string; payload?: OidcPayload };

function payloadOf(doc: AnyDoc): OidcPayload {
  if (doc.payload && typeof doc.payload === 'object') return doc.payload;
  return typeof doc.data === 'string' ? (JSON.parse(doc.data) as OidcPayload) : {};
}

async function migrateModel(model: Model<OidcDoc>): Promise<number> {
  let moved = 0;
  for await (const doc of model.find(OLD_FORM).lean<AnyDoc>().cursor()) {
    const hash = createHash('sha256').update(doc._id, 'utf8').digest('hex');
    const payload: OidcPayload = { ...payloadOf(doc), idHash: hash };
    delete payload.jti;
    // Delete first: the unique uid index (Session) would refuse the copy
    // while the original exists. A crash in between loses this one record.
    await model.deleteOne({ _id: doc._id });
    await model.updateOne(
      { _id: hash },
      {
        $setOnInsert: {
          data: JSON.stringify(payload), ...lookupFields(payload).set,
          expiresAt: doc.expiresAt ?? null, consumedAt: doc.consumedAt ?? null,
        },
      },
      { upsert: true },
    );
    moved += 1;
  }
  return moved;
}

/** Rewrite old-form records; returns how many were moved or dropped. */
export async function migrateHashedIds(models: OidcModels): Promise<number> {
  let count = 0;
  const interaction = models.get('Interaction');
  if (interaction) count += (await interaction.deleteMany(OLD_FORM)).deletedCount;
  for (const name of MODELS) {
    const model = models.get(name);
    if (model) count += await migrateModel(model);
  }
  return count;
}
