// Server-rendered pages. Eta escapes every `<%= %>` interpolation (autoEscape),
// so user data (emails, client names, scopes) can go into templates as is;
// `<%~ %>` is kept for HTML we generate ourselves (the layout body and
// oidc-provider's logout form).
import { Eta } from 'eta';

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
}

export function createRenderer({ viewsDir, cache = true }: RendererOptions): Renderer {
  const eta = new Eta({ views: viewsDir, cache, autoEscape: true, defaultExtension: '.eta' });

  return async function render(ctx, view, data = {}, status) {
    const csrfToken = typeof ctx.state.csrfToken === 'string' ? ctx.state.csrfToken : undefined;
    const html = await eta.renderAsync(view, { ...data, csrfToken });
    if (status !== undefined) ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    // Pages carry CSRF tokens and per-user state; no cache may keep them.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = html;
  };
}
