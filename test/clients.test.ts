import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { CURRENCIES } from '../src/ledger/money.js';
import { MAX_LOGO_BYTES } from '../src/modules/clients/service.js';
import { expectApiError } from './helpers/errors.js';
import { address, naturalOwner } from './helpers/fixtures.js';
import { createUser, fileServer, startServer, type Reply } from './helpers/server.js';
import { eventTypesOf } from './helpers/reads.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(600, 3)]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(600, 5)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(600, 1)]);

const CLIENT_KEYS = [
  'PlatformType', 'ClientId', 'Name', 'RegisteredName', 'TechEmails', 'AdminEmails', 'BillingEmails', 'FraudEmails',
  'HeadquartersAddress', 'HeadquartersPhoneNumber', 'TaxNumber', 'PlatformCategorization', 'PlatformURL',
  'PlatformDescription', 'CompanyReference', 'PrimaryThemeColour', 'PrimaryButtonColour', 'Logo', 'Licensor',
];

/** What the PHP SDK's own test sends to PUT /clients. */
const fullUpdate = () => ({
  PrimaryButtonColour: '#afafae',
  PrimaryThemeColour: '#AFAFAE',
  PlatformDescription: 'platform description',
  PlatformCategorization: { BusinessType: 'MARKETPLACE', Sector: 'FURNITURE_GARDEN' },
  PlatformURL: 'http://sdk-unit-tests.com',
  HeadquartersAddress: address(),
  HeadquartersPhoneNumber: '+33123456789',
  TaxNumber: '12345',
  TechEmails: ['technical@mangopay.com', 'support@mangopay.com'],
  AdminEmails: ['technical@mangopay.com'],
  FraudEmails: ['fraud@mangopay.com'],
  BillingEmails: ['billing@mangopay.com'],
  PlatformType: 'marketplace',
});

async function put(body: unknown, token?: string): Promise<Reply> {
  return s.call('PUT', '/clients', { body, token });
}

describe('GET /clients', () => {
  it("answers the token's client object, keys in Mangopay's order", async () => {
    const r = await s.call('GET', '/clients');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Object.keys(r.body)).toEqual(CLIENT_KEYS);
    expect(r.body.ClientId).toBe(s.client.id);
    expect(r.body.Name).toBe(s.client.id);
    expect(r.body.TechEmails).toEqual([]);
    expect(r.body.Logo).toBeNull();
  });

  it('another client sees only its own object', async () => {
    await put({ PrimaryThemeColour: '#010203' });
    const other = await s.newClient();
    const r = await s.fetch('GET', `/v2.01/${other.id}/clients`, { token: await s.tokenFor(other) });
    expect(r.body.ClientId).toBe(other.id);
    expect(r.body.PrimaryThemeColour).toBeNull();
    // The path's client id must be the token's.
    const cross = await s.fetch('GET', `/v2.01/${s.client.id}/clients`, { token: await s.tokenFor(other) });
    expect(cross.status).toBe(401);
  });
});

