import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { expectApiError } from './helpers/errors.js';
import { legalOwner, legalPayer, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer, startServer } from './helpers/server.js';
import { eventTypesOf } from './helpers/reads.js';

const require = createRequire(import.meta.url);
const SDK_PNG = path.join(path.dirname(require.resolve('mangopay4-nodejs-sdk/package.json')), 'test', 'TestKycPageFile.png');

const { s, api } = fileServer();

const SIGNATURES = {
  png: Buffer.from('89504e470d0a1a0a', 'hex'),
  jpeg: Buffer.from('ffd8ffe0', 'hex'),
  pdf: Buffer.from('%PDF-1.7\n'),
  gif: Buffer.from('GIF89a'),
};

/** A file of `size` bytes that starts like the given format (only the signature is sniffed). */
function file(kind: keyof typeof SIGNATURES, size = 40 * 1024): Buffer {
  const sig = SIGNATURES[kind];
  return Buffer.concat([sig, Buffer.alloc(Math.max(0, size - sig.length), 0x41)]);
}
const b64 = (b: Buffer) => b.toString('base64');

const newUser = (kind: 'natural' | 'legal', body: Record<string, unknown>) => createUser(s, kind, body);
const natural = (over: Record<string, unknown> = {}) => newUser('natural', naturalOwner(over));
const legal = (over: Record<string, unknown> = {}) => newUser('legal', legalOwner(over));

