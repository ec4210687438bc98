// Colour arithmetic for ACCENT_COLOR: WCAG 2.x relative luminance and contrast
// ratio, and the palette the pages and mails draw from one operator colour.
// The operator's colour is kept where it is readable; where it is not, it is
// darkened (light scheme) or lightened (dark scheme) until it is, rather than
// refusing to start over a shade.

export type Rgb = readonly [number, number, number];

/** `#1f5fbf` or `#15b` (any case) → [r, g, b]; undefined for anything else. */
export function parseHexColor(value: string): Rgb | undefined {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!match) return undefined;
  const hex = match[1]!.length === 3 ? [...match[1]!].map((c) => c + c).join('') : match[1]!;
  return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb;
}

export function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2.x relative luminance (0 black … 1 white). */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2.x contrast ratio, 1 … 21. */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const mix = (from: Rgb, to: Rgb, t: number): Rgb => from.map((c, i) => c + (to[i]! - c) * t) as unknown as Rgb;

/** `color` moved toward `toward` just far enough to reach `ratio` against `background`. */
export function ensureContrast(color: Rgb, background: Rgb, ratio: number, toward: Rgb): Rgb {
  for (let step = 0; step <= 100; step++) {
    const candidate = mix(color, toward, step / 100).map(Math.round) as unknown as Rgb;
    if (contrast(candidate, background) >= ratio) return candidate;
  }
  return toward;
}

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
/** The card and text colours of views/assets/app.css, light and dark scheme. */
export const SURFACES = {
  light: { card: WHITE, page: parseHexColor('#f4f5f7')!, text: parseHexColor('#1d2330')! },
  dark: { card: parseHexColor('#1e232b')!, page: parseHexColor('#14171c')!, text: parseHexColor('#0b1220')! },
} as const;

/** WCAG 1.4.3 (text, links, button labels) and 1.4.11 (focus rings, borders). */
export const TEXT_CONTRAST = 4.5;
export const NON_TEXT_CONTRAST = 3;

export interface AccentShades {
  /** Links, focus ring, button fill and border. */
  accent: string;
  /** The label colour on a filled button. */
  accentText: string;
}

export interface BrandPalette {
  /** The colour as configured. */
  configured: string;
  light: AccentShades;
  dark: AccentShades;
  /** Whether the light scheme (the mails' too) had to move the colour to stay readable; the dark scheme always derives its own shade. */
  adjusted: boolean;
}

function shadesOn(color: Rgb, card: Rgb, page: Rgb, toward: Rgb, darkText: Rgb): AccentShades {
  // Text contrast against the card (links sit on it) covers the page
  // background's 3:1 for the focus ring as well (checked in the tests).
  const accent = ensureContrast(ensureContrast(color, card, TEXT_CONTRAST, toward), page, NON_TEXT_CONTRAST, toward);
  // Whichever of white or the dark text reads better on the filled button.
  const label = contrast(WHITE, accent) >= contrast(darkText, accent) ? WHITE : darkText;
  return { accent: toHex(accent), accentText: toHex(label) };
}

export function brandPalette(hex: string): BrandPalette {
  const color = parseHexColor(hex);
  if (!color) throw new Error(`not a hex colour: ${hex}`);
  const light = shadesOn(color, SURFACES.light.card, SURFACES.light.page, BLACK, SURFACES.light.text);
  const dark = shadesOn(color, SURFACES.dark.card, SURFACES.dark.page, WHITE, SURFACES.dark.text);
  const configured = toHex(color);
  return { configured, light, dark, adjusted: light.accent !== configured };
}
