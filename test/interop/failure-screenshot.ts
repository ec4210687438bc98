// What Chromium showed when an interop step failed: test-artifacts/interop/<name>.png.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { ARTIFACTS } from '../support/browser.ts';

export async function screenshotOnFailure(context: Mocha.Context, page: Page | undefined, name: string): Promise<void> {
  if (context.currentTest?.state !== 'failed' || !page || page.isClosed()) return;
  const dir = new URL('interop/', ARTIFACTS);
  mkdirSync(dir, { recursive: true });
  // A screenshot is evidence only; failing to take one must not hide the test's own failure.
  await page.screenshot({ path: new URL(`${name}.png`, dir).pathname, fullPage: true }).catch(() => undefined);
}