async function createDoc(userId: string, Type: string, Tag?: string): Promise<any> {
  const r = await s.call('POST', `/users/${userId}/kyc/documents`, { body: { Type, Tag } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const addPage = (userId: string, docId: string, content: Buffer | string) =>
  s.call('POST', `/users/${userId}/kyc/documents/${docId}/pages`, { body: { File: typeof content === 'string' ? content : b64(content) } });
const submit = (userId: string, docId: string, body: unknown = { Status: 'VALIDATION_ASKED' }) =>
  s.call('PUT', `/users/${userId}/kyc/documents/${docId}`, { body });

/** A document with one page, submitted; its status after submission is returned with it. */
async function submittedDoc(userId: string, type: string, tag?: string): Promise<any> {
  const doc = await createDoc(userId, type, tag);
  expect((await addPage(userId, doc.Id, file('png'))).status).toBe(204);
  const r = await submit(userId, doc.Id);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const validate = (docId: string) => s.call('POST', `/sandbox/kyc/documents/${docId}/validate`);
const refuse = (docId: string, body: unknown) => s.call('POST', `/sandbox/kyc/documents/${docId}/refuse`, { body });

const eventsOf = (resourceId: string) => eventTypesOf(s.db, resourceId);
const getUser = async (id: string) => (await s.call('GET', `/sca/users/${id}`)).body;
const getDoc = async (id: string) => (await s.call('GET', `/kyc/documents/${id}`)).body;
const closeUser = (id: string) => s.db.query(`UPDATE users SET status = 'CLOSED' WHERE id = $1`, [id]);

describe('the official SDK drives KYC documents', () => {
  it('creates a document, adds a page from a file, submits, views and lists it', async () => {
    const user = await natural();
    const doc = await api.Users.createKycDocument(user.Id, { Type: 'IDENTITY_PROOF', Tag: 'sdk' });
    expect(doc.Id).toMatch(/^kyc_m_/);
    expect(doc.Status).toBe('CREATED');
    expect(doc.UserId).toBe(user.Id);
    expect(doc.Flags).toEqual([]);

    await api.Users.createKycPageFromFile(user.Id, doc.Id, SDK_PNG);
    await api.Users.createKycPage(user.Id, doc.Id, { File: b64(file('jpeg')) });
    const submitted = await api.Users.updateKycDocument(user.Id, { Id: doc.Id, Status: 'VALIDATION_ASKED' });
    expect(submitted.Status).toBe('VALIDATION_ASKED');
    expect(submitted.Tag).toBe('sdk');

    const viaUser = await api.Users.getKycDocument(user.Id, doc.Id);
    expect(viaUser.Status).toBe('VALIDATION_ASKED');
    const viaClient = await api.KycDocuments.get(doc.Id);
    expect(Array.isArray(viaClient.Flags)).toBe(true);
    expect(viaClient.Id).toBe(doc.Id);
    const ofUser = await api.Users.getKycDocuments(user.Id);
    expect(ofUser.map((d: any) => d.Id)).toEqual([doc.Id]);
    const all = await api.KycDocuments.getAll({ parameters: { per_page: 100 } });
    expect(all.map((d: any) => d.Id)).toContain(doc.Id);
  });

  it('refuses an empty File through the SDK', async () => {
    const user = await natural();
    const doc = await api.Users.createKycDocument(user.Id, { Type: 'IDENTITY_PROOF' });
    const err = await api.Users.createKycPage(user.Id, doc.Id, { File: '' }).catch((e: any) => e);
    expect(err.Type).toBe('param_error');
    expect(err.errors.File).toBeDefined();
  });
});

describe('POST /users/{UserId}/kyc/documents', () => {
  it('answers the object with its keys in Mangopay order, and records KYC_CREATED', async () => {
    const user = await legal();
    const r = await s.call('POST', `/users/${user.Id}/KYC/documents/`, { body: { type: 'registration_proof', tag: 'mine', Status: 'VALIDATED' } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual([
      'Type', 'UserId', 'Flags', 'Id', 'Tag', 'CreationDate', 'ProcessedDate', 'Status', 'RefusedReasonType', 'RefusedReasonMessage',
    ]);
    expect(r.body).toMatchObject({
      Type: 'REGISTRATION_PROOF', UserId: user.Id, Flags: [], Tag: 'mine', ProcessedDate: null, Status: 'CREATED',
      RefusedReasonType: null, RefusedReasonMessage: null,
    });
    expect(Math.abs(r.body.CreationDate - Date.now() / 1000)).toBeLessThan(60);
    expect(await eventsOf(r.body.Id)).toEqual(['KYC_CREATED']);
  });

  it('refuses a missing or unknown Type and a Tag over 255 characters', async () => {
    const user = await natural();
    for (const [body, field] of [
      [{}, 'Type'],
      [{ Type: 'PASSPORT' }, 'Type'],
      [{ Type: 'IDENTITY_PROOF', Tag: 'x'.repeat(256) }, 'Tag'],
    ] as const) {
      const r = await s.call('POST', `/users/${user.Id}/kyc/documents`, { body });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual([field]);
    }
  });

  it.each([
    ['natural', 'REGISTRATION_PROOF'],
    ['natural', 'ARTICLES_OF_ASSOCIATION'],
    ['natural', 'SHAREHOLDER_DECLARATION'],
    ['BUSINESS', 'ADDRESS_PROOF'],
    ['SOLETRADER', 'ARTICLES_OF_ASSOCIATION'],
  ])('refuses a %s user a %s document', async (who, type) => {
    const user = who === 'natural' ? await natural() : await legal({ LegalPersonType: who });
    const r = await s.call('POST', `/users/${user.Id}/kyc/documents`, { body: { Type: type } });
    expectApiError(r, 400, 'wrong_document_type');
    expect(r.body.errors.Type).toContain(type);
  });

  it.each([
    ['natural', 'ADDRESS_PROOF'],
    ['ORGANIZATION', 'SHAREHOLDER_DECLARATION'],
    ['SOLETRADER', 'REGISTRATION_PROOF'],
  ])('lets a %s user create a %s document', async (who, type) => {
    const user = who === 'natural' ? await natural() : await legal({ LegalPersonType: who });
    expect((await createDoc(user.Id, type)).Type).toBe(type);
  });

  it('answers 404 for an unknown user and user_closed for a closed one', async () => {
    expectApiError(await s.call('POST', '/users/user_m_nobody/kyc/documents', { body: { Type: 'IDENTITY_PROOF' } }), 404, 'ressource_not_found');
    const user = await natural();
    await closeUser(user.Id);
    expectApiError(await s.call('POST', `/users/${user.Id}/kyc/documents`, { body: { Type: 'IDENTITY_PROOF' } }), 400, 'user_closed');
  });
});

describe('POST /users/{UserId}/kyc/documents/{Id}/pages', () => {
  it('stores each page in the database with its sniffed format, and answers 204 without a body', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'IDENTITY_PROOF');
    const pages = [file('png'), file('jpeg', 33 * 1024), file('pdf', 100 * 1024)];
    for (const p of pages) {
      const r = await addPage(user.Id, doc.Id, p);
      expect(r.status).toBe(204);
      expect(r.body).toBe('');
    }
    const rows = await s.db.query<any>('SELECT page_no, media_type, size, content FROM kyc_pages WHERE document_id = $1 ORDER BY page_no', [doc.Id]);
    expect(rows.map((r) => [r.page_no, r.media_type, r.size])).toEqual([
      [1, 'image/png', pages[0].length],
      [2, 'image/jpeg', pages[1].length],
      [3, 'application/pdf', pages[2].length],
    ]);
    rows.forEach((r, i) => expect(Buffer.from(r.content).equals(pages[i])).toBe(true));
  });

  it('keeps the pages across a restart of the server on the same database', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'ADDRESS_PROOF');
    const page = file('pdf', 5000);
    expect((await addPage(user.Id, doc.Id, page)).status).toBe(204);
    const other = await startServer({ db: s.db, keepDb: true });
    try {
      // A new server process over the same database: the page is there and the document can be submitted.
      const r = await other.fetch('PUT', `/v2.01/${s.client.id}/users/${user.Id}/kyc/documents/${doc.Id}`, {
        token: await s.token(),
        body: { Status: 'VALIDATION_ASKED' },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    } finally {
      await other.app.close();
    }
    const [row] = await s.db.query<any>('SELECT content FROM kyc_pages WHERE document_id = $1', [doc.Id]);
    expect(Buffer.from(row.content).equals(page)).toBe(true);
  });

  it('accepts base64 broken over several lines', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'ADDRESS_PROOF');
    const text = b64(file('png', 3000)).replace(/(.{76})/g, '$1\r\n');
    expect((await addPage(user.Id, doc.Id, text)).status).toBe(204);
  });

  it('refuses a missing, empty or non-Base-64 File with param_error', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'ADDRESS_PROOF');
    for (const body of [{}, { File: '' }, { File: null }, { File: 12 }, { File: 'abc' }, { File: 'ab$d' }, { File: '====' }]) {
      const r = await s.call('POST', `/users/${user.Id}/kyc/documents/${doc.Id}/pages`, { body });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(['File']);
    }
    const bad = await addPage(user.Id, doc.Id, 'abcde');
    expect(bad.body.errors.File).toBe('Invalid length for a Base-64 char array or string.');
    // A number is read as text, like every string field: "12" is no Base64 of anything.
    const number = await s.call('POST', `/users/${user.Id}/kyc/documents/${doc.Id}/pages`, { body: { File: 12 } });
    expect(number.body.errors.File).toBe('Invalid length for a Base-64 char array or string.');
    const object = await s.call('POST', `/users/${user.Id}/kyc/documents/${doc.Id}/pages`, { body: { File: { a: 1 } } });
    expect(object.body.errors.File).toBe('The field File must be a Base-64 string.');
  });

  it('refuses a file too small to be readable: 32 KB for an identity proof, 1 KB otherwise', async () => {
    const user = await natural();
    const id = await createDoc(user.Id, 'IDENTITY_PROOF');
    const small = await addPage(user.Id, id.Id, file('png', 32 * 1024 - 1));
    expectApiError(small, 400, 'param_error');
    expect(small.body.errors).toEqual({ File: 'The file is too small to be readable' });
    expect((await addPage(user.Id, id.Id, file('png', 32 * 1024))).status).toBe(204);

    const address = await createDoc(user.Id, 'ADDRESS_PROOF');
    expectApiError(await addPage(user.Id, address.Id, file('pdf', 1023)), 400, 'param_error');
    expect((await addPage(user.Id, address.Id, file('pdf', 1024))).status).toBe(204);
  });

  it('refuses a file over 7 MB with 413', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'ADDRESS_PROOF');
    const r = await addPage(user.Id, doc.Id, file('pdf', 7 * 1024 * 1024 + 1));
    expectApiError(r, 413, 'payload_too_large');
    expect((await addPage(user.Id, doc.Id, file('pdf', 7 * 1024 * 1024))).status).toBe(204);
  });

  it('refuses a file that is not a PDF, JPEG or PNG with 400 param_error naming File (415 is for request bodies)', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'ADDRESS_PROOF');
    for (const content of [file('gif'), Buffer.alloc(4096, 0x20), Buffer.from('%PDF'.padEnd(2000, ' ').replace('%PDF', 'PDF-'))]) {
      const r = await addPage(user.Id, doc.Id, content);
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(['File']);
    }
    expect(await s.db.query('SELECT 1 FROM kyc_pages WHERE document_id = $1', [doc.Id])).toEqual([]);
  });

  it('refuses a sixth page with max_page_number', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'ADDRESS_PROOF');
    for (let i = 0; i < 5; i++) expect((await addPage(user.Id, doc.Id, file('png', 2000))).status).toBe(204);
    const r = await addPage(user.Id, doc.Id, file('png', 2000));
    expectApiError(r, 400, 'max_page_number');
    expect(r.body.Message).toBe('Maximum number of pages exceeded. You can only add up to 5 pages to this document');
  });

  it('adds exactly one of several concurrent pages past the fourth', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'ADDRESS_PROOF');
    for (let i = 0; i < 4; i++) await addPage(user.Id, doc.Id, file('png', 2000));
    const replies = await Promise.all([1, 2, 3].map(() => addPage(user.Id, doc.Id, file('png', 2000))));
    expect(replies.map((r) => r.status).sort()).toEqual([204, 400, 400]);
    for (const r of replies.filter((x) => x.status === 400)) expectApiError(r, 400, 'max_page_number');
    const [{ n }] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM kyc_pages WHERE document_id = $1', [doc.Id]);
    expect(n).toBe(5);
  });

  it('only adds pages while the document is CREATED', async () => {
    const user = await natural();
    const doc = await submittedDoc(user.Id, 'ADDRESS_PROOF');
    expectApiError(await addPage(user.Id, doc.Id, file('png')), 400, 'invalid_action');
  });

  it("answers 404 for an unknown document and for another user's document, and user_closed for a closed user", async () => {
    const [a, b] = [await natural(), await natural()];
    const doc = await createDoc(a.Id, 'ADDRESS_PROOF');
    expectApiError(await addPage(a.Id, 'kyc_m_nothing', file('png')), 404, 'ressource_not_found');
    const r = await addPage(b.Id, doc.Id, file('png'));
    expectApiError(r, 404, 'ressource_not_found');
    expect(r.body.errors.RessourceNotFound).toContain(doc.Id);
    await closeUser(a.Id);
    expectApiError(await addPage(a.Id, doc.Id, file('png')), 400, 'user_closed');
  });
});

