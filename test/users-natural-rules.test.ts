// The natural user rules (reference notes §2), on the SCA endpoints and the legacy ones,
// valid side and invalid side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, naturalOwner, naturalPayer } from './helpers/fixtures.js';
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
  get: (id: string) => string;
  owner: () => Body;
  payer: () => Body;
}

const SCA: Shape = {
  name: 'SCA',
  srv: () => s,
  create: '/sca/users/natural',
  update: (id) => `/sca/users/natural/${id}`,
  get: (id) => `/sca/users/natural/${id}`,
  owner: () => naturalOwner({ Occupation: 'Carpenter', IncomeRange: 3, Tag: 'test' }),
  payer: () => naturalPayer(),
};

const LEGACY: Shape = {
  name: 'legacy',
  srv: () => legacy,
  create: '/users/natural',
  update: (id) => `/users/natural/${id}`,
  get: (id) => `/users/natural/${id}`,
  owner: () => {
    const { PhoneNumber: _p, PhoneNumberCountry: _c, ...rest } = naturalOwner({ Occupation: 'Carpenter', IncomeRange: 3, Tag: 'test' });
    return rest;
  },
  payer: () => naturalPayer(),
};

const ABSENT_FORMS: [string, unknown][] = [
  ['absent', undefined],
  ['null', null],
  ['empty', ''],
  ['spaces', '   '],
];

