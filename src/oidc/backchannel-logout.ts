// OIDC Back-Channel Logout 1.0: a logout token to every client of a session
// that ended, whichever way it ended.
//
// oidc-provider builds, signs and posts the token itself
// (Client#backchannelLogout, models/client.js): `sub`, `sid` when the client
// registered backchannel_logout_session_required, `events`, `jti`, `iat`,
// `typ: logout+jwt`, and no nonce. Its request goes through its `fetch`
// configuration (helpers/fetch_request.js), so the rule on outgoing requests
// to private addresses applies to every delivery, and each attempt is cut off
// after oidc-provider's own 2.5 s.
//
// What is ours is when and how often: RP-initiated logout awaits every
// delivery before it answers (end_session.js), and the session service ends
// sessions inside the request that asked; neither may wait on a slow client.
// So the method is replaced on this provider's Client class by one that
// queues the delivery and resolves at once, and the queue retries a failed
// attempt with backoff, then logs and audits the failure.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider } from 'oidc-provider';
import type { Logger } from '../logger.ts';
import { SYSTEM, type Audit } from '../services/audit.ts';
import type { SessionEndListener } from '../services/sessions.ts';
import type { OidcStore } from '../storage/ports.ts';

export interface DeliveryPolicy {
  /** Attempts per logout token, the first included. */
  attempts: number;
  /** The wait before the second attempt; doubled before each one after. */
  firstBackoffMs: number;
}

export const DEFAULT_DELIVERY: DeliveryPolicy = { attempts: 4, firstBackoffMs: 1000 };

interface LogoutClient {
  clientId: string;
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid?: string): Promise<void>;
}

interface ClientClass {
  prototype: LogoutClient;
  find(id: string): Promise<LogoutClient | undefined>;
}

export interface BackchannelLogoutDeps {
  provider: Provider;
  oidc: Pick<OidcStore, 'findByUid' | 'listSessionHoldings'>;
  audit: Pick<Audit, 'record'>;
  logger: Logger;
  delivery?: DeliveryPolicy;
}

/** The per-client `sid` of each client of a browser session (oidc-provider's Session#authorizations). */
function sidsOf(payload: Record<string, unknown> | undefined): Map<string, string | undefined> {
  const authorizations = (payload?.authorizations ?? {}) as Record<string, { sid?: unknown }>;
  return new Map(Object.entries(authorizations).map(([clientId, { sid }]) => [clientId, typeof sid === 'string' ? sid : undefined]));
}

type Send = LogoutClient['backchannelLogout'];
interface Target { client: LogoutClient; sub: string; sid: string | undefined }

/** One logout token to one client: attempts with backoff, then the failure logged and audited. */
async function deliver(deps: BackchannelLogoutDeps, send: Send, { client, sub, sid }: Target): Promise<void> {
  const { attempts, firstBackoffMs } = deps.delivery ?? DEFAULT_DELIVERY;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await send.call(client, sub, sid);
      return;
    } catch (err) {
      if (attempt < attempts) {
        await sleep(firstBackoffMs * 2 ** (attempt - 1), undefined, { ref: false });
        continue;
      }
      // The error names the URI and the status at most; the token is not in it.
      const reason = err instanceof Error ? err.message : 'delivery failed';
      deps.logger.warn({ clientId: client.clientId, attempts, reason }, 'back-channel logout not delivered');
      await deps.audit.record({
        type: 'backchannel_logout.failed', result: 'failure', actor: SYSTEM, subjectId: sub, clientId: client.clientId,
        sessionId: null, reason: 'DELIVERY_FAILED', details: { attempts, error: reason.slice(0, 200) },
      });
      return;
    }
  }
}

/** The clients of the ending sessions that registered a back-channel logout URI, each with its sid. */
async function targetsOf(deps: BackchannelLogoutDeps, Client: ClientClass, ending: Parameters<SessionEndListener>[0]): Promise<Target[]> {
  const targets: Target[] = [];
  const holdings = await deps.oidc.listSessionHoldings(ending.map((session) => session.id));
  for (const { id, accountId } of ending) {
    // A browser session's clients and their sids are in its Session record;
    // an API session's one client (and a signed-out browser session's
    // offline grants) show in the tokens carrying its id, whose sid is
    // the session's own (sign-in-grant.ts).
    const sids = sidsOf((await deps.oidc.findByUid('Session', id))?.payload);
    const holding = holdings.find((h) => h.sessionUid === id);
    const clientIds = new Set([...sids.keys(), ...(holding?.clientIds ?? [])]);
    for (const clientId of clientIds) {
      const client = await Client.find(clientId);
      if (client?.backchannelLogoutUri) targets.push({ client, sub: accountId, sid: sids.get(clientId) ?? id });
    }
  }
  return targets;
}

/**
 * Install back-channel logout on `provider`; returns the session service's
 * listener, which sends logout tokens for the sessions it ends.
 */
export function installBackchannelLogout(deps: BackchannelLogoutDeps): SessionEndListener {
  const Client = deps.provider.Client as unknown as ClientClass;
  const send = Client.prototype.backchannelLogout;

  Client.prototype.backchannelLogout = function queued(this: LogoutClient, sub: string, sid?: string) {
    void deliver(deps, send, { client: this, sub, sid });
    return Promise.resolve();
  };

  return async (ending) => {
    // Ending the sessions goes on whatever happens here: a failed lookup
    // costs the logout tokens, never the sign-out.
    const targets = await targetsOf(deps, Client, ending).catch((err: unknown) => {
      deps.logger.error({ err }, 'back-channel logout: could not read the clients of ending sessions');
      return [];
    });
    return () => targets.forEach((target) => void deliver(deps, send, target));
  };
}