describe('PUT /users/{UserId}/kyc/documents/{Id}', () => {
  it('asks for validation, may change the Tag, and records KYC_VALIDATION_ASKED', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'IDENTITY_PROOF', 'before');
    await addPage(user.Id, doc.Id, file('png'));
    const r = await submit(user.Id, doc.Id, { Id: doc.Id, Status: 'VALIDATION_ASKED', Tag: 'after' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Id: doc.Id, Status: 'VALIDATION_ASKED', Tag: 'after', ProcessedDate: null });
    expect(await eventsOf(doc.Id)).toEqual(['KYC_CREATED', 'KYC_VALIDATION_ASKED']);
    expect((await getUser(user.Id)).KYCLevel).toBe('LIGHT');
  });

  it('keeps the Tag when it is sent as null (as SDKs send unset fields) and clears it when sent empty', async () => {
    const user = await natural();
    const kept = await createDoc(user.Id, 'ADDRESS_PROOF', 'mine');
    await addPage(user.Id, kept.Id, file('png'));
    expect((await submit(user.Id, kept.Id, { Status: 'VALIDATION_ASKED', Tag: null })).body.Tag).toBe('mine');
    const cleared = await createDoc(user.Id, 'ADDRESS_PROOF', 'mine');
    await addPage(user.Id, cleared.Id, file('png'));
    expect((await submit(user.Id, cleared.Id, { Status: 'VALIDATION_ASKED', Tag: '' })).body.Tag).toBeNull();
  });

  it('refuses to submit a document without a page', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'IDENTITY_PROOF');
    expectApiError(await submit(user.Id, doc.Id), 400, 'invalid_action');
    expect((await getDoc(doc.Id)).Status).toBe('CREATED');
    expect(await eventsOf(doc.Id)).toEqual(['KYC_CREATED']);
  });

  it('refuses a missing Status or any Status but VALIDATION_ASKED', async () => {
    const user = await natural();
    const doc = await createDoc(user.Id, 'IDENTITY_PROOF');
    await addPage(user.Id, doc.Id, file('png'));
    for (const body of [{}, { Status: 'VALIDATED' }, { Status: 'CREATED' }, { Tag: 'x' }]) {
      const r = await submit(user.Id, doc.Id, body);
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(['Status']);
    }
  });

  it('refuses a second submission, and any change of a REFUSED document', async () => {
    const user = await natural();
    const asked = await submittedDoc(user.Id, 'IDENTITY_PROOF');
    expectApiError(await submit(user.Id, asked.Id), 400, 'invalid_action');
    const refused = await submittedDoc(user.Id, 'IDENTITY_PROOF', 'refuse_falsified');
    expect(refused.Status).toBe('REFUSED');
    expectApiError(await submit(user.Id, refused.Id), 400, 'invalid_action');
    expectApiError(await addPage(user.Id, refused.Id, file('png')), 400, 'invalid_action');
    expectApiError(await validate(refused.Id), 400, 'invalid_action');
  });

  it('refuses a closed user, and answers 404 for a document of another user', async () => {
    const [a, b] = [await natural(), await natural()];
    const doc = await createDoc(a.Id, 'IDENTITY_PROOF');
    await addPage(a.Id, doc.Id, file('png'));
    expectApiError(await submit(b.Id, doc.Id), 404, 'ressource_not_found');
    await closeUser(a.Id);
    expectApiError(await submit(a.Id, doc.Id), 400, 'user_closed');
  });

  it("refuses a PAYER's submitted document, as the real API does, with KYC_FAILED", async () => {
    for (const payer of [await newUser('natural', naturalPayer()), await newUser('legal', legalPayer())]) {
      const doc = await submittedDoc(payer.Id, 'IDENTITY_PROOF', 'accept');
      expect(doc.Status).toBe('REFUSED');
      expect(doc.RefusedReasonType).toBe('SPECIFIC_CASE');
      expect(doc.ProcessedDate).toBeGreaterThan(0);
      expect(await eventsOf(doc.Id)).toEqual(['KYC_CREATED', 'KYC_VALIDATION_ASKED', 'KYC_FAILED']);
      const u = await getUser(payer.Id);
      expect(u.KYCLevel).toBe('LIGHT');
      expect(await eventsOf(payer.Id)).not.toContain('USER_KYC_REGULAR');
    }
  });
});