describe.each([SCA, LEGACY])('natural user rules, $name shape', (shape) => {
  const create = (body: Body) => shape.srv().call('POST', shape.create, { body });
  const update = (id: string, body: Body) => shape.srv().call('PUT', shape.update(id), { body });
  const get = (id: string) => shape.srv().call('GET', shape.get(id));

  it('creates an OWNER and a PAYER from valid bodies', async () => {
    const owner = ok(await create(shape.owner()));
    expect(owner).toMatchObject({ UserCategory: 'OWNER', PersonType: 'NATURAL', FirstName: 'Alice', Occupation: 'Carpenter', IncomeRange: 3 });
    const payer = ok(await create(shape.payer()));
    expect(payer).toMatchObject({ UserCategory: 'PAYER', PersonType: 'NATURAL', UserStatus: 'ACTIVE' });
  });

  describe('required fields', () => {
    const ownerRequired = [
      'FirstName',
      'LastName',
      'Email',
      'UserCategory',
      'TermsAndConditionsAccepted',
      'Birthday',
      'Nationality',
      'CountryOfResidence',
      ...['AddressLine1', 'City', 'PostalCode', 'Country'].map((f) => `Address.${f}`),
    ];
    const payerRequired = ['FirstName', 'LastName', 'Email', 'UserCategory', 'TermsAndConditionsAccepted'];

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

    it.each(['Birthday', 'Nationality', 'CountryOfResidence'])('PAYER: %s may be left out (OWNER only)', async (path) => {
      ok(await create(withField({ ...shape.owner(), UserCategory: 'PAYER' }, path, undefined)));
    });

    it.each(['Address', 'Occupation', 'IncomeRange', 'Tag', 'Address.AddressLine2', 'Address.Region'])(
      '%s is optional for an OWNER',
      async (path) => {
        const created = ok(await create(withField(shape.owner(), path, undefined)));
        if (!path.startsWith('Address')) expect(created[path]).toBeNull();
      },
    );

    it('names the missing UserCategory with Mangopay\'s message', async () => {
      const errors = refused(await create(withField(shape.owner(), 'UserCategory', undefined)), ['UserCategory']);
      expect(errors.UserCategory).toBe('The UserCategory field is required.');
    });
  });

  describe('lengths', () => {
    const cases: [string, number][] = [
      ['FirstName', 100],
      ['LastName', 100],
      ['Email', 255],
      ['Tag', 255],
      ['Occupation', 255],
      ...['AddressLine1', 'AddressLine2', 'City', 'Region', 'PostalCode'].map((f): [string, number] => [`Address.${f}`, 255]),
    ];

    it.each(cases)('%s accepts %i characters and refuses one more', async (path, max) => {
      const created = ok(await create(withField(shape.owner(), path, text(path, max))));
      expect(field(created, path)).toBe(text(path, max));
      refused(await create(withField(shape.owner(), path, text(path, max + 1))), [path]);
    });

    it.each(['FirstName', 'LastName'])('%s needs at least one character', async (f) => {
      expect(ok(await create({ ...shape.owner(), [f]: 'Z' }))[f]).toBe('Z');
      refused(await create({ ...shape.owner(), [f]: '  ' }), [f]);
    });

    it('applies the limits on update too', async () => {
      const { Id } = ok(await create(shape.payer()));
      refused(await update(Id, { TermsAndConditionsAccepted: false, FirstName: text('x', 101), Tag: text('x', 256) }), [
        'FirstName',
        'Tag',
      ]);
      expect(ok(await update(Id, { TermsAndConditionsAccepted: false, LastName: text('x', 100) })).LastName).toHaveLength(100);
    });
  });

  describe('UserCategory', () => {
    it.each(['PLATFORM', 'ADMIN', 'BUYER'])('%s is refused', async (c) => {
      refused(await create({ ...shape.owner(), UserCategory: c }), ['UserCategory']);
      refused(await create({ ...shape.payer(), UserCategory: c }), ['UserCategory']);
    });
  });

  describe('countries (ISO 3166-1 alpha-2)', () => {
    const fields = ['Nationality', 'CountryOfResidence', 'Address.Country'];

    it.each(fields.flatMap((f) => ['DE', 'GB', 'BE', 'JP', 'BR'].map((c) => [f, c])))('%s %s is accepted', async (path, code) => {
      expect(field(ok(await create(withField(shape.owner(), path, code))), path)).toBe(code);
    });

    it.each(fields.flatMap((f) => ['XX', 'UK', 'FRA', 'F', '12', 'EU'].map((c) => [f, c])))('%s %s is refused', async (path, code) => {
      expect(refused(await create(withField(shape.owner(), path, code)), [path])[path]).toBe(ISO_MESSAGE);
    });

    it.each(['CountryOfResidence', 'Address.Country'].flatMap((f) => ['KP', 'IR', 'CU', 'SY', 'MM'].map((c) => [f, c])))(
      '%s %s is a blocked country',
      async (path, code) => {
        expect(refused(await create(withField(shape.owner(), path, code)), [path])[path]).toBe(`The ${path} used is blocked`);
      },
    );

    it('blocks only North Korea as a nationality', async () => {
      expect(refused(await create({ ...shape.owner(), Nationality: 'KP' }), ['Nationality']).Nationality).toBe(
        'The Nationality used is blocked',
      );
      for (const code of ['IR', 'CU', 'SY', 'MM']) expect(ok(await create({ ...shape.owner(), Nationality: code })).Nationality).toBe(code);
    });
  });

  describe('address rules', () => {
    it.each(['US', 'CA', 'MX'])('Address in %s needs a Region', async (country) => {
      const without = { ...shape.owner(), Address: address({ Country: country, PostalCode: 'H2X 1Y4' }) };
      refused(await create(without), ['Address.Region']);
      refused(await create(withField(without, 'Address.Region', ' ')), ['Address.Region']);
      expect(ok(await create(withField(without, 'Address.Region', 'QC'))).Address).toMatchObject({ Country: country, Region: 'QC' });
    });

    it.each(['FR', 'IT', 'ES'])('Address in %s does not need a Region', async (country) => {
      ok(await create({ ...shape.owner(), Address: address({ Country: country }) }));
    });

    it.each(['75002', 'SW1A 1AA', '12345-6789', 'ab-12 CD'])('PostalCode "%s" is accepted', async (postal) => {
      expect(ok(await create(withField(shape.owner(), 'Address.PostalCode', postal))).Address.PostalCode).toBe(postal);
    });

    it.each(['75_002', '75002!', 'SW1A.1AA', '750/02', '#1', 'Straße 1'])('PostalCode %j is refused', async (postal) => {
      refused(await create(withField(shape.owner(), 'Address.PostalCode', postal)), ['Address.PostalCode']);
    });

    it('an address with only null properties counts as not sent', async () => {
      const none = { AddressLine1: null, AddressLine2: null, City: null, Region: null, PostalCode: null, Country: null };
      expect(ok(await create({ ...shape.owner(), Address: none })).Address).toEqual(none);
    });
  });

  describe('e-mail format', () => {
    it.each(['a@b.co', 'first.last+tag@sub.example.org', "o'brien_01@example-mail.fr"])('%s is accepted', async (email) => {
      expect(ok(await create({ ...shape.owner(), Email: email })).Email).toBe(email);
    });

    it.each(['plain', 'a@', '@example.com', 'a b@example.com', 'a@example', 'a..b@example.com', 'a@example.com.'])(
      '%s is refused',
      async (email) => {
        expect(refused(await create({ ...shape.owner(), Email: email }), ['Email']).Email).toBe(EMAIL_MESSAGE);
      },
    );
  });

  describe('IncomeRange', () => {
    it.each([1, 2, 3, 4, 5, 6])('%i is accepted', async (r) => {
      expect(ok(await create({ ...shape.owner(), IncomeRange: r })).IncomeRange).toBe(r);
    });

    it.each([0, 7, -1, 2.5, 'abc', 'R7'])('%j is refused', async (r) => {
      refused(await create({ ...shape.owner(), IncomeRange: r }), ['IncomeRange']);
    });
  });

  describe('OWNER-only data returned null for a PAYER', () => {
    it('hides Birthday, Nationality, CountryOfResidence, Occupation, IncomeRange and the T&C date of a PAYER', async () => {
      const body: Body = { ...shape.owner(), UserCategory: 'PAYER', TermsAndConditionsAccepted: true };
      const created = ok(await create(body));
      for (const got of [created, ok(await get(created.Id))]) {
        for (const f of ['Birthday', 'Nationality', 'CountryOfResidence', 'Occupation', 'IncomeRange', 'TermsAndConditionsAcceptedDate']) {
          expect(got[f], f).toBeNull();
        }
        expect(got).toMatchObject({ FirstName: 'Alice', LastName: 'Durand', Email: body.Email, TermsAndConditionsAccepted: true });
      }
      const owner = ok(await create(shape.owner()));
      expect(owner).toMatchObject({ Birthday: 631152000, Nationality: 'FR', CountryOfResidence: 'FR', Occupation: 'Carpenter' });
    });
  });

  describe('terms and conditions', () => {
    it('refuses an OWNER that has not accepted them (403)', async () => {
      const before = await totals(shape.srv());
      failed(await create({ ...shape.owner(), TermsAndConditionsAccepted: false }), 403, 'user_hasnt_accepted_terms_and_conditions', TC_MESSAGE);
      expect(await totals(shape.srv())).toEqual(before);
    });

    it('dates the acceptance of an OWNER; no date without acceptance', async () => {
      const owner = ok(await create(shape.owner()));
      expect(owner.TermsAndConditionsAcceptedDate).toBe(owner.CreationDate);
      const payer = ok(await create(shape.payer()));
      expect(payer).toMatchObject({ TermsAndConditionsAccepted: false, TermsAndConditionsAcceptedDate: null });
    });

    it('cannot be revoked (400 invalid_action) and the user stays as it was', async () => {
      const owner = ok(await create(shape.owner()));
      const before = ok(await get(owner.Id));
      failed(
        await update(owner.Id, { TermsAndConditionsAccepted: false, FirstName: 'Other' }),
        400,
        'invalid_action',
        'The user cannot revoke the terms and conditions acceptance',
      );
      expect(ok(await get(owner.Id))).toEqual(before);
      const payer = ok(await create({ ...shape.payer(), TermsAndConditionsAccepted: true }));
      failed(await update(payer.Id, { TermsAndConditionsAccepted: false }), 400, 'invalid_action');
    });
  });

  describe('fields only Mangopay sets', () => {
    const foreign = {
      Id: 'user_m_mine',
      CreationDate: 1,
      PersonType: 'LEGAL',
      UserStatus: 'CLOSED',
      KYCLevel: 'REGULAR',
      TermsAndConditionsAcceptedDate: 2,
      ProofOfIdentity: 'kyc_1',
      ProofOfAddress: 'kyc_2',
      Capacity: 'DECLARATIVE',
    };

    it('ignores them on creation', async () => {
      const created = ok(await create({ ...shape.owner(), ...foreign }));
      expect(created.Id).toMatch(/^user_m_/);
      expect(created).toMatchObject({
        PersonType: 'NATURAL',
        UserStatus: shape.name === 'SCA' ? 'PENDING_USER_ACTION' : 'ACTIVE',
        KYCLevel: 'LIGHT',
        ProofOfIdentity: null,
        ProofOfAddress: null,
        Capacity: 'NORMAL',
        TermsAndConditionsAcceptedDate: created.CreationDate,
      });
      expect(created.CreationDate).toBeGreaterThan(1_700_000_000);
    });

    it('ignores them on update; PersonType stays NATURAL', async () => {
      const { Id } = ok(await create(shape.payer()));
      const before = ok(await get(Id));
      expect(ok(await update(Id, { TermsAndConditionsAccepted: false, ...foreign }))).toEqual(before);
      expect(ok(await get(Id))).toEqual(before);
      expect((await shape.srv().call('GET', `/users/legal/${Id}`)).status).toBe(404);
    });
  });

  describe('several violations at once', () => {
    it('reports them together and creates nothing', async () => {
      const before = await totals(shape.srv());
      const body = {
        ...shape.owner(),
        FirstName: text('x', 101),
        LastName: undefined,
        Email: 'x@',
        Nationality: 'XX',
        IncomeRange: 9,
        Address: address({ Country: 'CA', PostalCode: 'H2X_1Y4' }),
      };
      refused(await create(body), ['FirstName', 'LastName', 'Email', 'Nationality', 'IncomeRange', 'Address.Region', 'Address.PostalCode']);
      expect(await totals(shape.srv())).toEqual(before);
    });

    it('a refused update changes nothing', async () => {
      const { Id } = ok(await create(shape.owner()));
      const before = ok(await get(Id));
      const totalsBefore = await totals(shape.srv());
      refused(
        await update(Id, {
          TermsAndConditionsAccepted: true,
          FirstName: 'Changed',
          Occupation: 'Changed',
          CountryOfResidence: 'SY',
          Address: address({ Country: 'US' }),
        }),
        ['CountryOfResidence', 'Address.Region'],
      );
      expect(ok(await get(Id))).toEqual(before);
      expect(await totals(shape.srv())).toEqual(totalsBefore);
    });

    it('a required name cannot be emptied through an update', async () => {
      const { Id } = ok(await create(shape.owner()));
      refused(await update(Id, { TermsAndConditionsAccepted: true, FirstName: '', LastName: null, Occupation: '' }), ['FirstName']);
    });
  });

  it('answers 404 for an unknown user or a legal user on the natural path', async () => {
    failed(await update('user_m_unknown', { TermsAndConditionsAccepted: false }), 404, 'ressource_not_found');
    const legal = ok(
      await shape.srv().call('POST', '/sca/users/legal', {
        body: {
          Name: 'L',
          LegalPersonType: 'BUSINESS',
          Email: 'l@example.com',
          UserCategory: 'PAYER',
          TermsAndConditionsAccepted: false,
          LegalRepresentative: { FirstName: 'A', LastName: 'B' },
        },
      }),
    );
    failed(await update(legal.Id, { TermsAndConditionsAccepted: false }), 404, 'ressource_not_found');
    failed(await get(legal.Id), 404, 'ressource_not_found');
  });
});

