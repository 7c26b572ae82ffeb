// Every rule of the Legal User object (shared/seeds/legal-user-object.txt), on the SCA endpoints
// and on the deprecated flat shape of the seed, valid side and invalid side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, legacyLegalOwner, legalOwner, legalPayer } from './helpers/fixtures.js';
import { startServer, type TestServer } from './helpers/server.js';
import { events, failed, field, ISO_MESSAGE, EMAIL_MESSAGE, ok, refused, TC_MESSAGE, text, totals, withField, type Body } from './helpers/user-rules.js';

let s: TestServer; // default configuration: SCA endpoints, legacy writes refused
let legacy: TestServer; // MANGROVE_LEGACY_USERS=allow, on the same database

beforeAll(async () => {
  s = await startServer();
  legacy = await startServer({ env: { MANGROVE_LEGACY_USERS: 'allow' }, db: s.db, keepDb: true });
});
afterAll(async () => {
  await legacy?.close();
  await s?.close();
});

interface Shape {
  name: string;
  srv: () => TestServer;
  create: string;
  update: (id: string) => string;
  owner: () => Body;
  payer: () => Body;
  /** Body path (and error key) of a representative field. */
  rep: (f: string) => string;
}

const SCA: Shape = {
  name: 'SCA',
  srv: () => s,
  create: '/sca/users/legal',
  update: (id) => `/sca/users/legal/${id}`,
  owner: () => legalOwner(),
  payer: () => legalPayer(),
  rep: (f) => `LegalRepresentative.${f}`,
};

const LEGACY: Shape = {
  name: 'legacy',
  srv: () => legacy,
  create: '/users/legal',
  update: (id) => `/users/legal/${id}`,
  owner: () => ({ ...legacyLegalOwner(), Tag: 'test' }),
  payer: () => ({
    Name: 'Legacy Payer SA',
    LegalPersonType: 'BUSINESS',
    UserCategory: 'PAYER',
    TermsAndConditionsAccepted: false,
    Email: 'legacy.payer@example.com',
    LegalRepresentativeFirstName: 'Pia',
    LegalRepresentativeLastName: 'Payer',
  }),
  rep: (f) => `LegalRepresentative${f}`,
};

const ADDRESSES = ['HeadquartersAddress', 'LegalRepresentativeAddress'];
const ABSENT_FORMS: [string, unknown][] = [
  ['absent', undefined],
  ['null', null],
  ['empty', ''],
  ['spaces', '   '],
];

