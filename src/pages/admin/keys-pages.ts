// /admin/keys: the signing keys (metadata only, never key material), their
// rotation and retirement, as the admin API's key routes (src/oidc/key-management.ts).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { listSigningKeys, retireSigningKey, rotateKeys } from '../../oidc/key-management.ts';
import { addConfirmedAction } from './confirm.ts';
import { isShownRefusal, type AdminKit, type AdminPagesDeps } from './admin-kit.ts';

const SECTION = '/admin/keys';
const DONE: Record<string, string> = { rotated: 'New signing keys sign from now on; the old ones keep verifying until retired.', retired: 'The key was retired.' };

export function addKeyPages(router: Router, deps: AdminPagesDeps, kit: AdminKit): void {
  async function showKeys(ctx: Context, extra: Record<string, unknown> = {}, status?: number) {
    await kit.show(ctx, 'admin-keys', {
      title: 'Signing keys', section: SECTION, keys: await listSigningKeys(deps.secrets), done: DONE[String(ctx.query.done)], ...extra,
    }, status);
  }
  router.get(SECTION, ...kit.page('*'), (ctx) => showKeys(ctx));

  // Where a sign-in that ended before the post comes back to.
  router.get(`${SECTION}/rotate`, ...kit.page('*'), (ctx) => {
    ctx.status = 303;
    ctx.redirect(SECTION);
  });
  router.post(`${SECTION}/rotate`, ...kit.post('keys:write'), async function rotate(ctx) {
    try {
      await kit.audited(ctx, 'rotateKeys', null, async () => {
        await rotateKeys(deps.secrets);
        await deps.keys.refresh();
      });
    } catch (err) {
      if (!isShownRefusal(err)) throw err;
      return showKeys(ctx, { error: err.message }, err.status);
    }
    ctx.status = 303;
    ctx.redirect(`${SECTION}?done=rotated`);
  });

  const kid = (ctx: Context) => String(ctx.params.kid ?? '');
  addConfirmedAction(router, kit, {
    path: `${SECTION}/:kid/retire`, permission: 'keys:write', section: SECTION,
    async describe(ctx) {
      const key = (await listSigningKeys(deps.secrets)).find((k) => k.kid === kid(ctx));
      return {
        title: `Retire the key ${key?.kid ?? kid(ctx)}`,
        message: 'Tokens it signed stop verifying at once. Retire a key only after its tokens have expired (an hour after the rotation).',
        button: 'Retire the key', back: SECTION,
      };
    },
    async run(ctx) {
      await kit.audited(ctx, 'retireKey', null, async () => {
        await retireSigningKey(deps.secrets, kid(ctx));
        await deps.keys.refresh();
      });
      return `${SECTION}?done=retired`;
    },
  });
}