describe("the sandbox's Tag convention, applied on submission", () => {
  it.each([
    ['refuse_unreadable', 'DOCUMENT_UNREADABLE'],
    ['refuse_not_accepted', 'DOCUMENT_NOT_ACCEPTED'],
    ['refuse_expired', 'DOCUMENT_HAS_EXPIRED'],
    ['refuse_incomplete', 'DOCUMENT_INCOMPLETE'],
    ['refuse_missing', 'DOCUMENT_MISSING'],
    ['refuse_no_user_data_match', 'DOCUMENT_DO_NOT_MATCH_USER_DATA'],
    ['refuse_falsified', 'DOCUMENT_FALSIFIED'],
    ['refuse_underage', 'UNDERAGE_PERSON'],
    ['refuse_specific_case', 'SPECIFIC_CASE'],
  ])('Tag %s refuses with %s and records KYC_FAILED', async (tag, reason) => {
    const user = await natural();
    const doc = await submittedDoc(user.Id, 'ADDRESS_PROOF', `my-${tag}`);
    expect(doc).toMatchObject({ Status: 'REFUSED', RefusedReasonType: reason });
    expect(doc.ProcessedDate).toBeGreaterThan(0);
    expect(await eventsOf(doc.Id)).toEqual(['KYC_CREATED', 'KYC_VALIDATION_ASKED', 'KYC_FAILED']);
  });

  it('a Tag containing accept validates, records KYC_SUCCEEDED and fills the proof field', async () => {
    const user = await natural();
    const doc = await submittedDoc(user.Id, 'ADDRESS_PROOF', 'please-accept-me');
    expect(doc).toMatchObject({ Status: 'VALIDATED', RefusedReasonType: null });
    expect(await eventsOf(doc.Id)).toEqual(['KYC_CREATED', 'KYC_VALIDATION_ASKED', 'KYC_SUCCEEDED']);
    const u = await getUser(user.Id);
    expect(u.ProofOfAddress).toBe(doc.Id);
    expect(u.KYCLevel).toBe('LIGHT'); // an address proof is not a requirement
  });

  it('the convention is case-sensitive and leaves other Tags awaiting validation', async () => {
    const user = await natural();
    for (const tag of ['ACCEPT', 'Refuse_expired', 'refuse_whatever']) {
      expect((await submittedDoc(user.Id, 'ADDRESS_PROOF', tag)).Status).toBe('VALIDATION_ASKED');
    }
  });
});

