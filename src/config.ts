// The one place that reads process.env. Each setting says why it exists;
// API.md's table is the contract. parseConfig never throws a stack trace at
// the user: it throws ConfigError with one line naming the variable.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { createPasswordPolicy } from './services/password-policy.ts';
import { DEFAULT_RATE_LIMITS, type RateLimitSettings } from './services/rate-limits.ts';
import type { HashingQueueSettings } from './services/hashing-queue.ts';
import { DEFAULT_HASHING_QUEUE } from './services/password-hasher.ts';
import { brandPalette, parseHexColor } from './services/brand-colors.ts';
import type { Branding } from './services/branding.ts';
import { defaultMailFrom } from './services/mail-transport.ts';

/** API.md: CLIENTS_FILE defaults to this file when it exists. */
export const DEFAULT_CLIENTS_FILE = 'config/clients.json';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive');

const databaseUrl = z
  .string()
  .refine((v) => /^(postgres|postgresql|mongodb|mongodb\+srv):\/\//.test(v), {
    message: 'must start with postgres://, postgresql://, mongodb:// or mongodb+srv://',
  });

const smtpUrl = z.string().refine((v) => /^smtps?:\/\//.test(v), { message: 'must start with smtp:// or smtps://' });

const httpUrl = z
  .string()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), { message: 'must be an http(s) URL' })
  .transform((v) => v.replace(/\/+$/, ''));

/** https, or http on a loopback host (a developer's own machine). */
function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** `Name <addr@host>` or a bare address; no line breaks (they would forge headers). */
const mailFrom = z.string().refine((v) => {
  const address = /<([^<>]+)>\s*$/.exec(v)?.[1] ?? v;
  return !/[\r\n]/.test(v) && z.email().safeParse(address.trim()).success;
}, { message: 'must be an address, optionally with a name: Name <no-reply@example.com>' });

// A path is served by PUBLIC_URL's origin (the CSP's 'self'); a URL must be https.
const logoUrl = z.string().refine((v) => /^\/(?!\/)[^\s\\]*$/.test(v) || (URL.canParse(v) && isHttpsOrLoopback(v) && /^https?:$/.test(new URL(v).protocol)), {
  message: 'must be an https URL or a path under PUBLIC_URL (/brand/logo.svg)',
});

