// The account console at /account (API.md "Operations"): a signed-in
// person's own profile, password, sessions, connected apps, organizations, security activity
// and account deletion. Signed in through /console/login like the admin
// console; every form posts with the CSRF kit; no JavaScript.
import { Router } from '@koa/router';
import type { AccountSettings } from '../../../services/account-settings.ts';
import type { Audit } from '../../../services/audit.ts';
import type { ConnectedApps } from '../../../services/connected-apps.ts';
import type { OrganizationService } from '../../../services/organizations.ts';
import type { SessionService } from '../../../services/sessions.ts';
import type { RequireConsole } from '../../console/require-console.ts';
import type { Renderer } from '../../render.ts';
import { addActivityPages } from './activity-pages.ts';
import { addAppPages } from './app-pages.ts';
import { addDeletePages } from './delete-pages.ts';
import { createConsoleKit } from './kit.ts';
import { addPasswordPages } from './password-pages.ts';
import { addOrganizationPages } from './organization-pages.ts';
import { addProfilePages } from './profile-pages.ts';
import { addSecurityPages, type SecurityMfa } from './security-pages.ts';
import { addSessionPages } from './session-pages.ts';

export interface AccountConsoleDeps {
  requireConsole: RequireConsole;
  render: Renderer;
  settings: AccountSettings;
  sessions: SessionService;
  connectedApps: ConnectedApps;
  audit: Pick<Audit, 'listForSubject'>;
  mfa: SecurityMfa;
  organizations: OrganizationService;
}

export function createAccountConsoleRouter(deps: AccountConsoleDeps): Router {
  const router = new Router();
  const kit = createConsoleKit(deps.render);
  const common = { kit, requireConsole: deps.requireConsole };
  addProfilePages(router, { ...common, settings: deps.settings });
  addPasswordPages(router, { ...common, settings: deps.settings });
  addSecurityPages(router, { ...common, mfa: deps.mfa });
  addSessionPages(router, { ...common, sessions: deps.sessions });
  addAppPages(router, { ...common, connectedApps: deps.connectedApps });
  addOrganizationPages(router, { ...common, organizations: deps.organizations });
  addActivityPages(router, { ...common, audit: deps.audit });
  addDeletePages(router, { ...common, settings: deps.settings, render: deps.render });
  return router;
}