describe('sandbox operations on KYC documents', () => {
  it('validates a document awaiting validation', async () => {
    const user = await natural();
    const doc = await submittedDoc(user.Id, 'ADDRESS_PROOF');
    const r = await validate(doc.Id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Id: doc.Id, Status: 'VALIDATED', RefusedReasonType: null });
    expect(r.body.ProcessedDate).toBeGreaterThan(0);
    expect(await eventsOf(doc.Id)).toEqual(['KYC_CREATED', 'KYC_VALIDATION_ASKED', 'KYC_SUCCEEDED']);
    expectApiError(await validate(doc.Id), 400, 'invalid_action');
    expectApiError(await refuse(doc.Id, { RefusedReasonType: 'DOCUMENT_MISSING' }), 400, 'invalid_action');
  });

  it('refuses a document with the given reason and message', async () => {
    const user = await natural();
    const doc = await submittedDoc(user.Id, 'IDENTITY_PROOF');
    const r = await refuse(doc.Id, { RefusedReasonType: 'document_has_expired', RefusedReasonMessage: 'Expired in 2020' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Status: 'REFUSED', RefusedReasonType: 'DOCUMENT_HAS_EXPIRED', RefusedReasonMessage: 'Expired in 2020' });
    expect(await eventsOf(doc.Id)).toEqual(['KYC_CREATED', 'KYC_VALIDATION_ASKED', 'KYC_FAILED']);
    expect((await getDoc(doc.Id)).Status).toBe('REFUSED');
  });

  it('checks the refusal body, the status and the document', async () => {
    const user = await natural();
    const doc = await submittedDoc(user.Id, 'IDENTITY_PROOF');
    for (const body of [{}, { RefusedReasonType: 'BAD_MOOD' }, { RefusedReasonType: 'SPECIFIC_CASE', RefusedReasonMessage: 'x'.repeat(256) }]) {
      expectApiError(await refuse(doc.Id, body), 400, 'param_error');
    }
    const created = await createDoc(user.Id, 'IDENTITY_PROOF');
    expectApiError(await validate(created.Id), 400, 'invalid_action');
    expectApiError(await validate('kyc_m_nothing'), 404, 'ressource_not_found');
    await closeUser(user.Id);
    expectApiError(await validate(doc.Id), 400, 'user_closed');
  });

  it('does not see the documents of another client', async () => {
    const user = await natural();
    const doc = await submittedDoc(user.Id, 'IDENTITY_PROOF');
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const r = await s.fetch('POST', `/v2.01/${other.id}/sandbox/kyc/documents/${doc.Id}/validate`, { token });
    expectApiError(r, 404, 'ressource_not_found');
    expect((await getDoc(doc.Id)).Status).toBe('VALIDATION_ASKED');
  });

  it('is not served when the sandbox is off', async () => {
    const off = await startServer({ db: s.db, keepDb: true, env: { MANGROVE_SANDBOX: 'off' } });
    try {
      const user = await natural();
      const doc = await submittedDoc(user.Id, 'IDENTITY_PROOF');
      const r = await off.fetch('POST', `/v2.01/${s.client.id}/sandbox/kyc/documents/${doc.Id}/validate`, { token: await s.token() });
      expectApiError(r, 404, 'ressource_not_found');
    } finally {
      await off.app.close();
    }
  });
});