describe('phone numbers (SCA natural user)', () => {
  const create = (body: Body) => s.call('POST', '/sca/users/natural', { body });

  it.each([
    ['+33611111111', null],
    ['0611111111', 'FR'],
    ['+1 (415) 555-0100', null],
  ])('%s with PhoneNumberCountry %s is accepted', async (number, country) => {
    const created = ok(await create(naturalOwner({ PhoneNumber: number, PhoneNumberCountry: country })));
    expect(created.PhoneNumber).toMatch(/^\+?[0-9]+$/);
    expect(created.PhoneNumberCountry).toBe(country);
  });

  it('a local number needs its PhoneNumberCountry', async () => {
    refused(await create(naturalOwner({ PhoneNumber: '0611111111', PhoneNumberCountry: null })), ['PhoneNumberCountry']);
  });

  it.each(['phone', '+0611', '12', '+33 6 11 11 11 11 11 11 11'])('%s is refused', async (number) => {
    refused(await create(naturalOwner({ PhoneNumber: number })), ['PhoneNumber']);
  });

  it('PhoneNumberCountry must be an ISO code', async () => {
    refused(await create(naturalOwner({ PhoneNumberCountry: 'ZZ' })), ['PhoneNumberCountry']);
  });
});

describe('the wire shapes of a natural user', () => {
  const scaKeys = [
    'FirstName',
    'LastName',
    'Birthday',
    'Nationality',
    'CountryOfResidence',
    'Occupation',
    'IncomeRange',
    'ProofOfIdentity',
    'ProofOfAddress',
    'Capacity',
    'PhoneNumber',
    'PhoneNumberCountry',
    'Address',
    'PendingUserAction',
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

  it('the SCA object has Mangopay\'s keys in Mangopay\'s order', async () => {
    const created = ok(await s.call('POST', '/sca/users/natural', { body: naturalPayer() }));
    expect(Object.keys(created)).toEqual(scaKeys);
    expect(Object.keys(ok(await s.call('GET', `/sca/users/${created.Id}`)))).toEqual(scaKeys);
  });

  it('the legacy object puts Address first and has no PendingUserAction', async () => {
    const created = ok(await legacy.call('POST', '/users/natural', { body: naturalPayer() }));
    const legacyKeys = ['Address', ...scaKeys.filter((k) => k !== 'Address' && k !== 'PendingUserAction')];
    expect(Object.keys(created)).toEqual(legacyKeys);
    expect(Object.keys(ok(await legacy.call('GET', `/users/${created.Id}`)))).toEqual(legacyKeys);
  });

  it('refuses legacy writes by default after 15 December 2025 and names the SCA replacement', async () => {
    const res = await s.call('POST', '/users/natural', { body: naturalPayer() });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.Message).toContain('/sca/users/natural');
  });

  it('an OWNER created on the legacy endpoint is ACTIVE at once: no SCA', async () => {
    const owner = ok(await legacy.call('POST', '/users/natural', { body: LEGACY.owner() }));
    expect(owner.UserStatus).toBe('ACTIVE');
    expect(await events(legacy, 'USER_ACCOUNT_VALIDATION_ASKED', owner.Id)).toBe(0);
  });

  it('an OWNER cannot become a PAYER on the legacy update', async () => {
    const owner = ok(await legacy.call('POST', '/users/natural', { body: LEGACY.owner() }));
    const errors = refused(await legacy.call('PUT', `/users/natural/${owner.Id}`, { body: { UserCategory: 'PAYER' } }), ['UserCategory']);
    expect(errors.UserCategory).toBe("A User OWNER can't be modified to a user PAYER");
  });
});

