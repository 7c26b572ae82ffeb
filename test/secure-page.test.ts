import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_INFO, IP_ADDRESS, TEST_CARDS, registerCard } from './helpers/cards.js';
import { naturalOwner } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);

const { s, api } = fileServer();

/** The platform's return page: a small local server that records where the browser landed. */
let shop: http.Server;
let shopUrl: string;
const landed: string[] = [];
beforeAll(async () => {
  shop = http.createServer((req, res) => {
    landed.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Shop</title><h1>Back at the shop</h1>');
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => shop.close(() => resolve())));

/** A direct card pay-in with the challenge test card, made through the official SDK, waiting for 3-D Secure. */
async function challengedPayIn(amount = 4200): Promise<any> {
  const user = await createUser(s, 'natural', naturalOwner());
  const wallet = await api.Wallets.create({ Owners: [user.Id], Currency: 'EUR', Description: 'w' });
  const card = await registerCard(s, user.Id, { number: TEST_CARDS.challenge });
  const payIn = await api.PayIns.create({
    PaymentType: 'CARD',
    ExecutionType: 'DIRECT',
    AuthorId: user.Id,
    CreditedWalletId: wallet.Id,
    DebitedFunds: { Currency: 'EUR', Amount: amount },
    Fees: { Currency: 'EUR', Amount: 0 },
    CardId: card.Id,
    SecureModeReturnURL: `${shopUrl}/return?cart=9`,
    BrowserInfo: BROWSER_INFO,
    IpAddress: IP_ADDRESS,
  });
  expect(payIn.Status).toBe('CREATED');
  expect(payIn.SecureModeNeeded).toBe(true);
  return { payIn, card };
}

describe('the 3-D Secure page in a real browser', () => {
  if (!HAVE_CHROMIUM) console.warn(`SKIPPED: the 3-D Secure browser tests need Chromium at ${CHROMIUM}`);

  it.skipIf(!HAVE_CHROMIUM)('Approve lands on the return URL with transactionId, and the pay-in reads SUCCEEDED', { timeout: 120_000 }, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const { payIn, card } = await challengedPayIn();
      const page = await browser.newPage();
      await page.goto(payIn.SecureModeRedirectURL);
      await expect.poll(() => page.title()).toContain('Confirm your card payment');
      const text = await page.locator('main').innerText();
      expect(text).toContain('€42.00');
      expect(text).toContain(card.Alias);
      expect(text).not.toContain(TEST_CARDS.challenge);
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.waitForURL(`${shopUrl}/**`);
      const back = new URL(page.url());
      expect(back.pathname).toBe('/return');
      expect(back.searchParams.get('cart')).toBe('9');
      expect(back.searchParams.get('transactionId')).toBe(payIn.Id);
      expect(landed).toContain(`/return?cart=9&transactionId=${payIn.Id}`);
      const read = await api.PayIns.get(payIn.Id);
      expect(read).toMatchObject({ Status: 'SUCCEEDED', ResultCode: '000000', SecureModeNeeded: true, SecureModeRedirectURL: null });
      // Back on the page: it says what happened and links back.
      await page.goto(payIn.SecureModeRedirectURL);
      expect(await page.getByRole('status').innerText()).toContain('approved');
      expect(await page.getByRole('link', { name: 'Return to the merchant' }).getAttribute('href')).toBe(payIn.SecureModeReturnURL);
    } finally {
      await browser.close();
    }
  });

  it.skipIf(!HAVE_CHROMIUM)('Refuse, with JavaScript off, fails the pay-in with 101301', { timeout: 120_000 }, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const { payIn } = await challengedPayIn(1500);
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(payIn.SecureModeRedirectURL);
      await page.getByRole('button', { name: 'Refuse' }).click();
      await page.waitForURL(`${shopUrl}/**`);
      expect(new URL(page.url()).searchParams.get('transactionId')).toBe(payIn.Id);
      const read = await api.PayIns.get(payIn.Id);
      expect(read).toMatchObject({ Status: 'FAILED', ResultCode: '101301', SecureModeRedirectURL: null });
      expect((await api.Wallets.get(read.CreditedWalletId)).Balance.Amount).toBe(0);
    } finally {
      await browser.close();
    }
  });
});

describe('the SCA page in a real browser', () => {
  it.skipIf(!HAVE_CHROMIUM)('follows its ReturnUrl after the passcode (the CSP lets the form redirect there)', { timeout: 120_000 }, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const user = await createUser(s, 'natural', naturalOwner());
      const link = user.PendingUserAction?.RedirectUrl;
      expect(link, JSON.stringify(user)).toMatch(/\/sca\?token=/);
      const page = await browser.newPage();
      await page.goto(`${link}&ReturnUrl=${encodeURIComponent(`${shopUrl}/enrolled?user=1`)}`);
      await page.getByLabel('Passcode').fill('702100');
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.waitForURL(`${shopUrl}/**`);
      expect(new URL(page.url()).pathname).toBe('/enrolled');
      expect(landed).toContain('/enrolled?user=1');
      expect((await s.call('GET', `/sca/users/${user.Id}`)).body.UserStatus).toBe('ACTIVE');
    } finally {
      await browser.close();
    }
  });
});
