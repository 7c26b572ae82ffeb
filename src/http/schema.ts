import AjvCompiler from '@fastify/ajv-compiler';
import SerializerCompiler from '@fastify/fast-json-stringify-compiler';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions, RouteOptions } from 'fastify';
import { blockedCountry, isCountryCode } from '../lib/countries.js';
import { ErrorBody } from '../lib/schema.js';
import { ApiError, ERRORS, type FieldErrors } from './errors.js';

/*
 * The schema pipeline every route shares: one lenient pre-validation step (normalize), Fastify's Ajv
 * validating against the route's TypeBox schema, and one formatter turning Ajv's errors into Mangopay's
 * param_error body with the messages and dotted paths the hand-written parsers used to produce.
 */

type Schema = Record<string, any>;

// Restricted-residence countries Mangopay still accepts as a nationality (its country-restrictions guide).
const OPEN_NATIONALITIES = new Set(['CU', 'IR', 'MM', 'SY']);

function types(schema: Schema): string[] {
  const t = schema.type;
  if (Array.isArray(t)) return t;
  if (typeof t === 'string') return [t];
  if (Array.isArray(schema.anyOf)) return schema.anyOf.flatMap((s: Schema) => types(s));
  return [];
}

function allowsNull(schema: Schema): boolean {
  return types(schema).includes('null') || schema.nullable === true;
}

/** The one non-null branch of `anyOf: [X, null]`, or the schema itself. */
function branch(schema: Schema): Schema {
  if (Array.isArray(schema.anyOf)) {
    const rest = schema.anyOf.filter((s: Schema) => !(s.type === 'null'));
    if (rest.length === 1) return rest[0];
  }
  return schema;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const empty = (v: unknown) => v === null || v === undefined || v === '';
const BOOL = /^\s*(true|false|1|0)\s*$/i;
const WHOLE = /^\s*-?\d+\s*$/;

/**
 * Reads a value the way Mangopay does, guided by its schema: property names case-insensitively (the last
 * occurrence wins), unknown and read-only properties dropped, null meaning "not sent" (or "clear" where the
 * schema allows null), numbers accepted for strings, whole-number strings for integers, 1/0 and their strings
 * for booleans, enumerations and countries in any case, and a nested object with nothing in it treated as absent.
 * Anything it cannot read is left as is for the validator to refuse. Returns undefined for "absent".
 */
export function normalize(schema: Schema | undefined, value: unknown, nested = false): unknown {
  if (!schema) return value;
  if (value === null) return allowsNull(schema) ? null : undefined;
  const s = branch(schema);
  const t = types(s);
  if (t.includes('object') && s.properties) {
    if (!isPlainObject(value)) return value;
    if (nested && !s['x-keep-empty-object'] && Object.values(value).every(empty)) return undefined;
    const names = new Map<string, string>();
    for (const name of Object.keys(s.properties)) names.set(name.toLowerCase(), name);
    const out: Record<string, unknown> = {};
    for (const [key, v] of flattened(s, value)) {
      const name = names.get(key.toLowerCase());
      if (name === undefined) {
        if (s.additionalProperties && s.additionalProperties !== false) out[key] = v;
        continue;
      }
      const prop = s.properties[name];
      if (prop.readOnly) continue;
      const n = normalize(prop, v, true);
      if (n === undefined) delete out[name];
      else out[name] = n;
    }
    return out;
  }
  if (t.includes('array') && s.items && s['x-wrap'] && !Array.isArray(value)) {
    // A list that may be sent as its one value, or "" for none.
    return value === '' ? [] : [normalize(s.items, value, true) ?? null];
  }
  if (t.includes('array') && s.items && Array.isArray(value)) {
    return value.map((v) => normalize(s.items, v, true) ?? null);
  }
  if (t.includes('string') && !t.includes('array') && !t.includes('object')) {
    if (value === '') {
      if (allowsNull(schema)) return null;
      return s['x-empty'] === 'keep' ? '' : undefined;
    }
    let v = value;
    if (typeof v === 'number' && Number.isFinite(v)) v = String(v);
    if (typeof v === 'string' && s['x-upper']) v = v.toUpperCase();
    return v;
  }
  if (t.includes('boolean')) {
    if (value === 1 || value === 0) return value === 1;
    if (typeof value === 'string' && BOOL.test(value)) return /^\s*(true|1)\s*$/i.test(value);
    return value;
  }
  if (t.includes('integer') || t.includes('number')) {
    if (value === '') return undefined;
    if (typeof value === 'string' && WHOLE.test(value)) {
      const n = Number(value);
      // Beyond 2^53 a number is no longer exact: left as text, it is refused as not a whole number.
      return Number.isSafeInteger(n) ? n : value;
    }
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) return String(value);
    return value;
  }
  return value;
}

