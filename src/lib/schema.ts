import { Type, type Static, type TSchema, type TObject, type TProperties, type SchemaOptions } from '@sinclair/typebox';

/**
 * Building blocks for the wire schemas (TypeBox, i.e. JSON Schema): one definition validates a request
 * (Fastify's Ajv), types it (Static<>), serializes a response (fast-json-stringify) and documents it
 * (/openapi.json). Mangopay's leniency — case-insensitive keys, numbers for strings, booleans as 1/0,
 * null for "not sent" — is applied before validation by src/http/schema.ts, guided by the annotations
 * below; its messages come from the same place, so a schema only says what is allowed.
 *
 * Annotations (JSON Schema extension keywords, kept in the OpenAPI document):
 * - `x-messages`: a message per Ajv keyword (`{name}`, `{path}`, `{value}` are filled in) replacing the default;
 * - `x-upper`: the value is matched case-insensitively (upper-cased before validation);
 * - `x-country`: an ISO 3166-1 alpha-2 code Mangopay does not block ('nationality' lets the restricted-residence
 *   countries through);
 * - `x-empty`: what an empty string means when the property is not nullable: 'absent' (default) or 'keep';
 * - `x-keep-empty-object`: a nested object whose properties are all empty is kept (by default it counts as absent);
 * - `x-flatten` (on a request object): the name of a nested object whose properties are read as the object's own,
 *   the object's own winning (SDK models nest a bank account's `Details`, a payout's `MeanOfPaymentDetails`).
 */

export type Messages = Partial<Record<string, string>>;

export interface WireOptions extends SchemaOptions {
  messages?: Messages;
}

function annotate(opts: WireOptions = {}): SchemaOptions {
  const { messages, ...rest } = opts;
  return messages ? { ...rest, 'x-messages': messages } : rest;
}

/** A string of at most `maxLength` characters. */
export function Str(opts: WireOptions & { maxLength?: number; minLength?: number; pattern?: string } = {}) {
  return Type.String(annotate(opts));
}

/** A string property that may be sent as null or "" to clear it; rendered as null when unset. */
export function NullableStr(opts: WireOptions & { maxLength?: number; minLength?: number; pattern?: string } = {}) {
  return Type.Unsafe<string | null>({ ...annotate(opts), type: ['string', 'null'] });
}

export function Bool(opts: WireOptions = {}) {
  return Type.Boolean(annotate(opts));
}

export function NullableBool(opts: WireOptions = {}) {
  return Type.Unsafe<boolean | null>({ ...annotate(opts), type: ['boolean', 'null'] });
}

/** A whole number (money in minor units, Unix seconds, counts). */
export function Int(opts: WireOptions & { minimum?: number; maximum?: number } = {}) {
  return Type.Integer(annotate(opts));
}

export function NullableInt(opts: WireOptions & { minimum?: number; maximum?: number } = {}) {
  return Type.Unsafe<number | null>({ ...annotate(opts), type: ['integer', 'null'] });
}

/** One of a closed list of upper-case values, matched case-insensitively. */
export function Enum<const T extends readonly string[]>(values: T, opts: WireOptions = {}) {
  return Type.Unsafe<T[number]>({ ...annotate(opts), type: 'string', enum: [...values], 'x-upper': true });
}

export function NullableEnum<const T extends readonly string[]>(values: T, opts: WireOptions = {}) {
  return Type.Unsafe<T[number] | null>({ ...annotate(opts), type: ['string', 'null'], enum: [...values, null], 'x-upper': true });
}

/** An ISO 3166-1 alpha-2 country code that Mangopay does not block. */
export function Country(opts: WireOptions & { nationality?: boolean } = {}) {
  const { nationality, ...rest } = opts;
  return Type.Unsafe<string>({ ...annotate(rest), type: 'string', 'x-upper': true, 'x-country': nationality ? 'nationality' : true });
}

export function NullableCountry(opts: WireOptions & { nationality?: boolean } = {}) {
  const { nationality, ...rest } = opts;
  return Type.Unsafe<string | null>({
    ...annotate(rest),
    type: ['string', 'null'],
    'x-upper': true,
    'x-country': nationality ? 'nationality' : true,
  });
}

// Mangopay documents this exact pattern (and message) for every e-mail field.
export const EMAIL_PATTERN =
  "([a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*)@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";

export function Email(opts: WireOptions = {}) {
  return Type.String(
    annotate({
      ...opts,
      maxLength: (opts.maxLength as number | undefined) ?? 255,
      pattern: `^${EMAIL_PATTERN}$`,
      messages: { pattern: `The field {name} must match the regular expression '${EMAIL_PATTERN}'.`, ...opts.messages },
    } as WireOptions),
  );
}

/** A request object: unknown properties are dropped before validation, never refused. */
export function Body<P extends TProperties>(properties: P, opts: WireOptions = {}): TObject<P> {
  return Type.Object(properties, annotate(opts));
}

/** A response object, serialized in the order of its properties. */
export function Reply<P extends TProperties>(properties: P, opts: SchemaOptions = {}): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, ...opts });
}

/** A response property that may be null. */
export function OrNull<T extends TSchema>(schema: T) {
  const type = (schema as any).type;
  if (typeof type === 'string') return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
  return Type.Unsafe<Static<T> | null>({ anyOf: [schema, { type: 'null' }] });
}

/** Paging and sorting, as every list reads them (page from 1, 0 also meaning the first). */
export const PagingQuery = {
  page: Type.Optional(Int({ minimum: 0, maximum: 1_000_000 })),
  per_page: Type.Optional(Int({ minimum: 1, maximum: 100 })),
  Sort: Type.Optional(Str()),
  BeforeDate: Type.Optional(Int()),
  AfterDate: Type.Optional(Int()),
};

/**
 * `Sort` of a list sortable by these fields: `Field` or `Field:ASC|DESC`, in any case, with Mangopay's message
 * for anything else (so that a bad Sort is reported with the other paging errors).
 */
export function SortField(fields: readonly string[]) {
  const anyCase = (word: string) => [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join('');
  return Str({
    pattern: `^\\s*(${fields.map(anyCase).join('|')})\\s*(:\\s*(${anyCase('asc')}|${anyCase('desc')})\\s*)?$`,
    description: `${fields.map((f) => `${f}:ASC or ${f}:DESC`).join(', ')}`,
    messages: { pattern: `Sort must be ${fields.map((f) => `${f}:ASC or ${f}:DESC`).join(', ')}` },
  });
}

/** The `:id` of the routes under /users/{Id}. */
export const UserParams = Type.Object({ id: Str({ description: 'The user id' }) });

/** A body the route does not read (whatever is sent is ignored). */
export const EmptyBody = Body({});

/** A query string the route does not read (whatever is sent is ignored). */
export const NoQuery = Type.Object({});

/** Mangopay's error body. `errors` maps dotted field paths to messages; the OAuth endpoint adds `error`. */
export const ErrorBody = Type.Object(
  {
    Message: Type.String(),
    Type: Type.String(),
    Id: Type.String(),
    Date: Type.Integer(),
    errors: Type.Unsafe<Record<string, string> | null>({ type: ['object', 'null'], additionalProperties: { type: 'string' } }),
  },
  { $id: 'ErrorBody', additionalProperties: true, description: "Mangopay's error body" },
);

export { Type, type Static, type TSchema };