describe.each([SCA, LEGACY])('legal user rules, $name shape', (shape) => {
  const create = (body: Body) => shape.srv().call('POST', shape.create, { body });
  const update = (id: string, body: Body) => shape.srv().call('PUT', shape.update(id), { body });
  const get = (id: string) => shape.srv().call('GET', shape.name === 'SCA' ? `/sca/users/legal/${id}` : `/users/legal/${id}`);

  it('creates an OWNER and a PAYER from valid bodies', async () => {
    const owner = ok(await create(shape.owner()));
    expect(owner.UserCategory).toBe('OWNER');
    expect(owner.PersonType).toBe('LEGAL');
    const payer = ok(await create(shape.payer()));
    expect(payer.UserCategory).toBe('PAYER');
    expect(payer.UserStatus).toBe('ACTIVE');
  });

  describe('required fields', () => {
    const ownerRequired = [
      'Name',
      'LegalPersonType',
      'Email',
      'UserCategory',
      'TermsAndConditionsAccepted',
      ...['FirstName', 'LastName', 'Birthday', 'Nationality', 'CountryOfResidence'].map(shape.rep),
      // The SCA object needs the representative's e-mail: SCA enrollment is sent there.
      ...(shape.name === 'SCA' ? [shape.rep('Email')] : []),
      'HeadquartersAddress',
      'CompanyNumber',
      ...ADDRESSES.flatMap((a) => ['AddressLine1', 'City', 'PostalCode', 'Country'].map((f) => `${a}.${f}`)),
    ];
    const payerRequired = [
      'Name',
      'LegalPersonType',
      'Email',
      'UserCategory',
      'TermsAndConditionsAccepted',
      shape.rep('FirstName'),
      shape.rep('LastName'),
    ];
    const ownerOnly = [
      ...['Birthday', 'Nationality', 'CountryOfResidence', 'Email'].map(shape.rep),
      'HeadquartersAddress',
      'CompanyNumber',
    ];

    it.each(ownerRequired.flatMap((f) => ABSENT_FORMS.map(([how, v]) => [f, how, v] as const)))(
      'OWNER: %s %s is refused',
      async (path, _how, value) => {
        refused(await create(withField(shape.owner(), path, value)), [path]);
      },
    );

    it.each(payerRequired.flatMap((f) => ABSENT_FORMS.map(([how, v]) => [f, how, v] as const)))(
      'PAYER: %s %s is refused',
      async (path, _how, value) => {
        refused(await create(withField(shape.payer(), path, value)), [path]);
      },
    );

    it.each(ownerOnly)('PAYER: %s may be left out (OWNER only)', async (path) => {
      ok(await create(withField({ ...shape.owner(), UserCategory: 'PAYER' }, path, undefined)));
    });

    it('names the missing UserCategory with Mangopay\'s message', async () => {
      const errors = refused(await create(withField(shape.owner(), 'UserCategory', undefined)), ['UserCategory']);
      expect(errors.UserCategory).toBe('The UserCategory field is required.');
    });

    it.each(['AddressLine2', 'Region'])('address %s is optional', async (f) => {
      const body = shape.owner();
      for (const a of ADDRESSES) delete body[a][f];
      ok(await create(body));
    });

    it.each(['LegalRepresentativeAddress', 'Tag'])('%s is optional for an OWNER', async (f) => {
      const created = ok(await create(withField(shape.owner(), f, undefined)));
      expect(created.Tag).toBe(f === 'Tag' ? null : 'test');
    });

    it.each(['PARTNERSHIP', 'ORGANIZATION', 'SOLETRADER'])('CompanyNumber is only required of a BUSINESS OWNER (%s)', async (t) => {
      const created = ok(await create({ ...withField(shape.owner(), 'CompanyNumber', undefined), LegalPersonType: t }));
      expect(created.CompanyNumber).toBeNull();
    });
  });

  describe('max lengths', () => {
    const cases: [string, number][] = [
      ['Name', 255],
      ['Tag', 255],
      ['Email', 255],
      ...ADDRESSES.flatMap((a) =>
        ['AddressLine1', 'AddressLine2', 'City', 'Region', 'PostalCode'].map((f): [string, number] => [`${a}.${f}`, 255]),
      ),
      [shape.rep('FirstName'), 100],
      [shape.rep('LastName'), 100],
    ];

    it.each(cases)('%s accepts %i characters and refuses one more', async (path, max) => {
      const created = ok(await create(withField(shape.owner(), path, text(path, max))));
      expect(field(created, path)).toBe(text(path, max));
      const errors = refused(await create(withField(shape.owner(), path, text(path, max + 1))), [path]);
      expect(errors[path]).toContain(`The field ${path.split('.').at(-1)} must be a string with`);
      expect(errors[path]).toContain(`maximum length of ${max}.`);
    });

    it.each(['FirstName', 'LastName'])('representative %s needs at least one character', async (f) => {
      const path = shape.rep(f);
      expect(field(ok(await create(withField(shape.owner(), path, 'J'))), path)).toBe('J');
      refused(await create(withField(shape.owner(), path, '   ')), [path]);
    });

    it('applies the limits on update too', async () => {
      const { Id } = ok(await create(shape.payer()));
      refused(await update(Id, { TermsAndConditionsAccepted: false, Name: text('Name', 256), Tag: text('Tag', 256) }), ['Name', 'Tag']);
      const updated = ok(await update(Id, { TermsAndConditionsAccepted: false, Name: text('Name', 255) }));
      expect(updated.Name).toHaveLength(255);
    });
  });

  describe('LegalPersonType and UserCategory', () => {
    it.each(['BUSINESS', 'PARTNERSHIP', 'ORGANIZATION', 'SOLETRADER'])('LegalPersonType %s is accepted', async (t) => {
      expect(ok(await create({ ...shape.owner(), LegalPersonType: t })).LegalPersonType).toBe(t);
    });

    it.each(['COMPANY', 'NATURAL', 'SOLE_TRADER', 'SOLETRADERS', '1'])('LegalPersonType %s is refused', async (t) => {
      refused(await create({ ...shape.owner(), LegalPersonType: t }), ['LegalPersonType']);
    });

    it.each(['PAYER', 'OWNER'])('UserCategory %s is accepted', async (c) => {
      const body = c === 'OWNER' ? shape.owner() : { ...shape.payer() };
      expect(ok(await create(body)).UserCategory).toBe(c);
    });

    it.each(['PLATFORM', 'ADMIN', 'BUYER', 'SELLER'])('UserCategory %s is refused', async (c) => {
      refused(await create({ ...shape.owner(), UserCategory: c }), ['UserCategory']);
      refused(await create({ ...shape.payer(), UserCategory: c }), ['UserCategory']);
    });
  });

  describe('countries (ISO 3166-1 alpha-2)', () => {
    const fields = [shape.rep('Nationality'), shape.rep('CountryOfResidence'), ...ADDRESSES.map((a) => `${a}.Country`)];
    const residenceFields = fields.filter((f) => !f.endsWith('Nationality'));

    it.each(fields.flatMap((f) => ['DE', 'GB', 'BE', 'JP', 'BR'].map((c) => [f, c])))('%s %s is accepted', async (path, code) => {
      const created = ok(await create(withField(shape.owner(), path, code)));
      expect(field(created, path)).toBe(code);
    });

    it.each(fields.flatMap((f) => ['XX', 'UK', 'FRA', 'F', '12', 'EU'].map((c) => [f, c])))('%s %s is refused', async (path, code) => {
      const errors = refused(await create(withField(shape.owner(), path, code)), [path]);
      expect(errors[path]).toBe(ISO_MESSAGE);
    });

    it.each(residenceFields.flatMap((f) => ['KP', 'IR', 'CU', 'SY', 'MM'].map((c) => [f, c])))(
      '%s %s is a blocked country',
      async (path, code) => {
        const errors = refused(await create(withField(shape.owner(), path, code)), [path]);
        expect(errors[path]).toBe(`The ${path} used is blocked`);
      },
    );

    it('blocks only North Korea as the representative\'s nationality', async () => {
      const path = shape.rep('Nationality');
      refused(await create(withField(shape.owner(), path, 'KP')), [path]);
      for (const code of ['IR', 'CU', 'SY', 'MM']) {
        expect(field(ok(await create(withField(shape.owner(), path, code))), path)).toBe(code);
      }
    });
  });

  describe('address Region and PostalCode', () => {
    it.each(ADDRESSES.flatMap((a) => ['US', 'CA', 'MX'].map((c) => [a, c])))('%s in %s needs a Region', async (a, country) => {
      const without = withField(shape.owner(), a, address({ Country: country, PostalCode: '10001' }));
      refused(await create(without), [`${a}.Region`]);
      refused(await create(withField(without, `${a}.Region`, '  ')), [`${a}.Region`]);
      const created = ok(await create(withField(without, `${a}.Region`, 'NY')));
      expect(created[a]).toMatchObject({ Country: country, Region: 'NY' });
    });

    it.each(ADDRESSES.flatMap((a) => ['FR', 'DE', 'GB'].map((c) => [a, c])))('%s in %s does not need a Region', async (a, country) => {
      const created = ok(await create(withField(shape.owner(), a, address({ Country: country, Region: null }))));
      expect(created[a]).toMatchObject({ Country: country, Region: null });
    });

    it.each(ADDRESSES.flatMap((a) => ['75002', 'SW1A 1AA', '12345-6789', 'ab-12 CD', '0'].map((p) => [a, p])))(
      '%s PostalCode "%s" is accepted',
      async (a, postal) => {
        expect(ok(await create(withField(shape.owner(), `${a}.PostalCode`, postal)))[a].PostalCode).toBe(postal);
      },
    );

    it.each(ADDRESSES.flatMap((a) => ['75_002', '75002!', 'SW1A.1AA', '750/02', '#1', 'Straße 1', '75002\n'].map((p) => [a, p])))(
      '%s PostalCode %j is refused',
      async (a, postal) => {
        refused(await create(withField(shape.owner(), `${a}.PostalCode`, postal)), [`${a}.PostalCode`]);
      },
    );
  });

  describe('e-mail formats', () => {
    const valid = ['a@b.co', 'first.last+tag@sub.example.org', "o'brien_01@example-mail.fr", 'UPPER@EXAMPLE.COM'];
    const invalid = ['plain', 'a@', '@example.com', 'a b@example.com', 'a@example', 'a..b@example.com', 'a@-example.com', 'a@example.com.'];

    it.each(valid.flatMap((e) => ['Email', shape.rep('Email')].map((p) => [p, e])))('%s %s is accepted', async (path, email) => {
      const created = ok(await create(withField(shape.owner(), path, email)));
      expect(field(created, path)).toBe(email);
    });

    it.each(invalid.flatMap((e) => ['Email', shape.rep('Email')].map((p) => [p, e])))('%s %s is refused', async (path, email) => {
      const errors = refused(await create(withField(shape.owner(), path, email)), [path]);
      // The SCA representative's field is named Email, like the company's; the legacy one in full.
      expect(errors[path]).toBe(EMAIL_MESSAGE.replace('field Email', `field ${path.replace('LegalRepresentative.', '')}`));
    });

    it('checks the representative e-mail of a PAYER too (where it is returned null)', async () => {
      refused(await create(withField(shape.payer(), shape.rep('Email'), 'nope')), [shape.rep('Email')]);
    });
  });

  describe('OWNER-only data returned null for a PAYER', () => {
    it('hides the representative birthday, nationality, residence, e-mail and the CompanyNumber of a PAYER', async () => {
      let body: Body = { ...shape.owner(), UserCategory: 'PAYER', TermsAndConditionsAccepted: true };
      const created = ok(await create(body));
      for (const got of [created, ok(await get(created.Id))]) {
        for (const f of ['Birthday', 'Nationality', 'CountryOfResidence', 'Email']) expect(field(got, shape.rep(f))).toBeNull();
        expect(field(got, shape.rep('FirstName'))).toBe(field(body, shape.rep('FirstName')));
        expect(field(got, shape.rep('LastName'))).toBe(field(body, shape.rep('LastName')));
        expect(got.CompanyNumber).toBeNull();
        expect(got.TermsAndConditionsAccepted).toBe(true);
        expect(got.TermsAndConditionsAcceptedDate).toBeNull();
        expect(got.Email).toBe(body.Email);
      }
      body = shape.owner();
      const owner = ok(await create(body));
      for (const f of ['Birthday', 'Nationality', 'CountryOfResidence', 'Email']) {
        expect(field(owner, shape.rep(f))).toBe(field(body, shape.rep(f)));
      }
      expect(owner.CompanyNumber).not.toBeNull();
    });
  });

  describe('terms and conditions', () => {
    it('refuses an OWNER that has not accepted them (403)', async () => {
      const before = await totals(shape.srv());
      failed(await create({ ...shape.owner(), TermsAndConditionsAccepted: false }), 403, 'user_hasnt_accepted_terms_and_conditions', TC_MESSAGE);
      expect(await totals(shape.srv())).toEqual(before);
    });

    it('dates the acceptance of an OWNER and leaves a PAYER that did not accept without a date', async () => {
      const owner = ok(await create(shape.owner()));
      expect(owner.TermsAndConditionsAccepted).toBe(true);
      expect(owner.TermsAndConditionsAcceptedDate).toBe(owner.CreationDate);
      const payer = ok(await create(shape.payer()));
      expect(payer.TermsAndConditionsAccepted).toBe(false);
      expect(payer.TermsAndConditionsAcceptedDate).toBeNull();
    });

    it('accepts "true" and "false" as booleans but nothing else', async () => {
      refused(await create({ ...shape.payer(), TermsAndConditionsAccepted: 'yes' }), ['TermsAndConditionsAccepted']);
      expect(ok(await create({ ...shape.payer(), TermsAndConditionsAccepted: 'false' })).TermsAndConditionsAccepted).toBe(false);
    });

    it('cannot be revoked by an OWNER (400 invalid_action) and the user stays as it was', async () => {
      const owner = ok(await create(shape.owner()));
      const before = ok(await get(owner.Id));
      failed(
        await update(owner.Id, { TermsAndConditionsAccepted: false, Name: 'Other name' }),
        400,
        'invalid_action',
        'The user cannot revoke the terms and conditions acceptance',
      );
      expect(ok(await get(owner.Id))).toEqual(before);
    });

    it('cannot be revoked by a PAYER that accepted them', async () => {
      const payer = ok(await create({ ...shape.payer(), TermsAndConditionsAccepted: true }));
      failed(await update(payer.Id, { TermsAndConditionsAccepted: false }), 400, 'invalid_action');
      expect(ok(await get(payer.Id)).TermsAndConditionsAccepted).toBe(true);
    });

    it('can be accepted later by a PAYER and then stays accepted', async () => {
      const payer = ok(await create(shape.payer()));
      expect(ok(await update(payer.Id, { TermsAndConditionsAccepted: true })).TermsAndConditionsAccepted).toBe(true);
      expect(ok(await update(payer.Id, { TermsAndConditionsAccepted: true, Tag: 'again' })).TermsAndConditionsAccepted).toBe(true);
    });
  });

  describe('fields only Mangopay sets', () => {
    const repProof = shape.name === 'SCA' ? 'LegalRepresentative.ProofOfIdentity' : 'LegalRepresentativeProofOfIdentity';
    const foreign = {
      Id: 'user_m_chosen_by_caller',
      CreationDate: 1,
      PersonType: 'NATURAL',
      UserStatus: 'CLOSED',
      KYCLevel: 'REGULAR',
      TermsAndConditionsAcceptedDate: 2,
      ProofOfRegistration: 'kyc_1',
      ShareholderDeclaration: 'kyc_2',
      Statute: 'kyc_3',
      PendingUserAction: { RedirectUrl: 'https://evil.example.com' },
    };

    it('ignores them on creation: PersonType LEGAL from the path, KYCLevel LIGHT, proofs null', async () => {
      const now = Math.floor(Date.now() / 1000);
      const created = ok(await create(withField({ ...shape.owner(), ...foreign }, repProof, 'kyc_4')));
      expect(created.Id).toMatch(/^user_m_/);
      expect(created.CreationDate).toBeGreaterThanOrEqual(now - 5);
      expect(created.PersonType).toBe('LEGAL');
      expect(created.UserStatus).toBe(shape.name === 'SCA' ? 'PENDING_USER_ACTION' : 'ACTIVE');
      expect(created.KYCLevel).toBe('LIGHT');
      expect(created.TermsAndConditionsAcceptedDate).toBe(created.CreationDate);
      for (const p of ['ProofOfRegistration', 'ShareholderDeclaration', 'Statute', repProof]) expect(field(created, p)).toBeNull();
      if (shape.name === 'SCA') expect(created.PendingUserAction.RedirectUrl).not.toContain('evil');
    });

    it('ignores them on update; PersonType stays LEGAL', async () => {
      const { Id } = ok(await create(shape.payer()));
      const before = ok(await get(Id));
      const updated = ok(await update(Id, withField({ TermsAndConditionsAccepted: false, ...foreign }, repProof, 'kyc_4')));
      expect(updated).toEqual(before);
      expect(ok(await get(Id))).toEqual(before);
      expect((await shape.srv().call('GET', `/users/natural/${Id}`)).status).toBe(404);
    });

    it('the KYCLevel is LIGHT by default', async () => {
      expect(ok(await create(shape.payer())).KYCLevel).toBe('LIGHT');
      expect(ok(await create(shape.owner())).KYCLevel).toBe('LIGHT');
    });
  });

  describe('several violations at once', () => {
    it('reports them together with dotted paths and creates nothing', async () => {
      const before = await totals(shape.srv());
      let body = shape.owner();
      body = withField(body, 'HeadquartersAddress', address({ Country: 'US', PostalCode: 'a_b' }));
      body = withField(body, 'LegalRepresentativeAddress.Country', 'XX');
      body = withField(body, shape.rep('Email'), 'not-an-email');
      body = withField(body, shape.rep('FirstName'), text('x', 101));
      body = withField(body, shape.rep('Birthday'), undefined);
      body = withField(body, 'Name', text('Name', 256));
      body = withField(body, 'LegalPersonType', 'GMBH');
      const errors = refused(await create(body), [
        'HeadquartersAddress.Region',
        'HeadquartersAddress.PostalCode',
        'LegalRepresentativeAddress.Country',
        shape.rep('Email'),
        shape.rep('FirstName'),
        shape.rep('Birthday'),
        'Name',
        'LegalPersonType',
      ]);
      for (const message of Object.values(errors)) expect(message).toEqual(expect.any(String));
      expect(await totals(shape.srv())).toEqual(before);
    });

    it('a refused update changes nothing', async () => {
      const { Id } = ok(await create(shape.owner()));
      const before = ok(await get(Id));
      const eventsBefore = await totals(shape.srv());
      let body: Body = { TermsAndConditionsAccepted: true, Name: 'Changed', Tag: 'changed', CompanyNumber: '123' };
      body = withField(body, 'HeadquartersAddress', address({ Country: 'MX' }));
      body = withField(body, shape.rep('Email'), 'bad@');
      body = withField(body, shape.rep('Nationality'), 'ZZ');
      refused(await update(Id, body), ['HeadquartersAddress.Region', shape.rep('Email'), shape.rep('Nationality')]);
      expect(ok(await get(Id))).toEqual(before);
      expect(await totals(shape.srv())).toEqual(eventsBefore);
    });

    it('an OWNER cannot lose an OWNER-only field through an update', async () => {
      const { Id } = ok(await create(shape.owner()));
      refused(await update(Id, { TermsAndConditionsAccepted: true, CompanyNumber: '' }), ['CompanyNumber']);
    });
  });

  describe('CompanyNumber', () => {
    const cases: [string, string, boolean][] = [
      ['FR', '552 100 554', true],
      ['FR', '552-100-554', true],
      ['FR', '552.100.554.00012', true],
      ['FR', '55210055', false],
      ['FR', 'ABCDEFGHI', false],
      ['GB', 'sc-123456', true],
      ['GB', 'SC12345', false],
      ['DE', 'HRB 123456', true],
      ['IT', '123 456 789 01', true],
      ['ES', 'B-1234567-8', true],
      ['BE', '0123.456.789', true],
      ['BE', '123456789', false],
      ['JP', 'any-thing 1', true], // no rules for this country: any number fits
    ];

    it.each(cases)('%s %s: the user is created and the check reports valid=%s', async (country, number, valid) => {
      const body = withField(shape.owner(), 'HeadquartersAddress.Country', country);
      const created = ok(await create({ ...body, CompanyNumber: number }));
      expect(created.CompanyNumber).toBe(number);
      const srv = shape.srv();
      expect(await events(srv, 'LEGAL_COMPANY_NUMBER_VALIDATION_SUCCEEDED', created.Id)).toBe(valid ? 1 : 0);
      expect(await events(srv, 'LEGAL_COMPANY_NUMBER_VALIDATION_FAILED', created.Id)).toBe(valid ? 0 : 1);
    });

    it('checks it again when it changes on update', async () => {
      const created = ok(await create(shape.owner()));
      const srv = shape.srv();
      ok(await update(created.Id, { TermsAndConditionsAccepted: true, CompanyNumber: '12' }));
      expect(await events(srv, 'LEGAL_COMPANY_NUMBER_VALIDATION_FAILED', created.Id)).toBe(1);
      ok(await update(created.Id, { TermsAndConditionsAccepted: true, CompanyNumber: '12345678901234' }));
      expect(await events(srv, 'LEGAL_COMPANY_NUMBER_VALIDATION_SUCCEEDED', created.Id)).toBe(2);
      ok(await update(created.Id, { TermsAndConditionsAccepted: true, Tag: 'unrelated' }));
      expect(await events(srv, 'LEGAL_COMPANY_NUMBER_VALIDATION_SUCCEEDED', created.Id)).toBe(2);
      // Checked against the headquarters' country: a move is a new check.
      ok(await update(created.Id, { TermsAndConditionsAccepted: true, HeadquartersAddress: address({ Country: 'GB' }) }));
      expect(await events(srv, 'LEGAL_COMPANY_NUMBER_VALIDATION_FAILED', created.Id)).toBe(2);
    });

    it('refuses a CompanyNumber longer than 255 characters', async () => {
      refused(await create({ ...shape.owner(), CompanyNumber: '1'.repeat(256) }), ['CompanyNumber']);
    });
  });

  it('answers 404 for an unknown user or a natural user on the legal path', async () => {
    failed(await update('user_m_unknown', { TermsAndConditionsAccepted: false }), 404, 'ressource_not_found');
    const natural = ok(
      await shape.srv().call('POST', '/sca/users/natural', {
        body: { FirstName: 'N', LastName: 'U', Email: 'n@example.com', UserCategory: 'PAYER', TermsAndConditionsAccepted: false },
      }),
    );
    failed(await update(natural.Id, { TermsAndConditionsAccepted: false }), 404, 'ressource_not_found');
  });
});

