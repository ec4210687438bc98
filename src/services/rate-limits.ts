// API.md's rate limits, kept in the store's backend through rate-limiter-flexible
// so every worker process shares the counts. Keys are hashes of the email or
// the IP: the rate-limit table never holds an address in clear.
import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.ts';
import type { RateLimitRule } from '../storage/ports.ts';
import { normalizeEmail } from './email.ts';

export interface RateLimitSettings {
  /** Failed sign-ins per account within the window before sign-in is locked. */
  loginFailuresPerAccount: number;
  /** The window for failed sign-ins, and how long a lock lasts. */
  loginWindowSeconds: number;
  /** Failed sign-ins per IP within the window (successes never count). */
  loginFailuresPerIp: number;
  registrationsPerIpPerHour: number;
  /** Reset and resend requests, each counted on its own. */
  mailRequestsPerEmailPerHour: number;
  mailRequestsPerIpPerHour: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimitSettings> = {
  loginFailuresPerAccount: 10,
  loginWindowSeconds: 15 * 60,
  loginFailuresPerIp: 100,
  registrationsPerIpPerHour: 20,
  mailRequestsPerEmailPerHour: 5,
  mailRequestsPerIpPerHour: 20,
};

export type MailRequestKind = 'password-reset' | 'verification-resend';

/** What the sign-in check saw, so a success only resets a count that exists. */
export interface LoginCheck {
  accountHasFailures: boolean;
}

export interface RateLimits {
  /** RateLimitedError when sign-in is locked for this email or this IP. */
  assertLoginAllowed(email: string, ip: string): Promise<LoginCheck>;
  loginFailed(email: string, ip: string): Promise<void>;
  /**
   * A success resets the account's count (API.md). Given the check of the
   * same attempt, it skips the write when there were no failures to forget:
   * most sign-ins. (A failure recorded between the check and the success then
   * stays until its window ends, as if it had come just after the success.)
   */
  loginSucceeded(email: string, check?: LoginCheck): Promise<void>;
  /** Count one registration attempt; RateLimitedError past the limit. */
  registration(ip: string): Promise<void>;
  /** Count one mail request; RateLimitedError past either limit. */
  mailRequest(kind: MailRequestKind, email: string, ip: string): Promise<void>;
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

/** The points counted under `k`; RateLimitedError once they reach the limit. */
async function assertUnder(limiter: RateLimiterAbstract, k: string): Promise<number> {
  const res = await limiter.get(k);
  if (res !== null && res.consumedPoints >= limiter.points) throw new RateLimitedError(retryAfterSeconds(res));
  return res?.consumedPoints ?? 0;
}

export function createRateLimits(createLimiter: (rule: RateLimitRule) => RateLimiterAbstract, settings: RateLimitSettings): RateLimits {
  const window = settings.loginWindowSeconds;
  const loginAccount = createLimiter({ keyPrefix: 'login-account', points: settings.loginFailuresPerAccount, durationSeconds: window });
  const loginIp = createLimiter({ keyPrefix: 'login-ip', points: settings.loginFailuresPerIp, durationSeconds: window });
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
    async assertLoginAllowed(email, ip) {
      const accountFailures = await assertUnder(loginAccount, emailKey(email));
      await assertUnder(loginIp, key(ip));
      return { accountHasFailures: accountFailures > 0 };
    },

    async loginFailed(email, ip) {
      const k = emailKey(email);
      const res = await loginAccount.penalty(k);
      // The lock lasts a full window from the failure that reached the limit,
      // not whatever was left of the window the first failure opened.
      if (res.consumedPoints === settings.loginFailuresPerAccount) await loginAccount.block(k, window);
      await loginIp.penalty(key(ip));
    },

    async loginSucceeded(email, check) {
      if (check && !check.accountHasFailures) return;
      await loginAccount.delete(emailKey(email));
    },

    registration: (ip) => consumeOrRefuse(registration, key(ip)),

    async mailRequest(kind, email, ip) {
      await consumeOrRefuse(mail[kind].email, emailKey(email));
      await consumeOrRefuse(mail[kind].ip, key(ip));
    },
  };
}
