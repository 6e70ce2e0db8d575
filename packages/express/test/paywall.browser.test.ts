/**
 * The paywall as a person sees it: headless Chromium (Debian's, driven by playwright-core; no
 * browser download) loads it from a real Express server. A screenshot goes to test-output/.
 * Under CI=true a missing Chromium fails the run; elsewhere the test is skipped with a note.
 */
import { existsSync, statSync } from 'node:fs';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createResourceServer } from '@x402-rails/core/server';
import { createEvmExactServer } from '@x402-rails/evm/server';
import { createToyRail, createToyWallet } from '@x402-rails/testkit';
import type { AdapterApp } from '@x402-rails/testkit/adapters';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExpressApp } from './app.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const mustRun = process.env['CI'] === 'true';
const present = existsSync(CHROMIUM);
if (!present && !mustRun) {
  console.warn(
    `Skipping the paywall browser test: no Chromium at ${CHROMIUM} (apt install chromium)`,
  );
}
const SCREENSHOT = new URL('../test-output/paywall.png', import.meta.url);

it.runIf(mustRun)('has Chromium to test the paywall with (CI)', () => {
  expect(present, `no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium`).toBe(true);
});

describe.skipIf(!present && !mustRun)('the paywall in headless Chromium', () => {
  const toy = createToyRail();
  let app: AdapterApp;
  let browser: Browser;

  beforeAll(async () => {
    const server = createResourceServer({
      facilitator: createFacilitator({ schemes: [toy.facilitator] }),
      schemes: [toy.server, createEvmExactServer()],
      paywall: { appName: 'Weather API', instructions: 'Questions? Write to the operator.' },
    });
    const route = {
      description: 'Weather for one city, today',
      accepts: [
        { scheme: 'exact', network: toy.network, price: '$0.01', payTo: createToyWallet().address },
        {
          scheme: 'exact',
          network: 'eip155:84532' as const,
          price: '$0.02',
          payTo: `0x${'11'.repeat(20)}`,
        },
      ],
    };
    app = await startExpressApp({ server, route });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows what is sold, its price on each rail and how to pay, and runs nothing injected', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const injected =
      '/weather/paris?q=<script>window.zq9=1</script>&r="><img src=x onerror="window.zq9=2;alert(1)">';
    const response = await page.goto(`${app.url}${injected}`);
    expect(response?.status()).toBe(402);

    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Weather API');
    const main = page.getByRole('main');
    // biome-ignore lint/performance/useDomNodeTextContent: what is asserted is the rendered, visible text
    const text = (await main.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('Weather for one city, today');
    expect(text).toContain('0.01 TOY');
    expect(text).toContain('0.02 USDC');
    expect(text).toContain('Toy network (local)');
    expect(text).toContain('Base Sepolia');
    expect(text).toContain('PAYMENT-SIGNATURE');
    expect(text).toContain('Questions? Write to the operator.');
    // One header row and one row per rail, read through the accessibility tree.
    expect(await page.getByRole('table').getByRole('row').count()).toBe(3);
    expect(await page.getByRole('heading', { name: 'How to pay' }).isVisible()).toBe(true);

    // Nothing from the request is on the page, and nothing of it ran.
    expect(await page.content()).not.toContain('zq9');
    expect(await page.evaluate(() => (window as unknown as { zq9?: unknown }).zq9)).toBeUndefined();
    expect(await page.locator('script, img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    // No external assets: the page was the only request.
    expect(requests).toHaveLength(1);

    await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(1000);
    await page.close();
  });
});
