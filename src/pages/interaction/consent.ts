// The consent step: show what the client asks for that the user has not yet
// granted, and on approval record it in a Grant. First-party clients never get
// here (the provider configuration's loadExistingGrant grants them silently).
import type { Context } from 'koa';
import { userActor } from '../../services/audit.ts';
import { clientDisplayName, renderInteractionError } from './load.ts';
import { allowClientLogo, presentClient } from './client-links.ts';
import { finishInteraction } from './finish.ts';
import type { InteractionDeps, InteractionDetails, InteractionPrompt } from './types.ts';

/** The shape of prompt.details for oidc-provider's default consent checks. */
interface ConsentPromptDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Sign you in with your account',
  email: 'See your email address',
  profile: 'See your name',
  role: 'See your role',
  offline_access: 'Stay signed in when you are not using it',
};

export function describeScope(scope: string): { name: string; description: string } {
  return { name: scope, description: SCOPE_DESCRIPTIONS[scope] ?? scope };
}

function consentDetails(details: InteractionDetails): ConsentPromptDetails {
  return details.prompt.details as ConsentPromptDetails;
}

/** consent.granted or consent.denied, with what was asked (scope and claim names, resource indicators). */
export async function recordConsent(deps: InteractionDeps, details: InteractionDetails, granted: boolean): Promise<void> {
  const accountId = details.session?.accountId;
  const missing = consentDetails(details);
  await deps.audit.record({
    type: granted ? 'consent.granted' : 'consent.denied',
    result: granted ? 'success' : 'failure',
    ...(!granted && { reason: 'ACCESS_DENIED' }),
    ...(accountId && { actor: userActor(accountId) }),
    subjectId: accountId ?? null,
    sessionId: details.session?.uid ?? null,
    clientId: typeof details.params.client_id === 'string' ? details.params.client_id : null,
    details: {
      scopes: missing.missingOIDCScope ?? [],
      claims: missing.missingOIDCClaims ?? [],
      // A list, not an object keyed by indicator: URLs make poor field names (dots) in a document store.
      resources: Object.entries(missing.missingResourceScopes ?? {}).map(([indicator, scopes]) => ({ indicator, scopes })),
    },
  });
}

/**
 * "Not you?": the same authorization request again with prompt=login, so the
 * other person signs in and then sees this consent page for their own
 * account (oidc-provider starts a fresh session when the account differs).
 * A plain link: it works without JavaScript and changes nothing by itself.
 */
function switchAccountHref(details: InteractionDetails): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(details.params)) {
    if (name === 'prompt' || name === 'login_hint' || name === 'id_token_hint') continue;
    // Several resource indicators arrive as an array.
    for (const one of Array.isArray(value) ? value : [value]) if (typeof one === 'string') params.append(name, one);
  }
  params.set('prompt', 'login');
  return `/oidc/auth?${params.toString()}`;
}

async function showConsent(ctx: Context, deps: InteractionDeps, details: InteractionDetails): Promise<void> {
  const missing = consentDetails(details);
  const clientId = String(details.params.client_id ?? '');
  const client = clientId ? await deps.provider.Client.find(clientId) : undefined;
  const links = presentClient(client, { allowLoopbackHttp: deps.allowLoopbackHttp });
  const accountId = details.session?.accountId;
  await deps.render(ctx, 'consent', {
    uid: details.uid,
    clientName: await clientDisplayName(deps, details),
    client: links,
    accountEmail: accountId ? await deps.accountEmail(accountId) : undefined,
    switchAccountHref: switchAccountHref(details),
    scopes: (missing.missingOIDCScope ?? []).map(describeScope),
    claims: missing.missingOIDCClaims ?? [],
    resources: Object.entries(missing.missingResourceScopes ?? {})
      .map(([indicator, scopes]) => ({ indicator, scopes })),
  });
  allowClientLogo(ctx, links.logoUri);
}

async function submitConsent(ctx: Context, deps: InteractionDeps, details: InteractionDetails): Promise<void> {
  const accountId = details.session?.accountId;
  const clientId = String(details.params.client_id ?? '');
  if (!accountId || !clientId) {
    await renderInteractionError(ctx, deps, 'There is no signed-in account for this request.');
    return;
  }

  const { Grant } = deps.provider;
  // Extend the grant the client already holds so earlier approvals survive;
  // an expired or foreign grant id is replaced by a new grant.
  let grant = details.grantId ? await Grant.find(details.grantId) : undefined;
  if (grant && (grant.accountId !== accountId || grant.clientId !== clientId)) grant = undefined;
  grant ??= new Grant({ accountId, clientId });

  const missing = consentDetails(details);
  if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await recordConsent(deps, details, true);

  // Merge keeps the login result of this same authorization request.
  await finishInteraction(ctx, deps.provider, { consent: { grantId } }, true);
}

export const consentPrompt: InteractionPrompt = { show: showConsent, submit: submitConsent };