describe('PUT /clients', () => {
  it('stores the documented editable fields and answers the updated object', async () => {
    const r = await put(fullUpdate());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      ClientId: s.client.id,
      PrimaryButtonColour: '#afafae',
      PrimaryThemeColour: '#AFAFAE',
      PlatformDescription: 'platform description',
      PlatformCategorization: { BusinessType: 'MARKETPLACE', Sector: 'FURNITURE_GARDEN' },
      PlatformURL: 'http://sdk-unit-tests.com',
      HeadquartersAddress: address(),
      HeadquartersPhoneNumber: '+33123456789',
      TaxNumber: '12345',
      TechEmails: ['technical@mangopay.com', 'support@mangopay.com'],
      BillingEmails: ['billing@mangopay.com'],
      PlatformType: 'MARKETPLACE',
    });
    const read = await s.call('GET', '/clients');
    expect(read.body).toEqual(r.body);
  });

  it('changes only what is sent, clears what is sent empty, ignores read-only and unknown fields', async () => {
    await put(fullUpdate());
    const r = await put({ PrimaryThemeColour: '#000000', TaxNumber: '', ClientId: 'someone-else', Name: 'New name', Logo: 'http://x', Foo: 1 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.PrimaryThemeColour).toBe('#000000');
    expect(r.body.PrimaryButtonColour).toBe('#afafae');
    expect(r.body.TaxNumber).toBeNull();
    expect(r.body.ClientId).toBe(s.client.id);
    expect(r.body.Name).toBe(s.client.id);
    // Sending back the object just read (as the Ruby SDK's test does) changes nothing.
    const again = await put(r.body);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual(r.body);
  });

  it('a PlatformCategorization sent in part keeps the other half', async () => {
    await put({ PlatformCategorization: { BusinessType: 'CROWDFUNDING', Sector: 'LOAN' } });
    const r = await put({ PlatformCategorization: { Sector: 'equity' } });
    expect(r.body.PlatformCategorization).toEqual({ BusinessType: 'CROWDFUNDING', Sector: 'EQUITY' });
  });

  const invalid: Array<[string, Record<string, unknown>, string[]]> = [
    ['an e-mail that is not one', { AdminEmails: ['ok@example.com', 'not-an-email'] }, ['AdminEmails.1']],
    ['a technical e-mail over 40 characters', { TechEmails: [`${'a'.repeat(35)}@example.com`] }, ['TechEmails.0']],
    ['an e-mail list of a number', { FraudEmails: [12] }, ['FraudEmails.0']],
    ['a colour not #RRGGBB', { PrimaryThemeColour: 'red', PrimaryButtonColour: '#12345' }, ['PrimaryThemeColour', 'PrimaryButtonColour']],
    ['a URL that is not http(s)', { PlatformURL: 'javascript:alert(1)' }, ['PlatformURL']],
    ['a URL that is no URL', { PlatformURL: 'not a url' }, ['PlatformURL']],
    ['an address without City, in no country', { HeadquartersAddress: address({ City: '', Country: 'XX' }) }, ['HeadquartersAddress.City', 'HeadquartersAddress.Country']],
    ['a US address without Region', { HeadquartersAddress: address({ Country: 'US', Region: null }) }, ['HeadquartersAddress.Region']],
    ['an unknown business type and sector', { PlatformCategorization: { BusinessType: 'SHOP', Sector: 'MOON' } }, ['PlatformCategorization.BusinessType', 'PlatformCategorization.Sector']],
    ['an unknown PlatformType', { PlatformType: 'BAZAAR' }, ['PlatformType']],
    ['a phone number with letters', { HeadquartersPhoneNumber: '+33 1 23 AB' }, ['HeadquartersPhoneNumber']],
    ['a phone number over 15 characters', { HeadquartersPhoneNumber: '+3312345678901234' }, ['HeadquartersPhoneNumber']],
    ['a TaxNumber over 255 characters', { TaxNumber: 'x'.repeat(256) }, ['TaxNumber']],
    ['a PlatformDescription over 255 characters', { PlatformDescription: 'x'.repeat(256) }, ['PlatformDescription']],
  ];
  it.each(invalid)('refuses %s with a param_error naming the field, and changes nothing', async (_name, body, fields) => {
    const before = (await s.call('GET', '/clients')).body;
    const r = await put({ ...body, TaxNumber: body.TaxNumber ?? 'changed?' });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual([...fields].sort());
    expect((await s.call('GET', '/clients')).body).toEqual(before);
  });
});

