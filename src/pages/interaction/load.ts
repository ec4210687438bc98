// Looking up the pending interaction, and the pieces every step shows.
import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import { safeReturnTo } from '../../return-to.ts';
import type { InteractionDeps, InteractionDetails } from './types.ts';

/**
 * The interaction behind /interaction/:uid, or undefined after rendering a 400
 * page. oidc-provider finds the interaction by its signed cookie (scoped to
 * this path), not by the uid in the URL, so the two are compared as well.
 */
export async function loadInteraction(
  ctx: Context,
  deps: InteractionDeps,
  uid: string,
): Promise<InteractionDetails | undefined> {
  try {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid === uid) return details;
  } catch (err) {
    // Missing cookie, expired interaction, or a session that changed hands.
    if (!(err instanceof errors.SessionNotFound)) throw err;
  }
  await renderInteractionError(ctx, deps, 'This sign-in request has expired or is no longer valid.');
  return undefined;
}

export async function renderInteractionError(ctx: Context, deps: InteractionDeps, message: string): Promise<void> {
  await deps.render(ctx, 'error', {
    title: 'Sign-in request not valid',
    message,
    hint: 'Return to the application you came from and start signing in again.',
  }, 400);
}

/** What the pages call the client: its registered name, else its id. */
export async function clientDisplayName(deps: InteractionDeps, details: InteractionDetails): Promise<string> {
  const clientId = String(details.params.client_id ?? '');
  const client = clientId ? await deps.provider.Client.find(clientId) : undefined;
  return client?.clientName || clientId || 'an application';
}

/**
 * Where the account pages (register, forgotten password, and the links their
 * mails carry) lead back to: this authorization request again. It still works
 * after the interaction has expired (half an hour, while a verification link
 * lasts a day) and needs no interaction cookie. A pushed or signed request
 * cannot be replayed from its parameters (a request_uri works once), so it
 * gets the interaction page instead.
 */
export function signInReturnPath(details: InteractionDetails): string {
  const interaction = `/interaction/${details.uid}`;
  const params = details.params as Record<string, unknown>;
  if (params.request_uri !== undefined || params.request !== undefined) return interaction;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'string') query.append(name, item);
  }
  return safeReturnTo(`/oidc/auth?${query}`) ?? interaction;
}
