// Accepting the terms of service, when TERMS_URL is set: a step that proves
// nothing about the person (no amr) and asks on every sign-in. It shows how a
// step joins: this file and one line in steps.ts.
import { z } from 'zod';
import { ForbiddenError } from '../errors.ts';
import { passed, refused, type SignInStep } from './step.ts';

const NOT_ACCEPTED = 'Accept the terms of service to sign in.';

// A checkbox posts "on"; the token endpoint's parameters are strings; JSON says true.
const ACCEPTED = new Set<unknown>([true, 'true', 'on']);

export function createAcceptTermsStep(deps: { termsUrl?: string }): SignInStep | undefined {
  const { termsUrl } = deps;
  if (!termsUrl) return undefined;
  return {
    id: 'accept-terms',
    fields: { accept_terms: z.boolean().optional().meta({ description: `true: the user accepts ${termsUrl}.` }) },
    errors: [ForbiddenError],
    show: () => ({ view: 'accept-terms', data: { termsUrl } }),
    async submit(input, state) {
      return ACCEPTED.has(input.accept_terms) ? passed(state) : refused(new ForbiddenError(NOT_ACCEPTED));
    },
  };
}