describe('PUT /clients/logo', () => {
  const upload = (File: unknown) => s.call('PUT', '/clients/logo', { body: { File } });

  it('stores a PNG: 204, then Logo is a public URL on the base URL serving those bytes', async () => {
    const r = await upload(PNG.toString('base64'));
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    const client = (await s.call('GET', '/clients')).body;
    expect(client.Logo).toMatch(new RegExp(`^${s.url}/logos/${s.client.id}\\?v=\\d+$`));
    const img = await fetch(client.Logo);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await img.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('a new JPEG replaces it under a new URL; line-wrapped Base64 (Ruby) is accepted', async () => {
    await upload(PNG.toString('base64'));
    const before = (await s.call('GET', '/clients')).body.Logo;
    const wrapped = JPEG.toString('base64').replace(/.{60}/g, '$&\n');
    expect((await upload(wrapped)).status).toBe(204);
    const after = (await s.call('GET', '/clients')).body.Logo;
    expect(after).not.toBe(before);
    const img = await fetch(after);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await img.arrayBuffer()).equals(JPEG)).toBe(true);
  });

  it.each([
    ['not Base64 (the Ruby test)', 'any file content...'],
    ['Base64 of the wrong length (the PHP test)', 'qqq'],
    ['empty (the PHP test)', ''],
    ['a PDF', PDF.toString('base64')],
    ['text', Buffer.from('hello, this is not an image at all').toString('base64')],
    ['a number', 12345],
  ])('refuses %s with a 400 param_error on File, keeping the logo', async (_name, file) => {
    await upload(PNG.toString('base64'));
    const before = (await s.call('GET', '/clients')).body.Logo;
    const r = await upload(file);
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['File']);
    expect((await s.call('GET', '/clients')).body.Logo).toBe(before);
  });

  it('refuses a logo over the limit with 413', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_LOGO_BYTES)]);
    const r = await upload(big.toString('base64'));
    expectApiError(r, 413, 'payload_too_large');
  });

  it('the Logo URL is built on MANGROVE_PUBLIC_URL when set, whatever the Host header says', async () => {
    const other = await startServer({ env: { MANGROVE_PUBLIC_URL: 'https://sandbox.example.com/' }, db: s.db, keepDb: true });
    try {
      const r = await other.call('PUT', '/clients/logo', { body: { File: PNG.toString('base64') } });
      expect(r.status).toBe(204);
      const c = await other.call('GET', '/clients', { headers: { host: 'evil.example' } });
      expect(c.body.Logo).toMatch(new RegExp(`^https://sandbox\\.example\\.com/logos/${other.client.id}\\?v=1$`));
    } finally {
      await other.close();
    }
  });

  it("another client has no logo, and the logo path of a client without one is a 404 in Mangopay's shape", async () => {
    await upload(PNG.toString('base64'));
    const other = await s.newClient();
    const r = await s.fetch('GET', `/v2.01/${other.id}/clients`, { token: await s.tokenFor(other) });
    expect(r.body.Logo).toBeNull();
    expectApiError(await s.fetch('GET', `/logos/${other.id}`), 404, 'ressource_not_found');
    expectApiError(await s.fetch('GET', '/logos/nobody'), 404, 'ressource_not_found');
  });
});

/** Client wallets list EUR first (Mangopay's List Client Wallets example: FEES_EUR, CREDIT_EUR), then the others. */
const LISTED_CURRENCIES = ['EUR', ...CURRENCIES.filter((c) => c !== 'EUR')];

