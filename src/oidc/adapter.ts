// oidc-provider's storage adapter, on the store's ports. oidc-provider builds
// one adapter per model name ("AccessToken", "Session", "Client", ...).
import { errors, Provider, type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider';
import type { ClientStore, OidcPayload, OidcRecord, OidcStore } from '../storage/ports.ts';
import { HASHED_ID_MODELS, hashId, openPayload, sealPayload, storedIdForWrite, isFoundByOtherField } from './stored-ids.ts';
import { isStorableText } from '../services/storable-text.ts';

function toPayload(record: OidcRecord | undefined): AdapterPayload | undefined {
  if (!record) return undefined;
  const payload = { ...record.payload } as AdapterPayload;
  // oidc-provider reads `consumed` (epoch seconds) to detect reuse.
  if (record.consumedAt) payload.consumed = Math.floor(record.consumedAt.getTime() / 1000);
  return payload;
}

function expiresAt(expiresIn: number | undefined): Date | null {
  return expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
}

/** Where sign-in sessions follow oidc-provider's records (see session-lifecycle.ts); each is awaited. */
export interface AdapterHooks {
  /** A signed-in browser Session was stored. */
  onSessionSaved(payload: { uid: string; accountId: string; amr?: string[] }, expiresAt: Date | null): Promise<void>;
  /** oidc-provider destroyed a Grant (reuse detection, revocation, logout). */
  onGrantDestroyed(grantId: string): Promise<void>;
  /** A single-use record (`model`: RefreshToken, AuthorizationCode…) of this session was used twice at once; its grant is gone. */
  onReplay(sessionUid: string, model: string): Promise<void>;
  /** A refresh token issued from this sign-in was stored. */
  onRefreshTokenSaved(sessionUid: string, expiresAt: Date): Promise<void>;
  /** A Session record was destroyed (a sign-out, or the id rotation at login). */
  onSessionDestroyed(id: string): Promise<void>;
}

/** How one model's ids and payloads are stored (stored-ids.ts): hashed for bearer values, as-is otherwise. */
interface IdStorage {
  /** Where a presented value is looked up: never trusts a marker. */
  forFind(id: string): string;
  /** Where oidc-provider's own id (possibly a marker) is written. */
  forWrite(id: string): string;
  seal(id: string, payload: AdapterPayload): OidcPayload;
  open(clearId: string | undefined, record: OidcRecord | undefined): AdapterPayload | undefined;
}

function idStorageOf(model: string): IdStorage {
  if (!HASHED_ID_MODELS.has(model)) {
    return {
      forFind: (id) => id,
      forWrite: (id) => id,
      seal: (_id, payload) => payload as OidcPayload,
      open: (_id, record) => toPayload(record),
    };
  }
  return {
    forFind: hashId,
    forWrite: storedIdForWrite,
    seal: (id, payload) => sealPayload(model, id, payload as OidcPayload),
    open: (clearId, record) => {
      const payload = toPayload(record);
      return payload && (openPayload(model, clearId, payload) as AdapterPayload);
    },
  };
}

/**
 * RFC 8628's resume (oidc-provider's authorization/device.js) finds the
 * DeviceCode by the id its Interaction holds. The code page found that code
 * by its user code, so the id is the marker, read back from the Interaction
 * sealed under the key only the interaction cookie's holder has. There, and
 * only there, a marker is looked up as stored; anywhere else (a client
 * presenting it at the token endpoint) it is hashed and finds nothing.
 */
function isDeviceResume(model: string, id: string): boolean {
  if (model !== 'DeviceCode' || !isFoundByOtherField(id)) return false;
  return (Provider.ctx as KoaContextWithOIDC | undefined)?.oidc?.route === 'device_resume';
}

function createTokenAdapter(model: string, oidc: OidcStore, hooks: AdapterHooks): Adapter {
  const ids = idStorageOf(model);
  return {
    async upsert(id, payload, expiresIn) {
      const expiry = expiresAt(expiresIn);
      await oidc.upsert(model, ids.forWrite(id), ids.seal(id, payload), expiry);
      if (model === 'Session' && typeof payload.accountId === 'string' && typeof payload.uid === 'string') {
        const amr = Array.isArray(payload.amr) ? payload.amr.filter((v): v is string => typeof v === 'string') : undefined;
        await hooks.onSessionSaved({ uid: payload.uid, accountId: payload.accountId, ...(amr && { amr }) }, expiry);
      }
      if (model === 'RefreshToken' && typeof payload.sessionUid === 'string' && expiry) {
        await hooks.onRefreshTokenSaved(payload.sessionUid, expiry);
      }
    },
    // Token values come straight from clients; one that cannot be stored cannot exist.
    async find(id) {
      if (!isStorableText(id)) return undefined;
      if (isDeviceResume(model, id)) return ids.open(undefined, await oidc.find(model, ids.forWrite(id)));
      return ids.open(id, await oidc.find(model, ids.forFind(id)));
    },
    findByUid: async (uid) => (isStorableText(uid) ? ids.open(undefined, await oidc.findByUid(model, uid)) : undefined),
    findByUserCode: async (userCode) => (isStorableText(userCode) ? ids.open(undefined, await oidc.findByUserCode(model, userCode)) : undefined),
    async consume(id) {
      const storedId = ids.forWrite(id);
      if (await oidc.consume(model, storedId)) return;
      // oidc-provider checks `consumed` before consuming, but two concurrent
      // requests can both pass that check. The store's conditional update lets
      // only one win; the loser is a replay (RFC 6819 §5.2.2.3, OAuth 2.1
      // §4.3.1 for refresh tokens), so its whole grant is revoked.
      const record = await oidc.find(model, storedId);
      const grantId = record?.payload.grantId;
      if (typeof grantId === 'string') {
        await oidc.revokeByGrantId(grantId);
        await oidc.destroy('Grant', grantId);
      }
      const sessionUid = record?.payload.sessionUid;
      if (typeof sessionUid === 'string') await hooks.onReplay(sessionUid, model);
      throw new errors.InvalidGrant(`${model === 'RefreshToken' ? 'refresh token' : 'grant'} already used`);
    },
    async destroy(id) {
      await oidc.destroy(model, ids.forWrite(id));
      if (model === 'Grant') await hooks.onGrantDestroyed(id);
      if (model === 'Session') await hooks.onSessionDestroyed(id);
    },
    // oidc-provider calls this on each model it wants revoked (helpers/revoke.js).
    async revokeByGrantId(grantId) {
      await oidc.revokeByGrantId(grantId, model);
    },
  };
}

// Clients live in their own table so they can be listed and managed, not as
// opaque payloads; oidc-provider still reaches them through the "Client" model.
function createClientAdapter(clients: ClientStore): Adapter {
  const unsupported = async () => {
    throw new Error('clients are managed through the client store');
  };
  return {
    async upsert(id, payload) {
      await clients.upsert({ clientId: id, metadata: payload as Record<string, unknown> });
    },
    find: async (id) => (isStorableText(id) ? (await clients.find(id))?.metadata as AdapterPayload | undefined : undefined),
    findByUid: unsupported,
    findByUserCode: unsupported,
    consume: unsupported,
    async destroy(id) {
      await clients.delete(id);
    },
    revokeByGrantId: async () => undefined,
  };
}

/** The `adapter` factory for oidc-provider's configuration. */
export function createAdapterFactory(
  stores: { oidc: OidcStore; clients: ClientStore },
  hooks: AdapterHooks,
): (model: string) => Adapter {
  return (model) => (model === 'Client' ? createClientAdapter(stores.clients) : createTokenAdapter(model, stores.oidc, hooks));
}
