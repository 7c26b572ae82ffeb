import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { expectApiError } from './helpers/errors.js';
import { address, legalOwner, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { eventTypesOf, walletBalance } from './helpers/reads.js';
import { createUser, fileServer, type Reply } from './helpers/server.js';
import { sweepScaRecipients } from '../src/modules/recipients/service.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(40 * 1024, 0x41)]).toString('base64');
const money = (Amount: number, Currency = 'EUR') => ({ Currency, Amount });

/** The Node SDK suite's recipient (test/helpers.js), varied per test. */
const eurRecipient = (over: Record<string, unknown> = {}) => ({
  DisplayName: 'My EUR account',
  PayoutMethodType: 'LocalBankTransfer',
  RecipientType: 'Individual',
  Currency: 'EUR',
  Country: 'DE',
  IndividualRecipient: {
    FirstName: 'John',
    LastName: 'Doe',
    Address: { AddressLine1: '10 Kingsway', City: 'London', PostalCode: 'WC2B 6LH', Country: 'DE' },
  },
  LocalBankTransfer: { EUR: { IBAN: 'DE75512108001245126199' } },
  ScaContext: 'USER_PRESENT',
  ...over,
});

async function ok(p: Promise<Reply>, status = 200): Promise<any> {
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}
const create = (userId: string, body: unknown) => s.call('POST', `/users/${userId}/recipients`, { body });
const get = (id: string) => s.call('GET', `/recipients/${id}`);
const countRecipients = async () =>
  (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM recipients WHERE client_id = $1', [s.client.id]))[0].n;

/** Mangrove's SCA page behind a link, passed with the sandbox passcode. */
function passPage(link: string, passcode = '702100'): Promise<Reply> {
  const token = new URL(link).searchParams.get('token')!;
  return s.fetch('POST', '/sca', { raw: `token=${encodeURIComponent(token)}&passcode=${passcode}`, contentType: 'application/x-www-form-urlencoded' });
}

/** A natural OWNER made REGULAR the documented way (IDENTITY_PROOF validated by the sandbox Tag 'accept'). */
async function regularOwner(over: Record<string, unknown> = {}): Promise<any> {
  const user = await createUser(s, 'natural', naturalOwner(over));
  const doc = await ok(s.call('POST', `/users/${user.Id}/kyc/documents`, { body: { Type: 'IDENTITY_PROOF', Tag: 'accept' } }));
  await ok(s.call('POST', `/users/${user.Id}/kyc/documents/${doc.Id}/pages`, { body: { File: PNG } }), 204);
  await ok(s.call('PUT', `/users/${user.Id}/kyc/documents/${doc.Id}`, { body: { Status: 'VALIDATION_ASKED' } }));
  return ok(s.call('GET', `/sca/users/${user.Id}`));
}
async function fundedWallet(userId: string, amount: number, Currency = 'EUR'): Promise<any> {
  const w = await ok(s.call('POST', '/wallets', { body: { Owners: [userId], Currency, Description: 'w' } }));
  const p = await ok(
    s.call('POST', '/payins/bankwire/direct', {
      body: { AuthorId: userId, CreditedWalletId: w.Id, DeclaredDebitedFunds: money(amount, Currency), DeclaredFees: money(0, Currency) },
    }),
  );
  expect((await ok(s.call('POST', `/sandbox/payins/${p.Id}/settle`))).Status).toBe('SUCCEEDED');
  return w;
}

describe('creating a recipient', () => {
  it('the Node SDK: an OWNER registering a PAYOUT recipient gets it PENDING with a RedirectUrl to the SCA page; passing it activates the recipient', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const r = await api.Recipients.create(eurRecipient(), user.Id);
    expect(r.Id).toMatch(/^rec_m_/);
    expect(r).toMatchObject({
      ScaContext: 'USER_PRESENT',
      Status: 'PENDING',
      DisplayName: 'My EUR account',
      PayoutMethodType: 'LocalBankTransfer',
      RecipientType: 'Individual',
      Currency: 'EUR',
      Country: 'DE',
      UserId: user.Id,
      RecipientScope: 'PAYOUT',
      Tag: null,
      IndividualRecipient: { FirstName: 'John', LastName: 'Doe', Address: { AddressLine1: '10 Kingsway', City: 'London', Country: 'DE', PostalCode: 'WC2B 6LH' } },
      BusinessRecipient: null,
      LocalBankTransfer: { EUR: { IBAN: 'DE75512108001245126199', BIC: null } },
      InternationalBankTransfer: null,
      RecipientVerificationOfPayee: { RecipientVerificationCheck: 'MATCH' },
    });
    expect(r.PendingUserAction.RedirectUrl.startsWith(`${s.url}/sca?token=`)).toBe(true);
    expect(await eventTypesOf(s.db, r.Id)).toEqual([]);

    const fetched = await api.Recipients.get(r.Id);
    expect(fetched.Id).toBe(r.Id);
    expect(fetched.PendingUserAction.RedirectUrl).toBe(r.PendingUserAction.RedirectUrl);

    expect((await passPage(r.PendingUserAction.RedirectUrl)).status).toBe(200);
    const active = await ok(get(r.Id));
    expect(active.Status).toBe('ACTIVE');
    expect(active.PendingUserAction).toBeNull();
    expect(await eventTypesOf(s.db, r.Id)).toEqual(['RECIPIENT_ACTIVE']);
    // The link is used up.
    expect((await passPage(r.PendingUserAction.RedirectUrl)).status).toBe(410);
  });

  it('the sandbox SCA completion activates a pending recipient too', async () => {
    const user = await createUser(s, 'legal', legalOwner());
    const r = await ok(create(user.Id, eurRecipient({ ScaContext: undefined })));
    expect(r.Status).toBe('PENDING');
    expect(r.ScaContext).toBe('USER_PRESENT');
    await ok(s.call('POST', `/sandbox/users/${user.Id}/sca/complete`));
    expect((await ok(get(r.Id))).Status).toBe('ACTIVE');
    expect(await eventTypesOf(s.db, r.Id)).toEqual(['RECIPIENT_ACTIVE']);
  });

  it('a recipient left PENDING past its 10-minute link becomes CANCELED (RECIPIENT_CANCELED), and the link no longer works', async () => {
    const c = await s.newClient();
    const token = await s.tokenFor(c);
    const call = (method: string, path: string, body?: unknown) => s.fetch(method, `/v2.01/${c.id}${path}`, { token, body });
    const user = await ok(call('POST', '/sca/users/natural', naturalOwner()));
    const r = await ok(call('POST', `/users/${user.Id}/recipients`, eurRecipient()));
    await ok(call('POST', '/sandbox/clock/advance', { Seconds: 601 }));
    expect(await eventTypesOf(s.db, r.Id)).toEqual(['RECIPIENT_CANCELED']);
    const after = await ok(call('GET', `/recipients/${r.Id}`));
    expect(after.Status).toBe('CANCELED');
    expect(after.PendingUserAction).toBeNull();
    expect((await passPage(r.PendingUserAction.RedirectUrl)).status).toBe(410);
    expect((await ok(call('GET', `/recipients/${r.Id}`))).Status).toBe('CANCELED');
  });

  it('the expiry sweep cancels an expired PENDING recipient nobody reads, once, and leaves a fresh one alone', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const old = await ok(create(user.Id, eurRecipient()));
    const fresh = await ok(create(user.Id, eurRecipient()));
    // Eleven minutes in the past, as if nobody had come back since.
    const token = new URL(old.PendingUserAction.RedirectUrl).searchParams.get('token');
    await s.db.query('UPDATE sca_sessions SET created_at = created_at - 660, expires_at = expires_at - 660 WHERE token = $1', [token]);
    await Promise.all([sweepScaRecipients(s.db), sweepScaRecipients(s.db)]);
    expect(await eventTypesOf(s.db, old.Id)).toEqual(['RECIPIENT_CANCELED']);
    const [row] = await s.db.query<{ status: string }>('SELECT status FROM recipients WHERE id = $1', [old.Id]);
    expect(row.status).toBe('CANCELED');
    expect((await ok(get(fresh.Id))).Status).toBe('PENDING');
    expect(await eventTypesOf(s.db, fresh.Id)).toEqual([]);
  });

  it('is ACTIVE at once for a PAYIN scope (any category), with "accept" in the e-mail (sandbox bypass), or USER_NOT_PRESENT with proxy consent', async () => {
    const payer = await createUser(s, 'natural', naturalPayer());
    const payin = await ok(create(payer.Id, eurRecipient({ RecipientScope: 'PAYIN', ScaContext: undefined })));
    expect(payin).toMatchObject({ Status: 'ACTIVE', RecipientScope: 'PAYIN', ScaContext: null, PendingUserAction: null });
    expect(await eventTypesOf(s.db, payin.Id)).toEqual(['RECIPIENT_ACTIVE']);

    const bypass = await createUser(s, 'natural', naturalOwner({ Email: 'john.doe+accept@example.com' }));
    expect((await ok(create(bypass.Id, eurRecipient()))).Status).toBe('ACTIVE');

    const owner = await createUser(s, 'natural', naturalOwner());
    const before = await countRecipients();
    expectApiError(await create(owner.Id, eurRecipient({ ScaContext: 'USER_NOT_PRESENT' })), 403, 'sca_proxy_missing');
    expect(await countRecipients()).toBe(before);
    await ok(s.call('POST', `/sandbox/users/${owner.Id}/sca/complete`));
    const consent = await ok(s.call('POST', `/sca/users/${owner.Id}/consent`));
    expect((await passPage(consent.PendingUserAction.RedirectUrl)).status).toBe(200);
    const proxied = await ok(create(owner.Id, eurRecipient({ ScaContext: 'USER_NOT_PRESENT' })));
    expect(proxied).toMatchObject({ Status: 'ACTIVE', ScaContext: 'USER_NOT_PRESENT', PendingUserAction: null });
  });

  it('takes Business recipients and InternationalBankTransfer, and GBP/USD local accounts', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const business = await ok(
      create(user.Id, {
        DisplayName: 'Alex Smith Consulting',
        PayoutMethodType: 'internationalbanktransfer',
        RecipientType: 'business',
        Currency: 'usd',
        Country: 'FR',
        Tag: 't',
        BusinessRecipient: { BusinessName: 'Alex Smith Consulting', Address: address() },
        InternationalBankTransfer: { IBAN: 'FR76 3000 4000 0312 3456 7890 143', BIC: 'BNPAFRPPXXX' },
      }),
    );
    expect(business).toMatchObject({
      PayoutMethodType: 'InternationalBankTransfer',
      RecipientType: 'Business',
      Currency: 'USD',
      IndividualRecipient: null,
      BusinessRecipient: { BusinessName: 'Alex Smith Consulting' },
      LocalBankTransfer: null,
      InternationalBankTransfer: { IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPPXXX', AccountNumber: null },
      RecipientVerificationOfPayee: null,
    });
    const gb = await ok(
      create(user.Id, eurRecipient({ Currency: 'GBP', Country: 'GB', LocalBankTransfer: { GBP: { AccountNumber: '55779911', SortCode: '200000' } } })),
    );
    expect(gb.LocalBankTransfer).toEqual({ GBP: { AccountNumber: '55779911', SortCode: '200000' } });
    const us = await ok(
      create(user.Id, eurRecipient({ Currency: 'USD', Country: 'US', LocalBankTransfer: { USD: { AccountNumber: '234234234234', ABA: '071000288' } } })),
    );
    expect(us.LocalBankTransfer).toEqual({ USD: { AccountNumber: '234234234234', ABA: '071000288', AccountType: null } });
  });

  it("takes no Country (PHP's suite sends none): the local rail's country, or the IBAN's", async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const gb = await ok(
      create(user.Id, eurRecipient({ Country: undefined, Currency: 'GBP', LocalBankTransfer: { GBP: { SortCode: '010039', AccountNumber: '11696419' } } })),
    );
    expect(gb.Country).toBe('GB');
    expect((await ok(create(user.Id, eurRecipient({ Country: undefined })))).Country).toBe('DE');
    const intl = { PayoutMethodType: 'InternationalBankTransfer', Country: undefined, LocalBankTransfer: undefined };
    const byIban = await ok(create(user.Id, eurRecipient({ ...intl, InternationalBankTransfer: { IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' } })));
    expect(byIban.Country).toBe('FR');
    const noCountry = await create(user.Id, eurRecipient({ ...intl, InternationalBankTransfer: { AccountNumber: '234234234234', BIC: 'BNPAFRPP' } }));
    expectApiError(noCountry, 400, 'param_error');
    expect(noCountry.body.errors).toEqual({ Country: 'The Country field is required.' });
    const schema = await ok(s.call('GET', '/recipients/schema?payoutMethodType=LocalBankTransfer&recipientType=Business&currency=GBP'));
    expect(schema.Country.AllowedValues).toEqual(['GB']);
    expect(Object.keys(schema.LocalBankTransfer)).toEqual(['GBP']);
    expect(schema.BusinessRecipient.BusinessName.Required).toBe(true);
  });

  it('refuses bad bodies with param_error naming the dotted fields, and stores nothing', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const before = await countRecipients();
    let r = await create(user.Id, {});
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(['Country', 'Currency', 'DisplayName', 'PayoutMethodType', 'RecipientType']);

    r = await create(
      user.Id,
      eurRecipient({
        IndividualRecipient: { FirstName: '', LastName: 'Doe', Address: { AddressLine1: 'x', Country: 'XX' } },
        LocalBankTransfer: { EUR: { IBAN: 'DE75512108001245126198', BIC: 'nope' } },
        ScaContext: 'SOMETIMES',
        RecipientScope: 'EVERYWHERE',
        Tag: 'x'.repeat(256),
      }),
    );
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual([
      'IndividualRecipient.Address.City',
      'IndividualRecipient.Address.Country',
      'IndividualRecipient.FirstName',
      'LocalBankTransfer.EUR.BIC',
      'LocalBankTransfer.EUR.IBAN',
      'RecipientScope',
      'ScaContext',
      'Tag',
    ]);

    r = await create(user.Id, eurRecipient({ IndividualRecipient: undefined, LocalBankTransfer: { GBP: { IBAN: 'x' } } }));
    expect(Object.keys(r.body.errors).sort()).toEqual(['IndividualRecipient', 'LocalBankTransfer.EUR']);
    r = await create(user.Id, eurRecipient({ Currency: 'USD' }));
    expect(r.body.errors).toEqual({ PayoutMethodType: expect.stringContaining('LocalBankTransfer is not available for USD in DE') });
    r = await create(user.Id, eurRecipient({ Currency: 'GBP', Country: 'GB', LocalBankTransfer: { GBP: { AccountNumber: '123', SortCode: 'ab' } } }));
    expect(r.body.errors).toEqual({
      'LocalBankTransfer.GBP.AccountNumber': 'INVALID_FORMAT. Regex validation: ^\\d{8}$',
      'LocalBankTransfer.GBP.SortCode': 'INVALID_FORMAT. Regex validation: ^\\d{6}$',
    });
    r = await create(user.Id, eurRecipient({ PayoutMethodType: 'InternationalBankTransfer', InternationalBankTransfer: { BIC: 'BNPAFRPP' } }));
    expect(Object.keys(r.body.errors)).toEqual(['InternationalBankTransfer.IBAN']);
    r = await create(user.Id, eurRecipient({ RecipientType: 'Business', BusinessRecipient: { BusinessName: ' ' } }));
    expect(Object.keys(r.body.errors).sort()).toEqual(['BusinessRecipient.Address', 'BusinessRecipient.BusinessName']);
    expect(await countRecipients()).toBe(before);
  });

  it('refuses a PAYOUT recipient for a PAYER, any recipient for a closed user (user_closed), and an unknown user (404)', async () => {
    const payer = await createUser(s, 'natural', naturalPayer());
    expectApiError(await create(payer.Id, eurRecipient()), 400, 'not_allowed_for_user_category_payer');
    await ok(s.call('DELETE', `/users/natural/${payer.Id}`), 204);
    expectApiError(await create(payer.Id, eurRecipient({ RecipientScope: 'PAYIN' })), 400, 'user_closed');
    expectApiError(await s.call('POST', `/users/${payer.Id}/recipients/validate`, { body: eurRecipient() }), 400, 'user_closed');
    const unknown = await create('user_m_01JUNKNOWN000000000000000', eurRecipient());
    expectApiError(unknown, 404, 'ressource_not_found');
  });
});

describe('reading, listing, validating and deactivating', () => {
  it('the Node SDK: list filtered by RecipientScope, schema, payout methods, validate passes (200, no body) and fails naming the field', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const first = await api.Recipients.create(eurRecipient(), user.Id);
    const second = await ok(create(user.Id, eurRecipient({ RecipientScope: 'PAYIN', DisplayName: 'pay-in' })));
    // PAYOUT recipients unless RecipientScope says PAYIN or ALL (docs list-recipients-user).
    expect((await ok(s.call('GET', `/users/${user.Id}/recipients`))).map((r: any) => r.Id)).toEqual([first.Id]);
    const all = await ok(s.call('GET', `/users/${user.Id}/recipients?RecipientScope=all`));
    expect(all.map((r: any) => r.Id)).toEqual([first.Id, second.Id]);
    expect(Object.keys(all[0])).toEqual(['Id', 'CreationDate', 'DisplayName', 'PayoutMethodType', 'RecipientType', 'Currency', 'Country', 'UserId', 'Status', 'RecipientScope']);
    const payout = await api.Recipients.getUserRecipients(user.Id, { parameters: { RecipientScope: 'PAYOUT' } });
    expect(payout.map((r: any) => r.Id)).toEqual([first.Id]);
    const active = await ok(s.call('GET', `/users/${user.Id}/recipients?Status=ACTIVE&Sort=CreationDate:DESC&RecipientScope=ALL`));
    expect(active.map((r: any) => r.Id)).toEqual([second.Id]);
    expectApiError(await s.call('GET', `/users/${user.Id}/recipients?RecipientScope=NOWHERE`), 400, 'param_error');

    const local = await api.Recipients.getSchema('LocalBankTransfer', 'Individual', 'GBP', 'GB');
    expect(local.LocalBankTransfer.GBP.SortCode).toMatchObject({ Required: true, Pattern: '^\\d{6}$' });
    expect(local.IndividualRecipient.FirstName.Required).toBe(true);
    expect(local.InternationalBankTransfer).toBeUndefined();
    expect(local.BusinessRecipient).toBeUndefined();
    const intl = await api.Recipients.getSchema('InternationalBankTransfer', 'Business', 'GBP', 'GB');
    expect(intl.InternationalBankTransfer.BIC.Required).toBe(true);
    expect(intl.BusinessRecipient.BusinessName.Required).toBe(true);
    expect(intl.LocalBankTransfer).toBeUndefined();
    expectApiError(await s.call('GET', '/recipients/schema?payoutMethodType=LocalBankTransfer&recipientType=Individual&currency=GBP&country=DE'), 400, 'param_error');
    expectApiError(await s.call('GET', '/recipients/schema'), 400, 'param_error');

    expect((await api.Recipients.getPayoutMethods('DE', 'GBP')).AvailablePayoutMethods).toEqual(['InternationalBankTransfer']);
    expect((await ok(s.call('GET', '/recipients/payout-methods?country=DE&currency=EUR'))).AvailablePayoutMethods).toEqual([
      'LocalBankTransfer',
      'InternationalBankTransfer',
    ]);
    const badMethods = await s.call('GET', '/recipients/payout-methods?country=ZZ');
    expectApiError(badMethods, 400, 'param_error');
    expect(Object.keys(badMethods.body.errors).sort()).toEqual(['country', 'currency']);

    const before = await countRecipients();
    // The SDK sends the created recipient back, read-only fields and all.
    const valid = await s.call('POST', `/users/${user.Id}/recipients/validate`, { body: first });
    expect(valid.status, JSON.stringify(valid.body)).toBe(200);
    expect(valid.body === '' || valid.body === null || valid.body === undefined, JSON.stringify(valid.body)).toBe(true);
    await api.Recipients.validate(first, user.Id);
    let failure: any;
    await api.Recipients.validate({ ...first, Currency: undefined }, user.Id).catch((e: any) => (failure = e));
    expect(failure.Message).toContain('One or several required parameters are missing or incorrect');
    expect(failure.errors).toEqual({ Currency: expect.any(String) });
    expect(await countRecipients()).toBe(before);
  });

  it("another client's recipient is 404 everywhere", async () => {
    const user = await createUser(s, 'natural', naturalPayer());
    const r = await ok(create(user.Id, eurRecipient({ RecipientScope: 'PAYIN' })));
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/recipients/${r.Id}`, { token }), 404, 'ressource_not_found');
    const put = await s.fetch('PUT', `/v2.01/${other.id}/recipients/${r.Id}`, { token, body: { Status: 'DEACTIVATED' } });
    expectApiError(put, 404, 'ressource_not_found');
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/users/${user.Id}/recipients`, { token }), 404, 'ressource_not_found');
    expect((await ok(get(r.Id))).Status).toBe('ACTIVE');
  });

  it('deactivates an ACTIVE recipient for good (RECIPIENT_DEACTIVATED); anything else is refused and changes nothing', async () => {
    const user = await createUser(s, 'natural', naturalOwner({ Email: 'accept@example.com' }));
    const r = await ok(create(user.Id, eurRecipient()));
    expectApiError(await s.call('PUT', `/recipients/${r.Id}`, { body: { Status: 'ACTIVE' } }), 400, 'param_error');
    const off = await api.Recipients.deactivate(r.Id);
    expect(off.Status).toBe('DEACTIVATED');
    expect((await ok(get(r.Id))).Status).toBe('DEACTIVATED');
    expect(await eventTypesOf(s.db, r.Id)).toEqual(['RECIPIENT_ACTIVE', 'RECIPIENT_DEACTIVATED']);
    expectApiError(await s.call('PUT', `/recipients/${r.Id}`, { body: { Status: 'DEACTIVATED' } }), 400, 'invalid_action');
    const pendingOwner = await createUser(s, 'natural', naturalOwner());
    const pending = await ok(create(pendingOwner.Id, eurRecipient()));
    expectApiError(await s.call('PUT', `/recipients/${pending.Id}`, { body: { Status: 'DEACTIVATED' } }), 400, 'invalid_action');
    expect((await ok(get(pending.Id))).Status).toBe('PENDING');
    expectApiError(await s.call('PUT', '/recipients/rec_m_01JUNKNOWN0000000000000000', { body: { Status: 'DEACTIVATED' } }), 404, 'ressource_not_found');
    // The endpoint only deactivates: an empty body (older Ruby SDKs) does it too.
    const second = await ok(create(user.Id, eurRecipient()));
    expect((await ok(s.call('PUT', `/recipients/${second.Id}`, { body: {} }))).Status).toBe('DEACTIVATED');
  });

  it("a user's legacy bank accounts are read, listed and deactivated through the recipient endpoints under their own ids", async () => {
    const user = await createUser(s, 'natural', naturalOwner({ Email: 'legacy+accept@example.com' }));
    const owner = { OwnerName: 'Owner Name', OwnerAddress: address() };
    const iban = await ok(s.call('POST', `/users/${user.Id}/bankaccounts/iban`, { body: { ...owner, IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' } }));
    const gb = await ok(s.call('POST', `/users/${user.Id}/bankaccounts/gb`, { body: { ...owner, AccountNumber: '55779911', SortCode: '200000' } }));
    const rec = await ok(create(user.Id, eurRecipient()));
    const payin = await ok(create(user.Id, eurRecipient({ RecipientScope: 'PAYIN' })));

    const seen = await ok(get(iban.Id));
    expect(seen).toMatchObject({
      Id: iban.Id,
      Status: 'ACTIVE',
      DisplayName: null,
      PayoutMethodType: 'LocalBankTransfer',
      RecipientType: 'Individual',
      Currency: 'EUR',
      Country: 'FR',
      UserId: user.Id,
      RecipientScope: 'PAYOUT',
      LocalBankTransfer: { EUR: { IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' } },
      InternationalBankTransfer: null,
      PendingUserAction: null,
    });
    expect((await ok(get(gb.Id))).LocalBankTransfer).toEqual({ GBP: { AccountNumber: '55779911', SortCode: '200000' } });

    const ids = async (q = '') => (await ok(s.call('GET', `/users/${user.Id}/recipients${q}`))).map((r: any) => r.Id);
    expect(await ids()).toEqual([iban.Id, gb.Id, rec.Id]);
    expect(await ids('?Sort=CreationDate:DESC&RecipientScope=ALL')).toEqual([payin.Id, rec.Id, gb.Id, iban.Id]);
    expect(await ids('?RecipientScope=PAYIN')).toEqual([payin.Id]);
    expect(await ids('?per_page=2&page=2&RecipientScope=ALL')).toEqual([rec.Id, payin.Id]);
    const page = await s.call('GET', `/users/${user.Id}/recipients?per_page=3&RecipientScope=ALL`);
    expect(page.headers.get('X-Number-Of-Items')).toBe('4');
    expect(page.headers.get('X-Number-Of-Pages')).toBe('2');

    const off = await ok(s.call('PUT', `/recipients/${gb.Id}`, { body: { Status: 'DEACTIVATED' } }));
    expect(off).toMatchObject({ Id: gb.Id, Status: 'DEACTIVATED' });
    expect((await ok(s.call('GET', `/users/${user.Id}/bankaccounts/${gb.Id}`))).Active).toBe(false);
    expectApiError(await s.call('PUT', `/recipients/${gb.Id}`, { body: { Status: 'DEACTIVATED' } }), 400, 'invalid_action');
    expect(await ids('?Status=DEACTIVATED')).toEqual([gb.Id]);
    expect(await ids('?Status=ACTIVE&RecipientScope=PAYOUT')).toEqual([iban.Id, rec.Id]);

    const other = await s.newClient();
    const token = await s.tokenFor(other);
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/recipients/${iban.Id}`, { token }), 404, 'ressource_not_found');
  });

  it('a sandbox reset wipes the recipients', async () => {
    const c = await s.newClient();
    const token = await s.tokenFor(c);
    const user = await ok(s.fetch('POST', `/v2.01/${c.id}/sca/users/natural`, { token, body: naturalOwner() }));
    const r = await ok(s.fetch('POST', `/v2.01/${c.id}/users/${user.Id}/recipients`, { token, body: eurRecipient() }));
    await ok(s.fetch('POST', `/v2.01/${c.id}/sandbox/reset`, { token }), 204);
    const [{ n }] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM recipients WHERE client_id = $1', [c.id]);
    expect(n).toBe(0);
    expectApiError(await s.fetch('GET', `/v2.01/${c.id}/recipients/${r.Id}`, { token }), 404, 'ressource_not_found');
  });
});

describe('payouts to a recipient (RecipientId)', () => {
  it('pays an ACTIVE recipient of the author: CREATED, funds gone, RecipientId answered and read back', async () => {
    const owner = await regularOwner({ Email: 'owner+accept@example.com' });
    const w = await fundedWallet(owner.Id, 5000);
    const r = await ok(create(owner.Id, eurRecipient()));
    expect(r.Status).toBe('ACTIVE');
    const p = await api.PayOuts.create({
      AuthorId: owner.Id,
      DebitedWalletId: w.Id,
      DebitedFunds: money(1200),
      Fees: money(200),
      RecipientId: r.Id,
      BankWireRef: 'invoice',
      PaymentType: 'BANK_WIRE',
    });
    expect(p).toMatchObject({ Status: 'CREATED', PaymentType: 'BANK_WIRE', RecipientId: r.Id, BankAccountId: r.Id });
    expect(p.RecipientVerificationOfPayee.RecipientVerificationCheck).toBe('MATCH');
    expect(await walletBalance(s, w.Id)).toBe(3800);
    expect((await ok(s.call('GET', `/payouts/${p.Id}`))).RecipientId).toBe(r.Id);
    expect((await ok(s.call('POST', `/sandbox/payouts/${p.Id}/settle`))).Status).toBe('SUCCEEDED');
  });

  it("the Node SDK suite's flow: a PENDING recipient is answered CREATED and fails 121006 without moving money", async () => {
    const owner = await regularOwner();
    const w = await fundedWallet(owner.Id, 5000);
    const r = await api.Recipients.create(eurRecipient(), owner.Id);
    expect(r.Status).toBe('PENDING');
    const p = await api.PayOuts.create({
      DebitedWalletId: w.Id,
      AuthorId: owner.Id,
      CreditedUserId: owner.Id,
      Tag: 'DefaultTag',
      DebitedFunds: money(10),
      Fees: money(5),
      RecipientId: r.Id,
      BankWireRef: 'User payment',
      PaymentType: 'BANK_WIRE',
      PayoutModeRequested: 'STANDARD',
    });
    expect(p.Id).toMatch(/^po_m_/);
    expect(p.RecipientId).toBe(r.Id);
    expect(p.PaymentType).toBe('BANK_WIRE');
    expect(p.Status).toBe('CREATED');
    const stored = await ok(s.call('GET', `/payouts/${p.Id}`));
    expect(stored).toMatchObject({ Status: 'FAILED', ResultCode: '121006' });
    expect(await walletBalance(s, w.Id)).toBe(5000);
    expect(await eventTypesOf(s.db, p.Id)).toEqual(['PAYOUT_NORMAL_CREATED', 'PAYOUT_NORMAL_FAILED']);
  });

  it("refuses a PAYIN-scope recipient (400 invalid_action), fails another user's (121007), a deactivated one (121006); unknown is 404; a legacy bank account id is taken", async () => {
    const owner = await regularOwner({ Email: 'payer.out+accept@example.com' });
    const w = await fundedWallet(owner.Id, 5000);
    const body = (RecipientId: string, over: Record<string, unknown> = {}) => ({
      AuthorId: owner.Id,
      DebitedWalletId: w.Id,
      DebitedFunds: money(100),
      Fees: money(0),
      RecipientId,
      ...over,
    });
    const payOut = (b: unknown) => s.call('POST', '/payouts/bankwire', { body: b });
    const payin = await ok(create(owner.Id, eurRecipient({ RecipientScope: 'PAYIN' })));
    const refused = await payOut(body(payin.Id));
    expectApiError(refused, 400, 'invalid_action');
    expect(refused.body.Message).toBe('Payout not allowed for RecipientScope PAYIN');

    const other = await createUser(s, 'natural', naturalOwner({ Email: 'other+accept@example.com' }));
    const theirs = await ok(create(other.Id, eurRecipient()));
    const notOwner = await ok(payOut(body(theirs.Id)));
    expect((await ok(s.call('GET', `/payouts/${notOwner.Id}`))).ResultCode).toBe('121007');

    const mine = await ok(create(owner.Id, eurRecipient()));
    await ok(s.call('PUT', `/recipients/${mine.Id}`, { body: { Status: 'DEACTIVATED' } }));
    const inactive = await ok(payOut(body(mine.Id)));
    expect((await ok(s.call('GET', `/payouts/${inactive.Id}`))).ResultCode).toBe('121006');

    expectApiError(await payOut(body('rec_m_01JUNKNOWN0000000000000000')), 404, 'ressource_not_found');
    const gbp = await ok(create(owner.Id, eurRecipient({ Currency: 'GBP', Country: 'GB', LocalBankTransfer: { GBP: { AccountNumber: '55779911', SortCode: '200000' } } })));
    expectApiError(await payOut(body(gbp.Id)), 400, 'currency_incompatibility');
    const missing = await payOut({ ...body(''), RecipientId: undefined });
    expectApiError(missing, 400, 'param_error');
    expect(Object.keys(missing.body.errors)).toEqual(['BankAccountId']);

    const account = await ok(
      s.call('POST', `/users/${owner.Id}/bankaccounts/iban`, {
        body: { OwnerName: 'Owner Name', OwnerAddress: address(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
      }),
    );
    const legacy = await ok(payOut(body(account.Id)));
    expect(legacy).toMatchObject({ Status: 'CREATED', RecipientId: account.Id, BankAccountId: account.Id });
    expect((await ok(s.call('GET', `/payouts/${legacy.Id}`))).Status).toBe('CREATED');
    expect(await walletBalance(s, w.Id)).toBe(4900);
  });
});