describe('the two wire shapes of a legal user', () => {
  it('returns the SCA object with every field in Mangopay\'s order, nulls included', async () => {
    const created = ok(await s.call('POST', '/sca/users/legal', { body: legalPayer() }));
    expect(Object.keys(created)).toEqual([
      'Name',
      'LegalPersonType',
      'LegalRepresentative',
      'ProofOfRegistration',
      'ShareholderDeclaration',
      'Statute',
      'CompanyNumber',
      'PendingUserAction',
      'HeadquartersAddress',
      'LegalRepresentativeAddress',
      'Id',
      'Tag',
      'CreationDate',
      'PersonType',
      'Email',
      'KYCLevel',
      'TermsAndConditionsAccepted',
      'TermsAndConditionsAcceptedDate',
      'UserCategory',
      'UserStatus',
    ]);
    expect(Object.keys(created.LegalRepresentative)).toEqual([
      'FirstName',
      'LastName',
      'ProofOfIdentity',
      'Birthday',
      'Nationality',
      'CountryOfResidence',
      'Email',
      'PhoneNumber',
      'PhoneNumberCountry',
    ]);
    const none = { AddressLine1: null, AddressLine2: null, City: null, Region: null, PostalCode: null, Country: null };
    expect(created.HeadquartersAddress).toEqual(none);
    expect(created.LegalRepresentativeAddress).toEqual(none);
  });

  it('returns the legacy object with exactly the attributes of the seed, in its order', async () => {
    const created = ok(await legacy.call('POST', '/users/legal', { body: legacyLegalOwner() }));
    const seedOrder = [
      'HeadquartersAddress',
      'LegalRepresentativeAddress',
      'Name',
      'LegalPersonType',
      'LegalRepresentativeFirstName',
      'LegalRepresentativeLastName',
      'LegalRepresentativeEmail',
      'LegalRepresentativeBirthday',
      'LegalRepresentativeNationality',
      'LegalRepresentativeCountryOfResidence',
      'ProofOfRegistration',
      'ShareholderDeclaration',
      'Statute',
      'LegalRepresentativeProofOfIdentity',
      'CompanyNumber',
      'Id',
      'Tag',
      'CreationDate',
      'PersonType',
      'Email',
      'KYCLevel',
      'TermsAndConditionsAccepted',
      'TermsAndConditionsAcceptedDate',
      'UserCategory',
      'UserStatus',
    ];
    expect(Object.keys(created)).toEqual(seedOrder);
    expect(Object.keys(ok(await legacy.call('GET', `/users/${created.Id}`)))).toEqual(seedOrder);
    expect(Object.keys(created.HeadquartersAddress)).toEqual(['AddressLine1', 'AddressLine2', 'City', 'Region', 'PostalCode', 'Country']);
  });

  it('reads a user created either way in both shapes', async () => {
    const viaLegacy = ok(await legacy.call('POST', '/users/legal', { body: legacyLegalOwner() }));
    const sca = ok(await legacy.call('GET', `/sca/users/${viaLegacy.Id}`));
    expect(sca.LegalRepresentative).toMatchObject({ FirstName: 'Louis', LastName: 'Legrand', Email: 'louis@example.com', Nationality: 'FR' });
    expect(sca.PendingUserAction).toBeNull();
    const viaSca = ok(await s.call('POST', '/sca/users/legal', { body: legalOwner() }));
    const flat = ok(await s.call('GET', `/users/legal/${viaSca.Id}`));
    expect(flat).toMatchObject({
      LegalRepresentativeFirstName: 'Jeanne',
      LegalRepresentativeEmail: 'jeanne.martin@example.com',
      LegalRepresentativeBirthday: 188352000,
      UserStatus: 'PENDING_USER_ACTION',
    });
  });

  it('refuses legacy writes by default after 15 December 2025 and names the SCA replacement', async () => {
    expect(Date.now()).toBeGreaterThan(Date.UTC(2025, 11, 16));
    const res = await s.call('POST', '/users/legal', { body: legacyLegalOwner() });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.Message).toContain('/sca/users/legal');
    const owner = ok(await s.call('POST', '/sca/users/legal', { body: legalOwner() }));
    const put = await s.call('PUT', `/users/legal/${owner.Id}`, { body: { Name: 'x' } });
    expect(put.status).toBe(res.status);
    expect(ok(await s.call('GET', `/sca/users/${owner.Id}`)).Name).toBe(owner.Name);
  });
});

