// The amr of the sign-in a token request finished (password or MFA grant),
// for the access token's claims (configuration.ts, extraTokenClaims):
// oidc-provider's AccessToken has no amr of its own. Keyed by the request's
// context, so it lives exactly as long as the request.
const amrs = new WeakMap<object, string[]>();

export const setGrantAmr = (ctx: object, amr: string[]): void => {
  amrs.set(ctx, amr);
};

export const grantAmrOf = (ctx: object | undefined): string[] | undefined => (ctx === undefined ? undefined : amrs.get(ctx));