describe('reading KYC documents', () => {
  it('views a document through the user and through the client, and 404s across users and clients', async () => {
    const [a, b] = [await natural(), await natural()];
    const doc = await createDoc(a.Id, 'IDENTITY_PROOF');
    expect((await s.call('GET', `/users/${a.Id}/kyc/documents/${doc.Id}`)).body).toEqual(doc);
    expect((await s.call('GET', `/kyc/documents/${doc.Id}`)).body).toEqual(doc);
    expectApiError(await s.call('GET', `/users/${b.Id}/kyc/documents/${doc.Id}`), 404, 'ressource_not_found');
    expectApiError(await s.call('GET', `/users/user_m_nobody/kyc/documents/${doc.Id}`), 404, 'ressource_not_found');
    expectApiError(await s.call('GET', '/kyc/documents/kyc_m_nothing'), 404, 'ressource_not_found');
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/kyc/documents/${doc.Id}`, { token }), 404, 'ressource_not_found');
    const list = await s.fetch('GET', `/v2.01/${other.id}/kyc/documents`, { token });
    expect(list.body).toEqual([]);
  });

  it('lists per user and per client with Status, Type and date filters and paging', async () => {
    const user = await natural();
    const created = await createDoc(user.Id, 'ADDRESS_PROOF');
    const asked = await submittedDoc(user.Id, 'IDENTITY_PROOF');
    const refused = await submittedDoc(user.Id, 'ADDRESS_PROOF', 'refuse_missing');
    const ids = async (q: string, base = `/users/${user.Id}/kyc/documents`) => {
      const r = await s.call('GET', `${base}${q}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.map((d: any) => d.Id);
    };
    expect(await ids('')).toEqual([created.Id, asked.Id, refused.Id]);
    expect(await ids('?Sort=CreationDate:DESC')).toEqual([refused.Id, asked.Id, created.Id]);
    expect(await ids('?Status=CREATED')).toEqual([created.Id]);
    expect(await ids('?status=created,refused&Sort=CreationDate:ASC')).toEqual([created.Id, refused.Id]);
    expect(await ids('?Status=CREATED&Status=VALIDATION_ASKED&Sort=CreationDate:ASC')).toEqual([created.Id, asked.Id]);
    expect(await ids('?Type=IDENTITY_PROOF')).toEqual([asked.Id]);
    expect(await ids('?Type=ADDRESS_PROOF&Status=REFUSED')).toEqual([refused.Id]);
    const now = Math.floor(Date.now() / 1000);
    expect(await ids(`?AfterDate=${now + 100}`)).toEqual([]);
    expect(await ids(`?BeforeDate=${now - 100000}`)).toEqual([]);
    expect((await ids(`?AfterDate=${now - 1000}&BeforeDate=${now + 1000}`)).length).toBe(3);

    const page = await s.call('GET', `/users/${user.Id}/kyc/documents?per_page=2&page=2&Sort=CreationDate:ASC`);
    expect(page.body.map((d: any) => d.Id)).toEqual([refused.Id]);
    expect(page.headers.get('X-Number-Of-Items')).toBe('3');
    expect(page.headers.get('X-Number-Of-Pages')).toBe('2');
    expect(page.headers.get('Link')).toContain('rel="prev"');

    const all = await ids('?per_page=100&Type=IDENTITY_PROOF,ADDRESS_PROOF', '/KYC/documents');
    expect(all).toEqual(expect.arrayContaining([created.Id, asked.Id, refused.Id]));
    expect(await ids('?per_page=100&Status=REFUSED', '/kyc/documents')).toContain(refused.Id);
    expect(await ids('?per_page=100&Status=REFUSED', '/kyc/documents')).not.toContain(asked.Id);
  });

  it('refuses unknown filter values, and answers 404 for the list of an unknown user', async () => {
    const user = await natural();
    for (const q of ['?Status=DONE', '?Type=PASSPORT', '?per_page=101', '?Sort=Type:ASC']) {
      expectApiError(await s.call('GET', `/users/${user.Id}/kyc/documents${q}`), 400, 'param_error');
      expectApiError(await s.call('GET', `/kyc/documents${q}`), 400, 'param_error');
    }
    expectApiError(await s.call('GET', '/users/user_m_nobody/kyc/documents'), 404, 'ressource_not_found');
  });

  it('reports a bad paging value, a bad Sort and a bad filter value together', async () => {
    const user = await natural();
    for (const path of [`/users/${user.Id}/kyc/documents`, '/kyc/documents']) {
      const r = await s.call('GET', `${path}?per_page=101&Sort=Type:ASC&Status=DONE&Type=PASSPORT`);
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(['per_page', 'Sort', 'Status', 'Type']);
      expect(r.body.errors.Status).toBe('The field Status must be one of: CREATED, VALIDATION_ASKED, VALIDATED, REFUSED, OUT_OF_DATE.');
    }
  });
});