describe('client wallets', () => {
  it("list FEES_EUR and CREDIT_EUR first, as Mangopay's example does, then FEES and CREDIT in the other currencies", async () => {
    const c = await s.newClient();
    const token = await s.tokenFor(c);
    const all = await s.fetch('GET', `/v2.01/${c.id}/clients/wallets?per_page=100`, { token });
    expect(all.body.map((w: any) => w.Id)).toEqual([
      'FEES_EUR',
      'CREDIT_EUR',
      ...LISTED_CURRENCIES.slice(1).map((cur) => `FEES_${cur}`),
      ...LISTED_CURRENCIES.slice(1).map((cur) => `CREDIT_${cur}`),
    ]);
    const fees = await s.fetch('GET', `/v2.01/${c.id}/clients/wallets/FEES?per_page=100`, { token });
    expect(fees.body.map((w: any) => w.Currency)).toEqual(LISTED_CURRENCIES);
    // Again after a sandbox reset, which creates them anew.
    expect((await s.fetch('POST', `/v2.01/${c.id}/sandbox/reset`, { token })).status).toBe(204);
    const again = await s.fetch('GET', `/v2.01/${c.id}/clients/wallets?per_page=2`, { token });
    expect(again.body.map((w: any) => w.Id)).toEqual(['FEES_EUR', 'CREDIT_EUR']);
  });

  it('a new client has FEES and CREDIT wallets at zero in every currency, with stable ids', async () => {
    const c = await s.newClient();
    const token = await s.tokenFor(c);
    for (const type of ['FEES', 'CREDIT']) {
      const r = await s.fetch('GET', `/v2.01/${c.id}/clients/wallets/${type}/EUR`, { token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ Id: `${type}_EUR`, Owners: [], FundsType: type, Currency: 'EUR', Balance: { Currency: 'EUR', Amount: 0 } });
    }
    const all = await s.fetch('GET', `/v2.01/${c.id}/clients/wallets?per_page=100`, { token });
    expect(all.headers.get('X-Number-Of-Items')).toBe(String(2 * CURRENCIES.length));
    expect(new Set(all.body.map((w: any) => w.Id))).toEqual(
      new Set(['FEES', 'CREDIT'].flatMap((t) => CURRENCIES.map((cur) => `${t}_${cur}`))),
    );
    const credit = await s.fetch('GET', `/v2.01/${c.id}/clients/wallets/credit?per_page=100`, { token });
    expect(credit.body.map((w: any) => w.Currency)).toEqual(LISTED_CURRENCIES);
    expect(new Set(credit.body.map((w: any) => w.FundsType))).toEqual(new Set(['CREDIT']));
    // Paged like every list.
    const page = await s.fetch('GET', `/v2.01/${c.id}/clients/wallets/FEES?per_page=5&page=2`, { token });
    expect(page.body.map((w: any) => w.Currency)).toEqual(LISTED_CURRENCIES.slice(5, 10));
  });

  it('the currencies of the wallets the database creates are those the API supports', async () => {
    const rows = await s.db.query<{ currency: string }>(
      "SELECT currency FROM wallets WHERE client_id = $1 AND funds_type = 'CREDIT' ORDER BY seq",
      [s.client.id],
    );
    expect(rows.map((r) => r.currency)).toEqual(LISTED_CURRENCIES);
  });

  it('client wallets are no user wallets: /wallets/FEES_EUR is a 404', async () => {
    expectApiError(await s.call('GET', '/wallets/FEES_EUR'), 404, 'ressource_not_found');
  });

  it('a fee lands in FEES_EUR, still after a sandbox reset (which brings the wallets back at zero)', async () => {
    const feeOf = async () => (await s.call('GET', '/clients/wallets/FEES/EUR')).body.Balance.Amount;
    const chargeFee = async (fees: number) => {
      const user = await createUser(s, 'natural', naturalOwner());
      const w = await s.call('POST', '/wallets', { body: { Owners: [user.Id], Currency: 'EUR', Description: 'w' } });
      const p = await s.call('POST', '/payins/bankwire/direct', {
        body: { AuthorId: user.Id, CreditedWalletId: w.body.Id, DeclaredDebitedFunds: { Currency: 'EUR', Amount: 1000 }, DeclaredFees: { Currency: 'EUR', Amount: fees } },
      });
      const settled = await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`);
      expect(settled.body.Status).toBe('SUCCEEDED');
      return p.body.Id as string;
    };
    const before = await feeOf();
    const payInId = await chargeFee(70);
    expect(await feeOf()).toBe(before + 70);
    const listed = await s.call('GET', '/clients/wallets/FEES/EUR/transactions?per_page=100');
    expect(listed.body.map((t: any) => t.Id)).toContain(payInId);

    expect((await s.call('POST', '/sandbox/reset')).status).toBe(204);
    const fresh = await s.call('GET', '/clients/wallets/FEES/EUR');
    expect(fresh.status).toBe(200);
    expect(fresh.body.Balance.Amount).toBe(0);
    const all = await s.call('GET', '/clients/wallets');
    expect(all.headers.get('X-Number-Of-Items')).toBe(String(2 * CURRENCIES.length));
    await chargeFee(30);
    expect(await feeOf()).toBe(30);
  });
});

describe('POST /clients/payins/bankwire/direct', () => {
  const create = (body: unknown, token?: string) => s.call('POST', '/clients/payins/bankwire/direct', { body, token });
  const body = (over: Record<string, unknown> = {}) => ({
    CreditedWalletId: 'CREDIT_EUR',
    DeclaredDebitedFunds: { Currency: 'EUR', Amount: 1000 },
    Tag: 'repudiation',
    ...over,
  });

  it('creates a CREATED bank wire to the CREDIT wallet; the sandbox settle credits it', async () => {
    const creditOf = async () => (await s.call('GET', '/clients/wallets/CREDIT/EUR')).body.Balance.Amount;
    const before = await creditOf();
    const r = await create(body());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      AuthorId: s.client.id,
      CreditedUserId: s.client.id,
      CreditedWalletId: 'CREDIT_EUR',
      DebitedWalletId: null,
      Status: 'CREATED',
      Type: 'PAYIN',
      Nature: 'REGULAR',
      PaymentType: 'BANK_WIRE',
      ExecutionType: 'DIRECT',
      DeclaredDebitedFunds: { Currency: 'EUR', Amount: 1000 },
      DeclaredFees: { Currency: 'EUR', Amount: 0 },
      DebitedFunds: { Currency: 'XXX', Amount: 0 },
      Tag: 'repudiation',
    });
    expect(r.body.WireReference).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(r.body.BankAccount.Type).toBe('IBAN');

    const read = await s.call('GET', `/payins/${r.body.Id}`);
    expect(read.body).toEqual(r.body);
    const listed = await s.call('GET', '/clients/wallets/CREDIT/EUR/transactions?per_page=100');
    expect(listed.body.map((t: any) => t.Id)).toContain(r.body.Id);
    expect(await creditOf()).toBe(before);

    const settled = await s.call('POST', `/sandbox/payins/${r.body.Id}/settle`);
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    expect(settled.body).toMatchObject({
      Status: 'SUCCEEDED',
      ResultCode: '000000',
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      CreditedFunds: { Currency: 'EUR', Amount: 1000 },
      Fees: { Currency: 'EUR', Amount: 0 },
    });
    expect(await creditOf()).toBe(before + 1000);
    expect(await eventTypesOf(s.db, r.body.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_SUCCEEDED']);
    const after = await s.call('GET', '/clients/wallets/CREDIT/EUR/transactions?Status=SUCCEEDED&per_page=100');
    expect(after.body.find((t: any) => t.Id === r.body.Id)?.AuthorId).toBe(s.client.id);
  });

  it('the sandbox failure fails it without moving money', async () => {
    const r = await create(body({ DeclaredDebitedFunds: { Currency: 'GBP', Amount: 500 }, CreditedWalletId: 'credit_gbp' }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.CreditedWalletId).toBe('CREDIT_GBP');
    const failed = await s.call('POST', `/sandbox/payins/${r.body.Id}/fail`);
    expect(failed.body.Status).toBe('FAILED');
    expect((await s.call('GET', '/clients/wallets/CREDIT/GBP')).body.Balance.Amount).toBe(0);
  });

  it.each([
    ['a FEES wallet', { CreditedWalletId: 'FEES_EUR' }, 400, 'param_error', ['CreditedWalletId']],
    ['a user wallet id', { CreditedWalletId: 'wlt_m_nothing' }, 400, 'param_error', ['CreditedWalletId']],
    ['no wallet', { CreditedWalletId: undefined }, 400, 'param_error', ['CreditedWalletId']],
    ['no funds', { DeclaredDebitedFunds: undefined }, 400, 'param_error', ['DeclaredDebitedFunds']],
    ['a zero amount', { DeclaredDebitedFunds: { Currency: 'EUR', Amount: 0 } }, 400, 'param_error', null],
    ['another currency than the wallet', { DeclaredDebitedFunds: { Currency: 'USD', Amount: 100 } }, 400, 'currency_incompatibility', null],
  ])('refuses %s and creates nothing', async (_name, over, status, type, fields) => {
    const count = async () => (await s.call('GET', '/clients/wallets/CREDIT/EUR/transactions')).headers.get('X-Number-Of-Items');
    const before = await count();
    const r = await create(body(over));
    expectApiError(r, status, type);
    if (fields) expect(Object.keys(r.body.errors)).toEqual(fields);
    expect(await count()).toBe(before);
  });

  it("another client can neither read nor settle it, and its own CREDIT_EUR is untouched", async () => {
    const r = await create(body());
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/payins/${r.body.Id}`, { token }), 404, 'ressource_not_found');
    expectApiError(await s.fetch('POST', `/v2.01/${other.id}/sandbox/payins/${r.body.Id}/settle`, { token }), 404, 'ressource_not_found');
    await s.call('POST', `/sandbox/payins/${r.body.Id}/settle`);
    const theirs = await s.fetch('GET', `/v2.01/${other.id}/clients/wallets/CREDIT/EUR`, { token });
    expect(theirs.body.Balance.Amount).toBe(0);
    const theirList = await s.fetch('GET', `/v2.01/${other.id}/clients/wallets/CREDIT/EUR/transactions`, { token });
    expect(theirList.body).toEqual([]);
    expect(await ledgerInvariants(s.db, other.id)).toEqual([]);
  });
});

