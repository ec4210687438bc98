// Sessions: one sign-in on one device (API.md). A session's id is the `sid`
// of every token issued from that sign-in, so ending it is two steps: mark the
// row revoked (the bearer check reads it, so access tokens fail at once), then
// delete the OIDC records of its grants (refresh tokens fail at the token
// endpoint, codes cannot be redeemed, a browser session cookie finds nothing).
import { SessionNotFoundError } from '../errors.ts';
import type { Account, ClientStore, NewSession, OidcStore, SessionRecord, SessionStore } from '../storage/ports.ts';
import type { Audit } from './audit.ts';
import { cleanDisplayText } from './display-text.ts';
import { listSessionsWithClients, type SessionView } from './session-views.ts';

/** How often a bearer request may move lastActiveAt: one write a minute, not one per request. */
export const LAST_ACTIVE_RESOLUTION_MS = 60_000;

export interface DeviceInfo {
  deviceName: string | null;
  deviceType: string | null;
  userAgent: string | null;
  ipAddress: string | null;
}

export interface SessionService {
  /** Record a new API sign-in; returns its id (the tokens' sid). */
  startApiSession(input: { accountId: string; clientId: string; device: DeviceInfo; expiresAt: Date; amr?: string[] }): Promise<string>;
  /** Record or refresh a browser sign-in (oidc-provider's session uid). */
  recordBrowserSession(input: { id: string; accountId: string; device: DeviceInfo; expiresAt: Date; amr?: string[] }): Promise<void>;
  /** The live session, or undefined when revoked, expired or unknown. */
  findLive(id: string): Promise<SessionRecord | undefined>;
  /** The live session with its account (the bearer check), or undefined. */
  findLiveWithAccount(id: string): Promise<{ session: SessionRecord; account: Account } | undefined>;
  /** Move lastActiveAt when it is older than LAST_ACTIVE_RESOLUTION_MS. */
  touch(session: SessionRecord): Promise<void>;
  /** The account's sessions with the clients holding grants from each (signed-out browser sessions while a grant lives). */
  list(accountId: string): Promise<SessionView[]>;
  /** Move the session's end to a grant's (its refresh token's expiry) when that is later. */
  extend(id: string, expiresAt: Date): Promise<void>;
  /** End one of the account's sessions; SessionNotFoundError for an unknown or someone else's. */
  revoke(accountId: string, sessionId: string): Promise<void>;
  /** End a session wherever the request came from (replay detected, its grant revoked). */
  end(session: SessionRecord): Promise<void>;
  /**
   * The browser session was signed out (oidc-provider destroyed it, revoking
   * the grants that do not persist logout). The row ends unless offline
   * grants from it live on; then it stays listed and revocable until they end.
   */
  signedOut(sessionId: string, accountId: string): Promise<void>;
  /** Sign out (POST /auth/logout): this session, or with `all` every session of the account (revokeAll). */
  signOut(session: SessionRecord, all: boolean): Promise<void>;
  /** End every session of the account but `exceptId`; returns how many. */
  revokeOthers(accountId: string, exceptId: string): Promise<number>;
  /** End every session of the account and every OIDC record it holds (grants, tokens, browser sessions). */
  revokeAll(accountId: string): Promise<number>;
  /** Tell `listener` of every session this service ends from now on (oidc/backchannel-logout.ts). */
  onEnded(listener: SessionEndListener): void;
}

/** A sign-in being ended: its id (the tokens' `sid`) and its account. */
export interface EndingSession {
  id: string;
  accountId: string;
}

/**
 * Whoever must hear that sessions ended (back-channel logout). Called after
 * the session rows are revoked and before their OIDC records are deleted, so
 * it can still read who held grants from them; the function it returns runs
 * once those are gone and must not block (the request goes on at once).
 */
export type SessionEndListener = (ending: EndingSession[]) => Promise<() => void>;

const clip = (value: string | null, max: number) => {
  const cleaned = cleanDisplayText(value);
  return cleaned === null ? null : cleaned.slice(0, max);
};

