// /docs/guides/…: short how-tos for the kinds of application that use
// Gatehouse, next to the API reference (/docs). Static pages with this
// server's own URLs filled in; the facts they state (scopes, the API
// resource, when refresh tokens are issued) are Gatehouse's configuration
// (src/oidc/configuration.ts, resource-server.ts), named here, not copied.
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { API_SCOPE } from '../oidc/resource-server.ts';
import type { Renderer } from './render.ts';

export interface Guide {
  slug: string;
  title: string;
  summary: string;
}

/** In reading order; each is views/guide-<slug>.eta. */
export const GUIDES: readonly Guide[] = [
  { slug: 'spa', title: 'A first-party single-page app', summary: 'JSON login, or the code flow with PKCE and resource=' },
  { slug: 'web-app', title: 'A third-party web app', summary: 'The authorization code flow with a client secret' },
  { slug: 'service', title: 'A service', summary: 'Client credentials, for a backend acting as itself' },
  { slug: 'oauth-parameters', title: 'OAuth parameters that matter', summary: 'prompt=consent, offline_access, resource and the rest' },
];

export function createDocsGuidesRouter({ publicUrl, render }: { publicUrl: string; render: Renderer }): Router {
  const base = publicUrl.replace(/\/+$/, '');
  const facts = { publicUrl: base, issuer: `${base}/oidc`, apiAudience: `${base}/api`, apiScope: API_SCOPE, guides: GUIDES };
  const router = new Router();
  // A fixed list: the slug picks a view only when it is one of ours; anything
  // else falls through to the 404 page.
  for (const guide of GUIDES) {
    router.get(`/docs/guides/${guide.slug}`, async function showGuide(ctx: Context) {
      await render(ctx, `guide-${guide.slug}`, { ...facts, guide });
    });
  }
  router.get('/docs/guides', (ctx) => ctx.redirect('/docs#guides'));
  return router;
}