describe('the official Node SDK', () => {
  it('Clients.get, update, getClientWallet(s), getClientWalletsByFundsType, createBankWireDirectPayIn, uploadLogo', async () => {
    const client = await api.Clients.get();
    expect(client.ClientId).toBe(s.client.id);
    expect(client.Licensor).not.toBeUndefined();

    const updated = await api.Clients.update({ PrimaryThemeColour: '#123456', PrimaryButtonColour: '#654321', HeadquartersPhoneNumber: '4242' });
    expect(updated).toMatchObject({ PrimaryThemeColour: '#123456', PrimaryButtonColour: '#654321', HeadquartersPhoneNumber: '4242' });

    const fees = await api.Clients.getClientWallet('FEES', 'EUR');
    expect(fees).toMatchObject({ Id: 'FEES_EUR', FundsType: 'FEES', Currency: 'EUR' });
    const wallets = await api.Clients.getClientWallets();
    expect(wallets.length).toBeGreaterThan(0);
    const first = await api.Clients.getClientWallet(wallets[0].FundsType, wallets[0].Currency);
    expect(first.Id).toBe(wallets[0].Id);
    const credit = await api.Clients.getClientWalletsByFundsType('CREDIT');
    expect(credit.length).toBeGreaterThan(0);
    expect(credit.every((w: any) => w.FundsType === 'CREDIT')).toBe(true);

    const payIn = await api.Clients.createBankWireDirectPayIn({ CreditedWalletId: 'CREDIT_EUR', DeclaredDebitedFunds: { Currency: 'EUR', Amount: 1000 } });
    expect(payIn).toMatchObject({ Type: 'PAYIN', Status: 'CREATED', PaymentType: 'BANK_WIRE', ExecutionType: 'DIRECT' });
    const txs = await api.Clients.getClientWalletTransactions('CREDIT', 'EUR');
    expect(txs.map((t: any) => t.Id)).toContain(payIn.Id);

    await api.Clients.uploadLogo(PNG.toString('base64'));
    expect((await api.Clients.get()).Logo).toMatch(/\/logos\//);
  });
});

describe('migration 010 on a database with data', () => {
  it('gives an existing fee wallet its stable id (postings follow) and every existing client its 30 wallets', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { PGlite } = await import('@electric-sql/pglite');
    const { migrationsDir } = await import('../src/db/index.js');
    const files = fs.readdirSync(migrationsDir()).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
    const run = async (db: InstanceType<typeof PGlite>, pick: (f: string) => boolean) => {
      for (const f of files.filter(pick)) await db.exec(fs.readFileSync(path.join(migrationsDir(), f), 'utf8'));
    };
    const db = await PGlite.create();
    try {
      await run(db, (f) => f < '010');
      await db.exec(`
        INSERT INTO clients (id, name, api_key_hash, created_at) VALUES ('c1', 'c1', 'x', 5);
        INSERT INTO users (id, client_id, person_type, category, status, email, creation_date, tc_accepted, data)
          VALUES ('u1', 'c1', 'NATURAL', 'OWNER', 'ACTIVE', 'a@example.com', 5, true, '{}');
        INSERT INTO wallets (id, client_id, owner_id, funds_type, currency, description, balance, creation_date)
          VALUES ('wlt_u', 'c1', 'u1', 'DEFAULT', 'EUR', 'w', 900, 5), ('wlt_fee', 'c1', NULL, 'FEES', 'EUR', 'Fees wallet EUR', 100, 5);
        INSERT INTO transactions (id, client_id, type, nature, payment_type, execution_type, status, author_id, credited_user_id,
            credited_wallet_id, currency, debited_amount, credited_amount, fees_amount, creation_date, execution_date)
          VALUES ('p1', 'c1', 'PAYIN', 'REGULAR', 'BANK_WIRE', 'DIRECT', 'SUCCEEDED', 'u1', 'u1', 'wlt_u', 'EUR', 1000, 900, 100, 5, 6);
        INSERT INTO postings (client_id, movement_id, account, currency, amount, date)
          VALUES ('c1', 'p1', 'external:EUR', 'EUR', -1000, 6), ('c1', 'p1', 'wlt_u', 'EUR', 900, 6), ('c1', 'p1', 'wlt_fee', 'EUR', 100, 6);
      `);
      await run(db, (f) => f >= '010');
      const fee = await db.query<{ id: string; balance: number }>("SELECT id, balance::int FROM wallets WHERE client_id = 'c1' AND funds_type = 'FEES' AND currency = 'EUR'");
      expect(fee.rows).toEqual([{ id: 'FEES_EUR', balance: 100 }]);
      const accounts = await db.query<{ account: string }>("SELECT account FROM postings WHERE movement_id = 'p1' ORDER BY seq");
      expect(accounts.rows.map((r) => r.account)).toEqual(['external:EUR', 'wlt_u', 'FEES_EUR']);
      const count = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM wallets WHERE client_id = 'c1' AND owner_id IS NULL");
      expect(count.rows[0].n).toBe(2 * CURRENCIES.length);
      // Migration 012 moves an existing client's EUR pair to the head of its list.
      const order = await db.query<{ id: string }>(
        "SELECT id FROM wallets WHERE client_id = 'c1' AND owner_id IS NULL ORDER BY creation_date, seq LIMIT 3",
      );
      expect(order.rows.map((r) => r.id)).toEqual(['FEES_EUR', 'CREDIT_EUR', 'FEES_AED']);
    } finally {
      await db.close();
    }
  });
});
