import type { LegalLegacyReply, LegalScaReply, NaturalLegacyReply, NaturalScaReply, UserSummaryReply } from './schemas.js';

export type PersonType = 'NATURAL' | 'LEGAL';
export type UserCategory = 'PAYER' | 'OWNER' | 'PLATFORM';
export type UserStatus = 'PENDING_USER_ACTION' | 'ACTIVE' | 'CLOSED';
export const LEGAL_PERSON_TYPES = ['BUSINESS', 'PARTNERSHIP', 'ORGANIZATION', 'SOLETRADER'] as const;
export type LegalPersonType = (typeof LEGAL_PERSON_TYPES)[number];

export interface Address {
  AddressLine1: string | null;
  AddressLine2: string | null;
  City: string | null;
  Region: string | null;
  PostalCode: string | null;
  Country: string | null;
}

export interface Representative {
  FirstName: string | null;
  LastName: string | null;
  Birthday: number | null;
  Nationality: string | null;
  CountryOfResidence: string | null;
  Email: string | null;
  PhoneNumber: string | null;
  PhoneNumberCountry: string | null;
}

/** Ids of the validated KYC documents backing each proof field (filled by KYC). */
export interface Proofs {
  IdentityProof: string | null;
  AddressProof: string | null;
  RegistrationProof: string | null;
  ArticlesOfAssociation: string | null;
  ShareholderDeclaration: string | null;
}

export interface LegalData {
  Name: string | null;
  LegalPersonType: LegalPersonType | null;
  LegalRepresentative: Representative;
  CompanyNumber: string | null;
  /** Result of the per-country format check of the cleaned CompanyNumber; null when it could not be checked. */
  CompanyNumberValid: boolean | null;
  HeadquartersAddress: Address | null;
  LegalRepresentativeAddress: Address | null;
  Proofs: Proofs;
}

export interface NaturalData {
  FirstName: string | null;
  LastName: string | null;
  Birthday: number | null;
  Nationality: string | null;
  CountryOfResidence: string | null;
  Occupation: string | null;
  IncomeRange: number | null;
  PhoneNumber: string | null;
  PhoneNumberCountry: string | null;
  Address: Address | null;
  Proofs: Proofs;
}

export interface UserRecord {
  id: string;
  clientId: string;
  personType: PersonType;
  category: UserCategory;
  status: UserStatus;
  kycLevel: 'LIGHT' | 'REGULAR';
  email: string;
  tag: string | null;
  creationDate: number;
  tcAccepted: boolean;
  tcDate: number | null;
  legacy: boolean;
  scaEnrolledAt: number | null;
  consentAt: number | null;
  data: LegalData | NaturalData;
}

export const emptyProofs = (): Proofs => ({
  IdentityProof: null,
  AddressProof: null,
  RegistrationProof: null,
  ArticlesOfAssociation: null,
  ShareholderDeclaration: null,
});

export const emptyRepresentative = (): Representative => ({
  FirstName: null,
  LastName: null,
  Birthday: null,
  Nationality: null,
  CountryOfResidence: null,
  Email: null,
  PhoneNumber: null,
  PhoneNumberCountry: null,
});

export const emptyLegal = (): LegalData => ({
  Name: null,
  LegalPersonType: null,
  LegalRepresentative: emptyRepresentative(),
  CompanyNumber: null,
  CompanyNumberValid: null,
  HeadquartersAddress: null,
  LegalRepresentativeAddress: null,
  Proofs: emptyProofs(),
});

export const emptyNatural = (): NaturalData => ({
  FirstName: null,
  LastName: null,
  Birthday: null,
  Nationality: null,
  CountryOfResidence: null,
  Occupation: null,
  IncomeRange: null,
  PhoneNumber: null,
  PhoneNumberCountry: null,
  Address: null,
  Proofs: emptyProofs(),
});

/** An Address as every object renders it: all six keys in Mangopay's order, null where absent (every key of an absent address). */
export function renderAddress(a: Partial<Address> | null): Address {
  return {
    AddressLine1: a?.AddressLine1 ?? null,
    AddressLine2: a?.AddressLine2 ?? null,
    City: a?.City ?? null,
    Region: a?.Region ?? null,
    PostalCode: a?.PostalCode ?? null,
    Country: a?.Country ?? null,
  };
}

/** The fields every user view ends with, in Mangopay's order. */
function tail(u: UserRecord): UserSummaryReply {
  const payer = u.category === 'PAYER';
  return {
    Id: u.id,
    Tag: u.tag,
    CreationDate: u.creationDate,
    PersonType: u.personType,
    Email: u.email,
    KYCLevel: u.kycLevel,
    TermsAndConditionsAccepted: u.tcAccepted,
    TermsAndConditionsAcceptedDate: payer ? null : u.tcDate,
    UserCategory: u.category,
    UserStatus: u.status,
  };
}

