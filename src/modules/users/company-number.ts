// Per-country formats of a legal entity's registration number, checked after every
// non-alphanumeric character has been removed (Mangopay's company-number guide).
const RULES: Record<string, string[]> = {
  AT: ['^[A-Z]{2}[0-9]{6}[A-Z]$', '^[0-9]{1,6}[A-Z]$'],
  BE: ['^[0-9]{10}$'],
  BG: ['^[0-9]{9}$', '^[0-9]{13}$'],
  HR: ['^[0-9]{8}$', '^[0-9]{9}$', '^[0-9]{11}$'],
  CY: ['^[A-Z]{2}[0-9]{5,6}$'],
  CZ: ['^[0-9]{8}$'],
  DK: ['^[0-9]{8}$'],
  EE: ['^[0-9]{8}$'],
  FI: ['^[0-9]{8}$'],
  FR: ['^[0-9]{9}$', '^[0-9]{14}$'],
  DE: ['^[A-Z]{2,3}[0-9]{6}$', '^[A-Z]{2,3}[0-9]{1,6}[A-Z]{1,2}$'],
  GR: ['^[0-9]{12}$', '^[0-9]{9}$'],
  HU: ['^[A-Z]{2}[0-9]{10}$', '^[0-9]{10}$'],
  IS: ['^[0-9]{10}$'],
  IE: ['^[0-9]{6}$', '^[0-9]{5}$'],
  IT: ['^[0-9]{11}$', '^[A-Z]{2}[0-9]{7}$', '^[A-Z]{2}[0-9]{6}$'],
  LV: ['^[0-9]{11}$'],
  LI: ['^[A-Z]{3}[0-9]{9}$'],
  LT: ['^[0-9]{9}$'],
  LU: ['^[A-Z][0-9]{6}$', '^[A-J][0-9]{3,6}$'],
  MT: ['^[A-Z][0-9]{5}$', '^[A-Z][0-9]{6}$'],
  NL: ['^[0-9]{8}$'],
  NO: ['^[0-9]{11}$', '^[0-9]{9}$'],
  PL: ['^[0-9]{8}$', '^[0-9]{6}$', '^[0-9]{9}$', '^[0-9]{10}$'],
  PT: ['^[0-9]{9}$', '^[0-9]{3,6}$'],
  RO: ['^[0-9]{8}$'],
  SK: ['^[0-9]{8}$'],
  SI: ['^[0-9]{10}$', '^[0-9]{7,10}$'],
  ES: ['^[A-Z][0-9]{8}$', '^[A-Z][0-9]{7}[A-Z]$'],
  SE: ['^[0-9]{10}$'],
  CH: ['^[0-9]{9}$', '^CHE[0-9]{9}$'],
  GB: ['^[0-9]{8}$|^[0-9]{7}$|^SC[0-9]{6}$|^NI[0-9]{6}$|^OC[0-9]{6}$|^R[0-9]{7}$|^IP[0-9]{5}R$|^SO[0-9]{6}$'],
};

const COMPILED = Object.fromEntries(Object.entries(RULES).map(([c, rs]) => [c, rs.map((r) => new RegExp(r))]));

export function cleanCompanyNumber(raw: string): string {
  return raw.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

export function companyNumberRules(country: string): string[] {
  return RULES[country] ?? [];
}

/** True when the cleaned number fits one of the country's formats; countries without rules accept any. */
export function isValidCompanyNumber(raw: string, country: string): boolean {
  const cleaned = cleanCompanyNumber(raw);
  if (cleaned === '') return false;
  const rules = COMPILED[country];
  if (!rules) return true;
  return rules.some((r) => r.test(cleaned));
}
