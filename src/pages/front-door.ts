// The front door: `/` says which server this is and where to go from it, and
// a path nothing else answered gets a 404 a person can read (a page) or a
// program can parse (API.md's JSON envelope), by what the caller accepts.
import { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import { NotFoundError } from '../errors.ts';
import { ACCOUNT_CONSOLE } from '../return-to.ts';
import type { Renderer } from './render.ts';

/** Where the front door points; shared by `/` and the 404 page. */
const LINKS = {
  // There is no sign-in page without an authorization request behind it
  // (sign-in is oidc-provider's login prompt). The account console is a
  // client of this server: opened signed out, it starts a request and lands
  // on the sign-in page, and after sign-in the person is somewhere useful.
  signIn: ACCOUNT_CONSOLE,
  account: ACCOUNT_CONSOLE,
  docs: '/docs',
  register: '/account/register',
};

export function createFrontDoorRouter({ render }: { render: Renderer }): Router {
  const router = new Router();
  router.get('/', async function home(ctx: Context) {
    // The name is PRODUCT_NAME, which every page gets as it.brand.productName.
    await render(ctx, 'home', { links: LINKS });
  });
  return router;
}

/**
 * The last middleware: reached only when no route answered. A browser (it
 * asks for text/html before anything else) gets the site's 404 page, with
 * the same headers as every page; everything else gets API.md's envelope.
 * `accepts('json', 'html')` puts JSON first, so `Accept: *\/*` (curl, most
 * HTTP libraries) and a missing Accept get JSON. /api/* never reaches here
 * (apiNotFound answers it in JSON whatever the Accept), nor do paths under
 * /oidc that oidc-provider answers itself.
 */
export function notFoundPage(render: Renderer): Middleware {
  return async function notFound(ctx) {
    if (ctx.accepts('json', 'html') === 'html') {
      await render(ctx, 'not-found', { path: ctx.path, links: LINKS }, 404);
      return;
    }
    throw new NotFoundError(`No route for ${ctx.method} ${ctx.path}.`);
  };
}
