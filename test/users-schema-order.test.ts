// The user changes validate their body with a schema, yet answer about the user first: an unknown or
// closed user (or an OWNER sent to the category change) is the answer whatever the body, as it was when
// the body was parsed by hand; a refused body still lists the schema's problems with the rules' ones.
import { describe, expect, it } from 'vitest';
import { legacyLegalOwner, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';
import { EMAIL_MESSAGE, refused } from './helpers/user-rules.js';

// The legacy routes stay open (they answer 410 after their cutoff by default).
const { s } = fileServer({ env: { MANGROVE_LEGACY_USERS: 'allow' } });

const BAD = { Email: 'not-an-email', TermsAndConditionsAccepted: 'maybe' };

describe('a user change whose body the schema refuses', () => {
  it('answers 404 for an unknown user on every change route', async () => {
    for (const [method, path] of [
      ['PUT', '/sca/users/natural/user_m_unknown'],
      ['PUT', '/sca/users/legal/user_m_unknown'],
      ['PUT', '/sca/users/natural/user_m_unknown/category'],
      ['PUT', '/users/natural/user_m_unknown'],
      ['PUT', '/users/legal/user_m_unknown'],
    ] as const) {
      const r = await s.call(method, path, { body: BAD });
      expect(r.status, `${method} ${path} ${JSON.stringify(r.body)}`).toBe(404);
      expect(r.body.Type).toBe('ressource_not_found');
    }
  });

  it('answers user_closed for a closed user', async () => {
    const payer = await createUser(s, 'natural', naturalPayer());
    expect((await s.call('DELETE', `/users/natural/${payer.Id}`)).status).toBe(204);
    for (const path of [`/sca/users/natural/${payer.Id}`, `/users/natural/${payer.Id}`, `/sca/users/natural/${payer.Id}/category`]) {
      const r = await s.call('PUT', path, { body: BAD });
      expect(r.status, path).toBe(400);
      expect(r.body.Type).toBe('user_closed');
    }
  });

  it('answers that an OWNER has no category change', async () => {
    const owner = await createUser(s, 'natural', naturalOwner({ Email: 'accept.owner@example.com' }));
    const r = await s.call('PUT', `/sca/users/natural/${owner.Id}/category`, { body: BAD });
    expect(r.status).toBe(400);
    expect(r.body.Type).toBe('not_allowed_for_user_category_owner');
  });

  it("lists the schema's problems with the rules' ones for a user that exists", async () => {
    const payer = await createUser(s, 'natural', naturalPayer());
    const errors = refused(
      await s.call('PUT', `/sca/users/natural/${payer.Id}`, { body: { ...BAD, FirstName: '   ', Address: { AddressLine1: 'x', City: 'y', PostalCode: '1', Country: 'US' } } }),
      ['Email', 'TermsAndConditionsAccepted', 'FirstName', 'Address.Region'],
    );
    expect(errors.Email).toBe(EMAIL_MESSAGE);
    expect(errors.TermsAndConditionsAccepted).toBe('The field TermsAndConditionsAccepted must be true or false.');
    expect(errors.FirstName).toBe('The field FirstName must be a string with a minimum length of 1 and a maximum length of 100.');
    expect(errors['Address.Region']).toBe('The Region is a required field for this Country');
  });

  it('still creates nothing from a refused creation body, naming every problem', async () => {
    const body = { ...legacyLegalOwner(), LegalRepresentativeEmail: 'nope', HeadquartersAddress: { AddressLine1: ' ', City: 'Paris', PostalCode: '75001', Country: 'XX' } };
    const errors = refused(await s.call('POST', '/users/legal', { body }), ['LegalRepresentativeEmail', 'HeadquartersAddress.AddressLine1', 'HeadquartersAddress.Country']);
    expect(errors['HeadquartersAddress.AddressLine1']).toBe('The AddressLine1 field is required.');
  });
});
