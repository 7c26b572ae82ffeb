import { describe, expect, it } from 'vitest';
import { expectApiError } from './helpers/errors.js';
import { address, legalOwner, legalPayer, naturalOwner, ubo } from './helpers/fixtures.js';
import { fileServer, startServer } from './helpers/server.js';

const { s, api } = fileServer();

async function newLegal(over: Record<string, unknown> = {}): Promise<any> {
  const r = await s.call('POST', '/sca/users/legal', { body: legalOwner(over) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function newDeclaration(userId: string): Promise<any> {
  const r = await s.call('POST', `/users/${userId}/kyc/ubodeclarations`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function addUbo(userId: string, declId: string, over: Record<string, unknown> = {}): Promise<any> {
  const r = await s.call('POST', `/users/${userId}/kyc/ubodeclarations/${declId}/ubos`, { body: ubo(over) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const submit = (userId: string, declId: string) =>
  s.call('PUT', `/users/${userId}/kyc/ubodeclarations/${declId}`, { body: { Status: 'VALIDATION_ASKED' } });

async function eventsOf(resourceId: string): Promise<string[]> {
  // The newest events first, so that the ones of this declaration are on the first page.
  const r = await s.call('GET', '/events?per_page=100&Sort=Date:DESC');
  expect(r.status).toBe(200);
  return r.body
    .filter((e: any) => e.ResourceId === resourceId)
    .map((e: any) => e.EventType)
    .reverse();
}

describe('the official SDK drives UBO declarations', () => {
  it('creates a declaration, adds, reads and updates a UBO, submits, lists and views', async () => {
    const user = await newLegal();
    const decl = await api.UboDeclarations.create(user.Id);
    expect(decl.Id).toMatch(/^udecl_m_/);
    expect(decl.UserId).toBe(user.Id);
    expect(decl.Status).toBe('CREATED');
    expect(decl.Ubos).toEqual([]);
    expect(decl.ProcessedDate).toBeNull();
    expect(decl.Reason).toBeNull();
    expect(decl.Message).toBeNull();
    const wire = await s.call('GET', `/kyc/ubodeclarations/${decl.Id}`);
    expect(Object.keys(wire.body)).toEqual(['Id', 'UserId', 'CreationDate', 'ProcessedDate', 'Status', 'Reason', 'Message', 'Ubos', 'Tag']);

    const created = await api.UboDeclarations.createUbo(user.Id, decl.Id, { ...ubo(), TermsAndConditionsAccepted: true });
    expect(created.Id).toMatch(/^ubo_m_/);
    expect(created.IsActive).toBe(true);
    expect(created.Birthplace).toEqual({ City: 'Paris', Country: 'FR' });
    // The SDK's model reorders keys: check Mangopay's order on the wire.
    const raw = await s.call('GET', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos/${created.Id}`);
    expect(Object.keys(raw.body).slice(0, 9)).toEqual([
      'Id',
      'CreationDate',
      'LastName',
      'FirstName',
      'Birthday',
      'Nationality',
      'Address',
      'Birthplace',
      'IsActive',
    ]);

    const read = await api.UboDeclarations.getUbo(user.Id, decl.Id, created.Id);
    expect(read.LastName).toBe('Effertz');

    created.LastName = 'Wiza';
    const updated = await api.UboDeclarations.updateUbo(user.Id, decl.Id, created);
    expect(updated.LastName).toBe('Wiza');
    expect(updated.FirstName).toBe('Michaela');

    const viewed = await api.UboDeclarations.get(user.Id, decl.Id);
    expect(viewed.Ubos.map((u: any) => u.LastName)).toEqual(['Wiza']);
    const byId = await api.UboDeclarations.getById(decl.Id);
    expect(byId.Id).toBe(decl.Id);

    // The SDK's own test sends the whole declaration back, with UBO objects in Ubos.
    viewed.Status = 'VALIDATION_ASKED';
    const submitted = await api.UboDeclarations.update(user.Id, viewed);
    expect(submitted.Status).toBe('VALIDATION_ASKED');

    const all = await api.UboDeclarations.getAll(user.Id);
    expect(all.map((d: any) => d.Id)).toEqual([decl.Id]);
    expect(all[0].Ubos).toHaveLength(1);
  });

  it('accepts the segment in any case and with a trailing slash', async () => {
    const user = await newLegal();
    const r = await s.call('POST', `/users/${user.Id}/KYC/UboDeclarations/`);
    expect(r.status).toBe(200);
    const g = await s.call('GET', `/KYC/ubodeclarations/${r.body.Id}`);
    expect(g.body.Id).toBe(r.body.Id);
  });
});

describe('who may declare', () => {
  it('a PARTNERSHIP OWNER may', async () => {
    const user = await newLegal({ LegalPersonType: 'PARTNERSHIP' });
    await newDeclaration(user.Id);
  });

  it('a SOLETRADER may not', async () => {
    const user = await newLegal({ LegalPersonType: 'SOLETRADER' });
    const r = await s.call('POST', `/users/${user.Id}/kyc/ubodeclarations`);
    expectApiError(r, 400, 'invalid_action');
    expect(r.body.Message).toBe('Cannot create an UBO for a LegalUser of type SOLETRADER');
  });

  it('an ORGANIZATION may not', async () => {
    const user = await newLegal({ LegalPersonType: 'ORGANIZATION' });
    const r = await s.call('POST', `/users/${user.Id}/kyc/ubodeclarations`);
    expectApiError(r, 400, 'invalid_action');
    expect(r.body.Message).toBe('Cannot create an UBO for a LegalUser of type ORGANIZATION');
  });

  it('a PAYER may not', async () => {
    const payer = await s.call('POST', '/sca/users/legal', { body: legalPayer() });
    const r = await s.call('POST', `/users/${payer.body.Id}/kyc/ubodeclarations`);
    expectApiError(r, 400, 'invalid_action');
    expect(r.body.Message).toBe("User belonging to category PAYER can't create UBO declarations");
  });

  it('a natural user may not', async () => {
    const natural = await s.call('POST', '/sca/users/natural', { body: naturalOwner() });
    const r = await s.call('POST', `/users/${natural.body.Id}/kyc/ubodeclarations`);
    expectApiError(r, 400, 'invalid_action');
  });

  it('an unknown user is 404', async () => {
    const r = await s.call('POST', '/users/user_m_01JUNKNOWN00000000000000/kyc/ubodeclarations');
    expectApiError(r, 404, 'ressource_not_found');
    const l = await s.call('GET', '/users/user_m_01JUNKNOWN00000000000000/kyc/ubodeclarations');
    expectApiError(l, 404, 'ressource_not_found');
  });

  it('a closed user can be read but not written', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const u = await addUbo(user.Id, decl.Id);
    await s.db.query(`UPDATE users SET status = 'CLOSED' WHERE id = $1`, [user.Id]);
    for (const [method, path, body] of [
      ['POST', `/users/${user.Id}/kyc/ubodeclarations`, undefined],
      ['POST', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, ubo()],
      ['PUT', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos/${u.Id}`, { LastName: 'X' }],
      ['PUT', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}`, { Status: 'VALIDATION_ASKED' }],
      ['POST', `/sandbox/kyc/ubodeclarations/${decl.Id}/validate`, undefined],
    ] as const) {
      const r = await s.call(method, path, { body });
      expectApiError(r, 400, 'user_closed');
    }
    expect((await s.call('GET', `/kyc/ubodeclarations/${decl.Id}`)).body.Status).toBe('CREATED');
    expect((await s.call('GET', `/users/${user.Id}/kyc/ubodeclarations`)).status).toBe(200);
  });
});

describe('one declaration in progress', () => {
  it('refuses a second declaration while one is CREATED, VALIDATION_ASKED or INCOMPLETE', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const again = await s.call('POST', `/users/${user.Id}/kyc/ubodeclarations`);
    expectApiError(again, 400, 'invalid_action');
    expect(again.body.Message).toBe('You can not create a declaration because you already have a declaration in progress');

    await addUbo(user.Id, decl.Id, { FirstName: 'IncompleteUBO' });
    expect((await submit(user.Id, decl.Id)).body.Status).toBe('INCOMPLETE');
    expectApiError(await s.call('POST', `/users/${user.Id}/kyc/ubodeclarations`), 400, 'invalid_action');
  });

  it('allows a new declaration once the previous one is REFUSED', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    await addUbo(user.Id, decl.Id, { FirstName: 'RefuseUBO' });
    expect((await submit(user.Id, decl.Id)).body.Status).toBe('REFUSED');
    const next = await newDeclaration(user.Id);
    const list = await s.call('GET', `/users/${user.Id}/kyc/ubodeclarations?Sort=CreationDate:ASC`);
    expect(list.body.map((d: any) => d.Id)).toEqual([decl.Id, next.Id]);
    expect(list.headers.get('X-Number-Of-Items')).toBe('2');
    // Oldest first by default, as documented.
    const byDefault = await s.call('GET', `/users/${user.Id}/kyc/ubodeclarations`);
    expect(byDefault.body.map((d: any) => d.Id)).toEqual([decl.Id, next.Id]);
    const newest = await s.call('GET', `/users/${user.Id}/kyc/ubodeclarations?Sort=CreationDate:DESC&per_page=1`);
    expect(newest.body.map((d: any) => d.Id)).toEqual([next.Id]);
    expect(newest.headers.get('X-Number-Of-Pages')).toBe('2');
  });

  it('reports a bad paging value and a bad Sort of the list together', async () => {
    const user = await newLegal();
    const r = await s.call('GET', `/users/${user.Id}/kyc/ubodeclarations?per_page=200&Sort=Status:ASC`);
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toEqual({
      per_page: 'The field per_page must be between 1 and 100.',
      Sort: 'Sort must be CreationDate:ASC or CreationDate:DESC',
    });
  });

  it('two concurrent creations for one user give exactly one declaration', async () => {
    const user = await newLegal();
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => s.call('POST', `/users/${user.Id}/kyc/ubodeclarations`)),
    );
    const ok = replies.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of replies.filter((x) => x.status !== 200)) expectApiError(r, 400, 'invalid_action');
    const rows = await s.db.query('SELECT id FROM ubo_declarations WHERE user_id = $1', [user.Id]);
    expect(rows).toHaveLength(1);
  });

  it('the database itself refuses a second declaration in progress', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    await expect(
      s.db.query(
        `INSERT INTO ubo_declarations (id, client_id, user_id, status, creation_date) VALUES ('udecl_m_dup', $1, $2, 'CREATED', 0)`,
        [s.client.id, user.Id],
      ),
    ).rejects.toMatchObject({ code: '23505' });
    expect(decl.Status).toBe('CREATED');
  });
});

describe('UBOs', () => {
  it('allows at most 15 UBOs per declaration', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    for (let n = 0; n < 15; n++) await addUbo(user.Id, decl.Id, { LastName: `Owner${n}` });
    const r = await s.call('POST', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, { body: ubo() });
    expectApiError(r, 400, 'invalid_action');
    expect(r.body.Message).toBe('You can not create more than 15 UBO for a declaration');
    expect((await s.call('GET', `/kyc/ubodeclarations/${decl.Id}`)).body.Ubos).toHaveLength(15);
  });

  it('reports every invalid field of a UBO together', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const r = await s.call('POST', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, {
      body: {
        FirstName: 'x'.repeat(101),
        Nationality: 'ZZ',
        Address: address({ Country: 'US', Region: null }),
        Birthplace: { City: 'Paris' },
      },
    });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual([
      'Address.Region',
      'Birthday',
      'Birthplace.Country',
      'FirstName',
      'LastName',
      'Nationality',
    ]);
    expect(r.body.errors['Address.Region']).toBe('The Region is a required field for this Country');
  });

  it('reports a Birthday in the future with the other problems of the body', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const future = Math.floor(Date.now() / 1000) + 10 * 365 * 86400;
    const path = `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos`;
    const alone = await s.call('POST', path, { body: ubo({ Birthday: future }) });
    expect(alone.body.errors).toEqual({ Birthday: 'The Birthday must be in the past.' });
    const r = await s.call('POST', path, { body: ubo({ Birthday: future, LastName: 'x'.repeat(101), FirstName: '  ' }) });
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toEqual({
      LastName: 'The field LastName must be a string with a maximum length of 100.',
      FirstName: 'The FirstName field is required.',
      Birthday: 'The Birthday must be in the past.',
    });
  });

  it("renders the UBO's address in Mangopay's key order", async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const u = await addUbo(user.Id, decl.Id);
    const order = ['AddressLine1', 'AddressLine2', 'City', 'Region', 'PostalCode', 'Country'];
    expect(Object.keys(u.Address)).toEqual(order);
    const read = await s.call('GET', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos/${u.Id}`);
    expect(Object.keys(read.body.Address)).toEqual(order);
    expect(Object.keys(read.body.Birthplace)).toEqual(['City', 'Country']);
  });

  it('requires Address and Birthplace on creation', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const r = await s.call('POST', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, {
      body: ubo({ Address: null, Birthplace: null }),
    });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(['Address', 'Birthplace']);
  });

  it('validates the fields sent on update and keeps the others', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const u = await addUbo(user.Id, decl.Id);
    const path = `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos/${u.Id}`;
    expectApiError(await s.call('PUT', path, { body: { Nationality: 'ZZ' } }), 400, 'param_error');
    expectApiError(await s.call('PUT', path, { body: { LastName: '' } }), 400, 'param_error');
    const r = await s.call('PUT', path, { body: { Birthplace: { City: 'Lyon', Country: 'FR' } } });
    expect(r.status).toBe(200);
    expect(r.body.Birthplace.City).toBe('Lyon');
    expect(r.body.FirstName).toBe('Michaela');
  });

  it('deactivating a UBO is irreversible', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const u = await addUbo(user.Id, decl.Id);
    const path = `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos/${u.Id}`;
    expect((await s.call('PUT', path, { body: { isActive: false } })).body.IsActive).toBe(false);
    expectApiError(await s.call('PUT', path, { body: { IsActive: true } }), 400, 'param_error');
    // With no active UBO left, the declaration cannot be submitted.
    expectApiError(await submit(user.Id, decl.Id), 400, 'invalid_action');
  });

  it('refuses any change once the declaration is submitted', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const u = await addUbo(user.Id, decl.Id);
    expect((await submit(user.Id, decl.Id)).body.Status).toBe('VALIDATION_ASKED');
    const add = await s.call('POST', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, { body: ubo() });
    expectApiError(add, 400, 'invalid_action');
    const upd = await s.call('PUT', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos/${u.Id}`, { body: { LastName: 'X' } });
    expectApiError(upd, 400, 'invalid_action');
    // Re-sending VALIDATION_ASKED is not a transition.
    expect((await submit(user.Id, decl.Id)).body.Status).toBe('VALIDATION_ASKED');
  });

  it('lets UBOs change and the declaration be resubmitted while INCOMPLETE', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    const u = await addUbo(user.Id, decl.Id, { FirstName: 'IncompleteUBO' });
    const first = await submit(user.Id, decl.Id);
    expect(first.body).toMatchObject({ Status: 'INCOMPLETE', Reason: 'MISSING_UBO' });
    expect(first.body.ProcessedDate).toEqual(expect.any(Number));
    await s.call('PUT', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}/ubos/${u.Id}`, { body: { FirstName: 'AcceptUBO' } });
    const second = await submit(user.Id, decl.Id);
    expect(second.body).toMatchObject({ Status: 'VALIDATED', Reason: null });
  });

  it('refuses an empty submission and a Status other than VALIDATION_ASKED', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    expectApiError(await submit(user.Id, decl.Id), 400, 'invalid_action');
    const bad = await s.call('PUT', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}`, { body: { Status: 'VALIDATED' } });
    expectApiError(bad, 400, 'param_error');
    const junk = await s.call('PUT', `/users/${user.Id}/kyc/ubodeclarations/${decl.Id}`, { body: { Status: 'DONE' } });
    expectApiError(junk, 400, 'param_error');
  });

  it("does not show one user's declaration under another user", async () => {
    const a = await newLegal();
    const b = await newLegal();
    const decl = await newDeclaration(a.Id);
    const u = await addUbo(a.Id, decl.Id);
    expectApiError(await s.call('GET', `/users/${b.Id}/kyc/ubodeclarations/${decl.Id}`), 404, 'ressource_not_found');
    expectApiError(await s.call('GET', `/users/${b.Id}/kyc/ubodeclarations/${decl.Id}/ubos/${u.Id}`), 404, 'ressource_not_found');
    expectApiError(await s.call('POST', `/users/${b.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, { body: ubo() }), 404, 'ressource_not_found');
    expectApiError(await s.call('GET', '/kyc/ubodeclarations/udecl_m_unknown'), 404, 'ressource_not_found');
  });
});

describe('sandbox outcomes', () => {
  it.each([
    ['AcceptUBO', 'VALIDATED', null, 'UBO_DECLARATION_VALIDATED'],
    ['RefuseUBO', 'REFUSED', 'DECLARATION_DO_NOT_MATCH_UBO_INFORMATION', 'UBO_DECLARATION_REFUSED'],
    ['RefusedUBO', 'REFUSED', 'DECLARATION_DO_NOT_MATCH_UBO_INFORMATION', 'UBO_DECLARATION_REFUSED'],
    ['IncompleteUBO', 'INCOMPLETE', 'MISSING_UBO', 'UBO_DECLARATION_INCOMPLETE'],
  ])('the first UBO named %s makes the submission %s', async (firstName, status, reason, event) => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    await addUbo(user.Id, decl.Id, { FirstName: firstName });
    await addUbo(user.Id, decl.Id, { FirstName: 'Someone' });
    const r = await submit(user.Id, decl.Id);
    expect(r.body).toMatchObject({ Status: status, Reason: reason });
    expect(await eventsOf(decl.Id)).toEqual(['UBO_DECLARATION_CREATED', 'UBO_DECLARATION_VALIDATION_ASKED', event]);
  });

  it('the convention is case-sensitive and only looks at the first UBO', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    await addUbo(user.Id, decl.Id, { FirstName: 'acceptubo' });
    await addUbo(user.Id, decl.Id, { FirstName: 'AcceptUBO' });
    expect((await submit(user.Id, decl.Id)).body.Status).toBe('VALIDATION_ASKED');
  });

  it('validate, refuse and incomplete answer a submitted declaration', async () => {
    for (const [op, status, body, reason, message, event] of [
      ['validate', 'VALIDATED', {}, null, null, 'UBO_DECLARATION_VALIDATED'],
      ['refuse', 'REFUSED', { Reason: 'SPECIFIC_CASE', Message: 'Not convincing' }, 'SPECIFIC_CASE', 'Not convincing', 'UBO_DECLARATION_REFUSED'],
      ['incomplete', 'INCOMPLETE', { Reason: 'ORGANIZATION_CHART_NEEDED' }, 'ORGANIZATION_CHART_NEEDED', null, 'UBO_DECLARATION_INCOMPLETE'],
    ] as const) {
      const user = await newLegal();
      const decl = await newDeclaration(user.Id);
      await addUbo(user.Id, decl.Id);
      // Not submitted yet: nothing to answer.
      expectApiError(await s.call('POST', `/sandbox/kyc/ubodeclarations/${decl.Id}/${op}`, { body }), 400, 'invalid_action');
      await submit(user.Id, decl.Id);
      const r = await s.call('POST', `/sandbox/kyc/ubodeclarations/${decl.Id}/${op}`, { body });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ Id: decl.Id, Status: status, Reason: reason, Message: message });
      expect(r.body.ProcessedDate).toEqual(expect.any(Number));
      expect(await eventsOf(decl.Id)).toEqual(['UBO_DECLARATION_CREATED', 'UBO_DECLARATION_VALIDATION_ASKED', event]);
      // Answered once only.
      expectApiError(await s.call('POST', `/sandbox/kyc/ubodeclarations/${decl.Id}/${op}`, { body }), 400, 'invalid_action');
    }
  });

  it('refuses an unknown Reason and defaults a missing one', async () => {
    const user = await newLegal();
    const decl = await newDeclaration(user.Id);
    await addUbo(user.Id, decl.Id);
    await submit(user.Id, decl.Id);
    const bad = await s.call('POST', `/sandbox/kyc/ubodeclarations/${decl.Id}/refuse`, { body: { Reason: 'BECAUSE' } });
    expectApiError(bad, 400, 'param_error');
    const r = await s.call('POST', `/sandbox/kyc/ubodeclarations/${decl.Id}/refuse`);
    expect(r.body).toMatchObject({ Status: 'REFUSED', Reason: 'DECLARATION_DO_NOT_MATCH_UBO_INFORMATION' });
  });

  it('the sandbox paths do not exist when the sandbox is off', async () => {
    const off = await startServer({ env: { MANGROVE_SANDBOX: 'off' } });
    try {
      const r = await off.call('POST', '/sandbox/kyc/ubodeclarations/udecl_m_x/validate');
      expectApiError(r, 404, 'ressource_not_found');
    } finally {
      await off.close();
    }
  });
});

