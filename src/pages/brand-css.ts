// /assets/brand.css: ACCENT_COLOR as CSS custom properties, in a served file
// because the CSP (style-src 'self') refuses inline styles. Linked after
// app.css, so these values win over its defaults.
import Router from '@koa/router';
import type { BrandPalette } from '../services/brand-colors.ts';

/** The stylesheet for a palette; every value is a hex colour computed by brand-colors.ts, never raw input. */
export function brandStylesheet(palette: BrandPalette): string {
  return [
    '/* Generated from ACCENT_COLOR (src/pages/brand-css.ts). */',
    `:root { --accent: ${palette.light.accent}; --accent-text: ${palette.light.accentText}; }`,
    '@media (prefers-color-scheme: dark) {',
    `  :root { --accent: ${palette.dark.accent}; --accent-text: ${palette.dark.accentText}; }`,
    '}',
    '',
  ].join('\n');
}

export function createBrandCssRouter(palette: BrandPalette): Router {
  const css = brandStylesheet(palette);
  const router = new Router();
  router.get('/assets/brand.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });
  return router;
}
