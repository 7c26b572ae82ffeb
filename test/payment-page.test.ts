import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CARDS } from './helpers/cards.js';
import { naturalOwner } from './helpers/fixtures.js';
import { walletBalance } from './helpers/reads.js';
import { createUser, fileServer } from './helpers/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`payment-page.test: SKIPPED, no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const { s } = fileServer();
let browser: Browser | undefined;
// The platform's return page: a real server, since the browser follows the page's 303 there itself.
let merchant: Server | undefined;
let RETURN_URL = '';

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  merchant = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Merchant</title><h1>Back at the merchant</h1>'));
  await new Promise<void>((resolve) => merchant!.listen(0, '127.0.0.1', resolve));
  const addr = merchant.address();
  RETURN_URL = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/back`;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (merchant ? merchant.close(resolve) : resolve(undefined)));
});

async function webPayIn(over: Record<string, unknown> = {}): Promise<{ payIn: any; wallet: any }> {
  const user = await createUser(s, 'natural', naturalOwner());
  const w = await s.call('POST', '/wallets', { body: { Owners: [user.Id], Currency: 'EUR', Description: 'w' } });
  const r = await s.call('POST', '/payins/card/web', {
    body: {
      AuthorId: user.Id,
      CreditedWalletId: w.body.Id,
      DebitedFunds: { Currency: 'EUR', Amount: 2500 },
      Fees: { Currency: 'EUR', Amount: 0 },
      ReturnURL: RETURN_URL,
      CardType: 'CB_VISA_MASTERCARD',
      Culture: 'EN',
      ...over,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { payIn: r.body, wallet: w.body };
}

/** A page of a fresh context: Mangrove and the merchant are reached, anything else is refused and noted. */
async function newPage(opts: { javaScriptEnabled?: boolean } = {}): Promise<{ page: Page; outside: string[] }> {
  const context = await browser!.newContext(opts);
  const page = await context.newPage();
  const outside: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(s.url) || url.startsWith(RETURN_URL)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  return { page, outside };
}

describe.skipIf(!HAVE_CHROMIUM)('the payment page in Chromium', () => {
  it('pays with the challenge test card, approves the 3-D Secure step and lands on ReturnURL?transactionId=… (no JavaScript)', { timeout: 60_000 }, async () => {
    const { payIn, wallet } = await webPayIn();
    const { page, outside } = await newPage({ javaScriptEnabled: false });
    try {
      await page.goto(payIn.RedirectURL);
      await expect.poll(() => page.getByText('€25.00').count()).toBeGreaterThan(0);
      await page.getByLabel('Card number').fill(TEST_CARDS.challenge);
      await page.getByLabel('Expiry date').fill('1229');
      await page.getByLabel('Security code (CVC)').fill('123');
      await page.getByLabel('Cardholder name (optional)').fill('Alice Durand');
      await page.getByRole('button', { name: /^Pay/ }).click();
      await page.getByRole('heading', { name: '3-D Secure authentication' }).waitFor();
      expect(await page.content()).toContain('497010XXXXXX8183');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.waitForURL(`${RETURN_URL}?transactionId=${payIn.Id}`);
      expect(await page.getByRole('heading').textContent()).toBe('Back at the merchant');
      expect(outside).toEqual([]);
    } finally {
      await page.context().close();
    }
    const read = await s.call('GET', `/payins/${payIn.Id}`);
    expect(read.body).toMatchObject({ Status: 'SUCCEEDED', ResultCode: '000000' });
    expect(await walletBalance(s, wallet.Id)).toBe(2500);
  });

  it('works from the keyboard: a bad number is shown again with focus on it, then Cancel fails the pay-in with 101002', { timeout: 60_000 }, async () => {
    const { payIn } = await webPayIn({ Culture: 'fr' });
    const { page } = await newPage();
    try {
      await page.goto(payIn.RedirectURL);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('card-number');
      await page.keyboard.type('4970107111111118');
      await page.keyboard.press('Tab');
      await page.keyboard.type('1229');
      await page.keyboard.press('Tab');
      await page.keyboard.type('123');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain("Ce numéro de carte n'est pas valide.");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('card-number');
      expect(await page.getByLabel('Numéro de carte').inputValue()).toBe('');
      expect(await page.content()).not.toContain('4970107111111118');
      await page.getByRole('button', { name: 'Annuler' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(`${RETURN_URL}?transactionId=${payIn.Id}`);
    } finally {
      await page.context().close();
    }
    const read = await s.call('GET', `/payins/${payIn.Id}`);
    expect(read.body).toMatchObject({ Status: 'FAILED', ResultCode: '101002' });
  });
});
