// The HTML surface: every server-rendered page (src/pages/) and the
// oidc-provider pages drawn with the same views.
import type { Router } from '@koa/router';
import type { Provider } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { ApiRoute } from '../http/api/route.ts';
import { createAccountConsoleRouter } from '../pages/account/console/account-console.ts';
import { createAdminPagesRouter, type AdminPagesDeps } from '../pages/admin/admin-pages.ts';
import { createAccountPagesRouter } from '../pages/account/account-pages.ts';
import { createDocsRouter } from '../pages/api-docs.ts';
import { createDocsGuidesRouter } from '../pages/docs-guides.ts';
import { createFrontDoorRouter } from '../pages/front-door.ts';
import { createAssetsRouter } from '../pages/assets.ts';
import { createBrandCssRouter } from '../pages/brand-css.ts';
import { createInteractionRouter } from '../pages/interaction/router.ts';
import type { Renderer } from '../pages/render.ts';
import type { ConsoleSignInDeps } from '../pages/console/console-deps.ts';
import { createConsoleSignInRouter } from '../pages/console/console-sign-in.ts';
import { createRequireConsole } from '../pages/console/require-console.ts';
import { createTokenEndpoint } from '../oidc/token-endpoint.ts';
import type { TokenChecks } from './api.ts';
import type { Services } from '../services/create-services.ts';
import type { SignIn } from '../sign-in/flow.ts';

/** The page routers in the order the app mounts them. */
export function createPagesSurface(deps: {
  config: Readonly<Config>;
  services: Services;
  provider: Provider;
  signIn: SignIn;
  render: Renderer;
  apiRoutes: readonly ApiRoute[];
  /** The API's own token checks (src/surfaces/api.ts), which the consoles apply to their cookie's tokens. */
  tokenChecks: TokenChecks;
  /** What the admin console changes besides the services: clients, keys, live-session counts. */
  admin: Pick<AdminPagesDeps, 'clients' | 'secrets' | 'keys' | 'sessions'>;
}): Router[] {
  const { config, services, render } = deps;
  const consoleDeps: ConsoleSignInDeps = {
    publicUrl: config.publicUrl,
    issuer: config.issuer,
    apiAudience: config.apiAudience,
    tokenEndpoint: createTokenEndpoint(deps.provider),
    ...deps.tokenChecks,
    permissionsOf: (role) => services.roles.permissionsOf(role),
    sessions: services.sessions,
    render,
  };
  // Every console page guards itself with this (src/pages/console/require-console.ts).
  const requireConsole = createRequireConsole(consoleDeps);
  return [
    createBrandCssRouter(deps.config.branding.palette),
    createAssetsRouter(),
    createFrontDoorRouter({ render }),
    createInteractionRouter({
      provider: deps.provider, signIn: deps.signIn, render, audit: services.audit,
      accountEmail: async (id) => (await services.accounts.findById(id))?.email,
      allowLoopbackHttp: deps.config.env !== 'production',
      mfaEnrolment: {
        findAccount: async (id) => (await services.accounts.findById(id)) ?? undefined,
        enrolTotp: services.mfa.enrolTotp, confirmTotp: services.mfa.confirmTotp,
      },
      passkeys: services.mfa.passkeys,
      securityKeys: { activeFactors: services.mfa.activeFactors, options: services.mfa.webauthn.secondFactorOptions },
    }),
    createAccountPagesRouter({ registration: services.registration, passwordReset: services.passwordReset, render }),
    createConsoleSignInRouter(consoleDeps),
    createAccountConsoleRouter({
      requireConsole, render, settings: services.settings, sessions: services.sessions, connectedApps: services.connectedApps, audit: services.audit,
      mfa: services.mfa, organizations: services.organizations,
    }),
    createAdminPagesRouter({
      requireConsole, render, adminUsers: services.adminUsers, roles: services.roles, audit: services.audit, ...deps.admin,
    }),
    createDocsRouter({ routes: deps.apiRoutes, serverUrl: deps.config.publicUrl, render }),
    createDocsGuidesRouter({ publicUrl: deps.config.publicUrl, render }),
  ];
}
