import type { Provider } from 'oidc-provider';

/**
 * RFC 6749 §5.2: a client using a grant type it is not registered for gets
 * `unauthorized_client`. oidc-provider answers `invalid_request` instead
 * (actions/token.js, allowedGrantTypeCheck), so the token endpoint's answer is
 * corrected here, after oidc-provider has rendered it.
 */
export function answerUnauthorizedGrantTypes(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { error?: string; error_description?: string } | undefined;
    if (
      ctx.oidc?.route === 'token' &&
      body?.error === 'invalid_request' &&
      body.error_description === 'requested grant type is not allowed for this client'
    ) {
      ctx.body = { error: 'unauthorized_client', error_description: body.error_description };
    }
  });
}
