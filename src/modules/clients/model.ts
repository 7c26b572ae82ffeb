import type { ClientReply } from './schemas.js';
import type { Address } from '../users/model.js';

/** Node SDK typings (client.d.ts) and Mangopay's client object page. */
export const BUSINESS_TYPES = ['MARKETPLACE', 'CROWDFUNDING', 'FRANCHISE', 'OTHER'] as const;
export const SECTORS = [
  'RENTALS',
  'STORES_FASHION_ACCESSORIES_OBJECTS',
  'BEAUTY_COSMETICS_HEALTH',
  'FOOD_WINE_RESTAURANTS',
  'HOSPITALITY_TRAVEL_CORIDING',
  'ART_MUSIC_ENTERTAINMENT',
  'FURNITURE_GARDEN',
  'SERVICES_JOBBING_EDUCATION',
  'SPORT_RECREATION_ACTIVITIES',
  'TICKETING',
  'LOAN',
  'EQUITY',
  'PROPERTY_EQUITY',
  'REWARDS_CHARITY',
  'POOL_GROUP_PAYMENT',
  'FRANCHISE_',
  'OTHER_',
] as const;
/** The legacy field PlatformCategorization replaced; still editable and returned. */
export const PLATFORM_TYPES = [
  'NotSpecified',
  'MARKETPLACE',
  'P2P_PAYMENT',
  'CROWDFUNDING_DONATION',
  'CROWDFUNDING_REWARD',
  'CROWDFUNDING_EQUITY',
  'CROWDFUNDING_LOAN',
  'OTHER',
] as const;

export const EMAIL_LISTS = ['TechEmails', 'AdminEmails', 'BillingEmails', 'FraudEmails'] as const;
export type EmailList = (typeof EMAIL_LISTS)[number];

/** What PUT /clients edits (stored in clients.profile). */
export interface ClientProfile {
  PlatformType: string | null;
  TechEmails: string[];
  AdminEmails: string[];
  BillingEmails: string[];
  FraudEmails: string[];
  HeadquartersAddress: Address | null;
  HeadquartersPhoneNumber: string | null;
  TaxNumber: string | null;
  PlatformCategorization: { BusinessType: string | null; Sector: string | null } | null;
  PlatformURL: string | null;
  PlatformDescription: string | null;
  PrimaryThemeColour: string | null;
  PrimaryButtonColour: string | null;
}

export function emptyProfile(): ClientProfile {
  return {
    PlatformType: null,
    TechEmails: [],
    AdminEmails: [],
    BillingEmails: [],
    FraudEmails: [],
    HeadquartersAddress: null,
    HeadquartersPhoneNumber: null,
    TaxNumber: null,
    PlatformCategorization: null,
    PlatformURL: null,
    PlatformDescription: null,
    PrimaryThemeColour: null,
    PrimaryButtonColour: null,
  };
}

export interface ClientRecord {
  id: string;
  name: string;
  profile: ClientProfile;
  /** 0 while no logo was uploaded; each upload adds one. */
  logoVersion: number;
}

/** Where a client's logo is served: a public path (hosted pages show it to browsers that hold no token). */
export function logoUrl(baseUrl: string, c: ClientRecord): string | null {
  return c.logoVersion > 0 ? `${baseUrl}/logos/${encodeURIComponent(c.id)}?v=${c.logoVersion}` : null;
}

/** Mangopay's Client object, keys in the order of its documentation. */
export function renderClient(c: ClientRecord, baseUrl: string): ClientReply {
  const p = c.profile;
  return {
    PlatformType: p.PlatformType,
    ClientId: c.id,
    Name: c.name,
    RegisteredName: c.name,
    TechEmails: p.TechEmails,
    AdminEmails: p.AdminEmails,
    BillingEmails: p.BillingEmails,
    FraudEmails: p.FraudEmails,
    HeadquartersAddress: p.HeadquartersAddress,
    HeadquartersPhoneNumber: p.HeadquartersPhoneNumber,
    TaxNumber: p.TaxNumber,
    PlatformCategorization: p.PlatformCategorization,
    PlatformURL: p.PlatformURL,
    PlatformDescription: p.PlatformDescription,
    // Assigned by Mangopay's onboarding and its contract, which a sandbox has neither of.
    CompanyReference: null,
    PrimaryThemeColour: p.PrimaryThemeColour,
    PrimaryButtonColour: p.PrimaryButtonColour,
    Logo: logoUrl(baseUrl, c),
    Licensor: null,
  };
}
