import type { LegalData, LegalPersonType, PersonType, Proofs } from '../users/model.js';
import { KYC_STATUSES, KYC_TYPES, REFUSED_REASONS, type ConsultReply, type KycDocumentReply } from './schemas.js';

export { KYC_STATUSES, KYC_TYPES, REFUSED_REASONS };
export type KycType = (typeof KYC_TYPES)[number];
export type KycStatus = (typeof KYC_STATUSES)[number];

export type RefusedReason = (typeof REFUSED_REASONS)[number];

/** The sandbox's Tag convention: `refuse_<key>` refuses with the reason of that key. */
export const SANDBOX_REFUSALS: Record<string, RefusedReason> = {
  refuse_unreadable: 'DOCUMENT_UNREADABLE',
  refuse_not_accepted: 'DOCUMENT_NOT_ACCEPTED',
  refuse_expired: 'DOCUMENT_HAS_EXPIRED',
  refuse_incomplete: 'DOCUMENT_INCOMPLETE',
  refuse_missing: 'DOCUMENT_MISSING',
  refuse_no_user_data_match: 'DOCUMENT_DO_NOT_MATCH_USER_DATA',
  refuse_falsified: 'DOCUMENT_FALSIFIED',
  refuse_underage: 'UNDERAGE_PERSON',
  refuse_specific_case: 'SPECIFIC_CASE',
};

export interface KycDocument {
  id: string;
  clientId: string;
  userId: string;
  type: KycType;
  status: KycStatus;
  tag: string | null;
  creationDate: number;
  processedDate: number | null;
  refusedReasonType: RefusedReason | null;
  refusedReasonMessage: string | null;
  flags: string[];
}

/** Page limits of the real API: formats, minimum readable size, about 7 MB per page, 5 pages. */
export const MAX_PAGES = 5;
export const MAX_PAGE_BYTES = 7 * 1024 * 1024;
export const minPageBytes = (type: KycType) => (type === 'IDENTITY_PROOF' ? 32 * 1024 : 1024);

/** The document types a user may create: natural users prove identity and address, legal users their company. */
export function allowedTypes(personType: PersonType, legalPersonType: LegalPersonType | null): readonly KycType[] {
  if (personType === 'NATURAL') return ['IDENTITY_PROOF', 'ADDRESS_PROOF'];
  if (legalPersonType === 'SOLETRADER') return ['IDENTITY_PROOF', 'REGISTRATION_PROOF', 'SHAREHOLDER_DECLARATION'];
  return ['IDENTITY_PROOF', 'REGISTRATION_PROOF', 'ARTICLES_OF_ASSOCIATION', 'SHAREHOLDER_DECLARATION'];
}

/** The documents KYCLevel REGULAR needs (reference §5.6); BUSINESS and PARTNERSHIP also need a validated UBO declaration. */
export function requiredTypes(personType: PersonType, legal: LegalData | null): readonly KycType[] {
  if (personType === 'NATURAL') return ['IDENTITY_PROOF'];
  switch (legal?.LegalPersonType) {
    case 'BUSINESS':
    case 'ORGANIZATION':
      return ['IDENTITY_PROOF', 'REGISTRATION_PROOF', 'ARTICLES_OF_ASSOCIATION'];
    case 'PARTNERSHIP':
    case 'SOLETRADER':
      return ['IDENTITY_PROOF', 'REGISTRATION_PROOF'];
    default:
      return ['IDENTITY_PROOF', 'REGISTRATION_PROOF', 'ARTICLES_OF_ASSOCIATION'];
  }
}

export function needsUboDeclaration(legal: LegalData | null): boolean {
  return legal?.LegalPersonType === 'BUSINESS' || legal?.LegalPersonType === 'PARTNERSHIP';
}

/** Which proof field of the user shows the validated document of each type. */
export const PROOF_FIELD: Record<KycType, keyof Proofs> = {
  IDENTITY_PROOF: 'IdentityProof',
  ADDRESS_PROOF: 'AddressProof',
  REGISTRATION_PROOF: 'RegistrationProof',
  ARTICLES_OF_ASSOCIATION: 'ArticlesOfAssociation',
  SHAREHOLDER_DECLARATION: 'ShareholderDeclaration',
};

/** The KycDocument object, keys in Mangopay's order. */
export function renderKycDocument(d: KycDocument): KycDocumentReply {
  return {
    Type: d.type,
    UserId: d.userId,
    Flags: d.flags,
    Id: d.id,
    Tag: d.tag,
    CreationDate: d.creationDate,
    ProcessedDate: d.processedDate,
    Status: d.status,
    RefusedReasonType: d.refusedReasonType,
    RefusedReasonMessage: d.refusedReasonMessage,
  };
}

export interface Consult {
  url: string;
  expirationDate: number;
}

export function renderConsult(c: Consult): ConsultReply {
  return { Url: c.url, ExpirationDate: c.expirationDate };
}