/** Representative fields Mangopay returns null for PAYERs. */
function ownerOnly<T>(u: UserRecord, v: T): T | null {
  return u.category === 'PAYER' ? null : v;
}

export function renderLegalSca(u: UserRecord, pendingRedirectUrl: string | null = null): LegalScaReply {
  const d = u.data as LegalData;
  const r = d.LegalRepresentative;
  return {
    Name: d.Name,
    LegalPersonType: d.LegalPersonType,
    LegalRepresentative: {
      FirstName: r.FirstName,
      LastName: r.LastName,
      ProofOfIdentity: d.Proofs.IdentityProof,
      Birthday: ownerOnly(u, r.Birthday),
      Nationality: ownerOnly(u, r.Nationality),
      CountryOfResidence: ownerOnly(u, r.CountryOfResidence),
      Email: ownerOnly(u, r.Email),
      PhoneNumber: r.PhoneNumber,
      PhoneNumberCountry: r.PhoneNumberCountry,
    },
    ProofOfRegistration: d.Proofs.RegistrationProof,
    ShareholderDeclaration: d.Proofs.ShareholderDeclaration,
    Statute: d.Proofs.ArticlesOfAssociation,
    CompanyNumber: ownerOnly(u, d.CompanyNumber),
    PendingUserAction: pendingRedirectUrl ? { RedirectUrl: pendingRedirectUrl } : null,
    HeadquartersAddress: renderAddress(d.HeadquartersAddress),
    LegalRepresentativeAddress: renderAddress(d.LegalRepresentativeAddress),
    ...tail(u),
  };
}

/** The deprecated flat object of the seed ("The Legal User object"). */
export function renderLegalLegacy(u: UserRecord): LegalLegacyReply {
  const d = u.data as LegalData;
  const r = d.LegalRepresentative;
  return {
    HeadquartersAddress: renderAddress(d.HeadquartersAddress),
    LegalRepresentativeAddress: renderAddress(d.LegalRepresentativeAddress),
    Name: d.Name,
    LegalPersonType: d.LegalPersonType,
    LegalRepresentativeFirstName: r.FirstName,
    LegalRepresentativeLastName: r.LastName,
    LegalRepresentativeEmail: ownerOnly(u, r.Email),
    LegalRepresentativeBirthday: ownerOnly(u, r.Birthday),
    LegalRepresentativeNationality: ownerOnly(u, r.Nationality),
    LegalRepresentativeCountryOfResidence: ownerOnly(u, r.CountryOfResidence),
    ProofOfRegistration: d.Proofs.RegistrationProof,
    ShareholderDeclaration: d.Proofs.ShareholderDeclaration,
    Statute: d.Proofs.ArticlesOfAssociation,
    LegalRepresentativeProofOfIdentity: d.Proofs.IdentityProof,
    CompanyNumber: ownerOnly(u, d.CompanyNumber),
    ...tail(u),
  };
}

function naturalFields(u: UserRecord) {
  const d = u.data as NaturalData;
  return {
    FirstName: d.FirstName,
    LastName: d.LastName,
    Birthday: ownerOnly(u, d.Birthday),
    Nationality: ownerOnly(u, d.Nationality),
    CountryOfResidence: ownerOnly(u, d.CountryOfResidence),
    Occupation: ownerOnly(u, d.Occupation),
    IncomeRange: ownerOnly(u, d.IncomeRange),
    ProofOfIdentity: d.Proofs.IdentityProof,
    ProofOfAddress: d.Proofs.AddressProof,
    Capacity: 'NORMAL',
  };
}

export function renderNaturalSca(u: UserRecord, pendingRedirectUrl: string | null = null): NaturalScaReply {
  const d = u.data as NaturalData;
  return {
    ...naturalFields(u),
    PhoneNumber: d.PhoneNumber,
    PhoneNumberCountry: d.PhoneNumberCountry,
    Address: renderAddress(d.Address),
    PendingUserAction: pendingRedirectUrl ? { RedirectUrl: pendingRedirectUrl } : null,
    ...tail(u),
  };
}

export function renderNaturalLegacy(u: UserRecord): NaturalLegacyReply {
  const d = u.data as NaturalData;
  return {
    Address: renderAddress(d.Address),
    ...naturalFields(u),
    PhoneNumber: d.PhoneNumber,
    PhoneNumberCountry: d.PhoneNumberCountry,
    ...tail(u),
  };
}

export function renderSca(u: UserRecord, pendingRedirectUrl: string | null = null) {
  return u.personType === 'LEGAL' ? renderLegalSca(u, pendingRedirectUrl) : renderNaturalSca(u, pendingRedirectUrl);
}

export function renderLegacy(u: UserRecord) {
  return u.personType === 'LEGAL' ? renderLegalLegacy(u) : renderNaturalLegacy(u);
}

/** The row of GET /users. */
export function renderSummary(u: UserRecord): UserSummaryReply {
  return tail(u);
}
