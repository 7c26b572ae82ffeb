import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { createUser, fileServer } from './helpers/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
/** DASHBOARD_SCREENSHOTS=1 writes the README's screenshots into docs/ (never during a plain `npm test`). */
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS === '1';

const { s } = fileServer();

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx?.close());

async function ok(method: string, p: string, body?: unknown): Promise<any> {
  const r = await s.call(method, p, body === undefined ? {} : { body });
  expect(r.status, `${method} ${p}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

describe('the Dashboard in a real browser', () => {
  if (!HAVE_CHROMIUM) console.warn(`SKIPPED: the Dashboard browser tests need Chromium at ${CHROMIUM}`);

  it.skipIf(!HAVE_CHROMIUM)(
    'sign in, find a user, closure refused while a wallet holds money, emptied, closed, CLOSED with its webhook delivered; another client’s user is a 404',
    { timeout: 120_000 },
    async () => {
      await ok('POST', '/hooks', { EventType: 'USER_ACCOUNT_CLOSED', Url: `${rx.url}/closed` });
      // Some company for the list (and the screenshot).
      for (const [first, last] of [['Alice', 'Martin'], ['Jules', 'Bernard'], ['Chloé', 'Dubois']]) {
        await createUser(s, 'natural', naturalPayer({ FirstName: first, LastName: last, Email: `${last.toLowerCase()}@shop.example` }));
      }
      const user = await createUser(s, 'natural', naturalOwner({ FirstName: 'Marie', LastName: 'Lefèvre', Email: 'marie.lefevre@shop.example' }));
      const wallet = await ok('POST', '/wallets', { Owners: [user.Id], Currency: 'EUR', Description: 'Marie’s wallet' });
      const payIn = await ok('POST', '/payins/bankwire/direct', {
        AuthorId: user.Id,
        CreditedWalletId: wallet.Id,
        DeclaredDebitedFunds: { Currency: 'EUR', Amount: 4250 },
        DeclaredFees: { Currency: 'EUR', Amount: 0 },
      });
      expect((await ok('POST', `/sandbox/payins/${payIn.Id}/settle`)).Status).toBe('SUCCEEDED');
      const other = await s.newClient();
      const stranger = await s.fetch('POST', `/v2.01/${other.id}/sca/users/natural`, { body: naturalPayer(), token: await s.tokenFor(other) });
      expect(stranger.status).toBe(200);

      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        const scripts: string[] = [];
        page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));

        // Sign in, by keyboard.
        await page.goto(`${s.url}/dashboard`);
        await expect.poll(() => page.title()).toContain('Sign in');
        await page.getByLabel('Client id').fill(s.client.id);
        await page.getByLabel('API key').fill(s.client.apiKey);
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/dashboard\/users$/);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Users');

        // Find the user by e-mail.
        await page.getByLabel('Id, e-mail or name').fill('marie.lef');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForURL(/q=marie.lef/);
        const rows = page.locator('table tbody tr');
        expect(await rows.count()).toBe(1);
        await page.getByRole('link', { name: user.Id }).click();
        await page.waitForURL(new RegExp(`/dashboard/users/${user.Id}$`));
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`User ${user.Id}`);
        expect(await page.getByText('Closing a user is irreversible').count()).toBe(1);

        // Closing with money: refused, and the wallet and amount are named.
        await page.getByLabel(`I understand that closing ${user.Id} cannot be undone`).check();
        await page.getByRole('button', { name: 'Close this user' }).click();
        const alert = page.getByRole('alert');
        await alert.waitFor();
        expect(await alert.textContent()).toContain(`${wallet.Id} holds 42.50 EUR`);

        // Emptied through the API: a transfer of everything to another user's wallet.
        const payee = await createUser(s, 'natural', naturalOwner({ Email: 'payee@shop.example' }));
        const to = await ok('POST', '/wallets', { Owners: [payee.Id], Currency: 'EUR', Description: 'payee' });
        const transfer = await ok('POST', '/transfers', {
          AuthorId: user.Id,
          DebitedWalletId: wallet.Id,
          CreditedWalletId: to.Id,
          DebitedFunds: { Currency: 'EUR', Amount: 4250 },
          Fees: { Currency: 'EUR', Amount: 0 },
        });
        expect(transfer.Status).toBe('SUCCEEDED');

        // Closed.
        await page.goto(`${s.url}/dashboard/users/${user.Id}`);
        await page.getByLabel(`I understand that closing ${user.Id} cannot be undone`).check();
        await page.getByRole('button', { name: 'Close this user' }).click();
        await page.getByRole('status').waitFor();
        expect(await page.getByRole('status').textContent()).toContain('The user is closed');
        expect(await page.locator('.status-CLOSED').first().textContent()).toBe('CLOSED');
        // Its webhook, delivered to the local receiver, then shown as SUCCEEDED on the page.
        const [n] = await rx.waitFor(1, (x) => x.eventType === 'USER_ACCOUNT_CLOSED' && x.resourceId === user.Id, 20_000);
        expect(n.url).toContain('/closed');
        await expect
          .poll(
            async () => {
              await page.reload();
              return page.locator('table', { hasText: 'Webhook deliveries' }).locator('tbody tr', { hasText: 'USER_ACCOUNT_CLOSED' }).textContent();
            },
            { timeout: 20_000 },
          )
          .toContain('SUCCEEDED');
        expect(await page.getByRole('button', { name: 'Close this user' }).count()).toBe(0);
        if (SCREENSHOTS) {
          // Tall enough for the closure's events and webhook deliveries.
          await page.setViewportSize({ width: 1280, height: 1180 });
          await page.screenshot({ path: path.join('docs', 'dashboard-user.png') });
          await page.goto(`${s.url}/dashboard/users`);
          await page.setViewportSize({ width: 1280, height: 640 });
          await page.screenshot({ path: path.join('docs', 'dashboard-users.png') });
        }
        // The closed user is still listed, by the CLOSED filter.
        await page.goto(`${s.url}/dashboard/users?status=CLOSED`);
        expect(await page.getByRole('link', { name: user.Id }).count()).toBe(1);

        // Another client's user: a 404 page, its e-mail nowhere.
        const res = await page.goto(`${s.url}/dashboard/users/${stranger.body.Id}`);
        expect(res?.status()).toBe(404);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
        expect(await page.content()).not.toContain(stranger.body.Email);

        // Signing out: the pages lead to sign-in again.
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(/\/dashboard\/sign-in$/);
        await page.goto(`${s.url}/dashboard/users`);
        await page.waitForURL(/\/dashboard\/sign-in$/);
        expect(scripts).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