describe('SCA lifecycle of a natural user', () => {
  const create = (body: Body) => s.call('POST', '/sca/users/natural', { body });
  const update = (id: string, body: Body) => s.call('PUT', `/sca/users/natural/${id}`, { body });
  const categorize = (id: string, body: Body) => s.call('PUT', `/sca/users/natural/${id}/category`, { body });
  const ownerData = () => ({ UserCategory: 'OWNER', TermsAndConditionsAccepted: true, Birthday: 631152000, Nationality: 'FR', CountryOfResidence: 'BE' });

  it('an OWNER starts SCA enrollment; completing it in the sandbox activates the user', async () => {
    const owner = ok(await create(naturalOwner()));
    expect(owner.UserStatus).toBe('PENDING_USER_ACTION');
    expect(owner.PendingUserAction.RedirectUrl).toMatch(new RegExp(`^${s.url}/sca\\?token=`));
    expect(await events(s, 'USER_ACCOUNT_VALIDATION_ASKED', owner.Id)).toBe(1);
    expect(ok(await s.call('GET', `/sca/users/natural/${owner.Id}`))).toMatchObject({ UserStatus: 'PENDING_USER_ACTION', PendingUserAction: null });
    expect(ok(await s.call('GET', `/sca/users/${owner.Id}/sca-status`))).toMatchObject({ UserStatus: 'PENDING_USER_ACTION', IsEnrolled: false });

    expect(ok(await s.call('POST', `/sandbox/users/${owner.Id}/sca/complete`)).UserStatus).toBe('ACTIVE');
    expect(await events(s, 'USER_ACCOUNT_ACTIVATED', owner.Id)).toBe(1);
    expect(ok(await s.call('GET', `/sca/users/${owner.Id}/sca-status`))).toMatchObject({ UserStatus: 'ACTIVE', IsEnrolled: true });
  });

  it('"accept" in the e-mail activates the OWNER at once', async () => {
    const owner = ok(await create(naturalOwner({ Email: 'alice+accept@example.com' })));
    expect(owner).toMatchObject({ UserStatus: 'ACTIVE', PendingUserAction: null });
    expect(await events(s, 'USER_ACCOUNT_ACTIVATED', owner.Id)).toBe(1);
    expect(await events(s, 'USER_ACCOUNT_VALIDATION_ASKED', owner.Id)).toBe(0);
  });

  it('a PAYER is ACTIVE without SCA and cannot enroll', async () => {
    const payer = ok(await create(naturalPayer()));
    expect(payer).toMatchObject({ UserStatus: 'ACTIVE', PendingUserAction: null });
    failed(await s.call('POST', `/sca/users/${payer.Id}/enrollment`), 400, 'not_allowed_for_user_category_payer');
    failed(await s.call('POST', `/sandbox/users/${payer.Id}/sca/complete`), 400, 'invalid_action');
  });

  it('categorizes a PAYER as OWNER and refuses to categorize an OWNER', async () => {
    const payer = ok(await create(naturalPayer({ Occupation: 'Baker', IncomeRange: 2 })));
    expect(payer).toMatchObject({ Occupation: null, IncomeRange: null });
    const owner = ok(await categorize(payer.Id, ownerData()));
    expect(owner).toMatchObject({
      UserCategory: 'OWNER',
      UserStatus: 'PENDING_USER_ACTION',
      Birthday: 631152000,
      Nationality: 'FR',
      CountryOfResidence: 'BE',
      Occupation: 'Baker',
      IncomeRange: 2,
      TermsAndConditionsAccepted: true,
    });
    expect(owner.TermsAndConditionsAcceptedDate).toEqual(expect.any(Number));
    expect(owner.PendingUserAction.RedirectUrl).toMatch(/\/sca\?token=/);
    expect(await events(s, 'USER_CATEGORY_UPDATED_TO_OWNER', payer.Id)).toBe(1);
    failed(
      await categorize(payer.Id, ownerData()),
      400,
      'not_allowed_for_user_category_owner',
      'This endpoint is not allowed for User categorized as OWNER',
    );
  });

  it('categorization requires Birthday, Nationality, CountryOfResidence and T&C, and changes nothing when refused', async () => {
    const payer = ok(await create(naturalPayer({ Birthday: 631152000, Nationality: 'FR', CountryOfResidence: 'FR' })));
    const before = ok(await s.call('GET', `/sca/users/${payer.Id}`));
    refused(await categorize(payer.Id, { UserCategory: 'OWNER', TermsAndConditionsAccepted: true }), [
      'Birthday',
      'Nationality',
      'CountryOfResidence',
    ]);
    failed(await categorize(payer.Id, { ...ownerData(), TermsAndConditionsAccepted: false }), 403, 'user_hasnt_accepted_terms_and_conditions');
    refused(await categorize(payer.Id, { ...ownerData(), UserCategory: 'PAYER' }), ['UserCategory']);
    refused(await categorize(payer.Id, { ...ownerData(), Nationality: 'XX' }), ['Nationality']);
    expect(ok(await s.call('GET', `/sca/users/${payer.Id}`))).toEqual(before);
    expect(await events(s, 'USER_CATEGORY_UPDATED_TO_OWNER', payer.Id)).toBe(0);
  });

  it('a PAYER cannot become OWNER through the plain update, and the update requires T&C', async () => {
    const payer = ok(await create(naturalPayer()));
    refused(await update(payer.Id, ownerData()), ['UserCategory']);
    refused(await update(payer.Id, { FirstName: 'No T&C' }), ['TermsAndConditionsAccepted']);
    expect(ok(await s.call('GET', `/sca/users/${payer.Id}`))).toMatchObject({ UserCategory: 'PAYER', FirstName: 'Bob' });
  });

  it.each([
    ['Email', { Email: 'alice.new@example.com' }],
    ['PhoneNumber', { PhoneNumber: '+33622222222', PhoneNumberCountry: null }],
  ])('changing the %s of an OWNER asks for SCA again; other changes do not', async (_what, change) => {
    const owner = ok(await create(naturalOwner()));
    expect(ok(await s.call('POST', `/sandbox/users/${owner.Id}/sca/complete`)).UserStatus).toBe('ACTIVE');
    expect(ok(await update(owner.Id, { TermsAndConditionsAccepted: true, Occupation: 'Baker' }))).toMatchObject({
      UserStatus: 'ACTIVE',
      PendingUserAction: null,
      Occupation: 'Baker',
    });
    const changed = ok(await update(owner.Id, { TermsAndConditionsAccepted: true, ...change }));
    expect(changed.UserStatus).toBe('PENDING_USER_ACTION');
    expect(changed.PendingUserAction.RedirectUrl).toMatch(/\/sca\?token=/);
    expect(await events(s, 'USER_ACCOUNT_VALIDATION_ASKED', owner.Id)).toBe(2);
  });

  it('"accept" in the e-mail also bypasses the SCA asked again after a contact change', async () => {
    const owner = ok(await create(naturalOwner({ Email: 'alice.accept@example.com' })));
    const changed = ok(await update(owner.Id, { TermsAndConditionsAccepted: true, PhoneNumber: '+33633333333' }));
    expect(changed).toMatchObject({ UserStatus: 'ACTIVE', PendingUserAction: null, PhoneNumber: '+33633333333' });
  });
});
