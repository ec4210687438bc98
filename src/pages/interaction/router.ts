// Routes of the interaction pages oidc-provider redirects to
// (interactions.url defaults to /interaction/:uid). GET shows the pending
// prompt; POST handles it and answers 303 to oidc-provider's resume endpoint.
import { Router } from '@koa/router';
import { csrfToken, requireCsrf } from '../csrf.ts';
import { formBody, formOf } from '../form-body.ts';
import { loginPrompt } from './login.ts';
import { consentPrompt, recordConsent } from './consent.ts';
import { abortInteraction, seeCurrentStep } from './finish.ts';
import { loadInteraction, renderInteractionError } from './load.ts';
import { securityKeyOptions } from './security-key.ts';
import type { InteractionDeps, InteractionPrompt } from './types.ts';

export type { InteractionDeps } from './types.ts';

/** The prompts of oidc-provider's default policy that the pages answer, by name. */
const PROMPTS: Readonly<Record<string, InteractionPrompt>> = { login: loginPrompt, consent: consentPrompt };

const UNSUPPORTED_PROMPT = 'This sign-in step is not supported.';

export function createInteractionRouter(deps: InteractionDeps): Router {
  const router = new Router();

  router.get('/interaction/:uid', csrfToken(), async function showInteraction(ctx) {
    const details = await loadInteraction(ctx, deps, ctx.params.uid!);
    if (!details) return;
    const prompt = PROMPTS[details.prompt.name];
    if (!prompt) return renderInteractionError(ctx, deps, UNSUPPORTED_PROMPT);
    return prompt.show(ctx, deps, details);
  });

  // A JSON fetch of the MFA page's script; the interaction cookie is its credential.
  router.post('/interaction/:uid/webauthn-options', async function webauthnOptions(ctx) {
    await securityKeyOptions(ctx, deps);
  });

  router.post(
    '/interaction/:uid',
    formBody(),
    csrfToken(),
    requireCsrf(deps.render),
    async function submitInteraction(ctx) {
      const details = await loadInteraction(ctx, deps, ctx.params.uid!);
      if (!details) return;
      const form = formOf(ctx);
      if (form.action === 'cancel') {
        if (details.prompt.name === 'consent') await recordConsent(deps, details, false);
        return abortInteraction(ctx, deps.provider);
      }
      // A form left open in another tab may belong to a step that is over (a
      // login form once consent is pending): show the current step instead of
      // reading a password post as an approval.
      if (form.prompt !== details.prompt.name) return seeCurrentStep(ctx, details.uid);
      const prompt = PROMPTS[details.prompt.name];
      if (!prompt) return renderInteractionError(ctx, deps, UNSUPPORTED_PROMPT);
      return prompt.submit(ctx, deps, details, form);
    },
  );

  return router;
}
