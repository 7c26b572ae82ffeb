// MANGROVE_LEGACY_USERS=uncategorized: the legacy user endpoints as a platform older than user
// categories sees them (SPEC §3.4), with the bodies the official SDKs' own suites send.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { expectApiError } from './helpers/errors.js';
import { address, legalOwner, naturalOwner } from './helpers/fixtures.js';
import { startServer, type Reply, type TestServer } from './helpers/server.js';

const require = createRequire(import.meta.url);
const UserNatural = require('mangopay4-nodejs-sdk/lib/models/UserNatural');
const UserLegal = require('mangopay4-nodejs-sdk/lib/models/UserLegal');

let s: TestServer; // uncategorized
let allow: TestServer; // MANGROVE_LEGACY_USERS=allow, same database
let reject: TestServer; // the default, same database
let api: any;

beforeAll(async () => {
  s = await startServer({ env: { MANGROVE_LEGACY_USERS: 'uncategorized' } });
  allow = await startServer({ env: { MANGROVE_LEGACY_USERS: 'allow' }, db: s.db, keepDb: true });
  reject = await startServer({ db: s.db, keepDb: true });
  api = s.sdk();
});
afterAll(async () => {
  await reject?.close();
  await allow?.close();
  await s?.close();
});

type Body = Record<string, unknown>;

