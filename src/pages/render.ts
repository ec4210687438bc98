// Server-rendered pages. Eta escapes every `<%= %>` interpolation (autoEscape),
// so user data (emails, client names, scopes) can go into templates as is;
// `<%~ %>` is kept for HTML we generate ourselves (the layout body and
// oidc-provider's logout form).
import { DEFAULT_BRANDING, type Branding } from '../services/branding.ts';
import { createTemplates } from '../services/templates.ts';

/**
 * The slice of a Koa context the renderer needs. Both our own routes' contexts
 * and oidc-provider's (renderError, logoutSource) satisfy it.
 */
export interface RenderContext {
  state: Record<string, unknown>;
  body: unknown;
  status: number;
  type: string;
  set(field: string, value: string): void;
}

export type Renderer = (
  ctx: RenderContext,
  view: string,
  data?: Record<string, unknown>,
  status?: number,
) => Promise<void>;

export interface RendererOptions {
  viewsDir: string;
  /** Cache compiled templates; off only while editing views. */
  cache?: boolean;
  /** PRODUCT_NAME, LOGO_URL, ACCENT_COLOR (through /assets/brand.css), TEMPLATES_DIR. */
  branding?: Branding;
  /** REGISTRATION_ENABLED: templates show sign-up links only when true (`it.signUpOpen`). */
  signUpOpen?: boolean;
}

/** What every page template gets as `it.brand` (README: Branding). */
export interface PageBrand {
  productName: string;
  logoUrl: string | undefined;
}

/**
 * `it.field(name, hintId?)`: the aria attributes of one input, so an error is
 * tied to the fields it concerns (aria-invalid, aria-describedby pointing at
 * the `form-error` paragraph) in one place rather than in each view. Output
 * is built from fixed strings and ids the views write, never from input.
 */
function fieldAttributes(data: Record<string, unknown>) {
  const invalid = new Set(data.error && Array.isArray(data.errorFields) ? data.errorFields.map(String) : []);
  return (name: string, hintId?: string): string => {
    const describedBy = [invalid.has(name) ? 'form-error' : undefined, hintId].filter((id) => id && /^[\w-]+$/.test(id));
    return (invalid.has(name) ? ' aria-invalid="true"' : '') + (describedBy.length ? ` aria-describedby="${describedBy.join(' ')}"` : '');
  };
}

export function createRenderer({ viewsDir, cache = true, branding = DEFAULT_BRANDING, signUpOpen = true }: RendererOptions): Renderer {
  const eta = createTemplates({ viewsDir, overridesDir: branding.templatesDir, cache, autoEscape: true });
  const brand: PageBrand = Object.freeze({ productName: branding.productName, logoUrl: branding.logoUrl });

  return async function render(ctx, view, data = {}, status) {
    const csrfToken = typeof ctx.state.csrfToken === 'string' ? ctx.state.csrfToken : undefined;
    const html = await eta.renderAsync(view, { ...data, brand, signUpOpen, csrfToken, field: fieldAttributes(data) });
    if (status !== undefined) ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    // Pages carry CSRF tokens and per-user state; no cache may keep them.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = html;
  };
}
