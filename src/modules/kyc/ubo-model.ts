import type { Address } from '../users/model.js';
import { UBO_DECLARATION_REASONS, UBO_DECLARATION_STATUSES, type DeclarationReply, type UboReply } from './ubo-schemas.js';

export { UBO_DECLARATION_REASONS, UBO_DECLARATION_STATUSES };
export type UboDeclarationStatus = (typeof UBO_DECLARATION_STATUSES)[number];

/** A declaration in one of these blocks the creation of another one for the same user. */
export const IN_PROGRESS: readonly UboDeclarationStatus[] = ['CREATED', 'VALIDATION_ASKED', 'INCOMPLETE'];
/** The statuses in which UBOs may still be added or changed, and the declaration (re)submitted. */
export const EDITABLE: readonly UboDeclarationStatus[] = ['CREATED', 'INCOMPLETE'];

export type UboDeclarationReason = (typeof UBO_DECLARATION_REASONS)[number];

export const MAX_UBOS = 15;

export interface Birthplace {
  City: string | null;
  Country: string | null;
}

export interface UboData {
  FirstName: string | null;
  LastName: string | null;
  Birthday: number | null;
  Nationality: string | null;
  Address: Address | null;
  Birthplace: Birthplace | null;
}

export interface UboRecord {
  id: string;
  declarationId: string;
  tag: string | null;
  creationDate: number;
  isActive: boolean;
  data: UboData;
}

export interface UboDeclarationRecord {
  id: string;
  clientId: string;
  userId: string;
  status: UboDeclarationStatus;
  reason: UboDeclarationReason | null;
  message: string | null;
  tag: string | null;
  creationDate: number;
  processedDate: number | null;
}

/** Key order of Mangopay's UBO object. */
export function renderUbo(u: UboRecord): UboReply {
  return {
    Id: u.id,
    CreationDate: u.creationDate,
    LastName: u.data.LastName,
    FirstName: u.data.FirstName,
    Birthday: u.data.Birthday,
    Nationality: u.data.Nationality,
    Address: u.data.Address,
    Birthplace: u.data.Birthplace,
    IsActive: u.isActive,
    Tag: u.tag,
  };
}

/** Key order of Mangopay's UBO Declaration object. */
export function renderDeclaration(d: UboDeclarationRecord, ubos: UboRecord[]): DeclarationReply {
  return {
    Id: d.id,
    UserId: d.userId,
    CreationDate: d.creationDate,
    ProcessedDate: d.processedDate,
    Status: d.status,
    Reason: d.reason,
    Message: d.message,
    Ubos: ubos.map(renderUbo),
    Tag: d.tag,
  };
}
