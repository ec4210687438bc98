// oidc-provider's payloads: one collection per model ("oidc_accesstoken",
// "oidc_session", ...), each document `{ _id, payload, expiresAt, consumedAt }`
// (the shape of oidc-provider's own MongoDB adapter example), with the lookup
// indexes the OidcStore queries by.
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

export interface OidcDoc {
  _id: string;
  payload: OidcPayload;
  expiresAt: Date | null;
  consumedAt: Date | null;
}

export const oidcCollectionName = (model: OidcModelName): string => `oidc_${model.toLowerCase()}`;

/** Only documents whose field is a string are indexed, as the SQL backend copies only string lookup fields. */
const whenString = (path: string) => ({ partialFilterExpression: { [path]: { $type: 'string' } } });

export function createOidcSchema(collection: string): Schema<OidcDoc> {
  const schema = new Schema<OidcDoc>(
    {
      _id: { type: String, required: true },
      payload: { type: Schema.Types.Mixed, required: true },
      expiresAt: { type: Date, default: null },
      consumedAt: { type: Date, default: null },
    },
    { versionKey: false, minimize: false, id: false, strict: true, collection },
  );
  // Expired records are already invisible to find and consume (the queries
  // compare expiresAt with now); the TTL monitor only reclaims the space.
  // Documents with expiresAt null are never removed by it.
  schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  schema.index({ 'payload.grantId': 1 }, whenString('payload.grantId'));
  schema.index({ 'payload.sessionUid': 1 }, whenString('payload.sessionUid'));
  schema.index({ 'payload.accountId': 1 }, whenString('payload.accountId'));
  // Unique per model, like the SQL backend's (model, uid) and (model, user_code).
  schema.index({ 'payload.uid': 1 }, { unique: true, ...whenString('payload.uid') });
  schema.index({ 'payload.userCode': 1 }, { unique: true, ...whenString('payload.userCode') });
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
