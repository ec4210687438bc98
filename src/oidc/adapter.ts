// oidc-provider's storage adapter, on the store's ports. oidc-provider builds
// one adapter per model name ("AccessToken", "Session", "Client", ...).
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { ClientStore, OidcRecord, OidcStore } from '../storage/ports.ts';
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
  onSessionSaved(payload: { uid: string; accountId: string }, expiresAt: Date | null): Promise<void>;
  /** oidc-provider destroyed a Grant (reuse detection, revocation, logout). */
  onGrantDestroyed(grantId: string): Promise<void>;
  /** A single-use record of this session was used twice at once; its grant is gone. */
  onReplay(sessionUid: string): Promise<void>;
  /** A refresh token issued from this sign-in was stored. */
  onRefreshTokenSaved(sessionUid: string, expiresAt: Date): Promise<void>;
  /** A Session record was destroyed (a sign-out, or the id rotation at login). */
  onSessionDestroyed(id: string): Promise<void>;
}

function createTokenAdapter(model: string, oidc: OidcStore, hooks: AdapterHooks): Adapter {
  return {
    async upsert(id, payload, expiresIn) {
      const expiry = expiresAt(expiresIn);
      await oidc.upsert(model, id, payload as Record<string, unknown>, expiry);
      if (model === 'Session' && typeof payload.accountId === 'string' && typeof payload.uid === 'string') {
        await hooks.onSessionSaved({ uid: payload.uid, accountId: payload.accountId }, expiry);
      }
      if (model === 'RefreshToken' && typeof payload.sessionUid === 'string' && expiry) {
        await hooks.onRefreshTokenSaved(payload.sessionUid, expiry);
      }
    },
    // Token values come straight from clients; one that cannot be stored cannot exist.
    find: async (id) => (isStorableText(id) ? toPayload(await oidc.find(model, id)) : undefined),
    findByUid: async (uid) => (isStorableText(uid) ? toPayload(await oidc.findByUid(model, uid)) : undefined),
    findByUserCode: async (userCode) => (isStorableText(userCode) ? toPayload(await oidc.findByUserCode(model, userCode)) : undefined),
    async consume(id) {
      if (await oidc.consume(model, id)) return;
      // oidc-provider checks `consumed` before consuming, but two concurrent
      // requests can both pass that check. The store's conditional update lets
      // only one win; the loser is a replay (RFC 6819 §5.2.2.3, OAuth 2.1
      // §4.3.1 for refresh tokens), so its whole grant is revoked.
      const record = await oidc.find(model, id);
      const grantId = record?.payload.grantId;
      if (typeof grantId === 'string') {
        await oidc.revokeByGrantId(grantId);
        await oidc.destroy('Grant', grantId);
      }
      const sessionUid = record?.payload.sessionUid;
      if (typeof sessionUid === 'string') await hooks.onReplay(sessionUid);
      throw new errors.InvalidGrant(`${model === 'RefreshToken' ? 'refresh token' : 'grant'} already used`);
    },
    async destroy(id) {
      await oidc.destroy(model, id);
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