/**
 * The properties of an object value, with those of the nested object named by the schema's `x-flatten` (SDK
 * models nest part of a body, like a bank account's `Details`) read first, so that the top-level ones win.
 */
function flattened(schema: Schema, value: Record<string, unknown>): [string, unknown][] {
  const entries = Object.entries(value);
  const name = schema['x-flatten'];
  if (typeof name !== 'string') return entries;
  const isNested = ([key]: [string, unknown]) => key.toLowerCase() === name.toLowerCase();
  const nested = entries.filter(isNested).map(([, v]) => v).filter(isPlainObject);
  return [...nested.flatMap((v) => Object.entries(v)), ...entries.filter((e) => !isNested(e))];
}

/** Ajv keywords for the annotations of src/lib/schema.ts. */
function schemaKeywords(ajv: any): any {
  for (const keyword of ['x-messages', 'x-upper', 'x-empty', 'x-keep-empty-object', 'x-tag', 'x-flatten']) {
    if (!ajv.getKeyword(keyword)) ajv.addKeyword({ keyword });
  }
  if (!ajv.getKeyword('x-country')) {
    ajv.addKeyword({
      keyword: 'x-country',
      type: 'string',
      errors: true,
      validate: function check(kind: unknown, data: string): boolean {
        const fail = (reason: string) => {
          (check as any).errors = [{ keyword: 'x-country', message: reason, params: { reason } }];
          return false;
        };
        if (kind === 'nationality' && OPEN_NATIONALITIES.has(data)) return true;
        if (!isCountryCode(data)) return fail('invalid');
        if (blockedCountry(data)) return fail('blocked');
        return true;
      },
    });
  }
  return ajv;
}

/**
 * Compiling every route's validators and serializers took most of a second at start, before the first
 * request could be served. They are compiled on a route's first use instead, and the rest in the
 * background once the server is ready (warmSchemas), so a start does not wait for them.
 */
const pending = new Set<() => unknown>();

function lazy<F extends (...args: any[]) => any>(compile: () => F, withErrors: boolean): F {
  let fn: F | undefined;
  const build = () => {
    pending.delete(build);
    return (fn ??= compile());
  };
  pending.add(build);
  const call = ((...args: unknown[]) => {
    const f = fn ?? build();
    const result = f(...args);
    // Fastify reads a validator's errors from the function it called.
    if (withErrors) (call as any).errors = (f as any).errors;
    return result;
  }) as F;
  return call;
}

const ajvFactory = AjvCompiler();
const serializerFactory = SerializerCompiler();

/** Compiles what no request has needed yet, one schema per turn of the event loop. */
export function warmSchemas(): Promise<void> {
  return new Promise((resolve) => {
    const next = () => {
      const first = pending.values().next();
      if (first.done) return resolve();
      try {
        first.value();
      } catch {
        // A schema that cannot compile fails its route's first request, where it is reported.
      }
      setImmediate(next);
    };
    setImmediate(next);
  });
}