/** A page of the given type's minimum size or more: a PNG signature and filler (only the signature is read). */
function page(type: string): string {
  const size = type === 'IDENTITY_PROOF' ? 33 * 1024 : 2048;
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(size, 7)]).toString('base64');
}

/** A document validated through the KYC API's sandbox convention (Tag containing "accept"). */
async function validatedDocument(userId: string, type: string): Promise<void> {
  const base = `/users/${userId}/kyc/documents`;
  const doc = await s.call('POST', base, { body: { Type: type, Tag: 'accept' } });
  expect(doc.status, JSON.stringify(doc.body)).toBe(200);
  const p = await s.call('POST', `${base}/${doc.body.Id}/pages`, { body: { File: page(type) } });
  expect(p.status, JSON.stringify(p.body)).toBe(204);
  const done = await s.call('PUT', `${base}/${doc.body.Id}`, { body: { Status: 'VALIDATION_ASKED' } });
  expect(done.body.Status, JSON.stringify(done.body)).toBe('VALIDATED');
}

const kycLevel = async (userId: string) => (await s.call('GET', `/users/${userId}`)).body.KYCLevel;

describe('KYCLevel follows the declaration', () => {
  it('a BUSINESS OWNER becomes REGULAR once its documents and then its declaration are validated', async () => {
    const user = await newLegal();
    for (const type of ['IDENTITY_PROOF', 'REGISTRATION_PROOF', 'ARTICLES_OF_ASSOCIATION']) await validatedDocument(user.Id, type);
    expect(await kycLevel(user.Id)).toBe('LIGHT');
    const decl = await newDeclaration(user.Id);
    await addUbo(user.Id, decl.Id);
    await submit(user.Id, decl.Id);
    expect(await kycLevel(user.Id)).toBe('LIGHT');
    const r = await s.call('POST', `/sandbox/kyc/ubodeclarations/${decl.Id}/validate`);
    expect(r.body.Status).toBe('VALIDATED');
    expect(await kycLevel(user.Id)).toBe('REGULAR');
    expect(await eventsOf(user.Id)).toContain('USER_KYC_REGULAR');
  });

  it('a PARTNERSHIP OWNER becomes REGULAR once its declaration and then its documents are validated', async () => {
    const user = await newLegal({ LegalPersonType: 'PARTNERSHIP' });
    const decl = await newDeclaration(user.Id);
    await addUbo(user.Id, decl.Id, { FirstName: 'AcceptUBO' });
    expect((await submit(user.Id, decl.Id)).body.Status).toBe('VALIDATED');
    expect(await kycLevel(user.Id)).toBe('LIGHT');
    await validatedDocument(user.Id, 'IDENTITY_PROOF');
    expect(await kycLevel(user.Id)).toBe('LIGHT');
    await validatedDocument(user.Id, 'REGISTRATION_PROOF');
    expect(await kycLevel(user.Id)).toBe('REGULAR');
  });

  it('a refused declaration keeps a BUSINESS OWNER with validated documents LIGHT', async () => {
    const user = await newLegal();
    for (const type of ['IDENTITY_PROOF', 'REGISTRATION_PROOF', 'ARTICLES_OF_ASSOCIATION']) await validatedDocument(user.Id, type);
    const decl = await newDeclaration(user.Id);
    await addUbo(user.Id, decl.Id, { FirstName: 'RefuseUBO' });
    expect((await submit(user.Id, decl.Id)).body.Status).toBe('REFUSED');
    expect(await kycLevel(user.Id)).toBe('LIGHT');
  });

  it('a validated declaration alone does not make a BUSINESS user REGULAR', async () => {
    const user = await newLegal({ Email: 'x@example.com', LegalRepresentative: { ...legalOwner().LegalRepresentative, Email: 'accept@example.com' } });
    const decl = await newDeclaration(user.Id);
    await addUbo(user.Id, decl.Id, { FirstName: 'AcceptUBO' });
    expect((await submit(user.Id, decl.Id)).body.Status).toBe('VALIDATED');
    expect((await s.call('GET', `/users/${user.Id}`)).body.KYCLevel).toBe('LIGHT');
  });
});