describe('legacy category rules', () => {
  const create = (body: Body) => legacy.call('POST', '/users/legal', { body });
  const update = (id: string, body: Body) => legacy.call('PUT', `/users/legal/${id}`, { body });

  it('an OWNER created on the legacy endpoint is ACTIVE at once: no SCA', async () => {
    const owner = ok(await create(legacyLegalOwner()));
    expect(owner.UserStatus).toBe('ACTIVE');
    expect(owner).not.toHaveProperty('PendingUserAction');
    expect(await events(legacy, 'USER_ACCOUNT_VALIDATION_ASKED', owner.Id)).toBe(0);
  });

  it('an OWNER cannot become a PAYER', async () => {
    const owner = ok(await create(legacyLegalOwner()));
    const errors = refused(await update(owner.Id, { UserCategory: 'PAYER' }), ['UserCategory']);
    expect(errors.UserCategory).toBe("A User OWNER can't be modified to a user PAYER");
    expect(ok(await legacy.call('GET', `/users/legal/${owner.Id}`)).UserCategory).toBe('OWNER');
  });

  it('a PAYER becomes OWNER on update once the OWNER data and the T&C are there', async () => {
    const payer = ok(
      await create({
        Name: 'Later Owner',
        LegalPersonType: 'ORGANIZATION',
        UserCategory: 'PAYER',
        TermsAndConditionsAccepted: false,
        Email: 'later@example.com',
        LegalRepresentativeFirstName: 'Lea',
        LegalRepresentativeLastName: 'Later',
      }),
    );
    refused(await update(payer.Id, { UserCategory: 'OWNER', TermsAndConditionsAccepted: true }), [
      'LegalRepresentativeBirthday',
      'LegalRepresentativeNationality',
      'LegalRepresentativeCountryOfResidence',
      'HeadquartersAddress',
    ]);
    const ownerData = {
      UserCategory: 'OWNER',
      LegalRepresentativeBirthday: 188352000,
      LegalRepresentativeNationality: 'FR',
      LegalRepresentativeCountryOfResidence: 'FR',
      HeadquartersAddress: address(),
    };
    failed(await update(payer.Id, { ...ownerData, TermsAndConditionsAccepted: false }), 403, 'user_hasnt_accepted_terms_and_conditions');
    expect(ok(await legacy.call('GET', `/users/legal/${payer.Id}`)).UserCategory).toBe('PAYER');
    const owner = ok(await update(payer.Id, { ...ownerData, TermsAndConditionsAccepted: true }));
    expect(owner).toMatchObject({ UserCategory: 'OWNER', UserStatus: 'ACTIVE', LegalRepresentativeNationality: 'FR' });
    expect(owner.TermsAndConditionsAcceptedDate).toEqual(expect.any(Number));
    expect(await events(legacy, 'USER_CATEGORY_UPDATED_TO_OWNER', payer.Id)).toBe(1);
  });
});

