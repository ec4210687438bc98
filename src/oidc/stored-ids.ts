// What oidc-provider's records are stored under. A bearer value (a token, a
// code, a session or interaction cookie value) is stored only as its SHA-256,
// so a copy of the database yields nothing that can be presented: whoever
// presents a value has it, and the adapter hashes it to look the record up
// (API.md, "Data at rest"). The values are random (oidc-provider's nanoid, 256
// bits by default), so a plain hash cannot be reversed by guessing; no salt
// or slow hash is needed, and the SQL migration can compute the same hash.
//
// Ids that other records reference in clear stay in clear: a Grant id is in
// every token's `grantId`, and a Client id is public. A Session's `uid` (the
// `sid` claim) is not its id: the id is the cookie value.
import { createHash } from 'node:crypto';
import { createCipher, isSealed } from '../services/encryption.ts';
import type { OidcPayload } from '../storage/ports.ts';

/** Models whose id is a bearer value (oidc-provider 9 lib/models). */
export const HASHED_ID_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'BackchannelAuthenticationRequest',
  'ClientCredentials',
  'DeviceCode',
  'InitialAccessToken',
  'Interaction',
  'PreAuthorizedCode',
  'PushedAuthorizationRequest',
  'RefreshToken',
  'RegistrationAccessToken',
  'ReplayDetection',
  'Session',
]);

export const hashId = (id: string): string => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * A record found by another field (a Session by uid, a DeviceCode by user
 * code) comes back without its clear id, which only its holder knows. Its
 * `jti` is then this marker plus the stored hash (kept in the payload as
 * `idHash`), so oidc-provider can still save, consume or destroy it. Finds
 * always hash what they are given, so presenting a marker (or a hash from a
 * dump) as a token finds nothing.
 */
const FOUND_BY_OTHER_FIELD = 'stored-hash:';

/** Whether `id` is the marker of a record found by another field (see above). */
export const isFoundByOtherField = (id: string): boolean => id.startsWith(FOUND_BY_OTHER_FIELD);

/** Where a record is stored, for a write (upsert, consume, destroy) on an id oidc-provider holds. */
export function storedIdForWrite(id: string): string {
  return id.startsWith(FOUND_BY_OTHER_FIELD) ? id.slice(FOUND_BY_OTHER_FIELD.length) : hashId(id);
}

/** Stands for the clear id inside stored strings that must contain it (an Interaction's returnTo URL). */
const ID_PLACEHOLDER = '{stored-id}';

/**
 * An Interaction references other bearer values that oidc-provider later
 * finds by their clear value: the device code being approved (RFC 8628) and
 * the pushed request's id (RFC 9126). They are sealed with a key derived from
 * the Interaction's own clear id, so only the holder of its cookie can read
 * them back.
 */
const SEALED_INTERACTION_FIELDS = ['deviceCode', 'parJti'];
const fieldCipher = (clearId: string) => createCipher(clearId);

/**
 * The payload as stored: without `jti` (oidc-provider puts the value itself
 * there), an Interaction's copy of the Session cookie value dropped (nothing
 * reads `session.cookie` back), its returnTo URL without its own id and its
 * references to other bearer values sealed.
 */
export function sealPayload(model: string, id: string, payload: OidcPayload): OidcPayload {
  const sealed: OidcPayload = { ...payload, idHash: storedIdForWrite(id) };
  delete sealed.jti;
  if (model === 'Interaction') {
    if (typeof sealed.returnTo === 'string') sealed.returnTo = sealed.returnTo.split(id).join(ID_PLACEHOLDER);
    for (const field of SEALED_INTERACTION_FIELDS) {
      const value = sealed[field];
      if (typeof value === 'string') sealed[field] = fieldCipher(id).seal(value, field);
    }
    if (isObject(sealed.session) && 'cookie' in sealed.session) {
      const session = { ...sealed.session };
      delete session.cookie;
      sealed.session = session;
    }
  }
  return sealed;
}

/**
 * The payload oidc-provider stored, from a sealed one and the clear id it was
 * found by; without that id (found by another field), `jti` is the marker.
 */
export function openPayload(model: string, clearId: string | undefined, sealed: OidcPayload): OidcPayload {
  const { idHash, ...rest } = sealed;
  const id = clearId ?? `${FOUND_BY_OTHER_FIELD}${String(idHash)}`;
  const payload: OidcPayload = { ...rest, jti: id };
  if (model === 'Interaction' && clearId !== undefined) {
    if (typeof payload.returnTo === 'string') payload.returnTo = payload.returnTo.split(ID_PLACEHOLDER).join(id);
    for (const field of SEALED_INTERACTION_FIELDS) {
      const value = payload[field];
      if (isSealed(value)) payload[field] = fieldCipher(clearId).open(value, field);
    }
  }
  return payload;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
