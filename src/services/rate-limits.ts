// API.md's rate limits, kept in the store's backend through rate-limiter-flexible
// so every worker process shares the counts. Keys are hashes of the email or
// the IP: the rate-limit table never holds an address in clear.
import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.ts';
import type { RateLimitRule } from '../storage/ports.ts';
import { normalizeEmail } from './email.ts';

export interface RateLimitSettings {
  /** Failed sign-ins per (account, source) within the window before that pair is locked. */
  loginFailuresPerAccount: number;
  /** The window for failed sign-ins, and how long a lock lasts. */
  loginWindowSeconds: number;
  /** Failed sign-ins per IP within the window (successes never count). */
  loginFailuresPerIp: number;
  /**
   * Failed sign-ins per account within the window across every source the
   * account has not signed in from: bounds distributed guessing, never
   * locks a recognised device.
   */
  loginFailuresPerAccountUnrecognised: number;
  /** Wrong second-factor codes per account within mfaWindowSeconds before MFA locks for the account. */
  mfaFailuresPerAccount: number;
  /** The window for wrong codes, and how long the MFA lock lasts. */
  mfaWindowSeconds: number;
  registrationsPerIpPerHour: number;
  /** Reset and resend requests, each counted on its own. */
  mailRequestsPerEmailPerHour: number;
  mailRequestsPerIpPerHour: number;
  /** Device-flow user codes (RFC 8628 §5.1) an IP may enter that match nothing, per DEVICE_CODE_WINDOW_SECONDS. */
  deviceCodeFailuresPerIp: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimitSettings> = {
  loginFailuresPerAccount: 10,
  loginWindowSeconds: 15 * 60,
  loginFailuresPerIp: 100,
  loginFailuresPerAccountUnrecognised: 100,
  mfaFailuresPerAccount: 5,
  mfaWindowSeconds: 15 * 60,
  registrationsPerIpPerHour: 20,
  mailRequestsPerEmailPerHour: 5,
  mailRequestsPerIpPerHour: 20,
  deviceCodeFailuresPerIp: 10,
};

/** The window for wrong user codes, and how long an IP past the limit waits. */
export const DEVICE_CODE_WINDOW_SECONDS = 15 * 60;

export type MailRequestKind = 'password-reset' | 'verification-resend';

/** Where a sign-in attempt comes from, as far as the limits are concerned. */
export interface LoginSource {
  ip: string;
  /**
   * A device that signed in to this account before (services/sign-in-source.ts):
   * counted on its own, outside the per-IP and account-wide limits.
   */
  deviceId?: string;
  /**
   * Changes whenever the account's password does (a fingerprint of its hash),
   * so a reset or change starts every pair count afresh; empty for unknown
   * addresses.
   */
  epoch: string;
  /**
   * Told when this attempt finds the account locked for this source, or
   * leaves it locked (its failure spent the last point), with when the lock
   * ends at the earliest: the account records it for the admin API.
   */
  onLock?: (until: Date) => Promise<void>;
}

/** A reserved attempt: a failure keeps the points it took, a success gives them back. */
export interface LoginReservation {
  /** This attempt took a limit's last point: if it fails, the lock engages (the audit's `sign_in.locked`). */
  locksOnFailure: boolean;
  succeeded(): Promise<void>;
  /** The password was wrong: the points stay taken, and a spent limit is reported as a lock (LoginSource.onLock). */
  failed(): Promise<void>;
}

export interface MfaReservation {
  /** This attempt took the last point: if the code is wrong, MFA locks. */
  locksOnFailure: boolean;
  succeeded(): Promise<void>;
}

export interface RateLimits {
  /**
   * Take one point from each limit this attempt falls under, before the
   * password is checked, so N concurrent guesses never get more than the
   * limit evaluated (each take is one atomic statement in the store).
   * RateLimitedError, with nothing kept, when any limit is spent.
   */
  reserveLogin(email: string, source: LoginSource): Promise<LoginReservation>;
  /**
   * Take one point of the account's MFA limit before a second-factor code is
   * checked (one atomic statement in the store), so a concurrent burst gets
   * at most the limit evaluated; RateLimitedError once it is spent, for the
   * rest of the lock. A correct code gives the count back.
   */
  reserveMfa(accountId: string): Promise<MfaReservation>;
  /** Lift the account's MFA lock (an administrator's reset). */
  liftMfaLock(accountId: string): Promise<void>;
  /** Lift the account-wide lock (a reset by mail proved the owner; the new password resets the pair counts). */
  liftLoginLocks(email: string): Promise<void>;
  /** Count one registration attempt; RateLimitedError past the limit. */
  registration(ip: string): Promise<void>;
  /** Count one mail request; RateLimitedError past either limit. */
  mailRequest(kind: MailRequestKind, email: string, ip: string): Promise<void>;
  /**
   * Take one point of the IP's user-code limit before an entered code is
   * looked up (one atomic statement), so a burst of guesses gets at most the
   * limit evaluated; RateLimitedError once spent. A code that matched gives
   * its point back (`matched`), so only wrong codes count.
   */
  reserveDeviceCode(ip: string): Promise<{ matched(): Promise<void> }>;
}

const HOUR = 3600;

function key(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

const emailKey = (email: string) => key(normalizeEmail(email));

function retryAfterSeconds(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/** consume(), turning "over the limit" into RateLimitedError; store failures propagate. */
async function consumeOrRefuse(limiter: RateLimiterAbstract, k: string): Promise<void> {
  try {
    await limiter.consume(k);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw new RateLimitedError(retryAfterSeconds(err));
    throw err;
  }
}

/**
 * Run consumes side by side; when one is refused, give back every point the
 * attempt took and refuse. A refused consume has taken its point too (the
 * store counts first, then compares), so it is given back as well: an
 * attempt that was never evaluated must not fill the IP's or the account's
 * count. The one exception is a limiter that blocks, whose block has just
 * set its count (rate-limiter-flexible's _block): giving back there could
 * take the count under the limit while the burst is still arriving.
 */
async function consumeAll(takes: Array<[RateLimiterAbstract, string]>): Promise<RateLimiterRes[]> {
  const results = await Promise.allSettled(takes.map(([limiter, k]) => limiter.consume(k)));
  const refused = results.find((r) => r.status === 'rejected');
  if (!refused) return results.map((r) => (r as PromiseFulfilledResult<RateLimiterRes>).value);
  const taken = takes.filter(([limiter], i) => results[i]!.status === 'fulfilled' || limiter.blockDuration === 0);
  await Promise.all(taken.map(([limiter, k]) => limiter.reward(k)));
  const err: unknown = refused.reason;
  if (err instanceof RateLimiterRes) throw new RateLimitedError(retryAfterSeconds(err));
  throw err;
}

export function createRateLimits(createLimiter: (rule: RateLimitRule) => RateLimiterAbstract, settings: RateLimitSettings): RateLimits {
  const window = settings.loginWindowSeconds;
  // blockDuration: a locked pair stays locked a full window from the first
  // refused attempt, not whatever was left of the window the first failure opened.
  const loginPair = createLimiter({ keyPrefix: 'login-pair', points: settings.loginFailuresPerAccount, durationSeconds: window, blockDurationSeconds: window });
  const loginIp = createLimiter({ keyPrefix: 'login-ip', points: settings.loginFailuresPerIp, durationSeconds: window });
  const loginAccount = createLimiter({ keyPrefix: 'login-account', points: settings.loginFailuresPerAccountUnrecognised, durationSeconds: window });
  // blockDuration: once locked, the lock lasts a full window from the refused attempt.
  const mfa = createLimiter({
    keyPrefix: 'mfa-account', points: settings.mfaFailuresPerAccount, durationSeconds: settings.mfaWindowSeconds, blockDurationSeconds: settings.mfaWindowSeconds,
  });
  const deviceCode = createLimiter({
    keyPrefix: 'device-code-ip', points: settings.deviceCodeFailuresPerIp, durationSeconds: DEVICE_CODE_WINDOW_SECONDS, blockDurationSeconds: DEVICE_CODE_WINDOW_SECONDS,
  });
  const registration = createLimiter({ keyPrefix: 'register-ip', points: settings.registrationsPerIpPerHour, durationSeconds: HOUR });
  const mail = {
    'password-reset': {
      email: createLimiter({ keyPrefix: 'reset-email', points: settings.mailRequestsPerEmailPerHour, durationSeconds: HOUR }),
      ip: createLimiter({ keyPrefix: 'reset-ip', points: settings.mailRequestsPerIpPerHour, durationSeconds: HOUR }),
    },
    'verification-resend': {
      email: createLimiter({ keyPrefix: 'resend-email', points: settings.mailRequestsPerEmailPerHour, durationSeconds: HOUR }),
      ip: createLimiter({ keyPrefix: 'resend-ip', points: settings.mailRequestsPerIpPerHour, durationSeconds: HOUR }),
    },
  } satisfies Record<MailRequestKind, unknown>;

  return {
    async reserveLogin(email, source) {
      const sourceKey = source.deviceId === undefined ? `ip:${source.ip}` : `device:${source.deviceId}`;
      const pair = key(`${normalizeEmail(email)}\n${source.epoch}\n${sourceKey}`);
      const unrecognised: Array<[RateLimiterAbstract, string]> = source.deviceId === undefined
        ? [[loginIp, key(source.ip)], [loginAccount, emailKey(email)]]
        : [];
      // The pair first: an attempt its lock refuses never touches the IP's or
      // the account's count, so a stranger's burst from one place cannot fill
      // the account-wide ceiling that the owner elsewhere is held to.
      const lockedFor = async (err: unknown) => {
        if (err instanceof RateLimitedError) await source.onLock?.(new Date(Date.now() + err.retryAfterSeconds * 1000));
        throw err;
      };
      const taken = await consumeAll([[loginPair, pair]]).catch(lockedFor);
      // Every limit's answer, for whether this attempt takes a last point (the audit's `sign_in.locked`).
      const all = [...taken];
      if (unrecognised.length > 0) {
        const results = await consumeAll(unrecognised).catch(async (err: unknown) => {
          await loginPair.reward(pair);
          // Only the account-wide ceiling locks the account; the IP's is the IP's.
          if (err instanceof RateLimitedError && source.onLock && (await loginAccount.get(emailKey(email)))?.remainingPoints === 0) return lockedFor(err);
          throw err;
        });
        all.push(...results);
        taken.push(results[1]!);
      }
      return {
        locksOnFailure: all.some((res) => res.remainingPoints <= 0),
        async failed() {
          const spent = taken.filter((res) => res.remainingPoints === 0);
          if (spent.length === 0 || !source.onLock) return;
          const until = Math.max(...spent.map((res) => res.msBeforeNext));
          await source.onLock(new Date(Date.now() + until));
        },
        async succeeded() {
          // A success resets its pair, and never counts against the IP or the account (API.md).
          await Promise.all([loginPair.delete(pair), ...unrecognised.map(([limiter, k]) => limiter.reward(k))]);
        },
      };
    },

    async reserveMfa(accountId) {
      const k = key(`mfa\n${accountId}`);
      const [res] = await consumeAll([[mfa, k]]);
      return {
        locksOnFailure: res!.remainingPoints <= 0,
        succeeded: async () => {
          await mfa.delete(k);
        },
      };
    },

    async liftMfaLock(accountId) {
      await mfa.delete(key(`mfa\n${accountId}`));
    },

    async liftLoginLocks(email) {
      await loginAccount.delete(emailKey(email));
    },

    registration: (ip) => consumeOrRefuse(registration, key(ip)),

    async reserveDeviceCode(ip) {
      const k = key(`device-code\n${ip}`);
      await consumeAll([[deviceCode, k]]);
      return {
        matched: async () => {
          await deviceCode.reward(k);
        },
      };
    },

    async mailRequest(kind, email, ip) {
      await consumeOrRefuse(mail[kind].email, emailKey(email));
      await consumeOrRefuse(mail[kind].ip, key(ip));
    },
  };
}