const hexColor = z.string().refine((v) => parseHexColor(v) !== undefined, { message: 'must be a hex colour such as #1f5fbf' });

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ error: 'must be a number' }).int().min(0).max(65535, 'must be a port number').default(3000),
  PUBLIC_URL: httpUrl.optional(),
  DATABASE_URL: databaseUrl.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SMTP_URL: smtpUrl.optional(),
  ADMIN_EMAIL: z.email('must be an email address').optional(),
  // Held to the password policy below, like any password a person sets.
  ADMIN_PASSWORD: z.string().optional(),
  CLIENTS_FILE: z.string().min(1).optional(),
  REQUIRE_EMAIL_VERIFICATION: bool.default(true),
  // false closes self-service sign-up (API and pages); admins still create accounts.
  REGISTRATION_ENABLED: bool.default(true),
  // true: register answers alike for new and taken addresses, so sign-up cannot enumerate accounts.
  HIDE_EXISTING_ACCOUNTS: bool.default(false),
  // Browser origins (SPAs on another origin) allowed to call /api/v1 with CORS and cookie credentials.
  CORS_ORIGINS: z.string().optional(),
  // Terms of service every sign-in must accept (the accept-terms sign-in step); unset: none asked.
  TERMS_URL: httpUrl.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // argon2id cost. Defaults sit at the OWASP minimum for argon2id (19 MiB, t=2,
  // p=1); raising them makes sign-in rehash old hashes on the next success.
  ARGON2_MEMORY_KIB: positiveInt.min(19456, 'must be at least 19456 (OWASP minimum)').default(19456),
  ARGON2_TIME_COST: positiveInt.min(2, 'must be at least 2 (OWASP minimum)').default(2),
  ARGON2_PARALLELISM: positiveInt.default(1),
  // How often expired OAuth artefacts are deleted, so storage stays bounded.
  PURGE_INTERVAL_SECONDS: positiveInt.default(600),
  // Audit events older than this are deleted by the periodic purge.
  AUDIT_RETENTION_DAYS: positiveInt.max(36500, 'must be at most 36500').default(90),
  // Worker processes (node:cluster) sharing PORT, to use more than one core.
  // More than 1 needs a database server: a PGlite DATA_DIR belongs to one process.
  WEB_CONCURRENCY: positiveInt.max(64, 'must be at most 64').default(1),
  // How long each process reuses a client it read (oidc/client-cache.ts); a
  // change made by another process shows within this time. 0: always read.
  CLIENT_CACHE_SECONDS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(3600, 'must be at most 3600').default(30),
  // How often each process polls the change feed (services/change-feed.ts), so
  // an admin change made through another instance reaches its caches.
  CHANGE_POLL_MS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(100, 'must be at least 100').max(4000, 'must be at most 4000 (API.md: changes reach every instance within 5 s)').default(1000),
  // Reverse proxies in front: the client IP is that many X-Forwarded-For hops
  // from the right, the entries the proxies wrote, never one the client chose.
  TRUST_PROXY_HOPS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(10, 'must be at most 10').default(0),
  // Shortest password accepted; NIST SP 800-63B-4 §3.1.1.2 asks 15 where a password is the only factor.
  PASSWORD_MIN_LENGTH: positiveInt.min(8, 'must be at least 8').max(64, 'must be at most 64').default(8),
  // API.md's abuse limits. Failed sign-ins lock an account for one source (a
  // recognised device, else the IP) for one window; across unrecognised
  // sources an account-wide ceiling bounds distributed guessing; an IP is
  // limited on failures only; mail and sign-up per hour.
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: positiveInt.default(DEFAULT_RATE_LIMITS.loginFailuresPerAccount),
  RATE_LIMIT_LOGIN_WINDOW_SECONDS: positiveInt.default(DEFAULT_RATE_LIMITS.loginWindowSeconds),
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: positiveInt.default(DEFAULT_RATE_LIMITS.loginFailuresPerIp),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_UNRECOGNISED: positiveInt.default(DEFAULT_RATE_LIMITS.loginFailuresPerAccountUnrecognised),
  // Password hashing in flight and waiting (services/hashing-queue.ts): past
  // both, sign-in answers 503 + Retry-After instead of queueing without bound.
  PASSWORD_HASH_CONCURRENCY: positiveInt.max(1024, 'must be at most 1024').default(DEFAULT_HASHING_QUEUE.concurrency),
  PASSWORD_HASH_QUEUE: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(100_000, 'must be at most 100000').default(DEFAULT_HASHING_QUEUE.maxQueued),
  RATE_LIMIT_REGISTRATIONS_PER_IP_PER_HOUR: positiveInt.default(DEFAULT_RATE_LIMITS.registrationsPerIpPerHour),
  RATE_LIMIT_MAIL_PER_EMAIL_PER_HOUR: positiveInt.default(DEFAULT_RATE_LIMITS.mailRequestsPerEmailPerHour),
  RATE_LIMIT_MAIL_PER_IP_PER_HOUR: positiveInt.default(DEFAULT_RATE_LIMITS.mailRequestsPerIpPerHour),
  // Wrong device-flow user codes per IP in 15 minutes: the codes are short (RFC 8628 §5.1 asks for a limit on guessing).
  RATE_LIMIT_DEVICE_CODE_FAILURES_PER_IP: positiveInt.default(DEFAULT_RATE_LIMITS.deviceCodeFailuresPerIp),
  // Encrypts private signing keys, cookie keys and recoverable client secrets
  // at rest, so a database dump alone cannot sign tokens or forge cookies.
  // How often each process re-reads the signing and cookie keys (oidc/key-ring.ts):
  // a rotation or retirement made through another instance takes effect within it.
  KEYS_REFRESH_SECONDS: positiveInt.max(60, 'must be at most 60 (API.md: every instance within 60 s)').default(30),
  // Branding: the name, logo and accent colour every page and mail shows, the
  // mails' From header, and a directory of templates replacing shipped ones.
  PRODUCT_NAME: z.string().trim().min(1).max(60, 'must be at most 60 characters').refine((v) => !/[\r\n<>]/.test(v), { message: 'must be one line of plain text' }).default('Gatehouse'),
  LOGO_URL: logoUrl.optional(),
  ACCENT_COLOR: hexColor.default('#1f5fbf'),
  MAIL_FROM: mailFrom.optional(),
  TEMPLATES_DIR: z.string().min(1).optional(),
  // oidc-provider's outgoing requests (back-channel logout, a client's
  // jwks_uri) may reach private, loopback and link-local addresses only with
  // this or a loopback PUBLIC_URL (oidc/outgoing-requests.ts): no SSRF into internal services.
  ALLOW_PRIVATE_NETWORK_TARGETS: bool.default(false),
  // Prometheus metrics on a listener of their own (metrics/listener.ts); unset: none.
  METRICS_PORT: z.coerce.number({ error: 'must be a number' }).int().min(1).max(65535, 'must be a port number').optional(),
  // Loopback by default: the counts describe the deployment to whoever can read them.
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string;
  issuer: string;
  /** The resource indicator of the first-party API (API.md's API_AUDIENCE). */
  apiAudience: string;
  databaseUrl: string | undefined;
  dataDir: string;
  smtpUrl: string | undefined;
  admin: { email: string; password: string } | undefined;
  clientsFile: string | undefined;
  requireEmailVerification: boolean;
  /** REGISTRATION_ENABLED. */
  registrationEnabled: boolean;
  /** HIDE_EXISTING_ACCOUNTS. */
  hideExistingAccounts: boolean;
  /** CORS_ORIGINS, each an origin (`scheme://host[:port]`), deduplicated. */
  corsOrigins: readonly string[];
  termsUrl: string | undefined;
  logLevel: string;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  purgeIntervalMs: number;
  /** Worker processes serving PORT (1: no cluster). */
  webConcurrency: number;
  /** CLIENT_CACHE_SECONDS, in milliseconds. */
  clientCacheMs: number;
  /** CHANGE_POLL_MS: how often the change feed is read. */
  changePollMs: number;
  /** TRUST_PROXY_HOPS: proxies whose X-Forwarded-For entries are believed (0: none). */
  trustProxyHops: number;
  passwordMinLength: number;
  rateLimits: RateLimitSettings;
  /** ENCRYPTION_KEY; unset: secrets are stored unencrypted (refused when NODE_ENV=production). */
  encryptionKey: string | undefined;
  passwordHashing: HashingQueueSettings;
  /** AUDIT_RETENTION_DAYS: how long audit events are kept. */
  auditRetentionDays: number;
  /** KEYS_REFRESH_SECONDS, in milliseconds. */
  keysRefreshMs: number;
  /** PRODUCT_NAME, LOGO_URL, ACCENT_COLOR, TEMPLATES_DIR. */
  branding: Branding;
  /** MAIL_FROM, else `PRODUCT_NAME <no-reply@PUBLIC_URL host>`. */
  mailFrom: string;
  /** ALLOW_PRIVATE_NETWORK_TARGETS: outgoing requests may go to private addresses even off a loopback PUBLIC_URL. */
  allowPrivateNetworkTargets: boolean;
  /** METRICS_PORT and METRICS_HOST; undefined: no metrics listener. */
  metrics: { port: number; host: string } | undefined;
}

