import type { FieldErrors } from './errors.js';
import { isCountryCode, blockedCountry } from '../lib/countries.js';

// Mangopay documents this exact pattern (and message) for every e-mail field.
const EMAIL_PATTERN =
  "([a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*)@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const EMAIL = new RegExp(`^${EMAIL_PATTERN}$`);

export interface StrOpts {
  required?: boolean;
  min?: number;
  max?: number;
}

/**
 * Reads one JSON object the way the real API does: property names are matched
 * case-insensitively (the last occurrence wins), numbers are accepted for strings,
 * null means "not sent" and unknown properties are ignored. Every violation is
 * recorded in the shared `errors` map under its dotted path, so one request reports
 * all of its problems together.
 */
export class Input {
  private readonly keys = new Map<string, unknown>();

  constructor(
    source: unknown,
    readonly errors: FieldErrors = {},
    private readonly prefix = '',
  ) {
    if (source && typeof source === 'object' && !Array.isArray(source)) {
      for (const [k, v] of Object.entries(source)) this.keys.set(k.toLowerCase(), v);
    }
  }

  path(name: string): string {
    return this.prefix + name;
  }

  fail(name: string, message: string): void {
    const key = this.path(name);
    if (!(key in this.errors)) this.errors[key] = message;
  }

  /** The raw value, undefined when absent or null. */
  raw(name: string): unknown {
    const v = this.keys.get(name.toLowerCase());
    return v === null ? undefined : v;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  /**
   * A string: undefined when not sent, null when sent empty (clears an optional field),
   * otherwise the value, checked against the options.
   */
  str(name: string, opts: StrOpts = {}): string | null | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') {
      if (opts.required) this.fail(name, `The ${name} field is required.`);
      return v === '' ? null : undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      this.fail(name, `The field ${name} must be a string.`);
      return undefined;
    }
    const s = String(v);
    if (opts.max !== undefined && s.length > opts.max) {
      this.fail(
        name,
        opts.min !== undefined
          ? `The field ${name} must be a string with a minimum length of ${opts.min} and a maximum length of ${opts.max}.`
          : `The field ${name} must be a string with a maximum length of ${opts.max}.`,
      );
    } else if (opts.min !== undefined && s.trim().length < opts.min) {
      this.fail(name, `The field ${name} must be a string with a minimum length of ${opts.min} and a maximum length of ${opts.max ?? 255}.`);
    }
    return s;
  }

  bool(name: string, opts: { required?: boolean } = {}): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (opts.required) this.fail(name, `The ${name} field is required.`);
      return undefined;
    }
    if (typeof v === 'boolean') return v;
    // The Python SDK sends TermsAndConditionsAccepted: 1 and Active: 0.
    if (v === 1 || v === 0) return v === 1;
    if (typeof v === 'string' && /^\s*(true|false|1|0)\s*$/i.test(v)) return /^\s*(true|1)\s*$/i.test(v);
    this.fail(name, `The field ${name} must be true or false.`);
    return undefined;
  }

  /** A whole number (Unix timestamps may be negative: birthdays before 1970). */
  int(name: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') {
      if (opts.required) this.fail(name, `The ${name} field is required.`);
      return undefined;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) {
      this.fail(name, `The field ${name} must be a whole number.`);
      return undefined;
    }
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
      this.fail(name, `The field ${name} must be between ${opts.min} and ${opts.max}.`);
      return undefined;
    }
    return n;
  }

  enum<T extends string>(name: string, allowed: readonly T[], opts: { required?: boolean } = {}): T | undefined {
    const v = this.str(name, { required: opts.required });
    if (v === undefined || v === null) return undefined;
    const upper = v.toUpperCase() as T;
    if (!allowed.includes(upper)) {
      this.fail(name, `The field ${name} must be one of: ${allowed.join(', ')}.`);
      return undefined;
    }
    return upper;
  }

  /** ISO 3166-1 alpha-2, refusing the countries Mangopay blocks outright. */
  country(name: string, opts: { required?: boolean } = {}): string | undefined {
    const v = this.str(name, { required: opts.required });
    if (v === undefined || v === null) return undefined;
    const code = v.toUpperCase();
    if (!isCountryCode(code)) {
      this.fail(name, 'The requested value is not an ISO 3166-1 alpha-2 code which is expected.');
      return undefined;
    }
    if (blockedCountry(code)) {
      this.fail(name, `The ${this.path(name)} used is blocked`);
      return undefined;
    }
    return code;
  }

  email(name: string, opts: { required?: boolean; emptyMessage?: boolean } = {}): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') {
      if (opts.required) {
        this.fail(name, opts.emptyMessage ? `'${name}' must not be empty.` : `The ${name} field is required.`);
      }
      return undefined;
    }
    const s = this.str(name, { max: 255 });
    if (s === undefined || s === null) return undefined;
    if (!EMAIL.test(s)) {
      this.fail(name, `The field ${name} must match the regular expression '${EMAIL_PATTERN}'.`);
      return undefined;
    }
    return s;
  }

  /** A nested object, or undefined when absent, null or all of its properties are null/empty. */
  obj(name: string): Input | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail(name, `The field ${name} must be an object.`);
      return undefined;
    }
    const meaningful = Object.values(v as object).some((x) => x !== null && x !== undefined && x !== '');
    if (!meaningful) return undefined;
    return new Input(v, this.errors, `${this.path(name)}.`);
  }

  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}

// PostgreSQL text and jsonb cannot hold NUL, nor JSON text an unpaired surrogate.
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The dotted path of the first string (value or property name) the database could not store, or null.
 * Iterative, and paths are only spelled out for a hit: JSON.parse accepts nesting far deeper than the call stack.
 */
export function findBadText(root: unknown): string | null {
  const nodes: { value: unknown; parent: number; key: string }[] = [{ value: root, parent: -1, key: '' }];
  const pathOf = (n: number, key?: string): string => {
    const parts = key === undefined ? [] : [key];
    for (let i = n; i > 0 && parts.length <= 20; i = nodes[i].parent) parts.push(nodes[i].key);
    if (parts.length > 20) parts.splice(19, Infinity, '…');
    const path = parts.reverse().join('.').replace(/\.\[/g, '[').replace(new RegExp(BAD_TEXT, 'g'), '\ufffd');
    return path || 'Body';
  };
  for (let n = 0; n < nodes.length; n++) {
    const value = nodes[n].value;
    if (typeof value === 'string') {
      if (BAD_TEXT.test(value)) return pathOf(n);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => nodes.push({ value: v, parent: n, key: `[${i}]` }));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (BAD_TEXT.test(k)) return pathOf(n, k);
        nodes.push({ value: v, parent: n, key: k });
      }
    }
  }
  return null;
}
