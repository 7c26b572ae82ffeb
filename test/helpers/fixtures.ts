/** Bodies of valid users, to be varied one field at a time by the tests. */
export const address = (over: Record<string, unknown> = {}) => ({
  AddressLine1: '12 rue de la Paix',
  AddressLine2: null,
  City: 'Paris',
  Region: null,
  PostalCode: '75002',
  Country: 'FR',
  ...over,
});

export function legalOwner(over: Record<string, unknown> = {}) {
  return {
    Name: 'Mangrove Test SAS',
    LegalPersonType: 'BUSINESS',
    UserCategory: 'OWNER',
    TermsAndConditionsAccepted: true,
    Email: 'company@example.com',
    CompanyNumber: '552 100 554',
    HeadquartersAddress: address(),
    LegalRepresentativeAddress: address(),
    LegalRepresentative: {
      FirstName: 'Jeanne',
      LastName: 'Martin',
      Birthday: 188352000,
      Nationality: 'FR',
      CountryOfResidence: 'FR',
      Email: 'jeanne.martin@example.com',
      PhoneNumber: '612345678',
      PhoneNumberCountry: 'FR',
    },
    Tag: 'test',
    ...over,
  };
}

export function legalPayer(over: Record<string, unknown> = {}) {
  return {
    Name: 'Payer Ltd',
    LegalPersonType: 'BUSINESS',
    UserCategory: 'PAYER',
    TermsAndConditionsAccepted: false,
    Email: 'payer@example.com',
    LegalRepresentative: { FirstName: 'Paul', LastName: 'Payer' },
    ...over,
  };
}

export function naturalOwner(over: Record<string, unknown> = {}) {
  return {
    FirstName: 'Alice',
    LastName: 'Durand',
    Email: 'alice.durand@example.com',
    Birthday: 631152000,
    Nationality: 'FR',
    CountryOfResidence: 'FR',
    UserCategory: 'OWNER',
    TermsAndConditionsAccepted: true,
    Address: address(),
    PhoneNumber: '612345678',
    PhoneNumberCountry: 'FR',
    ...over,
  };
}

export function naturalPayer(over: Record<string, unknown> = {}) {
  return {
    FirstName: 'Bob',
    LastName: 'Petit',
    Email: 'bob.petit@example.com',
    UserCategory: 'PAYER',
    TermsAndConditionsAccepted: false,
    ...over,
  };
}

/** The legacy flat legal object of the seed. */
export function legacyLegalOwner(over: Record<string, unknown> = {}) {
  return {
    Name: 'Legacy SARL',
    LegalPersonType: 'BUSINESS',
    UserCategory: 'OWNER',
    TermsAndConditionsAccepted: true,
    Email: 'legacy@example.com',
    CompanyNumber: '552100554',
    HeadquartersAddress: address(),
    LegalRepresentativeFirstName: 'Louis',
    LegalRepresentativeLastName: 'Legrand',
    LegalRepresentativeEmail: 'louis@example.com',
    LegalRepresentativeBirthday: 188352000,
    LegalRepresentativeNationality: 'FR',
    LegalRepresentativeCountryOfResidence: 'FR',
    LegalRepresentativeAddress: address(),
    ...over,
  };
}

/** An ultimate beneficial owner, as a UBO declaration takes it. */
export const ubo = (over: Record<string, unknown> = {}) => ({
  FirstName: 'Michaela',
  LastName: 'Effertz',
  Birthday: 652117514,
  Nationality: 'FR',
  Address: address(),
  Birthplace: { City: 'Paris', Country: 'FR' },
  ...over,
});