export class ConfigError extends Error {}

/**
 * CORS_ORIGINS: each entry must be an origin exactly as a browser sends it in
 * the Origin header (RFC 6454: scheme, host, port; no path, no wildcard), so
 * a typo fails at start rather than silently allowing nothing or too much.
 */
function parseOrigins(list: string | undefined): string[] {
  const origins = new Set<string>();
  for (const entry of (list ?? '').split(',').map((v) => v.trim()).filter(Boolean)) {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== entry.toLowerCase()) {
      throw new ConfigError(`Invalid configuration: CORS_ORIGINS entry "${entry.slice(0, 100)}" must be an origin such as https://app.example.com (scheme, host and port only, no path or trailing slash)`);
    }
    origins.add(url.origin);
  }
  return [...origins];
}

/** Parse an environment (process.env by default) into a frozen Config. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  // Empty strings mean "unset": docker-compose and .env files produce them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')} ${issue.message}`);
  }
  const e = result.data;
  // A boolean cannot say how many X-Forwarded-For entries are the proxies' own;
  // TRUST_PROXY=true believed the leftmost, which the client writes.
  if (cleaned.TRUST_PROXY !== undefined) {
    throw new ConfigError('Invalid configuration: TRUST_PROXY is no longer supported; set TRUST_PROXY_HOPS to the number of reverse proxies in front (0: none)');
  }
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  const adminWeakness = e.ADMIN_PASSWORD === undefined
    ? undefined
    : createPasswordPolicy({ minLength: e.PASSWORD_MIN_LENGTH }).weakness(e.ADMIN_PASSWORD, e.ADMIN_EMAIL);
  if (adminWeakness) throw new ConfigError(`Invalid configuration: ADMIN_PASSWORD is refused by the password policy: ${adminWeakness}`);
  if (e.NODE_ENV === 'production' && !e.SMTP_URL) {
    throw new ConfigError('Invalid configuration: SMTP_URL is required when NODE_ENV=production (mail is only logged in development)');
  }
  if (e.NODE_ENV === 'production' && e.PUBLIC_URL !== undefined && !isHttpsOrLoopback(e.PUBLIC_URL)) {
    throw new ConfigError('Invalid configuration: PUBLIC_URL must be https when NODE_ENV=production (cookies, tokens and passwords would cross the network in clear)');
  }
  if (e.NODE_ENV === 'production' && !e.ENCRYPTION_KEY) {
    throw new ConfigError('Invalid configuration: ENCRYPTION_KEY is required when NODE_ENV=production (it encrypts signing keys and cookie keys at rest)');
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT === e.PORT) {
    throw new ConfigError('Invalid configuration: METRICS_PORT must differ from PORT (metrics are never served on the public port)');
  }
  if (e.WEB_CONCURRENCY > 1 && e.DATABASE_URL === undefined) {
    throw new ConfigError('Invalid configuration: WEB_CONCURRENCY must be 1 with the embedded database (a PGlite DATA_DIR belongs to one process); set DATABASE_URL to a PostgreSQL server to run several workers');
  }
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  if (e.LOGO_URL?.startsWith('http:') && e.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration: LOGO_URL must be https when NODE_ENV=production');
  }
  if (e.TEMPLATES_DIR !== undefined && !existsSync(e.TEMPLATES_DIR)) {
    throw new ConfigError(`Invalid configuration: TEMPLATES_DIR ${e.TEMPLATES_DIR} does not exist`);
  }
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    publicUrl,
    issuer: `${publicUrl}/oidc`,
    apiAudience: `${publicUrl}/api`,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    smtpUrl: e.SMTP_URL,
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : undefined,
    clientsFile: e.CLIENTS_FILE ?? (existsSync(DEFAULT_CLIENTS_FILE) ? DEFAULT_CLIENTS_FILE : undefined),
    requireEmailVerification: e.REQUIRE_EMAIL_VERIFICATION,
    registrationEnabled: e.REGISTRATION_ENABLED,
    hideExistingAccounts: e.HIDE_EXISTING_ACCOUNTS,
    corsOrigins: parseOrigins(e.CORS_ORIGINS),
    termsUrl: e.TERMS_URL,
    logLevel: e.LOG_LEVEL,
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
    purgeIntervalMs: e.PURGE_INTERVAL_SECONDS * 1000,
    webConcurrency: e.WEB_CONCURRENCY,
    clientCacheMs: e.CLIENT_CACHE_SECONDS * 1000,
    changePollMs: e.CHANGE_POLL_MS,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    rateLimits: {
      loginFailuresPerAccount: e.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT,
      loginWindowSeconds: e.RATE_LIMIT_LOGIN_WINDOW_SECONDS,
      loginFailuresPerIp: e.RATE_LIMIT_LOGIN_FAILURES_PER_IP,
      loginFailuresPerAccountUnrecognised: e.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_UNRECOGNISED,
      // API.md fixes these: 5 wrong codes in 15 minutes lock MFA for 15 minutes.
      mfaFailuresPerAccount: DEFAULT_RATE_LIMITS.mfaFailuresPerAccount,
      mfaWindowSeconds: DEFAULT_RATE_LIMITS.mfaWindowSeconds,
      registrationsPerIpPerHour: e.RATE_LIMIT_REGISTRATIONS_PER_IP_PER_HOUR,
      mailRequestsPerEmailPerHour: e.RATE_LIMIT_MAIL_PER_EMAIL_PER_HOUR,
      mailRequestsPerIpPerHour: e.RATE_LIMIT_MAIL_PER_IP_PER_HOUR,
      deviceCodeFailuresPerIp: e.RATE_LIMIT_DEVICE_CODE_FAILURES_PER_IP,
    },
    encryptionKey: e.ENCRYPTION_KEY,
    passwordHashing: { concurrency: e.PASSWORD_HASH_CONCURRENCY, maxQueued: e.PASSWORD_HASH_QUEUE },
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    keysRefreshMs: e.KEYS_REFRESH_SECONDS * 1000,
    branding: Object.freeze({
      productName: e.PRODUCT_NAME,
      // Absolute, so mails (read away from this server) can load it too; a
      // path is under PUBLIC_URL, its base path included.
      logoUrl: e.LOGO_URL?.startsWith('/') ? `${publicUrl}${e.LOGO_URL}` : e.LOGO_URL,
      palette: brandPalette(e.ACCENT_COLOR),
      templatesDir: e.TEMPLATES_DIR,
    }),
    mailFrom: e.MAIL_FROM ?? defaultMailFrom(publicUrl, e.PRODUCT_NAME),
    allowPrivateNetworkTargets: e.ALLOW_PRIVATE_NETWORK_TARGETS,
    metrics: e.METRICS_PORT === undefined ? undefined : { port: e.METRICS_PORT, host: e.METRICS_HOST },
  });
}

/** For entry points: the parsed config, or the one-line reason on stderr and exit code 1. */
export function parseConfigOrExit(): Readonly<Config> {
  try {
    return parseConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