/** API.md: device type up to 64 characters, user agent cut at 512; controls and bidi marks removed. */
function cleanDevice(device: DeviceInfo): DeviceInfo {
  return {
    deviceName: clip(device.deviceName, 128),
    deviceType: clip(device.deviceType, 64),
    userAgent: clip(device.userAgent, 512),
    ipAddress: clip(device.ipAddress, 64),
  };
}

export function createSessionService(deps: {
  sessions: SessionStore;
  oidc: OidcStore;
  clients: ClientStore;
  audit: Pick<Audit, 'record'>;
}): SessionService {
  const { sessions, oidc, audit } = deps;
  const listeners: SessionEndListener[] = [];

  /** Ask the listeners what to tell about these (already revoked) sessions; run the answer once their records are gone. */
  async function prepareAnnouncement(ids: string[], accountId: string): Promise<() => void> {
    if (ids.length === 0 || listeners.length === 0) return () => undefined;
    const ending = ids.map((id) => ({ id, accountId }));
    const sends = await Promise.all(listeners.map((listener) => listener(ending)));
    return () => sends.forEach((send) => send());
  }

  /** Delete the OIDC records of these (already revoked) sessions. */
  async function end(ids: string[], accountId: string): Promise<void> {
    const announce = await prepareAnnouncement(ids, accountId);
    for (const id of ids) await oidc.revokeBySessionUid(id);
    announce();
  }

  const service: SessionService = {
    async startApiSession({ accountId, clientId, device, expiresAt, amr }) {
      const id = crypto.randomUUID();
      const session: NewSession = { id, accountId, kind: 'api', clientId, expiresAt, ...cleanDevice(device), ...(amr && { amr }) };
      await sessions.upsert(session, new Date());
      return id;
    },

    async recordBrowserSession({ id, accountId, device, expiresAt, amr }) {
      await sessions.upsert({ id, accountId, kind: 'browser', clientId: null, expiresAt, ...cleanDevice(device), ...(amr && { amr }) }, new Date());
    },

    findLive: (id) => sessions.findLive(id, new Date()),
    findLiveWithAccount: (id) => sessions.findLiveWithAccount(id, new Date()),

    async touch(session) {
      const now = new Date();
      if (now.getTime() - session.lastActiveAt.getTime() >= LAST_ACTIVE_RESOLUTION_MS) await sessions.touch(session.id, now);
    },

    list: (accountId) => listSessionsWithClients(deps, accountId, new Date()),

    extend: (id, expiresAt) => sessions.extend(id, expiresAt),

    async revoke(accountId, sessionId) {
      if (!(await sessions.revoke(sessionId, accountId, new Date()))) throw new SessionNotFoundError();
      await end([sessionId], accountId);
      await audit.record({ type: 'session.revoked', subjectId: accountId, details: { revoked_session_id: sessionId } });
    },

    async end(session) {
      await sessions.revoke(session.id, session.accountId, new Date());
      await end([session.id], session.accountId);
    },

    async signOut(session, all) {
      let count = 1;
      if (all) count = await service.revokeAll(session.accountId);
      else await service.end(session);
      await audit.record({ type: 'sign_out', subjectId: session.accountId, sessionId: session.id, details: { all, sessions: count } });
    },

    async signedOut(sessionId, accountId) {
      const [holding] = await oidc.listSessionHoldings([sessionId]);
      if (!holding || holding.clientIds.length === 0) await sessions.revoke(sessionId, accountId, new Date());
    },

    async revokeOthers(accountId, exceptId) {
      const ids = await sessions.revokeAllForAccount(accountId, new Date(), exceptId);
      await end(ids, accountId);
      await audit.record({ type: 'session.revoked', subjectId: accountId, details: { revoked_session_ids: ids, others: true } });
      return ids.length;
    },

    async revokeAll(accountId) {
      const ids = await sessions.revokeAllForAccount(accountId, new Date());
      const announce = await prepareAnnouncement(ids, accountId);
      // Every OIDC record of the account, so also what no session row owns:
      // grants from before a session was recorded, a browser session mid-login.
      await oidc.revokeByAccountId(accountId);
      announce();
      return ids.length;
    },

    onEnded(listener) {
      listeners.push(listener);
    },
  };
  return service;
}
