import { readFile } from 'node:fs/promises';
import Router from '@koa/router';

const ASSETS_DIR = new URL('../../views/assets/', import.meta.url);
const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', svg: 'image/svg+xml', js: 'text/javascript; charset=utf-8' };

/**
 * The pages' static files (CSP allows only 'self', no inline styles). A fixed
 * allow-list of names: no path from the request ever reaches the file system.
 */
export function createAssetsRouter(): Router {
  const router = new Router();
  router.get('/assets/:name', async (ctx, next) => {
    const name = ctx.params.name ?? '';
    const ext = name.split('.').pop() ?? '';
    if (!/^[a-z0-9-]+\.(css|svg|js)$/.test(name) || !TYPES[ext]) return next();
    try {
      ctx.body = await readFile(new URL(name, ASSETS_DIR));
    } catch {
      return next();
    }
    ctx.type = TYPES[ext];
    ctx.set('Cache-Control', 'public, max-age=3600');
  });
  return router;
}
