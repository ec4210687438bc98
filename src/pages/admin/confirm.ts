// Destructive actions in two steps: GET shows a confirmation page (a
// required checkbox), POST to the same path does it, after CSRF and a
// recent sign-in (a re-authentication otherwise comes back to the GET).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { formOf } from '../form-body.ts';
import { confirmed, isShownRefusal, type AdminKit } from './admin-kit.ts';

export interface ConfirmSpec {
  path: string;
  permission: string;
  section: string;
  /** The page's words, from the thing acted on (loading it also answers 404 for a missing one). */
  describe(ctx: Context): Promise<{ title: string; message: string; button: string; back: string }>;
  /** Do it; answer where to go (303), or render an answer itself and return undefined. */
  run(ctx: Context): Promise<string | undefined>;
}

export function addConfirmedAction(router: Router, kit: AdminKit, spec: ConfirmSpec): void {
  async function showConfirm(ctx: Context, extra: Record<string, unknown> = {}, status?: number) {
    await kit.show(ctx, 'admin-confirm', { ...(await spec.describe(ctx)), action: ctx.path, section: spec.section, ...extra }, status);
  }
  router.get(spec.path, ...kit.page(spec.permission), (ctx) => showConfirm(ctx));
  router.post(spec.path, ...kit.post(spec.permission, { destructive: true }), async function confirmedAction(ctx) {
    if (!confirmed(formOf(ctx))) return showConfirm(ctx, { confirmError: 'Tick the box to confirm.' }, 400);
    let location: string | undefined;
    try {
      location = await spec.run(ctx);
    } catch (err) {
      if (!isShownRefusal(err)) throw err;
      return showConfirm(ctx, { error: err.message }, err.status);
    }
    if (location === undefined) return;
    ctx.status = 303;
    ctx.redirect(location);
  });
}
