// The HTML surface: every server-rendered page (src/pages/) and the
// oidc-provider pages drawn with the same views.
import type { Router } from '@koa/router';
import type { Provider } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { ApiRoute } from '../http/api/route.ts';
import { createAccountPagesRouter } from '../pages/account/account-pages.ts';
import { createDocsRouter } from '../pages/api-docs.ts';
import { createAssetsRouter } from '../pages/assets.ts';
import { createBrandCssRouter } from '../pages/brand-css.ts';
import { createInteractionRouter } from '../pages/interaction/router.ts';
import type { Renderer } from '../pages/render.ts';
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
}): Router[] {
  const { services, render } = deps;
  return [
    createBrandCssRouter(deps.config.branding.palette),
    createAssetsRouter(),
    createInteractionRouter({
      provider: deps.provider, signIn: deps.signIn, render, audit: services.audit,
      accountEmail: async (id) => (await services.accounts.findById(id))?.email,
      allowLoopbackHttp: deps.config.env !== 'production',
    }),
    createAccountPagesRouter({ registration: services.registration, passwordReset: services.passwordReset, render }),
    createDocsRouter({ routes: deps.apiRoutes, serverUrl: deps.config.publicUrl, render }),
  ];
}
