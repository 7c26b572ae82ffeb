import { describe, expect, it } from 'vitest';
import { expectApiError } from './helpers/errors.js';
import { address, naturalOwner } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';

// The refund lists the Node SDK's own Transfers and PayOuts suites read (Transfers.getRefunds,
// PayOuts.getRefunds). Mangrove creates no refunds yet, so through the API they are empty.
const { s, api } = fileServer();

const money = (Amount: number) => ({ Currency: 'EUR', Amount });
async function wallet(ownerId: string): Promise<any> {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency: 'EUR', Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
/** A transfer between two empty wallets of one OWNER: FAILED for the balance, but a transfer all the same. */
async function transfer(): Promise<any> {
  const user = await createUser(s, 'natural', naturalOwner());
  const [a, b] = [await wallet(user.Id), await wallet(user.Id)];
  const t = await api.Transfers.create({ AuthorId: user.Id, DebitedFunds: money(100), Fees: money(0), DebitedWalletId: a.Id, CreditedWalletId: b.Id });
  expect(t.Id).toMatch(/^xfer_m_/);
  return t;
}
async function payOut(): Promise<any> {
  const user = await createUser(s, 'natural', naturalOwner());
  const w = await wallet(user.Id);
  const account = await s.call('POST', `/users/${user.Id}/bankaccounts/iban`, {
    body: { OwnerName: 'Owner Name', OwnerAddress: address(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
  });
  expect(account.status, JSON.stringify(account.body)).toBe(200);
  const p = await api.PayOuts.create({
    AuthorId: user.Id, DebitedWalletId: w.Id, DebitedFunds: money(10), Fees: money(0), BankAccountId: account.body.Id, PaymentType: 'BANK_WIRE',
  });
  expect(p.Id).toMatch(/^po_m_/);
  return p;
}

describe('refunds of a transfer and of a payout', () => {
  it('are listed through the SDK, paged, and empty while nothing refunds them', async () => {
    const t = await transfer();
    const p = await payOut();
    expect(await api.Transfers.getRefunds(t.Id)).toEqual([]);
    expect(await api.PayOuts.getRefunds(p.Id)).toEqual([]);
    for (const path of [`/transfers/${t.Id}/refunds`, `/payouts/${p.Id}/refunds?page=1&per_page=5&Sort=CreationDate:DESC`]) {
      const r = await s.call('GET', path);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toEqual([]);
      expect(r.headers.get('x-number-of-items')).toBe('0');
      expect(r.headers.get('x-number-of-pages')).toBe('1');
    }
  });

  it('list the refund transactions that name the transaction, and only those', async () => {
    const [t, other] = [await transfer(), await transfer()];
    // No endpoint creates refunds yet: the row is written as a refund of the transfer would be.
    const refund = (id: string, initial: string, date: number) =>
      s.db.query(
        `INSERT INTO transactions (id, client_id, type, nature, status, result_code, result_message, author_id, credited_user_id,
           debited_wallet_id, credited_wallet_id, currency, debited_amount, credited_amount, fees_amount, details, creation_date)
         SELECT $1, client_id, 'TRANSFER', 'REFUND', 'FAILED', '001001', 'Unsufficient wallet balance', author_id, author_id,
           credited_wallet_id, debited_wallet_id, currency, 100, 100, 0, $3::jsonb, $4
         FROM transactions WHERE id = $2`,
        [id, initial, JSON.stringify({ InitialTransactionId: initial, InitialTransactionType: 'TRANSFER', RefundReason: { RefundReasonType: 'OTHER' } }), date],
      );
    await refund('rfd_test_2', t.Id, t.CreationDate + 2);
    await refund('rfd_test_1', t.Id, t.CreationDate + 1);
    await refund('rfd_test_other', other.Id, other.CreationDate + 1);
    const r = await s.call('GET', `/transfers/${t.Id}/refunds`);
    expect(r.status).toBe(200);
    expect(r.body.map((x: any) => x.Id)).toEqual(['rfd_test_1', 'rfd_test_2']);
    expect(r.body[0]).toMatchObject({
      Type: 'TRANSFER',
      Nature: 'REFUND',
      Status: 'FAILED',
      DebitedWalletId: t.CreditedWalletId,
      CreditedWalletId: t.DebitedWalletId,
      InitialTransactionId: t.Id,
      InitialTransactionType: 'TRANSFER',
      RefundReason: { RefundReasonType: 'OTHER' },
    });
    expect((await api.Transfers.getRefunds(other.Id)).map((x: any) => x.Id)).toEqual(['rfd_test_other']);
    // Sort and paging apply as on every list.
    expect((await s.call('GET', `/transfers/${t.Id}/refunds?Sort=CreationDate:DESC&per_page=1`)).body.map((x: any) => x.Id)).toEqual(['rfd_test_2']);
  });

  it('are 404 for an unknown id or an id of another kind, and 400 for bad paging', async () => {
    const t = await transfer();
    const p = await payOut();
    const unknown = await s.call('GET', '/transfers/xfer_m_nope/refunds');
    expectApiError(unknown, 404, 'ressource_not_found');
    expect(unknown.body.errors.RessourceNotFound).toContain('Transfer with the id=xfer_m_nope');
    expectApiError(await s.call('GET', `/transfers/${p.Id}/refunds`), 404, 'ressource_not_found');
    const wrong = await s.call('GET', `/payouts/${t.Id}/refunds`);
    expectApiError(wrong, 404, 'ressource_not_found');
    expect(wrong.body.errors.RessourceNotFound).toContain(`PayOut with the id=${t.Id}`);
    const paging = await s.call('GET', `/payouts/${p.Id}/refunds?per_page=1000&Sort=Amount:ASC`);
    expectApiError(paging, 400, 'param_error');
    expect(Object.keys(paging.body.errors).sort()).toEqual(['Sort', 'per_page']);
  });

  it("are another client's 404", async () => {
    const t = await transfer();
    const other = await s.newClient();
    const r = await s.fetch('GET', `/v2.01/${other.id}/transfers/${t.Id}/refunds`, { token: await s.tokenFor(other) });
    expectApiError(r, 404, 'ressource_not_found');
  });
});
