import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalize } from '../src/http/schema.js';
import { Body, Bool, Country, Enum, Int, NullableStr, Str, Type } from '../src/lib/schema.js';
import { expectApiError } from './helpers/errors.js';
import { startServer, type TestServer } from './helpers/server.js';

const Shape = Body({
  Name: Str({ maxLength: 5 }),
  Tag: Type.Optional(NullableStr()),
  Active: Type.Optional(Bool()),
  Count: Type.Optional(Int()),
  Kind: Type.Optional(Enum(['ONE', 'TWO'] as const)),
  Country: Type.Optional(Country()),
  Inner: Type.Optional(Body({ City: Str() })),
  List: Type.Optional(Type.Array(Str(), { 'x-wrap': true })),
});

describe('normalize: the one lenient pre-validation step', () => {
  it('matches property names in any case, the last one winning, and drops unknown ones', () => {
    expect(normalize(Shape, { name: 'a', NAME: 'b', Other: 1 })).toEqual({ Name: 'b' });
  });

  it('reads null as not sent, or as a clearing null where the schema allows it', () => {
    expect(normalize(Shape, { Name: null, Tag: null })).toEqual({ Tag: null });
    expect(normalize(Shape, { Name: '', Tag: '' })).toEqual({ Tag: null });
  });

  it('takes numbers for strings, 1/0 and their strings for booleans, whole-number strings for integers', () => {
    expect(normalize(Shape, { Name: 12, Active: 0, Count: ' 42 ' })).toEqual({ Name: '12', Active: false, Count: 42 });
    expect(normalize(Shape, { Active: 'TRUE' })).toEqual({ Active: true });
  });

  it('leaves integers beyond 2^53 as text, so that they are refused rather than rounded', () => {
    expect(normalize(Shape, { Count: '99999999999999999999' })).toEqual({ Count: '99999999999999999999' });
    expect(normalize(Shape, { Count: 2 ** 60 })).toEqual({ Count: String(2 ** 60) });
  });

  it('upper-cases enumerations and countries, treats an empty nested object as absent, wraps one value in a list', () => {
    expect(normalize(Shape, { Kind: 'two', Country: 'fr', Inner: { City: '' }, List: 'x' })).toEqual({
      Kind: 'TWO',
      Country: 'FR',
      List: ['x'],
    });
  });
});

describe('the schema pipeline over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => s?.close());

  it('refuses a paging date beyond 2^53 with a param_error naming it (it gave a 500 from the database)', async () => {
    const r = await s.call('GET', '/users?BeforeDate=99999999999999999999');
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['BeforeDate']);
  });

  it('reports a wrongly typed body of a route that checks its resource first without reading it (it gave a 500)', async () => {
    const r = await s.call('PUT', '/recipients/rec_unknown', { body: { Status: [1, 2] } });
    expect(r.status).toBeLessThan(500);
    expect(r.body).toMatchObject({ Type: expect.any(String), Message: expect.any(String) });
  });

  it('reports the schema and the route rules of one body together', async () => {
    const r = await s.call('POST', '/hooks', { body: { EventType: 'NOT_AN_EVENT', Url: 'x'.repeat(300), Tag: 5 } });
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toEqual({
      Url: 'The field Url must be a string with a maximum length of 255.',
      EventType: `Error converting value "NOT_AN_EVENT" to type 'EventType'.`,
    });
  });
});
