// The admin console at /admin: for accounts whose role grants an admin:*
// permission, signed in like the account console (src/pages/console/), over
// the services the admin API uses, each page under the permission of the
// matching API route.
import { Router } from '@koa/router';
import { createAdminKit, isShownRefusal, type AdminPagesDeps } from './admin-kit.ts';
import { addDashboardPages } from './dashboard-pages.ts';
import { addUserPages } from './users-pages.ts';
import { addClientPages } from './clients-pages.ts';
import { addRolePages } from './roles-pages.ts';
import { addAuditPages } from './audit-pages.ts';
import { addKeyPages } from './keys-pages.ts';

export type { AdminPagesDeps } from './admin-kit.ts';

export function createAdminPagesRouter(deps: AdminPagesDeps): Router {
  const router = new Router();
  const kit = createAdminKit(deps);
  // A refusal no page handles itself (an unknown user or client in the
  // address, an unreadable form) is a page too, not the API's JSON envelope.
  router.use(async function adminRefusalPage(ctx, next) {
    try {
      await next();
    } catch (err) {
      if (!isShownRefusal(err)) throw err;
      ctx.set(err.headers);
      await deps.render(ctx, 'error', { title: err.status === 404 ? 'Not found' : 'Refused', message: err.message, code: err.code }, err.status);
    }
  });
  addDashboardPages(router, deps, kit);
  addUserPages(router, deps, kit);
  addClientPages(router, deps, kit);
  addRolePages(router, deps, kit);
  addAuditPages(router, deps, kit);
  addKeyPages(router, deps, kit);
  return router;
}