/** The documents KYCLevel REGULAR needs, per user kind (reference §5.6). */
const REQUIREMENTS: [string, () => Promise<any>, string[], Record<string, string>][] = [
  ['natural', () => natural(), ['IDENTITY_PROOF'], { IDENTITY_PROOF: 'ProofOfIdentity' }],
  [
    'ORGANIZATION',
    () => legal({ LegalPersonType: 'ORGANIZATION' }),
    ['IDENTITY_PROOF', 'REGISTRATION_PROOF', 'ARTICLES_OF_ASSOCIATION'],
    { IDENTITY_PROOF: 'LegalRepresentative.ProofOfIdentity', REGISTRATION_PROOF: 'ProofOfRegistration', ARTICLES_OF_ASSOCIATION: 'Statute' },
  ],
  [
    'SOLETRADER',
    () => legal({ LegalPersonType: 'SOLETRADER' }),
    ['IDENTITY_PROOF', 'REGISTRATION_PROOF'],
    { IDENTITY_PROOF: 'LegalRepresentative.ProofOfIdentity', REGISTRATION_PROOF: 'ProofOfRegistration' },
  ],
];

const field = (u: any, dotted: string) => dotted.split('.').reduce((o, k) => o?.[k], u);

describe('KYCLevel', () => {
  it.each(REQUIREMENTS)('a %s OWNER becomes REGULAR exactly when every required document is validated', async (_kind, make, required, fields) => {
    const user = await make();
    expect(user.KYCLevel).toBe('LIGHT');
    const docs: Record<string, string> = {};
    for (const [n, type] of required.entries()) {
      // One awaiting validation first: it fills nothing.
      const doc = await submittedDoc(user.Id, type);
      expect(field(await getUser(user.Id), fields[type])).toBeNull();
      expect((await validate(doc.Id)).status).toBe(200);
      docs[type] = doc.Id;
      const u = await getUser(user.Id);
      expect(field(u, fields[type])).toBe(doc.Id);
      expect(u.KYCLevel).toBe(n === required.length - 1 ? 'REGULAR' : 'LIGHT');
    }
    expect((await eventsOf(user.Id)).filter((e) => e.startsWith('USER_KYC'))).toEqual(['USER_KYC_REGULAR']);
    // The legacy view shows the same ids.
    const legacy = (await s.call('GET', `/users/${user.Id}`)).body;
    expect(legacy.KYCLevel).toBe('REGULAR');
    if (docs.IDENTITY_PROOF && legacy.PersonType === 'LEGAL') expect(legacy.LegalRepresentativeProofOfIdentity).toBe(docs.IDENTITY_PROOF);
  });

  it('the newest validated document of a type is the proof; a refused one changes nothing', async () => {
    const user = await natural();
    const first = await submittedDoc(user.Id, 'IDENTITY_PROOF', 'accept');
    const second = await submittedDoc(user.Id, 'IDENTITY_PROOF', 'accept');
    await submittedDoc(user.Id, 'IDENTITY_PROOF', 'refuse_expired');
    const u = await getUser(user.Id);
    expect(u.ProofOfIdentity).toBe(second.Id);
    expect(u.ProofOfIdentity).not.toBe(first.Id);
    expect(u.KYCLevel).toBe('REGULAR');
    expect((await eventsOf(user.Id)).filter((e) => e.startsWith('USER_KYC'))).toEqual(['USER_KYC_REGULAR']);
  });

  it('a BUSINESS stays LIGHT with its documents validated but no validated UBO declaration', async () => {
    const user = await legal();
    for (const type of ['IDENTITY_PROOF', 'REGISTRATION_PROOF', 'ARTICLES_OF_ASSOCIATION']) await submittedDoc(user.Id, type, 'accept');
    const u = await getUser(user.Id);
    expect(u.ProofOfRegistration).toMatch(/^kyc_m_/);
    expect(u.Statute).toMatch(/^kyc_m_/);
    expect(u.KYCLevel).toBe('LIGHT');
  });
});

