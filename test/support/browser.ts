// Real Chromium for the page tests (Debian's package, driven by
// playwright-core): launch it, look at a page the way the consoles issue asks
// (screenshots at a desktop and a phone width, kept under test-artifacts/),
// and run axe-core's accessibility rules inside the page.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';

// CHROMIUM_PATH lets a machine without Debian's package point at another build.
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

/** Whether the browser tests can run here; they say why they are pending otherwise (CI must have it). */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Pending with the reason when Chromium is missing outside CI; a failure under CI, where it must be present. */
export function requireChromium(context: Mocha.Context): void {
  if (chromiumAvailable()) return;
  if (process.env.CI) assert.fail(`Chromium not found at ${CHROMIUM}: run scripts/ensure-chromium.sh as root`);
  context.skip();
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** The widths every page is looked at: a laptop and a phone. */
export const WIDTHS = [1280, 390] as const;

/**
 * Screenshots of the page as it stands at each width, as
 * test-artifacts/<group>/<name>-<width>.png; the width is restored after.
 * Also fails when the page scrolls sideways at a width (mobile widths must not).
 */
export async function captureWidths(page: Page, group: string, name: string): Promise<void> {
  const dir = new URL(`${group}/`, ARTIFACTS);
  mkdirSync(dir, { recursive: true });
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  try {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      await page.screenshot({ path: new URL(`${name}-${width}.png`, dir).pathname, fullPage: true });
      // A string, so this file needs no DOM types: it runs in the page.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(overflow <= 1, `${name} scrolls sideways by ${overflow}px at ${width}px wide`);
    }
  } finally {
    await page.setViewportSize(original);
  }
}

let axeSource: string | undefined;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * axe-core's WCAG 2.x A/AA rules run inside the page; any serious or critical
 * violation fails with its rule, help text and the elements it found. The
 * script is added through the DevTools protocol (addScriptTag would be
 * refused by the page's CSP, as it should be).
 */
export async function assertAccessible(page: Page, label = page.url()): Promise<void> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('Runtime.evaluate', { expression: axeSource });
    const { result } = await session.send('Runtime.evaluate', {
      expression: `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => JSON.stringify(r.violations))`,
      awaitPromise: true,
      returnByValue: true,
    });
    const violations = JSON.parse(String(result.value)) as AxeViolation[];
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      serious.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`),
      [],
      `accessibility violations on ${label}`,
    );
  } finally {
    await session.detach();
  }
}
