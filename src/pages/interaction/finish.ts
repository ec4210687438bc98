// Ending an interaction. provider.interactionFinished() writes to the raw
// Node response behind Koa's back; interactionResult() stores the same result
// and returns the resume URL, so the redirect stays a normal Koa response
// (headers from our middleware, logging) with an explicit 303: a POST must be
// followed by a GET to oidc-provider's resume endpoint.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';

export async function finishInteraction(
  ctx: Context,
  provider: Provider,
  result: InteractionResults,
  mergeWithLastSubmission: boolean,
): Promise<void> {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

/** The user pressed Cancel: the client receives error=access_denied. */
export async function abortInteraction(ctx: Context, provider: Provider): Promise<void> {
  await finishInteraction(ctx, provider, {
    error: 'access_denied',
    error_description: 'End-User aborted interaction',
  }, false);
}

/** Post/redirect/get back to the interaction page, which shows whatever step is pending now. */
export function seeCurrentStep(ctx: Context, uid: string): void {
  ctx.status = 303;
  ctx.redirect(`/interaction/${encodeURIComponent(uid)}`);
}
