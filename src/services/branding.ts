// What the operator's branding settings (PRODUCT_NAME, LOGO_URL, ACCENT_COLOR,
// MAIL_FROM, TEMPLATES_DIR) become once parsed: one value the pages, the
// mails and the security headers all read, so a product name never lives in
// a template.
import { brandPalette, type BrandPalette } from './brand-colors.ts';

export interface Branding {
  /** PRODUCT_NAME: the page titles, the header, mail subjects and bodies. */
  productName: string;
  /** LOGO_URL as an absolute URL (a path is resolved against PUBLIC_URL); undefined: the name alone. */
  logoUrl: string | undefined;
  /** The colours of buttons, links and focus rings (brand-colors.ts). */
  palette: BrandPalette;
  /** TEMPLATES_DIR: templates there replace views/ files of the same relative name. */
  templatesDir: string | undefined;
}

/** The origin an absolute logo URL loads from, when it is not PUBLIC_URL's own (the CSP must then name it). */
export function foreignLogoOrigin(branding: Pick<Branding, 'logoUrl'>, publicUrl: string): string | undefined {
  if (!branding.logoUrl) return undefined;
  const origin = new URL(branding.logoUrl).origin;
  return origin === new URL(publicUrl).origin ? undefined : origin;
}

/** Today's look, for tests and tools that build services without a config. */
export const DEFAULT_BRANDING: Branding = Object.freeze({
  productName: 'Gatehouse',
  logoUrl: undefined,
  palette: brandPalette('#1f5fbf'),
  templatesDir: undefined,
});
