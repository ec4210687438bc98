// The pages' form kit, counterpart of src/http/api/route.ts: a form post is
// parsed from its urlencoded body, CSRF-checked, validated with the same zod
// fields as the API (src/fields.ts), and answered 303 (post/redirect/get), or
// the form again with a 4xx and the reason.
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { AppError, EmailExistsError, WeakPasswordError } from '../errors.ts';
import { csrfToken, requireCsrf } from './csrf.ts';
import { formBody, formOf, type FormFields } from './form-body.ts';
import type { Renderer } from './render.ts';

type Issue = z.core.$ZodIssue;

const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';

/** What a page says for an issue on a shared field, in the words of a form rather than of an API. */
const FIELD_MESSAGES: Readonly<Record<string, (issue: Issue, value: unknown) => string>> = {
  email: (issue, value) => {
    if (blank(value)) return 'Enter your email address.';
    return issue.code === 'too_big' ? 'The email address is too long.' : 'Enter a valid email address.';
  },
  // The policy (8-256) answers for itself; this is the bound the API field keeps.
  password: (issue) => (issue.code === 'too_big' ? 'The password must be at most 256 characters long.' : 'Enter a password.'),
  name: () => 'The name must be at most 200 characters long.',
};

/** The message for the first issue, and the field it concerns (for aria-invalid). */
function messageOf(error: z.ZodError, form: FormFields): { error: string; errorFields: string[] } {
  const issue = error.issues[0];
  const field = String(issue?.path[0] ?? '');
  const message = issue && FIELD_MESSAGES[field]?.(issue, form[field]);
  return { error: message ?? 'Check the form.', errorFields: field ? [field] : [] };
}

/** The field a service refusal is about; none for a refusal of the whole form (rate limits). */
function fieldsOf(err: AppError): string[] {
  if (err instanceof EmailExistsError) return ['email'];
  if (err instanceof WeakPasswordError) return ['password'];
  return [];
}

export interface PageFormSpec<T> {
  schema: z.ZodType<T>;
  /** The form's view, shown again on a refusal. */
  view: string;
  /** What the form shows again of what was typed (never a password). */
  values(form: FormFields): Record<string, unknown>;
  /** Do the work; answer where to go next (303). */
  onSuccess(ctx: Context, data: T): Promise<string>;
  /**
   * A refusal this form answers otherwise than by showing itself again (an
   * invalid link: a message page); true when it did.
   */
  onRefusal?(ctx: Context, refusal: z.ZodError | AppError): Promise<boolean>;
}

export type PageForm = <T>(spec: PageFormSpec<T>) => Middleware[];

export function createPageForm(render: Renderer): PageForm {
  return function pageForm<T>(spec: PageFormSpec<T>): Middleware[] {
    async function showAgain(ctx: Context, form: FormFields, refusal: { error: string; errorFields: string[] }, status: number, extra: Record<string, unknown> = {}) {
      await render(ctx, spec.view, { ...spec.values(form), ...extra, ...refusal }, status);
    }

    return [formBody(), csrfToken(), requireCsrf(render), async function submitPageForm(ctx) {
      const form = formOf(ctx);
      const parsed = spec.schema.safeParse(form);
      if (!parsed.success) {
        if (await spec.onRefusal?.(ctx, parsed.error)) return;
        return showAgain(ctx, form, messageOf(parsed.error, form), 400);
      }
      let location: string;
      try {
        location = await spec.onSuccess(ctx, parsed.data);
      } catch (err) {
        // A client error of a service (WeakPassword 400, EmailExists 409,
        // RateLimited 429 with Retry-After…) shows on the form; anything else
        // is a bug for the error handler.
        if (!(err instanceof AppError) || err.status < 400 || err.status >= 500) throw err;
        if (await spec.onRefusal?.(ctx, err)) return;
        ctx.set(err.headers);
        return showAgain(ctx, form, { error: err.message, errorFields: fieldsOf(err) }, err.status, { emailExists: err instanceof EmailExistsError });
      }
      ctx.status = 303;
      ctx.redirect(location);
    }];
  };
}
