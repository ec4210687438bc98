// Every use case, built once from the store and the config. No Koa here: the
// HTTP and OIDC layers receive these objects.
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../storage/ports.ts';
import { createAccountEmails } from './account-emails.ts';
import { createAccountSettings, type AccountSettings } from './account-settings.ts';
import { createAccountService, type AccountService } from './accounts.ts';
import { createAdminUsers, type AdminUsers } from './admin-users.ts';
import { createAudit, type Audit } from './audit.ts';
import type { Metrics } from './metrics.ts';
import { createConnectedApps, type ConnectedApps } from './connected-apps.ts';
import { createIdentifierHasher } from './audit-identifier.ts';
import type { Mailer } from './mailer.ts';
import { createMfa, type Mfa } from './mfa/mfa.ts';
import { relyingPartyOf } from './mfa/webauthn.ts';
import { PASSKEY_CHALLENGE_TTL_SECONDS } from './mfa/passkeys.ts';
import { createOneTimeTokens } from './one-time-tokens.ts';
import { createOrganizationEmails } from './organization-emails.ts';
import { createOrganizationService, type OrganizationService } from './organizations.ts';
import { createPasswordHasher } from './password-hasher.ts';
import { createPasswordPolicy } from './password-policy.ts';
import { createPasswordReset, type PasswordReset } from './password-reset.ts';
import { createRateLimits, type RateLimits } from './rate-limits.ts';
import { createSignInSources } from './sign-in-source.ts';
import { createRegistration, type Registration } from './registration.ts';
import { createRoleService, type RoleService } from './roles.ts';
import { createSessionService, type SessionService } from './sessions.ts';

export interface Services {
  accounts: AccountService;
  sessions: SessionService;
  registration: Registration;
  passwordReset: PasswordReset;
  settings: AccountSettings;
  roles: RoleService;
  adminUsers: AdminUsers;
  audit: Audit;
  connectedApps: ConnectedApps;
  mfa: Mfa;
  /** The abuse limits, for the surfaces that count attempts themselves (device-flow user codes). */
  rateLimits: RateLimits;
  organizations: OrganizationService;
}

export async function createServices(deps: {
  config: Readonly<Config>;
  store: Store;
  mailer: Mailer;
  logger: Logger;
  viewsDir: string;
  /** Fed from the audit events (services/metrics.ts); absent: nothing counted. */
  metrics?: Metrics;
}): Promise<Services> {
  const { config, store, logger } = deps;
  const audit = createAudit({
    store: store.audit,
    hashIdentifier: await createIdentifierHasher({ encryptionKey: config.encryptionKey, secrets: store.secrets }),
    logger,
    ...(deps.metrics && { metrics: deps.metrics }),
  });
  const rateLimits = createRateLimits((rule) => store.createRateLimiter(rule), config.rateLimits);
  const accounts = createAccountService({
    accounts: store.accounts,
    hasher: await createPasswordHasher(config.argon2, config.passwordHashing),
    requireEmailVerification: config.requireEmailVerification,
    rateLimits,
    sources: createSignInSources(store.sessions, store.accounts),
  });
  const passwordPolicy = createPasswordPolicy({ minLength: config.passwordMinLength });
  const sessions = createSessionService({ sessions: store.sessions, oidc: store.oidc, clients: store.clients, audit });
  const tokens = createOneTimeTokens(store.oneTimeTokens);
  const emails = createAccountEmails({ mailer: deps.mailer, publicUrl: config.publicUrl, viewsDir: deps.viewsDir, branding: config.branding });
  // Mail leaves after the answer; a failure is the operator's to see.
  const onMailError = (err: unknown) => logger.error({ err }, 'sending mail failed');
  const roles = createRoleService(store.roles);
  const mfa = createMfa({
    factors: store.factors, accounts, rateLimits, audit, emails, onMailError, issuer: config.branding.productName,
    rp: relyingPartyOf(config.publicUrl, config.branding.productName),
    passkeyChallenges: store.createRateLimiter({ keyPrefix: 'passkey-challenge', points: 2, durationSeconds: PASSKEY_CHALLENGE_TTL_SECONDS }),
    requireEmailVerification: config.requireEmailVerification,
  });
  const organizations = createOrganizationService({
    store: store.organizations, accounts, audit, onMailError,
    emails: createOrganizationEmails({ mailer: deps.mailer, publicUrl: config.publicUrl, viewsDir: deps.viewsDir, branding: config.branding }),
  });
  return {
    mfa,
    organizations,
    accounts,
    sessions,
    roles,
    adminUsers: createAdminUsers({
      store: store.accounts, accounts, roles, sessions, tokens, emails, rateLimits, passwordPolicy, onMailError, mfa, organizations,
    }),
    audit,
    registration: createRegistration({
      accounts, tokens, emails, rateLimits, onMailError, passwordPolicy, audit, organizations,
      requireEmailVerification: config.requireEmailVerification,
      registrationEnabled: config.registrationEnabled,
      hideExistingAccounts: config.hideExistingAccounts,
    }),
    rateLimits,
    passwordReset: createPasswordReset({ accounts, tokens, emails, sessions, rateLimits, onMailError, passwordPolicy, audit }),
    connectedApps: createConnectedApps({ oidc: store.oidc, clients: store.clients, audit }),
    settings: createAccountSettings({ accounts, sessions, passwordPolicy, tokens, emails, onMailError, audit, organizations }),
  };
}
