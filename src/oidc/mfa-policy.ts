// Second factors in oidc-provider's interaction policy: one more Check of the
// login prompt, so that a session signed in with the password alone goes
// back through sign-in (the MFA page) when the client has `require_mfa` or
// the request asks for the MFA acr (acr_values step-up). max_age is
// oidc-provider's own check of the same prompt.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { requiresMfa } from './client-policies.ts';

/** The acr of a sign-in that used a second factor; advertised in discovery's acr_values_supported. */
export const MFA_ACR = 'urn:gatehouse:acr:mfa';
/** The acr of a sign-in with the password alone. */
export const PWD_ACR = 'urn:gatehouse:acr:pwd';
export const ACR_VALUES = [PWD_ACR, MFA_ACR];

/** The Check's reason, which the login page reads to start at the second factor. */
export const MFA_CHECK = 'mfa_required';

/**
 * Whether a sign-in used more than one factor. RFC 8176 §2 names `mfa` for
 * several factors; a passkey with user verification is one as well: `hwk`
 * (possession of the key) with `user` (the key checked the person, by PIN or
 * biometric: knowledge or inherence), as WebAuthn Level 2 §6.2.3 describes.
 * The passkey login keeps API.md's amr ["hwk","user"]; the policy reads it.
 */
export const isMultiFactor = (amr: readonly string[]): boolean => amr.includes('mfa') || (amr.includes('hwk') && amr.includes('user'));

export const acrOf = (amr: readonly string[]): string => (isMultiFactor(amr) ? MFA_ACR : PWD_ACR);

/** Whether this authorization request needs a session that used a second factor. */
export function mfaWanted(ctx: KoaContextWithOIDC): boolean {
  const { oidc } = ctx;
  if (oidc.client && requiresMfa(oidc.client)) return true;
  const acrValues = typeof oidc.params?.acr_values === 'string' ? oidc.params.acr_values.split(' ') : [];
  return acrValues.includes(MFA_ACR);
}

export function gatehousePolicy() {
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  login.checks.add(new interactionPolicy.Check(MFA_CHECK, 'A second factor is required', (ctx) => {
    const { session } = ctx.oidc;
    if (!session?.accountId || !mfaWanted(ctx)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    return isMultiFactor(session.amr ?? []) ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
  }));
  return policy;
}