describe('SCA lifecycle of a legal user', () => {
  const create = (body: Body) => s.call('POST', '/sca/users/legal', { body });
  const categorize = (id: string, body: Body) => s.call('PUT', `/sca/users/legal/${id}/category`, { body });
  const ownerData = () => ({
    UserCategory: 'OWNER',
    TermsAndConditionsAccepted: true,
    CompanyNumber: '552100554',
    HeadquartersAddress: address(),
    LegalRepresentative: { Birthday: 188352000, Nationality: 'FR', CountryOfResidence: 'FR', Email: 'rep@example.com' },
  });

  it('an OWNER starts SCA enrollment; completing it in the sandbox activates the user', async () => {
    const owner = ok(await create(legalOwner()));
    expect(owner.UserStatus).toBe('PENDING_USER_ACTION');
    expect(owner.PendingUserAction.RedirectUrl).toMatch(new RegExp(`^${s.url}/sca\\?token=`));
    expect(await events(s, 'USER_ACCOUNT_VALIDATION_ASKED', owner.Id)).toBe(1);
    expect(await events(s, 'USER_ACCOUNT_ACTIVATED', owner.Id)).toBe(0);

    const read = ok(await s.call('GET', `/sca/users/${owner.Id}`));
    expect(read.UserStatus).toBe('PENDING_USER_ACTION');
    expect(read.PendingUserAction).toBeNull();
    expect(ok(await s.call('GET', `/sca/users/${owner.Id}/sca-status`))).toMatchObject({
      UserStatus: 'PENDING_USER_ACTION',
      IsEnrolled: false,
    });

    const done = ok(await s.call('POST', `/sandbox/users/${owner.Id}/sca/complete`));
    expect(done.UserStatus).toBe('ACTIVE');
    expect(await events(s, 'USER_ACCOUNT_ACTIVATED', owner.Id)).toBe(1);
    expect(await events(s, 'SCA_ENROLLMENT_SUCCEEDED', owner.Id)).toBe(1);
    const status = ok(await s.call('GET', `/sca/users/${owner.Id}/sca-status`));
    expect(status).toMatchObject({ UserStatus: 'ACTIVE', IsEnrolled: true, LastEnrollmentDate: expect.any(Number) });

    failed(await s.call('POST', `/sandbox/users/${owner.Id}/sca/complete`), 400, 'invalid_action');
  });

  it('"accept" in the representative e-mail activates the OWNER at once', async () => {
    const owner = ok(await create(legalOwner({ LegalRepresentative: { ...legalOwner().LegalRepresentative, Email: 'jeanne+accept@example.com' } })));
    expect(owner.UserStatus).toBe('ACTIVE');
    expect(owner.PendingUserAction).toBeNull();
    expect(await events(s, 'USER_ACCOUNT_ACTIVATED', owner.Id)).toBe(1);
    expect(await events(s, 'USER_ACCOUNT_VALIDATION_ASKED', owner.Id)).toBe(0);
    expect(ok(await s.call('GET', `/sca/users/${owner.Id}/sca-status`)).IsEnrolled).toBe(true);
  });

  it('"accept" in the company e-mail alone does not bypass SCA', async () => {
    const owner = ok(await create(legalOwner({ Email: 'accept@example.com' })));
    expect(owner.UserStatus).toBe('PENDING_USER_ACTION');
  });

  it('a PAYER is ACTIVE, without SCA, and cannot enroll', async () => {
    const payer = ok(await create(legalPayer()));
    expect(payer.UserStatus).toBe('ACTIVE');
    expect(payer.PendingUserAction).toBeNull();
    expect(await events(s, 'USER_ACCOUNT_VALIDATION_ASKED', payer.Id)).toBe(0);
    failed(
      await s.call('POST', `/sca/users/${payer.Id}/enrollment`),
      400,
      'not_allowed_for_user_category_payer',
      'This endpoint is not allowed for User categorized as PAYER',
    );
    expect(ok(await s.call('GET', `/sca/users/${payer.Id}/sca-status`))).toMatchObject({ UserStatus: 'ACTIVE', IsEnrolled: false });
    failed(await s.call('POST', `/sandbox/users/${payer.Id}/sca/complete`), 400, 'invalid_action');
  });

  it('enrolling an OWNER again gives a new link without changing its status or sending an event', async () => {
    const owner = ok(await create(legalOwner({ LegalRepresentative: { ...legalOwner().LegalRepresentative, Email: 'accept@example.com' } })));
    const res = ok(await s.call('POST', `/sca/users/${owner.Id}/enrollment`));
    expect(res.PendingUserAction.RedirectUrl).toMatch(/\/sca\?token=/);
    expect(ok(await s.call('GET', `/sca/users/${owner.Id}`)).UserStatus).toBe('ACTIVE');
    expect(await events(s, 'USER_ACCOUNT_VALIDATION_ASKED', owner.Id)).toBe(0);
  });

  it('categorizes a PAYER as OWNER: OWNER data returned, enrollment started, event sent', async () => {
    const payer = ok(await create(legalPayer({ TermsAndConditionsAccepted: false })));
    const owner = ok(await categorize(payer.Id, ownerData()));
    expect(owner).toMatchObject({
      UserCategory: 'OWNER',
      UserStatus: 'PENDING_USER_ACTION',
      CompanyNumber: '552100554',
      TermsAndConditionsAccepted: true,
      LegalRepresentative: { FirstName: 'Paul', Birthday: 188352000, Nationality: 'FR', CountryOfResidence: 'FR', Email: 'rep@example.com' },
    });
    expect(owner.PendingUserAction.RedirectUrl).toMatch(/\/sca\?token=/);
    expect(owner.TermsAndConditionsAcceptedDate).toBeGreaterThanOrEqual(payer.CreationDate);
    expect(await events(s, 'USER_CATEGORY_UPDATED_TO_OWNER', payer.Id)).toBe(1);
    expect(await events(s, 'USER_ACCOUNT_VALIDATION_ASKED', payer.Id)).toBe(1);

    failed(
      await categorize(payer.Id, ownerData()),
      400,
      'not_allowed_for_user_category_owner',
      'This endpoint is not allowed for User categorized as OWNER',
    );
    expect(await events(s, 'USER_CATEGORY_UPDATED_TO_OWNER', payer.Id)).toBe(1);
  });

  it('an OWNER created as such gets no USER_CATEGORY_UPDATED_TO_OWNER event', async () => {
    const owner = ok(await create(legalOwner()));
    expect(await events(s, 'USER_CATEGORY_UPDATED_TO_OWNER', owner.Id)).toBe(0);
    failed(await categorize(owner.Id, ownerData()), 400, 'not_allowed_for_user_category_owner');
  });

  it('categorization requires the OWNER data in its own body and changes nothing when refused', async () => {
    const payer = ok(await create(legalPayer()));
    const before = ok(await s.call('GET', `/sca/users/${payer.Id}`));
    const errors = refused(await categorize(payer.Id, { UserCategory: 'OWNER', TermsAndConditionsAccepted: true }), [
      'LegalRepresentative.Birthday',
      'LegalRepresentative.Nationality',
      'LegalRepresentative.CountryOfResidence',
      'LegalRepresentative.Email',
      'HeadquartersAddress',
      'CompanyNumber',
    ]);
    expect(errors['LegalRepresentative.Email']).toBe("'Email' must not be empty.");
    failed(await categorize(payer.Id, { ...ownerData(), TermsAndConditionsAccepted: false }), 403, 'user_hasnt_accepted_terms_and_conditions', TC_MESSAGE);
    refused(await categorize(payer.Id, { ...ownerData(), UserCategory: 'PAYER' }), ['UserCategory']);
    refused(await categorize(payer.Id, { ...ownerData(), HeadquartersAddress: address({ Country: 'CA' }) }), ['HeadquartersAddress.Region']);
    expect(ok(await s.call('GET', `/sca/users/${payer.Id}`))).toEqual(before);
    expect(await events(s, 'USER_CATEGORY_UPDATED_TO_OWNER', payer.Id)).toBe(0);
  });

  it('categorization with "accept" in the representative e-mail activates at once', async () => {
    const payer = ok(await create(legalPayer()));
    const body = ownerData();
    body.LegalRepresentative.Email = 'rep+accept@example.com';
    const owner = ok(await categorize(payer.Id, body));
    expect(owner.UserStatus).toBe('ACTIVE');
    expect(owner.PendingUserAction).toBeNull();
    expect(await events(s, 'USER_ACCOUNT_ACTIVATED', payer.Id)).toBe(1);
  });

  it('a PAYER cannot become OWNER through the plain update', async () => {
    const payer = ok(await create(legalPayer()));
    refused(await s.call('PUT', `/sca/users/legal/${payer.Id}`, { body: { ...ownerData(), TermsAndConditionsAccepted: true } }), ['UserCategory']);
    expect(ok(await s.call('GET', `/sca/users/${payer.Id}`)).UserCategory).toBe('PAYER');
  });

  it('the update requires TermsAndConditionsAccepted', async () => {
    const payer = ok(await create(legalPayer()));
    refused(await s.call('PUT', `/sca/users/legal/${payer.Id}`, { body: { Name: 'x' } }), ['TermsAndConditionsAccepted']);
  });

  it('changing the representative e-mail of an OWNER asks for SCA again; other changes do not', async () => {
    const owner = ok(await create(legalOwner({ LegalRepresentative: { ...legalOwner().LegalRepresentative, Email: 'rep.accept@example.com' } })));
    expect(owner.UserStatus).toBe('ACTIVE');
    const renamed = ok(await s.call('PUT', `/sca/users/legal/${owner.Id}`, { body: { TermsAndConditionsAccepted: true, Name: 'Renamed SAS' } }));
    expect(renamed).toMatchObject({ Name: 'Renamed SAS', UserStatus: 'ACTIVE', PendingUserAction: null });
    const moved = ok(
      await s.call('PUT', `/sca/users/legal/${owner.Id}`, {
        body: { TermsAndConditionsAccepted: true, LegalRepresentative: { Email: 'new.rep@example.com' } },
      }),
    );
    expect(moved.UserStatus).toBe('PENDING_USER_ACTION');
    expect(moved.PendingUserAction.RedirectUrl).toMatch(/\/sca\?token=/);
    expect(moved.LegalRepresentative).toMatchObject({ FirstName: 'Jeanne', Email: 'new.rep@example.com' });
    expect(await events(s, 'USER_ACCOUNT_VALIDATION_ASKED', owner.Id)).toBe(1);
  });
});

