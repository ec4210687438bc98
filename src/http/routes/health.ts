import Router from '@koa/router';
import { UnavailableError } from '../../errors.ts';
import type { Store } from '../../storage/ports.ts';

/** Liveness says the process runs; readiness says it can serve (the database answers). */
export function createHealthRouter(store: Pick<Store, 'ping'>): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', async (ctx) => {
    try {
      await store.ping();
    } catch (err) {
      throw new UnavailableError('The database does not answer.', err);
    }
    ctx.body = { status: 'ready' };
  });
  return router;
}