function ok(r: Reply): any {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

function refused(r: Reply, fields: string[]): Record<string, string> {
  expectApiError(r, 400, 'param_error');
  expect(Object.keys(r.body.errors).sort()).toEqual([...fields].sort());
  return r.body.errors;
}

const userCount = async () => Number((await s.call('GET', '/users?per_page=1')).headers.get('x-number-of-items'));

async function eventTypes(resourceId: string): Promise<string[]> {
  const rows = await s.db.query<{ event_type: string }>('SELECT event_type FROM events WHERE resource_id = $1 ORDER BY seq', [resourceId]);
  return rows.map((r) => r.event_type);
}

// The Node SDK suite's helpers.data.getUserNatural / getUserLegal (test/helpers.js).
const nodeNatural = (): Body => ({
  FirstName: 'John NodejsSDK',
  LastName: 'Doe NodejsSDK',
  Email: 'john.doe@sample.org',
  Address: address({ AddressLine1: '4101 Reservoir Rd NW', AddressLine2: '', City: 'Washington', Region: 'District of Columbia', PostalCode: '20007', Country: 'US' }),
  Birthday: 188301600,
  Nationality: 'FR',
  CountryOfResidence: 'FR',
  Occupation: 'programmer',
  IncomeRange: 3,
  PersonType: 'NATURAL',
  TermsAndConditionsAccepted: true,
});
const nodeLegal = (): Body => ({
  Name: 'MartixSampleOrg_NodejsSDK',
  Email: 'mail@test.com',
  LegalPersonType: 'BUSINESS',
  HeadquartersAddress: address({ Country: 'US', Region: 'District of Columbia', PostalCode: '20007' }),
  LegalRepresentativeFirstName: 'John NodejsSDK',
  LegalRepresentativeLastName: 'Doe NodejsSDK',
  LegalRepresentativeEmail: 'john.doe@sample.org',
  LegalRepresentativeAddress: address(),
  LegalRepresentativeBirthday: 188301600,
  LegalRepresentativeNationality: 'FR',
  LegalRepresentativeCountryOfResidence: 'FR',
  CompanyNumber: '123456789',
  TermsAndConditionsAccepted: true,
});

// The Ruby suite's shared_resources.rb: no UserCategory, no terms, a misspelt address key, empty proofs.
const rubyNatural = (): Body => ({
  Tag: 'Test natural user',
  Email: 'my@email.com',
  FirstName: 'John',
  LastName: 'Doe',
  Address: { AddressLine1: 'Le Palais Royal', AddressLine2: '8 Rue de Montpensier', City: 'Paris', Region: '', PostalCode: '75001', Country: 'FR' },
  Birthday: 1_300_186_358,
  Birthplace: 'Paris',
  Nationality: 'FR',
  CountryOfResidence: 'FR',
  Occupation: 'Worker',
  IncomeRange: 1,
});
const rubyLegal = (): Body => ({
  Name: 'Super',
  Email: 'super@email.com',
  LegalPersonType: 'BUSINESS',
  HeadquartersAddress: { AddressLine1: '6 Parvis Notre-Dame', AddressLine2: 'Pl. Jean-Paul II', City: 'Paris', Region: 'FR', PostalCode: '75004', Country: 'FR' },
  LegalRepresentativeFirstName: 'John',
  LegalRepresentativeLastName: 'Doe',
  LegalRepresentativeAdress: { AddressLine1: '38 Rue de Montpensier', AddressLine2: '', City: 'Paris', Region: '', PostalCode: '75001', Country: 'FR' },
  LegalRepresentativeEmail: 'john@doe.com',
  LegalRepresentativeBirthday: 1_300_186_358,
  LegalRepresentativeNationality: 'FR',
  LegalRepresentativeCountryOfResidence: 'FR',
  CompanyNumber: 'LU123456789',
  Statute: '',
  ProofOfRegistration: '',
  ShareholderDeclaration: '',
});

describe('MANGROVE_LEGACY_USERS', () => {
  it('takes uncategorized besides reject and allow; reject stays the default', () => {
    expect(loadConfig({}).legacyUsers).toBe('reject');
    expect(loadConfig({ MANGROVE_LEGACY_USERS: 'Uncategorized' }).legacyUsers).toBe('uncategorized');
    expect(() => loadConfig({ MANGROVE_LEGACY_USERS: 'owner' })).toThrow(/reject, allow, uncategorized/);
  });

  it('keeps the legacy endpoints open after 15 December 2025, where reject closes them and allow wants a category', async () => {
    expect(Date.now() / 1000).toBeGreaterThan(Date.UTC(2025, 11, 16) / 1000);
    expectApiError(await reject.call('POST', '/users/natural', { body: nodeNatural() }), 410, 'deprecated_endpoint');
    refused(await allow.call('POST', '/users/natural', { body: nodeNatural() }), ['UserCategory']);
    const before = await userCount();
    const created = ok(await s.call('POST', '/users/natural', { body: nodeNatural() }));
    expect(created.UserCategory).toBe('OWNER');
    expect(await userCount()).toBe(before + 1);
  });
});

describe('the Node SDK suite (Users.js) on uncategorized legacy endpoints', () => {
  it('creates its natural user as an ACTIVE OWNER with the terms echoed, readable on every path', async () => {
    const john = await api.Users.create(new UserNatural(nodeNatural()));
    expect(john.Id).toMatch(/^user_m_/);
    expect(john).toMatchObject({
      PersonType: 'NATURAL',
      UserCategory: 'OWNER',
      UserStatus: 'ACTIVE',
      TermsAndConditionsAccepted: true,
      Birthday: 188301600,
      Occupation: 'programmer',
      IncomeRange: 3,
    });
    expect(john.TermsAndConditionsAcceptedDate).toBe(john.CreationDate);
    expect(john).not.toHaveProperty('PendingUserAction');

    const [viaUsers, viaNatural] = await Promise.all([api.Users.get(john.Id), api.Users.getNatural(john.Id)]);
    for (const read of [viaUsers, viaNatural]) {
      expect(read).toMatchObject({ Id: john.Id, UserCategory: 'OWNER', FirstName: 'John NodejsSDK', TermsAndConditionsAccepted: true });
      expect(read.Address).toMatchObject({ City: 'Washington', Region: 'District of Columbia', Country: 'US' });
    }
    const e = await api.Users.getLegal(john.Id).catch((x: any) => x);
    expect(e.errors).toBeDefined();

    // Save Natural: the whole object goes back with a changed LastName.
    john.LastName += ' - CHANGED';
    john.TermsAndConditionsAccepted = true;
    await api.Users.update(john);
    const updated = await api.Users.get(john.Id);
    expect(updated.LastName).toBe('Doe NodejsSDK - CHANGED');
    expect(updated.UserCategory).toBe('OWNER');
  });

  it('creates its legal user as an OWNER and saves it back whole', async () => {
    const matrix = await api.Users.create(new UserLegal(nodeLegal()));
    expect(matrix).toMatchObject({ PersonType: 'LEGAL', UserCategory: 'OWNER', UserStatus: 'ACTIVE', TermsAndConditionsAccepted: true, CompanyNumber: '123456789' });
    const [a, b] = await Promise.all([api.Users.get(matrix.Id), api.Users.getLegal(matrix.Id)]);
    expect(a).toEqual(b);
    expect(a.LegalRepresentativeEmail).toBe('john.doe@sample.org');
    matrix.Name += ' - CHANGED';
    await api.Users.update(matrix);
    expect((await api.Users.get(matrix.Id)).Name).toBe('MartixSampleOrg_NodejsSDK - CHANGED');
  });

  it('creates its Payer and Owner variants with the category they name', async () => {
    const payer = await api.Users.create({ PersonType: 'NATURAL', FirstName: 'P', LastName: 'Payer', Email: 'p@example.com', Address: address(), TermsAndConditionsAccepted: true, UserCategory: 'PAYER' });
    expect(payer.UserCategory).toBe('PAYER');
    expect(payer.Birthday).toBeNull();
    // Save Natural Payer to Owner, as the suite does it.
    Object.assign(payer, { UserCategory: 'OWNER', TermsAndConditionsAccepted: true, CountryOfResidence: 'FR', Birthday: 188301600, Nationality: 'FR' });
    await api.Users.update(payer);
    const owner = await api.Users.get(payer.Id);
    expect(owner).toMatchObject({ UserCategory: 'OWNER', UserStatus: 'ACTIVE', Nationality: 'FR' });
    expect(await eventTypes(payer.Id)).toEqual(['USER_CATEGORY_UPDATED_TO_OWNER']);
  });
});

describe('the Ruby suite (shared_resources.rb, user_spec.rb)', () => {
  it('creates and updates its natural user, which sent neither a category nor the terms', async () => {
    const user = ok(await s.call('POST', '/users/natural', { body: rubyNatural() }));
    expect(user).toMatchObject({
      FirstName: 'John',
      UserCategory: 'OWNER',
      UserStatus: 'ACTIVE',
      TermsAndConditionsAccepted: false,
      TermsAndConditionsAcceptedDate: null,
      Tag: 'Test natural user',
    });
    expect(user.Address).toEqual({ AddressLine1: 'Le Palais Royal', AddressLine2: '8 Rue de Montpensier', City: 'Paris', Region: null, PostalCode: '75001', Country: 'FR' });
    const updated = ok(await s.call('PUT', `/users/natural/${user.Id}`, { body: { FirstName: 'Jack' } }));
    expect(updated.FirstName).toBe('Jack');
    expect(updated.UserCategory).toBe('OWNER');
    expect(ok(await s.call('GET', `/users/natural/${user.Id}`)).FirstName).toBe('Jack');
    expect(ok(await s.call('GET', `/users/${user.Id}`)).Id).toBe(user.Id);
  });

  it('creates and updates its legal user; unknown and read-only keys are ignored', async () => {
    const user = ok(await s.call('POST', '/users/legal', { body: rubyLegal() }));
    expect(user).toMatchObject({ LegalRepresentativeFirstName: 'John', UserCategory: 'OWNER', CompanyNumber: 'LU123456789', Statute: null, ProofOfRegistration: null });
    expect(user.LegalRepresentativeAddress.AddressLine1).toBeNull();
    const updated = ok(await s.call('PUT', `/users/legal/${user.Id}`, { body: { LegalRepresentativeFirstName: 'Jack' } }));
    expect(updated.LegalRepresentativeFirstName).toBe('Jack');
    expect(ok(await s.call('GET', `/users/legal/${user.Id}`)).LegalRepresentativeFirstName).toBe('Jack');
  });
});

describe('the PHP suite (Base.php, UsersTest.php)', () => {
  it('creates a BUSINESS OWNER without headquarters, company number or terms, and saves the object it got back', async () => {
    const body = {
      Name: 'MartixSampleOrg',
      Email: 'mail@test.com',
      LegalPersonType: 'BUSINESS',
      PersonType: 'LEGAL',
      LegalRepresentativeFirstName: 'FirstName',
      LegalRepresentativeLastName: 'LastName',
      LegalRepresentativeBirthday: 188352000,
      LegalRepresentativeNationality: 'FR',
      LegalRepresentativeCountryOfResidence: 'FR',
    };
    const created = ok(await s.call('POST', '/users/legal', { body }));
    expect(created).toMatchObject({ UserCategory: 'OWNER', CompanyNumber: null, TermsAndConditionsAccepted: false, LegalRepresentativeBirthday: 188352000 });
    expect(created.HeadquartersAddress).toEqual(address({ AddressLine1: null, City: null, PostalCode: null, Country: null }));
    const saved = ok(await s.call('PUT', `/users/legal/${created.Id}`, { body: created }));
    expect(saved).toEqual(created);
    expect(ok(await s.call('GET', `/users/${created.Id}`))).toEqual(created);
  });

  it('creates John without an address and saves him back; typed reads give the same object', async () => {
    const body = { FirstName: 'John', LastName: 'Doe', Email: 'john.doe@sample.org', Birthday: 188352000, Nationality: 'FR', CountryOfResidence: 'FR' };
    const john = ok(await s.call('POST', '/users/natural', { body }));
    expect(ok(await s.call('PUT', `/users/natural/${john.Id}`, { body: john }))).toEqual(john);
    expect(ok(await s.call('GET', `/users/natural/${john.Id}`))).toEqual(john);
  });
});

describe('the Python suite (test_base.py, test_users.py)', () => {
  const pyNatural = (terms: unknown): Body => ({
    FirstName: 'John',
    LastName: 'Doe',
    Birthday: 188352000,
    Email: 'john.doe@sample.org',
    Address: address({ AddressLine1: 'AddressLine1', AddressLine2: 'AddressLine2', City: 'City', Region: 'Region', PostalCode: '11222' }),
    Nationality: 'FR',
    CountryOfResidence: 'FR',
    Occupation: 'programmer',
    IncomeRange: '1',
    PersonType: 'NATURAL',
    TermsAndConditionsAccepted: terms,
    UserCategory: 'OWNER',
    KYCLevel: 'LIGHT',
    ProofOfIdentity: null,
    TermsAndConditionsAcceptedDate: null,
  });

  it('creates an explicit OWNER whose terms are not accepted yet, then accepts them; they cannot be revoked', async () => {
    const user = ok(await s.call('POST', '/users/natural', { body: pyNatural(false) }));
    expect(user).toMatchObject({ UserCategory: 'OWNER', TermsAndConditionsAccepted: false, TermsAndConditionsAcceptedDate: null, IncomeRange: 1 });
    const accepted = ok(await s.call('PUT', `/users/natural/${user.Id}`, { body: { ...pyNatural(true), Id: user.Id } }));
    expect(accepted.TermsAndConditionsAccepted).toBe(true);
    expect(accepted.TermsAndConditionsAcceptedDate).toEqual(expect.any(Number));
    expectApiError(await s.call('PUT', `/users/natural/${user.Id}`, { body: { TermsAndConditionsAccepted: false } }), 400, 'invalid_action');
  });

  it('takes the terms as 1 and 0, the way the Python SDK serialises booleans', async () => {
    const withOne = ok(await s.call('POST', '/users/natural', { body: pyNatural(1) }));
    expect(withOne.TermsAndConditionsAccepted).toBe(true);
    const legal = ok(
      await s.call('POST', '/users/legal', {
        body: { ...nodeLegal(), TermsAndConditionsAccepted: 0, UserCategory: 'OWNER', CompanyNumber: 123456789, LegalRepresentativeAddress: null },
      }),
    );
    expect(legal).toMatchObject({ TermsAndConditionsAccepted: false, CompanyNumber: '123456789' });
  });
});

describe('what uncategorized still requires', () => {
  it('an OWNER still needs the identity fields users had before categories; nothing is created', async () => {
    const before = await userCount();
    const { Birthday, Nationality, CountryOfResidence, ...natural } = rubyNatural();
    refused(await s.call('POST', '/users/natural', { body: natural }), ['Birthday', 'Nationality', 'CountryOfResidence']);
    const { LegalRepresentativeBirthday, LegalRepresentativeNationality, ...legal } = rubyLegal();
    refused(await s.call('POST', '/users/legal', { body: { ...legal, LegalRepresentativeFirstName: '' } }), [
      'LegalRepresentativeBirthday',
      'LegalRepresentativeNationality',
      'LegalRepresentativeFirstName',
    ]);
    refused(await s.call('POST', '/users/natural', { body: { ...rubyNatural(), UserCategory: 'SELLER' } }), ['UserCategory']);
    expect(await userCount()).toBe(before);
  });

  it('a PAYER sent as such stays a PAYER, with the OWNER-only fields returned null', async () => {
    const payer = ok(await s.call('POST', '/users/legal', { body: { ...rubyLegal(), UserCategory: 'PAYER' } }));
    expect(payer).toMatchObject({ UserCategory: 'PAYER', LegalRepresentativeBirthday: null, LegalRepresentativeEmail: null, CompanyNumber: null });
    // Becoming OWNER on the legacy PUT needs the identity fields, not the later requirements.
    const owner = ok(await s.call('PUT', `/users/legal/${payer.Id}`, { body: { UserCategory: 'OWNER' } }));
    expect(owner).toMatchObject({ UserCategory: 'OWNER', UserStatus: 'ACTIVE', LegalRepresentativeBirthday: 1_300_186_358 });
    expectApiError(await s.call('PUT', `/users/legal/${payer.Id}`, { body: { UserCategory: 'PAYER' } }), 400, 'param_error');
  });

  it('leaves the SCA endpoints of the same server their full rules', async () => {
    const { UserCategory, ...noCategory } = naturalOwner();
    refused(await s.call('POST', '/sca/users/natural', { body: noCategory }), ['UserCategory']);
    refused(await s.call('POST', '/sca/users/legal', { body: legalOwner({ HeadquartersAddress: null }) }), ['HeadquartersAddress']);
    expectApiError(await s.call('POST', '/sca/users/natural', { body: naturalOwner({ TermsAndConditionsAccepted: false }) }), 403, 'user_hasnt_accepted_terms_and_conditions');
  });
});

describe('what an uncategorized OWNER is', () => {
  it('ACTIVE, never enrolled in SCA, with no account webhooks; both shapes read it', async () => {
    const user = ok(await s.call('POST', '/users/legal', { body: rubyLegal() }));
    expect(user.UserStatus).toBe('ACTIVE');
    const status = ok(await s.call('GET', `/sca/users/${user.Id}/sca-status`));
    expect(status).toMatchObject({ UserStatus: 'ACTIVE', IsEnrolled: false, LastEnrollmentDate: null });
    const events = await eventTypes(user.Id);
    expect(events.filter((e) => e.startsWith('USER_') || e.startsWith('SCA_'))).toEqual([]);
    const sca = ok(await s.call('GET', `/sca/users/legal/${user.Id}`));
    expect(sca.LegalRepresentative).toMatchObject({ FirstName: 'John', Email: 'john@doe.com', Birthday: 1_300_186_358 });
    expect(sca.PendingUserAction).toBeNull();
    const rows = await s.db.query<{ sca_enrolled_at: unknown; legacy: boolean }>('SELECT sca_enrolled_at, legacy FROM users WHERE id = $1', [user.Id]);
    expect(rows[0]).toEqual({ sca_enrolled_at: null, legacy: true });
  });

  it('users created on the SCA endpoints read and update through the legacy ones', async () => {
    const sca = ok(await s.call('POST', '/sca/users/legal', { body: legalOwner({ LegalRepresentative: { ...legalOwner().LegalRepresentative, Email: 'accept@example.com' } }) }));
    const legacy = ok(await s.call('GET', `/users/legal/${sca.Id}`));
    expect(legacy).toMatchObject({ LegalRepresentativeFirstName: 'Jeanne', LegalRepresentativeEmail: 'accept@example.com', UserCategory: 'OWNER' });
    const renamed = ok(await s.call('PUT', `/users/legal/${sca.Id}`, { body: { Name: 'Renamed SAS' } }));
    expect(renamed.Name).toBe('Renamed SAS');
  });
});

describe('addresses sent as one string, as older SDKs did', () => {
  it('keeps the string as the first address line', async () => {
    const natural = ok(await s.call('POST', '/users/natural', { body: { ...rubyNatural(), Address: '1 Mangrove Street, Paris' } }));
    expect(natural.Address).toEqual({ AddressLine1: '1 Mangrove Street, Paris', AddressLine2: null, City: null, Region: null, PostalCode: null, Country: null });
    const legal = ok(await s.call('POST', '/users/legal', { body: { ...rubyLegal(), HeadquartersAddress: 'HQ, Paris', LegalRepresentativeAddress: '' } }));
    expect(legal.HeadquartersAddress.AddressLine1).toBe('HQ, Paris');
    expect(legal.LegalRepresentativeAddress.AddressLine1).toBeNull();
    refused(await s.call('POST', '/users/natural', { body: { ...rubyNatural(), Address: 'x'.repeat(256) } }), ['Address']);
    refused(await s.call('POST', '/sca/users/natural', { body: naturalOwner({ Address: 'a string' }) }), ['Address']);
  });
});
