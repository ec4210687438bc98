// oidc-provider's payloads: one collection per model ("oidc_accesstoken",
// "oidc_session", ...), each document
// `{ _id, data, expiresAt, consumedAt, grantId?, sessionUid?, accountId?, uid?, userCode?, clientId? }`.
//
// `data` is the payload as JSON text, not a subdocument: payloads have keys a
// BSON document cannot hold as they are — resource indicators
// (`http://host/api`) and client ids as keys contain `.`, which FerretDB
// refuses and MongoDB before 5.0 refuses in updates, and keys may start with
// `$`. Text round-trips any key. The fields the OidcStore queries by are
// copied out of the payload beside it (only when they are strings, as the SQL
// backend copies its lookup columns), with indexes on them.
//
// oidc-provider's model names are a fixed list, so every collection is
// compiled and its indexes synced at open; a name outside the list is a bug
// and is refused, rather than creating a collection and its indexes in the
// middle of a request.
import { Schema, type Connection, type Model } from 'mongoose';
import type { OidcPayload } from '../ports.ts';

/** Every model oidc-provider 9 hands its adapter (lib/models/*.js class names). */
export const OIDC_MODEL_NAMES = [
  'AccessToken',
  'AuthorizationCode',
  'BackchannelAuthenticationRequest',
  'Client',
  'ClientCredentials',
  'DeviceCode',
  'Grant',
  'InitialAccessToken',
  'Interaction',
  'PreAuthorizedCode',
  'PushedAuthorizationRequest',
  'RefreshToken',
  'RegistrationAccessToken',
  'ReplayDetection',
  'Session',
] as const;

export type OidcModelName = (typeof OIDC_MODEL_NAMES)[number];

/**
 * The payload fields the store looks records up by, copied beside `data` when
 * they are strings; `clientId` is read when a session's holders are listed,
 * and searched when a deleted client's grants and tokens are revoked.
 */
export const LOOKUP_FIELDS = ['grantId', 'sessionUid', 'accountId', 'uid', 'userCode', 'clientId'] as const;
export type LookupField = (typeof LOOKUP_FIELDS)[number];

export interface OidcDoc extends Partial<Record<LookupField, string>> {
  _id: string;
  /** JSON.stringify(payload). */
  data: string;
  expiresAt: Date | null;
  consumedAt: Date | null;
}

/** The lookup fields of a payload: strings are copied, anything else is left out (the fields to unset). */
export function lookupFields(payload: OidcPayload): { set: Partial<Record<LookupField, string>>; unset: LookupField[] } {
  const set: Partial<Record<LookupField, string>> = {};
  const unset: LookupField[] = [];
  for (const field of LOOKUP_FIELDS) {
    const value = payload[field];
    if (typeof value === 'string') set[field] = value;
    else unset.push(field);
  }
  return { set, unset };
}

export const oidcCollectionName = (model: OidcModelName): string => `oidc_${model.toLowerCase()}`;

/** Only documents whose field is a string are indexed, as the SQL backend copies only string lookup fields. */
const whenString = (path: string) => ({ partialFilterExpression: { [path]: { $type: 'string' } } });

export function createOidcSchema(collection: string): Schema<OidcDoc> {
  const schema = new Schema<OidcDoc>(
    {
      _id: { type: String, required: true },
      data: { type: String, required: true },
      expiresAt: { type: Date, default: null },
      consumedAt: { type: Date, default: null },
      ...Object.fromEntries(LOOKUP_FIELDS.map((field) => [field, { type: String }])),
    },
    { versionKey: false, minimize: false, id: false, strict: true, collection },
  );
  // Expired records are already invisible to find and consume (the queries
  // compare expiresAt with now); the TTL monitor only reclaims the space.
  // Documents with expiresAt null are never removed by it.
  schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  schema.index({ grantId: 1 }, whenString('grantId'));
  schema.index({ sessionUid: 1 }, whenString('sessionUid'));
  schema.index({ accountId: 1 }, whenString('accountId'));
  schema.index({ clientId: 1 }, whenString('clientId'));
  // Unique per model, like the SQL backend's (model, uid) and (model, user_code).
  schema.index({ uid: 1 }, { unique: true, ...whenString('uid') });
  schema.index({ userCode: 1 }, { unique: true, ...whenString('userCode') });
  return schema;
}

export type OidcModels = ReadonlyMap<string, Model<OidcDoc>>;

/** Compile one model per oidc-provider model name on this connection (no I/O). */
export function defineOidcModels(connection: Connection): OidcModels {
  const models = new Map<string, Model<OidcDoc>>();
  for (const name of OIDC_MODEL_NAMES) {
    const collection = oidcCollectionName(name);
    models.set(name, connection.model<OidcDoc>(`Oidc${name}`, createOidcSchema(collection), collection));
  }
  return models;
}
