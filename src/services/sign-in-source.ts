// Which source a sign-in attempt counts against (API.md: a stranger's
// failures never lock the owner out from the owner's own devices). A device
// the account signed in from before is recognised and counted on its own:
// - a browser proves one with its device cookie (pages/device-cookie.ts), set
//   after a successful sign-in on the login page and bound to the account;
// - an API client is recognised when one of the account's live API sessions
//   has the same IP and the same X-Device-Name: a stranger elsewhere cannot
//   take the owner's address, and device names are what first-party apps send.
// Anything else counts as its IP, under the per-IP and account-wide limits too.
import { createHash } from 'node:crypto';
import type { Account, AccountStore, SessionStore } from '../storage/ports.ts';
import type { LoginSource } from './rate-limits.ts';

export interface SignInSource {
  ip: string;
  /** A browser's device cookie, its signature already checked: the device and the account it signed in to. */
  device?: { id: string; accountId: string };
  /** The X-Device-Name an API client sent. */
  deviceName?: string;
  /** The OAuth client signing the user in, when there is one (recorded in the audit event). */
  clientId?: string;
}

/**
 * Changes with the password hash, so a new password (reset, change) starts
 * the pair counts afresh, and with the lock generation, so an administrator's
 * unlock (AccountStore.unlock) lifts the locks of every source at once.
 */
const limitEpoch = (account: Account | undefined) =>
  account ? `${createHash('sha256').update(account.passwordHash).digest('base64url').slice(0, 16)}.${account.lockGeneration}` : '';

export function createSignInSources(
  sessions: Pick<SessionStore, 'findLiveByAccount'>,
  accounts: Pick<AccountStore, 'markLocked'>,
) {
  async function recognisedDevice(account: Account | undefined, source: SignInSource): Promise<string | undefined> {
    if (!account) return undefined;
    if (source.device?.accountId === account.id) return `cookie:${source.device.id}`;
    const name = source.deviceName;
    if (!name) return undefined;
    const live = await sessions.findLiveByAccount(account.id, new Date());
    const known = live.some((s) => s.kind === 'api' && s.ipAddress === source.ip && s.deviceName === name);
    return known ? `api:${name}@${source.ip}` : undefined;
  }

  return {
    /** The rate-limit source of an attempt on `account` (undefined: an unknown address). */
    async limitSourceOf(account: Account | undefined, source: SignInSource): Promise<LoginSource> {
      return {
        ip: source.ip,
        deviceId: await recognisedDevice(account, source),
        epoch: limitEpoch(account),
        // Recorded for the admin API (`locked`); an unknown address has no account to mark.
        ...(account && { onLock: (until: Date) => accounts.markLocked(account.id, account.lockGeneration, until) }),
      };
    },
  };
}

export type SignInSources = ReturnType<typeof createSignInSources>;