/** Options for the Fastify constructor: Ajv reports every error (each names its schema) and never coerces itself. */
export const schemaServerOptions: Pick<FastifyServerOptions, 'ajv' | 'schemaErrorFormatter' | 'schemaController'> = {
  schemaController: {
    compilersFactory: {
      buildValidator: (external: unknown, options: unknown) => {
        const compile = (ajvFactory as any)(external, options);
        return (route: unknown) => lazy(() => compile(route), true);
      },
      buildSerializer: (external: unknown, options: unknown) => {
        const compile = (serializerFactory as any)(external, options);
        return (route: unknown) => lazy(() => compile(route), false);
      },
    },
  },
  ajv: {
    customOptions: { allErrors: true, verbose: true, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: false },
    plugins: [schemaKeywords],
  },
  schemaErrorFormatter: (errors, dataVar) => ERRORS.paramError(formatErrors(errors as AjvError[], dataVar)),
};

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, any>;
  parentSchema?: Schema;
  data?: unknown;
  message?: string;
}

function pathOf(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  // List items are named by their index as a dotted segment (`TechEmails.1`), as the hand-written parsers did.
  for (const p of parts) out += out ? `.${p}` : p;
  return out;
}

function typeMessage(name: string, schema: Schema): string {
  const t = types(schema).filter((x) => x !== 'null');
  if (t.includes('boolean')) return `The field ${name} must be true or false.`;
  if (t.includes('integer') || t.includes('number')) return `The field ${name} must be a whole number.`;
  if (t.includes('object')) return `The field ${name} must be an object.`;
  if (t.includes('array')) return `The field ${name} must be a list.`;
  return `The field ${name} must be a string.`;
}

function lengthMessage(name: string, schema: Schema): string {
  if (schema.minLength !== undefined) {
    return `The field ${name} must be a string with a minimum length of ${schema.minLength} and a maximum length of ${schema.maxLength ?? 255}.`;
  }
  return `The field ${name} must be a string with a maximum length of ${schema.maxLength}.`;
}

function defaultMessage(e: AjvError, name: string, path: string, schema: Schema): string {
  switch (e.keyword) {
    case 'required':
      return `The ${name} field is required.`;
    case 'type':
      return typeMessage(name, schema);
    case 'maxLength':
    case 'minLength':
      return lengthMessage(name, schema);
    case 'minimum':
    case 'maximum':
      return `The field ${name} must be between ${schema.minimum} and ${schema.maximum}.`;
    case 'enum':
      return `The field ${name} must be one of: ${(schema.enum as unknown[]).filter((v) => v !== null).join(', ')}.`;
    case 'x-country':
      return e.params.reason === 'blocked'
        ? `The ${path} used is blocked`
        : 'The requested value is not an ISO 3166-1 alpha-2 code which is expected.';
    case 'pattern':
      return `The field ${name} is not in the expected format.`;
    case 'maxItems':
      return `The field ${name} holds too many values.`;
    case 'minItems':
      return `The ${name} field is required.`;
    default:
      return `The field ${name} is not valid.`;
  }
}

/**
 * Ajv's errors as Mangopay's `errors` map: the dotted path of each field, the first message for it.
 * A schema's `x-messages` overrides the message of a keyword ({name}, {path}, {value} filled in).
 */
export function formatErrors(errors: AjvError[], dataVar = 'body'): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    // anyOf reports its branches' errors first; the summary adds nothing a caller could act on.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    let path: string;
    let schema: Schema;
    let value: unknown = e.data;
    if (e.keyword === 'required') {
      path = pathOf(e.instancePath, e.params.missingProperty);
      schema = e.parentSchema?.properties?.[e.params.missingProperty] ?? {};
      value = undefined;
    } else {
      path = pathOf(e.instancePath);
      schema = e.parentSchema ?? {};
    }
    if (!path) path = dataVar === 'body' ? 'Body' : dataVar;
    if (path in out) continue;
    const name = path.split('.').filter((p) => !/^\d+$/.test(p)).at(-1) ?? path;
    const custom = (schema['x-messages'] as Record<string, string> | undefined)?.[e.keyword];
    out[path] = custom
      ? custom.replace(/\{name\}/g, name).replace(/\{path\}/g, path).replace(/\{value\}/g, String(value ?? ''))
      : defaultMessage(e, name, path, schema);
  }
  return out;
}