describe('downgrades (reference §5.7)', () => {
  it("a natural user's identity change outdates its identity proofs and returns it to LIGHT", async () => {
    const user = await natural();
    const validated = await submittedDoc(user.Id, 'IDENTITY_PROOF', 'accept');
    const asked = await submittedDoc(user.Id, 'IDENTITY_PROOF');
    const address = await submittedDoc(user.Id, 'ADDRESS_PROOF', 'accept');
    expect((await getUser(user.Id)).KYCLevel).toBe('REGULAR');

    // Not an identity field: nothing happens.
    const same = await s.call('PUT', `/sca/users/natural/${user.Id}`, { body: { Occupation: 'Baker', TermsAndConditionsAccepted: true } });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body.KYCLevel).toBe('REGULAR');

    const r = await s.call('PUT', `/sca/users/natural/${user.Id}`, { body: { LastName: 'Renamed', TermsAndConditionsAccepted: true } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.KYCLevel).toBe('LIGHT');
    expect(r.body.ProofOfIdentity).toBeNull();
    expect(r.body.ProofOfAddress).toBe(address.Id);
    expect((await getDoc(validated.Id)).Status).toBe('OUT_OF_DATE');
    expect((await getDoc(asked.Id)).Status).toBe('OUT_OF_DATE');
    expect((await getDoc(address.Id)).Status).toBe('VALIDATED');
    expect(await eventsOf(validated.Id)).toEqual(['KYC_CREATED', 'KYC_VALIDATION_ASKED', 'KYC_SUCCEEDED', 'KYC_OUTDATED']);
    expect((await eventsOf(asked.Id)).at(-1)).toBe('KYC_OUTDATED');
    expect((await eventsOf(user.Id)).filter((e) => e.startsWith('USER_KYC'))).toEqual(['USER_KYC_REGULAR', 'USER_KYC_LIGHT']);
    expect((await getUser(user.Id)).KYCLevel).toBe('LIGHT');

    // OUT_OF_DATE is terminal; a new document brings the user back.
    expectApiError(await validate(validated.Id), 400, 'invalid_action');
    expectApiError(await submit(user.Id, validated.Id), 400, 'invalid_action');
    const again = await submittedDoc(user.Id, 'IDENTITY_PROOF', 'accept');
    const back = await getUser(user.Id);
    expect(back.KYCLevel).toBe('REGULAR');
    expect(back.ProofOfIdentity).toBe(again.Id);
  });

  it("a legal representative's identity change outdates the identity proof and the company documents", async () => {
    const user = await legal({ LegalPersonType: 'ORGANIZATION' });
    const docs: Record<string, any> = {};
    for (const type of ['IDENTITY_PROOF', 'REGISTRATION_PROOF', 'ARTICLES_OF_ASSOCIATION', 'SHAREHOLDER_DECLARATION']) {
      docs[type] = await submittedDoc(user.Id, type, 'accept');
    }
    const u = await getUser(user.Id);
    expect(u.KYCLevel).toBe('REGULAR');
    expect(u.ShareholderDeclaration).toBe(docs.SHAREHOLDER_DECLARATION.Id);

    const r = await s.call('PUT', `/sca/users/legal/${user.Id}`, {
      body: { LegalRepresentative: { Birthday: 188352001 }, TermsAndConditionsAccepted: true },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.KYCLevel).toBe('LIGHT');
    expect(r.body.LegalRepresentative.ProofOfIdentity).toBeNull();
    expect([r.body.ProofOfRegistration, r.body.Statute, r.body.ShareholderDeclaration]).toEqual([null, null, null]);
    for (const d of Object.values(docs)) expect((await getDoc(d.Id)).Status).toBe('OUT_OF_DATE');
    expect((await eventsOf(user.Id)).filter((e) => e.startsWith('USER_KYC'))).toEqual(['USER_KYC_REGULAR', 'USER_KYC_LIGHT']);
  });

  it('a change of LegalPersonType outdates the validated registration proof only', async () => {
    const user = await legal({ LegalPersonType: 'SOLETRADER' });
    const id = await submittedDoc(user.Id, 'IDENTITY_PROOF', 'accept');
    const reg = await submittedDoc(user.Id, 'REGISTRATION_PROOF', 'accept');
    expect((await getUser(user.Id)).KYCLevel).toBe('REGULAR');

    const r = await s.call('PUT', `/sca/users/legal/${user.Id}`, { body: { LegalPersonType: 'ORGANIZATION', TermsAndConditionsAccepted: true } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.KYCLevel).toBe('LIGHT');
    expect(r.body.ProofOfRegistration).toBeNull();
    expect(r.body.LegalRepresentative.ProofOfIdentity).toBe(id.Id);
    expect((await getDoc(reg.Id)).Status).toBe('OUT_OF_DATE');
    expect((await getDoc(id.Id)).Status).toBe('VALIDATED');
    expect(await eventsOf(reg.Id)).toContain('KYC_OUTDATED');
  });
});
