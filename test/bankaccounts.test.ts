import { beforeAll, describe, expect, it } from 'vitest';
import { findActiveBankAccount } from '../src/modules/bankaccounts/store.js';
import { isValidIban } from '../src/modules/bankaccounts/rules.js';
import { expectApiError } from './helpers/errors.js';
import { address, legalOwner, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';

const { s, api } = fileServer();

const newUser = (kind: 'natural' | 'legal', body: Record<string, unknown>) => createUser(s, kind, body);
const natural = (over: Record<string, unknown> = {}) => newUser('natural', naturalOwner(over));

const owner = () => ({ OwnerName: 'Alice Durand', OwnerAddress: address() });
/** A valid body of each type (the SDK's own test data where it passes the checks). */
const VALID: Record<string, Record<string, unknown>> = {
  iban: { ...owner(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
  gb: { ...owner(), AccountNumber: '63956474', SortCode: '200000' },
  us: { ...owner(), AccountNumber: '234234234234', ABA: '071000288', DepositAccountType: 'SAVINGS' },
  ca: { ...owner(), BankName: 'TestBankName', InstitutionNumber: '123', BranchCode: '12345', AccountNumber: '234234234234' },
  other: { ...owner(), Country: 'FR', BIC: 'BINAADADXXX', AccountNumber: '234234234234' },
};

const create = (userId: string, type: string, body: unknown) => s.call('POST', `/users/${userId}/bankaccounts/${type}`, { body });
async function created(userId: string, type: string, over: Record<string, unknown> = {}): Promise<any> {
  const r = await create(userId, type, { ...VALID[type], ...over });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

describe('the official SDK drives bank accounts', () => {
  it('creates one account of each type from model classes (Type from the Details class) and reads each back', async () => {
    const user = await natural();
    const M = api.models;
    const models = [
      ['IBAN', new M.BankAccountDetailsIBAN({ IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' })],
      ['GB', new M.BankAccountDetailsGB({ AccountNumber: '63956474', SortCode: '200000' })],
      ['US', new M.BankAccountDetailsUS({ AccountNumber: '234234234234', ABA: '071000288' })],
      ['CA', new M.BankAccountDetailsCA({ BankName: 'TestBankName', BranchCode: '12345', AccountNumber: '234234234234', InstitutionNumber: '123' })],
      ['OTHER', new M.BankAccountDetailsOTHER({ Country: 'FR', AccountNumber: '234234234234', BIC: 'BINAADADXXX' })],
    ] as const;
    for (const [type, details] of models) {
      const account = new M.BankAccount({ OwnerName: 'Alice Durand', OwnerAddress: new M.Address(address()), Details: details });
      const made = await api.Users.createBankAccount(user.Id, account);
      expect(made.Id).toMatch(/^bankacc_m_/);
      expect(made.Type).toBe(type);
      expect(made.UserId).toBe(user.Id);
      expect(made.Active).toBe(true);
      const read = await api.Users.getBankAccount(user.Id, made.Id);
      expect(read.Id).toBe(made.Id);
      expect(read.Type).toBe(type);
      expect(read.OwnerAddress.City).toBe('Paris');
    }
    const list = await api.Users.getBankAccounts(user.Id);
    expect(list).toHaveLength(5);
    expect(list[0] instanceof M.BankAccount).toBe(true);
    const desc = await api.Users.getBankAccounts(user.Id, { parameters: { Sort: 'CreationDate:desc' } });
    expect(desc[0].CreationDate).toBeGreaterThanOrEqual(desc[4].CreationDate);
  });

  it('creates from plain objects with Type (the path decides) and deactivates', async () => {
    const user = await natural();
    for (const [type, body] of Object.entries(VALID)) {
      const made = await api.Users.createBankAccount(user.Id, { Type: type.toUpperCase(), ...body });
      expect(made.Type).toBe(type.toUpperCase());
    }
    const other = await api.Users.createBankAccount(user.Id, { Type: 'OTHER', ...VALID.other, UserId: user.Id });
    const off = await api.Users.deactivateBankAccount(user.Id, other.Id);
    expect(off.Id).toBe(other.Id);
    expect(off.Active).toBe(false);
    expect((await api.Users.getBankAccount(user.Id, other.Id)).Active).toBe(false);
  });

  it('rejects through the SDK with the API error', async () => {
    const user = await natural();
    const err = await api.Users.createBankAccount(user.Id, { Type: 'IBAN', ...VALID.iban, IBAN: 'FR7630004000031234567890144' }).catch((e: any) => e);
    expect(err.Type).toBe('param_error');
    expect(err.errors.IBAN).toBe('The value is not a valid IBAN');
  });
});

describe('the BankAccount object', () => {
  const SHAPES: Record<string, string[]> = {
    iban: ['IBAN', 'BIC'],
    gb: ['AccountNumber', 'SortCode'],
    us: ['AccountNumber', 'ABA', 'DepositAccountType'],
    ca: ['BankName', 'InstitutionNumber', 'BranchCode', 'AccountNumber'],
    other: ['Country', 'BIC', 'AccountNumber'],
  };
  it.each(Object.keys(SHAPES))('%s: flat, keys in Mangopay order, values as stored', async (type) => {
    const user = await natural();
    const body = await created(user.Id, type, { Tag: 'mine' });
    expect(Object.keys(body)).toEqual([
      'OwnerAddress', ...SHAPES[type], 'UserId', 'OwnerName', 'Type', 'Id', 'Tag', 'CreationDate', 'Active',
    ]);
    expect(Object.keys(body.OwnerAddress)).toEqual(['AddressLine1', 'AddressLine2', 'City', 'Region', 'PostalCode', 'Country']);
    expect(body).toMatchObject({ UserId: user.Id, OwnerName: 'Alice Durand', Type: type.toUpperCase(), Tag: 'mine', Active: true });
    for (const f of SHAPES[type]) expect(body[f]).toBe(VALID[type][f]);
    expect(Math.abs(body.CreationDate - Date.now() / 1000)).toBeLessThan(60);
    const read = await s.call('GET', `/users/${user.Id}/bankaccounts/${body.Id}`);
    expect(read.body).toEqual(body);
  });

  it('takes the type from the path, ignores read-only fields, and reads Details when not flattened', async () => {
    const user = await natural();
    const r = await create(user.Id, 'iban', { ...VALID.iban, Type: 'GB', Id: 'mine', UserId: 'other', Active: false, CreationDate: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Type: 'IBAN', UserId: user.Id, Active: true });
    expect(r.body.Id).toMatch(/^bankacc_m_/);
    expect(r.body.CreationDate).not.toBe(1);
    const nested = await create(user.Id, 'gb', { ...owner(), Details: { AccountNumber: '55779911', SortCode: '200000' } });
    expect(nested.status, JSON.stringify(nested.body)).toBe(200);
    expect(nested.body).toMatchObject({ AccountNumber: '55779911', SortCode: '200000' });
  });

  it('normalises an IBAN written in groups and in lower case, and defaults DepositAccountType to CHECKING', async () => {
    const user = await natural();
    const iban = await created(user.Id, 'iban', { IBAN: 'fr76 3000 4000 0312 3456 7890 143', BIC: 'bnpafrpp' });
    expect(iban.IBAN).toBe('FR7630004000031234567890143');
    expect(iban.BIC).toBe('BNPAFRPP');
    const us = await created(user.Id, 'us', { DepositAccountType: undefined });
    expect(us.DepositAccountType).toBe('CHECKING');
    const noBic = await created(user.Id, 'iban', { BIC: undefined });
    expect(noBic.BIC).toBeNull();
  });

  it('accepts lenient bodies: case-insensitive names, numbers for strings, an OwnerAddress without PostalCode', async () => {
    const user = await natural();
    const r = await create(user.Id, 'gb', {
      ownername: 'Bob',
      OWNERADDRESS: { addressline1: '1 High St', city: 'London', country: 'GB' },
      accountnumber: 55779911,
      sortcode: 200000,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ OwnerName: 'Bob', AccountNumber: '55779911', SortCode: '200000' });
    expect(r.body.OwnerAddress).toEqual({ AddressLine1: '1 High St', AddressLine2: null, City: 'London', Region: null, PostalCode: null, Country: 'GB' });
  });
});

type Case = [name: string, type: string, over: Record<string, unknown>, field: string | null, errorType?: string];

/** Each rule from both sides: `field` null means the body is valid. */
const CASES: Case[] = [
  // common to every type
  ...(['iban', 'gb', 'us', 'ca', 'other'] as const).flatMap((t): Case[] => [
    [`${t}: OwnerName missing`, t, { OwnerName: undefined }, 'OwnerName'],
    [`${t}: OwnerName blank`, t, { OwnerName: '   ' }, 'OwnerName'],
    [`${t}: OwnerName of 255`, t, { OwnerName: 'x'.repeat(255) }, null],
    [`${t}: OwnerName of 256`, t, { OwnerName: 'x'.repeat(256) }, 'OwnerName'],
    [`${t}: OwnerAddress missing`, t, { OwnerAddress: undefined }, 'OwnerAddress'],
    [`${t}: OwnerAddress all empty`, t, { OwnerAddress: { AddressLine1: null, City: '' } }, 'OwnerAddress'],
    [`${t}: OwnerAddress.City missing`, t, { OwnerAddress: address({ City: null }) }, 'OwnerAddress.City'],
    [`${t}: OwnerAddress.AddressLine1 missing`, t, { OwnerAddress: address({ AddressLine1: '' }) }, 'OwnerAddress.AddressLine1'],
    [`${t}: OwnerAddress.Country not ISO`, t, { OwnerAddress: address({ Country: 'XX' }) }, 'OwnerAddress.Country'],
    [`${t}: OwnerAddress.Country missing`, t, { OwnerAddress: address({ Country: null }) }, 'OwnerAddress.Country'],
    [`${t}: OwnerAddress US without Region`, t, { OwnerAddress: address({ Country: 'US', Region: null }) }, 'OwnerAddress.Region'],
    [`${t}: OwnerAddress US with Region`, t, { OwnerAddress: address({ Country: 'US', Region: 'NY', PostalCode: '10001' }) }, null],
    [`${t}: OwnerAddress without PostalCode`, t, { OwnerAddress: address({ PostalCode: null }) }, null],
    [`${t}: OwnerAddress.PostalCode with symbols`, t, { OwnerAddress: address({ PostalCode: '75$02' }) }, 'OwnerAddress.PostalCode'],
    [`${t}: Tag of 255`, t, { Tag: 't'.repeat(255) }, null],
    [`${t}: Tag of 256`, t, { Tag: 't'.repeat(256) }, 'Tag'],
  ]),
  // IBAN
  ['IBAN missing', 'iban', { IBAN: undefined }, 'IBAN'],
  ['IBAN with a wrong check digit', 'iban', { IBAN: 'FR7630004000031234567890144' }, 'IBAN'],
  ['IBAN one character short for FR', 'iban', { IBAN: 'FR763000400003123456789014' }, 'IBAN'],
  ['IBAN of an unknown country', 'iban', { IBAN: 'ZZ7630004000031234567890143' }, 'IBAN'],
  ['IBAN longer than 34', 'iban', { IBAN: 'FR76300040000312345678901431234567890' }, 'IBAN'],
  ['IBAN with punctuation', 'iban', { IBAN: 'FR76-3000-4000-0312-3456-7890-143' }, 'IBAN'],
  ['IBAN DE', 'iban', { IBAN: 'DE89370400440532013000', BIC: undefined }, null],
  ['IBAN GB', 'iban', { IBAN: 'GB82WEST12345698765432', BIC: undefined }, null],
  ['IBAN NL', 'iban', { IBAN: 'NL91ABNA0417164300', BIC: undefined }, null],
  ['IBAN NO (15, the shortest)', 'iban', { IBAN: 'NO9386011117947', BIC: undefined }, null],
  ['IBAN MT (31, with letters)', 'iban', { IBAN: 'MT84MALT011000012345MTLCAST001S', BIC: undefined }, null],
  ['IBAN BIC of 11', 'iban', { BIC: 'BNPAFRPPXXX' }, null],
  ['IBAN BIC of 9', 'iban', { BIC: 'BNPAFRPPX' }, 'BIC'],
  ['IBAN BIC with digits in the bank code', 'iban', { BIC: 'BN1AFRPP' }, 'BIC'],
  ['IBAN BIC of an unknown country', 'iban', { BIC: 'BNPAZZPP' }, 'BIC'],
  // GB
  ['GB AccountNumber missing', 'gb', { AccountNumber: undefined }, 'AccountNumber'],
  ['GB AccountNumber of 7 digits', 'gb', { AccountNumber: '6395647' }, 'AccountNumber', 'bankaccount_error'],
  ['GB AccountNumber of 9 digits', 'gb', { AccountNumber: '639564741' }, 'AccountNumber', 'bankaccount_error'],
  ['GB AccountNumber with a letter', 'gb', { AccountNumber: '6395647A' }, 'AccountNumber', 'bankaccount_error'],
  ['GB SortCode missing', 'gb', { SortCode: undefined }, 'SortCode'],
  ['GB SortCode of 5 digits', 'gb', { SortCode: '20000' }, 'SortCode', 'bankaccount_error'],
  ['GB SortCode of 7 digits', 'gb', { SortCode: '2000000' }, 'SortCode', 'bankaccount_error'],
  ['GB SortCode written 20 00 00', 'gb', { SortCode: '20 00 00' }, null],
  // US
  ['US AccountNumber missing', 'us', { AccountNumber: undefined }, 'AccountNumber'],
  ['US AccountNumber with a letter', 'us', { AccountNumber: '1234A' }, 'AccountNumber'],
  ['US AccountNumber of 17 digits', 'us', { AccountNumber: '1'.repeat(17) }, null],
  ['US AccountNumber of 18 digits', 'us', { AccountNumber: '1'.repeat(18) }, 'AccountNumber'],
  ['US ABA missing', 'us', { ABA: undefined }, 'ABA'],
  ['US ABA of 8 digits', 'us', { ABA: '07100028' }, 'ABA'],
  ['US ABA with a wrong check digit, as the SDK tests send', 'us', { ABA: '234334789' }, null],
  ['US ABA 011000015', 'us', { ABA: '011000015' }, null],
  ['US DepositAccountType CHECKING', 'us', { DepositAccountType: 'checking' }, null],
  ['US DepositAccountType unknown', 'us', { DepositAccountType: 'CURRENT' }, 'DepositAccountType'],
  // CA
  ['CA BankName missing', 'ca', { BankName: undefined }, 'BankName'],
  ['CA BankName of 50', 'ca', { BankName: 'B'.repeat(50) }, null],
  ['CA BankName of 51', 'ca', { BankName: 'B'.repeat(51) }, 'BankName'],
  ['CA BankName with punctuation', 'ca', { BankName: 'Bank & Co.' }, 'BankName'],
  ['CA InstitutionNumber missing', 'ca', { InstitutionNumber: undefined }, 'InstitutionNumber'],
  ['CA InstitutionNumber of 2 digits', 'ca', { InstitutionNumber: '12' }, 'InstitutionNumber'],
  ['CA InstitutionNumber of 4 digits', 'ca', { InstitutionNumber: '1234' }, null],
  ['CA InstitutionNumber of 5 digits', 'ca', { InstitutionNumber: '12345' }, 'InstitutionNumber'],
  ['CA BranchCode missing', 'ca', { BranchCode: undefined }, 'BranchCode'],
  ['CA BranchCode of 4 digits', 'ca', { BranchCode: '1234' }, 'BranchCode'],
  ['CA BranchCode of 6 digits', 'ca', { BranchCode: '123456' }, 'BranchCode'],
  ['CA AccountNumber missing', 'ca', { AccountNumber: undefined }, 'AccountNumber'],
  ['CA AccountNumber of 20 digits', 'ca', { AccountNumber: '9'.repeat(20) }, null],
  ['CA AccountNumber of 21 digits', 'ca', { AccountNumber: '9'.repeat(21) }, 'AccountNumber'],
  ['CA AccountNumber with a letter', 'ca', { AccountNumber: '12X4' }, 'AccountNumber'],
  // OTHER
  ['OTHER Country missing', 'other', { Country: undefined }, 'Country'],
  ['OTHER Country not ISO', 'other', { Country: 'ZZ' }, 'Country'],
  ['OTHER Country in lower case', 'other', { Country: 'ch' }, null],
  ['OTHER BIC missing', 'other', { BIC: undefined }, 'BIC'],
  ['OTHER BIC malformed', 'other', { BIC: 'BIN-ADAD' }, 'BIC'],
  ['OTHER BIC of 8', 'other', { BIC: 'BINAADAD' }, null],
  ['OTHER AccountNumber missing', 'other', { AccountNumber: undefined }, 'AccountNumber'],
  ['OTHER AccountNumber with letters', 'other', { AccountNumber: 'AB12345678' }, null],
  ['OTHER AccountNumber with a space', 'other', { AccountNumber: 'AB 12' }, 'AccountNumber'],
  ['OTHER AccountNumber of 51', 'other', { AccountNumber: '1'.repeat(51) }, 'AccountNumber'],
];

describe('validation', () => {
  let userId: string;
  beforeAll(async () => {
    userId = (await natural()).Id;
  });

  it.each(CASES)('%s', async (_name, type, over, field, errorType = 'param_error') => {
    const r = await create(userId, type, { ...VALID[type], ...over });
    if (field === null) {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return;
    }
    expectApiError(r, 400, errorType);
    expect(Object.keys(r.body.errors), JSON.stringify(r.body)).toContain(field);
  });

  it('documents the exact messages of the reference', async () => {
    const bic = await create(userId, 'iban', { ...VALID.iban, BIC: 'BNP' });
    expect(bic.body.errors.BIC).toBe("The field BIC must match the regular expression '^[a-zA-Z]{6}\\w{2}(\\w{3})?$'.");
    const iban = await create(userId, 'iban', { ...VALID.iban, IBAN: 'FR7630004000031234567890144' });
    expect(iban.body.errors.IBAN).toBe('The value is not a valid IBAN');
    const gb = await create(userId, 'gb', { ...VALID.gb, SortCode: '1' });
    expect(gb.body.Message).toBe('One or several required parameters are missing or incorrect');
    expect(gb.body.errors.SortCode).toMatch(/^SortCode is invalid/);
  });

  it('reports every problem of one body together', async () => {
    const r = await create(userId, 'ca', { Tag: 'x'.repeat(300) });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(
      ['AccountNumber', 'BankName', 'BranchCode', 'InstitutionNumber', 'OwnerAddress', 'OwnerName', 'Tag'].sort(),
    );
  });

  it('accepts an empty body only to refuse it field by field', async () => {
    const r = await s.call('POST', `/users/${userId}/bankaccounts/iban`);
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(['IBAN', 'OwnerAddress', 'OwnerName']);
  });

  it('answers 404 for an unknown type in the path', async () => {
    const r = await create(userId, 'sepa', VALID.iban);
    expectApiError(r, 404, 'ressource_not_found');
  });

  it('matches the path case-insensitively, with or without a trailing slash', async () => {
    expect((await create(userId, 'IBAN/', VALID.iban)).status).toBe(200);
  });
});

describe('check digits', () => {
  it.each(['FR7630004000031234567890143', 'DE89370400440532013000', 'GB82WEST12345698765432', 'XK051212012345678906'])(
    'IBAN %s is valid',
    (iban) => expect(isValidIban(iban)).toBe(true),
  );
  it.each(['FR7630004000031234567890142', 'DE89370400440532013001', 'GB82WEST1234569876543', 'fr7630004000031234567890143', ''])(
    'IBAN %s is not',
    (iban) => expect(isValidIban(iban)).toBe(false),
  );
  it('every single-digit change of a valid IBAN is caught', () => {
    const iban = 'FR7630004000031234567890143';
    for (let i = 2; i < iban.length; i++) {
      const d = Number(iban[i]);
      const changed = iban.slice(0, i) + String((d + 1) % 10) + iban.slice(i + 1);
      expect(isValidIban(changed), changed).toBe(false);
    }
  });
});

describe('deactivation', () => {
  it('turns Active to false for good; again is a no-op; Active true is refused', async () => {
    const user = await natural();
    const account = await created(user.Id, 'iban');
    const put = (body: unknown) => s.call('PUT', `/users/${user.Id}/bankaccounts/${account.Id}`, { body });

    expectApiError(await put({ Active: true }), 400, 'param_error');
    expect((await s.call('GET', `/users/${user.Id}/bankaccounts/${account.Id}`)).body.Active).toBe(true);

    const off = await put({ Active: false, Tag: 'ignored', OwnerName: 'ignored' });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ ...account, Active: false });

    const again = await put({ active: 'false' });
    expect(again.status).toBe(200);
    expect(again.body.Active).toBe(false);

    const back = await put({ Active: true });
    expectApiError(back, 400, 'param_error');
    expect(back.body.errors.Active).toMatch(/cannot be reactivated/);
    expect((await s.call('GET', `/users/${user.Id}/bankaccounts/${account.Id}`)).body.Active).toBe(false);
  });

  it('requires Active as a boolean (true/false, 1/0 or their strings)', async () => {
    const user = await natural();
    const account = await created(user.Id, 'gb');
    for (const body of [undefined, {}, { Active: 'no' }, { Active: 2 }]) {
      const r = await s.call('PUT', `/users/${user.Id}/bankaccounts/${account.Id}`, { body });
      expectApiError(r, 400, 'param_error');
      expect(r.body.errors.Active).toEqual(expect.any(String));
    }
  });

  it('findActiveBankAccount (for payouts) sees active accounts of the user only', async () => {
    const user = await natural();
    const other = await natural();
    const account = await created(user.Id, 'iban');
    const clientId = s.client.id;
    expect((await findActiveBankAccount(s.db, clientId, user.Id, account.Id))?.id).toBe(account.Id);
    expect(await findActiveBankAccount(s.db, clientId, other.Id, account.Id)).toBeNull();
    expect(await findActiveBankAccount(s.db, 'another-client', user.Id, account.Id)).toBeNull();
    await s.call('PUT', `/users/${user.Id}/bankaccounts/${account.Id}`, { body: { Active: false } });
    expect(await findActiveBankAccount(s.db, clientId, user.Id, account.Id)).toBeNull();
  });
});

describe('listing', () => {
  let user: any;
  const ids: string[] = [];
  beforeAll(async () => {
    user = await natural();
    for (const type of ['iban', 'gb', 'us', 'ca', 'other']) ids.push((await created(user.Id, type)).Id);
    // Distinct creation dates so that sorting is observable.
    for (const [n, id] of ids.entries()) await s.db.query('UPDATE bank_accounts SET creation_date = $2 WHERE id = $1', [id, 1_700_000_000 + n]);
    await s.call('PUT', `/users/${user.Id}/bankaccounts/${ids[1]}`, { body: { Active: false } });
    await s.call('PUT', `/users/${user.Id}/bankaccounts/${ids[3]}`, { body: { Active: false } });
  });
  const list = (query = '') => s.call('GET', `/users/${user.Id}/bankaccounts${query}`);

  it('lists the user accounts with paging headers', async () => {
    const r = await list('?per_page=2&page=2&Sort=CreationDate:ASC');
    expect(r.status).toBe(200);
    expect(r.body.map((b: any) => b.Id)).toEqual(ids.slice(2, 4));
    expect(r.headers.get('X-Number-Of-Items')).toBe('5');
    expect(r.headers.get('X-Number-Of-Pages')).toBe('3');
    expect(r.headers.get('Link')).toContain('rel="next"');
  });

  it('sorts by CreationDate both ways (case-insensitive)', async () => {
    expect((await list('?sort=creationdate:asc')).body.map((b: any) => b.Id)).toEqual(ids);
    expect((await list('?Sort=CreationDate:DESC')).body.map((b: any) => b.Id)).toEqual([...ids].reverse());
    expectApiError(await list('?Sort=OwnerName:ASC'), 400, 'param_error');
  });

  it('filters on Active', async () => {
    const on = await list('?Active=true&Sort=CreationDate:ASC');
    expect(on.body.map((b: any) => b.Id)).toEqual([ids[0], ids[2], ids[4]]);
    expect(on.headers.get('X-Number-Of-Items')).toBe('3');
    const off = await list('?active=FALSE&Sort=CreationDate:ASC');
    expect(off.body.map((b: any) => b.Id)).toEqual([ids[1], ids[3]]);
    const bad = await list('?Active=maybe');
    expectApiError(bad, 400, 'param_error');
    expect(bad.body.errors.Active).toEqual(expect.any(String));
  });

  it('filters on BeforeDate and AfterDate', async () => {
    const r = await list('?AfterDate=1700000001&BeforeDate=1700000004&Sort=CreationDate:ASC');
    expect(r.body.map((b: any) => b.Id)).toEqual(ids.slice(2, 4));
  });

  it('is empty for a user without accounts', async () => {
    const other = await natural();
    const r = await s.call('GET', `/users/${other.Id}/bankaccounts`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual([]);
    expect(r.headers.get('X-Number-Of-Items')).toBe('0');
  });
});

describe('isolation', () => {
  it("answers 404 for an unknown user, another user's account and another client's", async () => {
    const alice = await natural();
    const bob = await newUser('legal', legalOwner());
    const account = await created(alice.Id, 'iban');

    const unknown = 'user_m_01JUNKNOWN000000000000000';
    for (const r of [
      await create(unknown, 'iban', VALID.iban),
      await s.call('GET', `/users/${unknown}/bankaccounts`),
      await s.call('GET', `/users/${unknown}/bankaccounts/${account.Id}`),
      await s.call('PUT', `/users/${unknown}/bankaccounts/${account.Id}`, { body: { Active: false } }),
    ]) {
      expectApiError(r, 404, 'ressource_not_found');
      expect(r.body.errors.RessourceNotFound).toContain(unknown);
    }

    for (const r of [
      await s.call('GET', `/users/${bob.Id}/bankaccounts/${account.Id}`),
      await s.call('PUT', `/users/${bob.Id}/bankaccounts/${account.Id}`, { body: { Active: false } }),
      await s.call('GET', `/users/${alice.Id}/bankaccounts/bankacc_m_01JUNKNOWN00000000000000`),
    ]) {
      expectApiError(r, 404, 'ressource_not_found');
      expect(r.body.errors.RessourceNotFound).toMatch(/BankAccount/);
    }
    expect((await s.call('GET', `/users/${bob.Id}/bankaccounts`)).body).toEqual([]);

    const b = await s.newClient();
    const token = await s.tokenFor(b);
    const as = (method: string, path: string, body?: unknown) => s.fetch(method, `/v2.01/${b.id}${path}`, { token, body });
    for (const r of [
      await as('GET', `/users/${alice.Id}/bankaccounts/${account.Id}`),
      await as('GET', `/users/${alice.Id}/bankaccounts`),
      await as('PUT', `/users/${alice.Id}/bankaccounts/${account.Id}`, { Active: false }),
      await as('POST', `/users/${alice.Id}/bankaccounts/iban`, VALID.iban),
    ]) {
      expectApiError(r, 404, 'ressource_not_found');
      expect(JSON.stringify(r.body)).not.toContain('FR7630004000031234567890143');
    }
    // Client B's own user cannot reach A's account either.
    const own = (await s.fetch('POST', `/v2.01/${b.id}/sca/users/natural`, { token, body: naturalPayer() })).body;
    expectApiError(await as('GET', `/users/${own.Id}/bankaccounts/${account.Id}`), 404, 'ressource_not_found');

    const still = await s.call('GET', `/users/${alice.Id}/bankaccounts/${account.Id}`);
    expect(still.body).toEqual(account);
  });
});

describe('a CLOSED user', () => {
  it('refuses writes with user_closed and still lets its accounts be read', async () => {
    const user = await natural();
    const account = await created(user.Id, 'iban');
    await s.db.query("UPDATE users SET status='CLOSED' WHERE id=$1", [user.Id]);

    expectApiError(await create(user.Id, 'gb', VALID.gb), 400, 'user_closed');
    // Closure is reported before validation.
    expectApiError(await create(user.Id, 'gb', {}), 400, 'user_closed');
    expectApiError(await s.call('PUT', `/users/${user.Id}/bankaccounts/${account.Id}`, { body: { Active: false } }), 400, 'user_closed');

    const read = await s.call('GET', `/users/${user.Id}/bankaccounts/${account.Id}`);
    expect(read.status).toBe(200);
    expect(read.body.Active).toBe(true);
    const list = await s.call('GET', `/users/${user.Id}/bankaccounts`);
    expect(list.body.map((b: any) => b.Id)).toEqual([account.Id]);
  });
});

describe('users of every kind', () => {
  it('PAYER and legal users may register accounts too', async () => {
    const payer = await newUser('natural', naturalPayer());
    const legal = await newUser('legal', legalOwner());
    for (const u of [payer, legal]) expect((await create(u.Id, 'iban', VALID.iban)).status).toBe(200);
  });
});