/** Route options a schema-less route may carry to say why (served bytes that are not an API shape). */
export interface SchemaRouteConfig {
  /** Rules a schema cannot express, run on the normalized body when the schema refused it, merged after its errors. */
  rules?: (body: any, query: any) => FieldErrors;
}

const ERROR_STATUSES = [400, 401, 403, 404, 405, 409, 413, 415, 429, 500] as const;

/** Every route registered, as the router knows it (tests check that each one has its schemas). */
export interface RegisteredRoute {
  method: string;
  url: string;
  schema: Schema | undefined;
}

/**
 * Installs the pipeline on the root instance: the ErrorBody shared schema, error responses added to every route's
 * schema, the normalizing pre-validation step, and a record of every route.
 */
export function installSchemas(app: FastifyInstance, routes: RegisteredRoute[] = []): void {
  app.addSchema(ErrorBody);
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as Schema | undefined;
    // The client id every API path starts with is declared once, here, for every converted route.
    if (schema?.response && route.url.startsWith('/v2.01/:clientId')) {
      const params = schema.params ?? { type: 'object', properties: {} };
      schema.params = {
        ...params,
        properties: { clientId: { type: 'string', description: 'Your client id' }, ...params.properties },
        required: [...new Set(['clientId', ...(params.required ?? [])])],
      };
    }
    if (schema?.response) {
      const errorRef = { $ref: 'ErrorBody#' };
      for (const status of ERROR_STATUSES) schema.response[status] ??= errorRef;
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, schema });
    }
  });
}

/** The lenient pre-validation step: runs on every request whose route has a schema, before Ajv validates. */
export function normalizeRequest(req: FastifyRequest): void {
  const schema = req.routeOptions.schema as Schema | undefined;
  if (!schema) return;
  // A body keyed by content type is read by its route itself (the OAuth endpoint).
  if (schema.body && !schema.body.content) {
    const objectBody = types(schema.body).includes('object');
    // Like the hand-written parsers before it: a body that is not an object (an array, a string) has no properties.
    const raw = objectBody && !isPlainObject(req.body) ? {} : req.body;
    const body = normalize(schema.body, raw);
    // An absent body is validated as an empty object, so that its required properties are named.
    req.body = body === undefined && objectBody ? {} : body;
  }
  if (schema.querystring) req.query = normalize(schema.querystring, req.query) ?? {};
  if (schema.params) req.params = normalize(schema.params, req.params) ?? {};
}

/** Merges the errors of a route's extra rules into a schema refusal (the schema's message wins for a path). */
export function withRuleErrors(err: ApiError, req: { routeOptions: { config: unknown }; body: unknown; query: unknown }): ApiError {
  const rules = (req.routeOptions.config as SchemaRouteConfig | undefined)?.rules;
  if (!rules || !(err as any).validation || err.type !== 'param_error' || !err.errors) return err;
  const extra = rules(without(req.body, Object.keys(err.errors)), req.query);
  const merged: FieldErrors = { ...err.errors };
  for (const [k, v] of Object.entries(extra)) if (!(k in merged)) merged[k] = v;
  return ERRORS.paramError(merged);
}

/** A copy of a body without the properties at the given dotted paths (the ones the schema refused). */
function without(body: unknown, paths: string[]): unknown {
  if (!isPlainObject(body)) return body;
  const copy = structuredClone(body);
  for (const path of paths) {
    const parts = path.split('.');
    let node: any = copy;
    for (const p of parts.slice(0, -1)) node = isPlainObject(node?.[p]) ? node[p] : undefined;
    if (node) delete node[parts[parts.length - 1]];
  }
  return copy;
}