describe('representative phone number (SCA)', () => {
  const create = (rep: Body) => s.call('POST', '/sca/users/legal', { body: legalOwner({ LegalRepresentative: { ...legalOwner().LegalRepresentative, ...rep } }) });

  it('a local number needs its PhoneNumberCountry; an E.164 one does not', async () => {
    refused(await create({ PhoneNumberCountry: null }), ['LegalRepresentative.PhoneNumberCountry']);
    const created = ok(await create({ PhoneNumber: '+33611111111', PhoneNumberCountry: null }));
    expect(created.LegalRepresentative).toMatchObject({ PhoneNumber: '+33611111111', PhoneNumberCountry: null });
  });

  it.each(['call me', '+0611', '12'])('%s is refused', async (number) => {
    refused(await create({ PhoneNumber: number }), ['LegalRepresentative.PhoneNumber']);
  });

  it('PhoneNumberCountry must be an ISO code', async () => {
    refused(await create({ PhoneNumberCountry: 'ZZ' }), ['LegalRepresentative.PhoneNumberCountry']);
  });
});

describe('POST /users/data-formats/validation', () => {
  const validate = (body: unknown) => s.call('POST', '/users/data-formats/validation', { body });

  it.each([
    ['FR', '552 100 554', true],
    ['FR', '5521', false],
    ['IT', 'AB 1234567', true],
    ['GB', 'IP12345R', true],
    ['GB', 'XX123456', false],
    ['CH', 'CHE-123.456.789', true],
  ])('%s %s → IsValid %s', async (country, number, valid) => {
    const res = ok(await validate({ CompanyNumber: { CompanyNumber: number, CountryCode: country } }));
    expect(res.CompanyNumber).toMatchObject({ CountryCode: country, IsValid: valid });
    expect(res.CompanyNumber.ValidationRules).toEqual(expect.arrayContaining([expect.any(String)]));
  });

  it('gives the rules of the country (GB as documented)', async () => {
    const res = ok(await validate({ CompanyNumber: { CompanyNumber: '12345678', CountryCode: 'GB' } }));
    expect(res.CompanyNumber.ValidationRules).toEqual([
      '^[0-9]{8}$|^[0-9]{7}$|^SC[0-9]{6}$|^NI[0-9]{6}$|^OC[0-9]{6}$|^R[0-9]{7}$|^IP[0-9]{5}R$|^SO[0-9]{6}$',
    ]);
  });

  it('refuses a missing or invalid CountryCode', async () => {
    const missing = refused(await validate({ CompanyNumber: { CompanyNumber: '552100554' } }), ['CompanyNumber.CountryCode']);
    expect(missing['CompanyNumber.CountryCode']).toMatch(/required/);
    const invalid = refused(await validate({ CompanyNumber: { CompanyNumber: '552100554', CountryCode: 'XX' } }), [
      'CompanyNumber.CountryCode',
    ]);
    expect(invalid['CompanyNumber.CountryCode']).toBe(ISO_MESSAGE);
  });

  it('refuses a missing CompanyNumber', async () => {
    refused(await validate({ CompanyNumber: { CountryCode: 'FR' } }), ['CompanyNumber.CompanyNumber']);
    refused(await validate({}), ['CompanyNumber']);
  });
});
