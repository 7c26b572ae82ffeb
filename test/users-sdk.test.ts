import { describe, expect, it } from 'vitest';
import { legalOwner, legalPayer, naturalOwner, naturalPayer, address } from './helpers/fixtures.js';
import { fileServer } from './helpers/server.js';

const { s, api } = fileServer();

describe('the official SDK drives legal users', () => {
  it('creates an OWNER through /sca/users/legal and reads it back three ways', async () => {
    const created = await api.Users.create({ LegalSca: true, PersonType: 'LEGAL', ...legalOwner() });
    expect(created.Id).toMatch(/^user_m_/);
    expect(created.PersonType).toBe('LEGAL');
    expect(created.UserStatus).toBe('PENDING_USER_ACTION');
    expect(created.PendingUserAction.RedirectUrl).toContain(`${s.url}/sca?token=`);
    expect(created.KYCLevel).toBe('LIGHT');
    expect(created.TermsAndConditionsAcceptedDate).toBeGreaterThan(0);

    const sca = await api.Users.getSca(created.Id);
    expect(sca.LegalRepresentative.Email).toBe('jeanne.martin@example.com');
    const typed = await api.Users.getLegalSca(created.Id);
    expect(typed.Name).toBe('Mangrove Test SAS');
    const legacy = await api.Users.get(created.Id);
    expect(legacy.LegalRepresentativeFirstName).toBe('Jeanne');
    expect(legacy.LegalRepresentative).toBeUndefined();
  });

  it('updates a legal user with updateSca and keeps what was not sent', async () => {
    const created = await api.Users.create({ LegalSca: true, PersonType: 'LEGAL', ...legalPayer() });
    const updated = await api.Users.updateSca({ LegalSca: true, Id: created.Id, PersonType: 'LEGAL', Name: 'Renamed', TermsAndConditionsAccepted: false });
    expect(updated.Name).toBe('Renamed');
    expect(updated.LegalRepresentative.FirstName).toBe('Paul');
    expect(updated.UserCategory).toBe('PAYER');
  });

  it('categorizes a legal PAYER as OWNER, which starts SCA enrollment', async () => {
    const payer = await api.Users.create({ LegalSca: true, PersonType: 'LEGAL', ...legalPayer() });
    expect(payer.UserStatus).toBe('ACTIVE');
    const owner = await api.Users.categorize({
      LegalSca: true,
      Id: payer.Id,
      UserCategory: 'OWNER',
      TermsAndConditionsAccepted: true,
      CompanyNumber: '552100554',
      HeadquartersAddress: address(),
      LegalRepresentative: { Birthday: 188352000, Nationality: 'FR', CountryOfResidence: 'FR', Email: 'rep@example.com' },
    });
    expect(owner.UserCategory).toBe('OWNER');
    expect(owner.UserStatus).toBe('PENDING_USER_ACTION');
    expect(owner.PendingUserAction.RedirectUrl).toMatch(/\/sca\?token=/);
  });

  it('reports every violated rule of one request together, with dotted paths', async () => {
    const err = await api.Users.create({
      LegalSca: true,
      PersonType: 'LEGAL',
      ...legalOwner({ HeadquartersAddress: address({ Country: 'US', PostalCode: 'a_b' }), Email: 'not-an-email' }),
    }).catch((e: any) => e);
    expect(err.Type).toBe('param_error');
    expect(Object.keys(err.errors).sort()).toEqual(['Email', 'HeadquartersAddress.PostalCode', 'HeadquartersAddress.Region']);
  });
});

describe('the official SDK drives natural users', () => {
  it('creates, reads, updates and categorizes a natural user', async () => {
    const payer = await api.Users.create({ NaturalSca: true, PersonType: 'NATURAL', ...naturalPayer() });
    expect(payer.PersonType).toBe('NATURAL');
    expect(payer.UserStatus).toBe('ACTIVE');
    const got = await api.Users.getNaturalSca(payer.Id);
    expect(got.FirstName).toBe('Bob');
    const updated = await api.Users.updateSca({ NaturalSca: true, Id: payer.Id, PersonType: 'NATURAL', FirstName: 'Robert', Occupation: 'Baker', TermsAndConditionsAccepted: false });
    expect(updated.FirstName).toBe('Robert');
    expect(updated.Occupation).toBeNull(); // returned null for a PAYER
    const owner = await api.Users.categorize({
      NaturalSca: true,
      Id: payer.Id,
      UserCategory: 'OWNER',
      TermsAndConditionsAccepted: true,
      Birthday: 631152000,
      Nationality: 'FR',
      CountryOfResidence: 'FR',
    });
    expect(owner.UserCategory).toBe('OWNER');
    expect(owner.UserStatus).toBe('PENDING_USER_ACTION');
    expect(owner.Occupation).toBe('Baker');
  });

  it('activates an OWNER at once when its e-mail contains "accept"', async () => {
    const owner = await api.Users.create({ NaturalSca: true, PersonType: 'NATURAL', ...naturalOwner({ Email: 'accept.me@example.com' }) });
    expect(owner.UserStatus).toBe('ACTIVE');
    expect(owner.PendingUserAction).toBeNull();
    const status = await api.Users.getScaStatus(owner.Id);
    expect(status.IsEnrolled).toBe(true);
  });

  it('refuses a natural id on the legal path and a legal id on the natural path', async () => {
    const natural = await api.Users.create({ NaturalSca: true, PersonType: 'NATURAL', ...naturalPayer() });
    const legal = await api.Users.create({ LegalSca: true, PersonType: 'LEGAL', ...legalPayer() });
    const e1 = await api.Users.getLegal(natural.Id).catch((e: any) => e);
    expect(e1.Type).toBe('ressource_not_found');
    const e2 = await api.Users.getNatural(legal.Id).catch((e: any) => e);
    expect(e2.Type).toBe('ressource_not_found');
    const e3 = await api.Users.getNaturalSca(legal.Id).catch((e: any) => e);
    expect(e3.errors).toBeTruthy();
  });

  it('lists users with paging headers through getAll', async () => {
    const res = await api.Users.getAll({ parameters: { per_page: 2, page: 1 }, resolveWithFullResponse: true });
    expect(res.body).toHaveLength(2);
    expect(Number(res.headers['x-number-of-items'])).toBeGreaterThanOrEqual(2);
    expect(api.rateLimits).toHaveLength(4);
    expect(api.rateLimits.map((r: any) => r.minutesInterval)).toEqual([15, 30, 60, 1440]);
  });
});
