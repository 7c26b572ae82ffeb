import type { RequestCtx } from '../core/context.js';
import { ERRORS, type FieldErrors } from '../core/errors.js';
import { REFUSED_REASONS } from '../modules/kyc/schemas.js';
import * as kyc from '../modules/kyc/service.js';
import { UBO_DECLARATION_REASONS } from '../modules/kyc/ubo-schemas.js';
import * as ubo from '../modules/kyc/ubo-service.js';
import * as payIns from '../modules/payins/service.js';
import * as payOuts from '../modules/payouts/service.js';
import * as regulatory from '../modules/regulatory/service.js';
import { MAX_ADVANCE } from '../modules/sandbox/schemas.js';
import { advanceClock, completePendingSca, reset } from '../modules/sandbox/service.js';
import type { Transaction } from '../modules/transactions/model.js';

/**
 * The sandbox operations of SPEC §8 as Dashboard forms: each parses its form fields as the API's
 * schema would, calls the very service the /v2.01/{ClientId}/sandbox/... route calls, and says
 * what became of the resource.
 */

export type Form = Record<string, string | undefined>;

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'id' | 'text' | 'int' | 'select' | 'checkbox';
  required?: boolean;
  options?: readonly string[];
  hint?: string;
}

export interface OpResult {
  /** What changed, e.g. "Pay-in wire_m_…". */
  subject: string;
  /** Its new status, e.g. SUCCEEDED. */
  status: string;
  /** More of its state (a result code, the blocked flows, the clock). */
  details: [string, string][];
}

export interface SandboxOp {
  name: string;
  group: string;
  label: string;
  /** The field naming the resource (its id), if any. */
  idField?: string;
  fields: FieldSpec[];
  /** A warning shown by the button; the reset asks for the client id typed out. */
  danger?: string;
  run(ctx: RequestCtx, form: Form): Promise<OpResult>;
}

const MAX_TEXT = 255;

function text(form: Form, name: string, max = MAX_TEXT): string | undefined {
  const v = form[name]?.trim();
  if (!v) return undefined;
  if (v.length > max) throw ERRORS.paramError({ [name]: `${name} may not exceed ${max} characters.` });
  return v;
}

function required(form: Form, name: string): string {
  const v = text(form, name);
  if (!v) throw ERRORS.paramError({ [name]: `The ${name} field is required.` });
  return v;
}

function resultCode(form: Form): string | undefined {
  const v = text(form, 'ResultCode');
  if (v !== undefined && !/^\d{6}$/.test(v)) throw ERRORS.paramError({ ResultCode: 'ResultCode must be six digits, like 001999.' });
  return v;
}

function positiveInt(form: Form, name: string, max: number): number | undefined {
  const v = text(form, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v) || Number(v) < 1 || Number(v) > max) {
    throw ERRORS.paramError({ [name]: `${name} must be a whole number from 1 to ${max}.` });
  }
  return Number(v);
}

function choice<T extends string>(form: Form, name: string, values: readonly T[]): T | undefined {
  const v = text(form, name);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw ERRORS.paramError({ [name]: `${name} must be one of ${values.join(', ')}.` });
  return v as T;
}

const checked = (form: Form, name: string) => form[name] === 'on' || form[name] === 'true';

function transaction(kind: string, t: Transaction): OpResult {
  const details: [string, string][] = [
    ['ResultCode', t.resultCode ?? ''],
    ['ResultMessage', t.resultMessage ?? ''],
  ];
  if (t.creditedAmount !== null) details.push(['CreditedAmount', `${t.creditedAmount} ${t.currency}`]);
  return { subject: `${kind} ${t.id}`, status: t.status, details };
}

const failFields: FieldSpec[] = [
  { name: 'ResultCode', label: 'Result code', kind: 'text', hint: 'six digits; 001999 when empty' },
  { name: 'ResultMessage', label: 'Result message', kind: 'text' },
];

export const SANDBOX_OPS: SandboxOp[] = [
  {
    name: 'payin-settle',
    group: 'Pay-ins (bank wire)',
    label: 'Funds received (settle)',
    idField: 'PayInId',
    fields: [
      { name: 'PayInId', label: 'Pay-in id', kind: 'id', required: true },
      { name: 'Amount', label: 'Amount received (minor units)', kind: 'int', hint: 'the declared amount when empty' },
    ],
    async run(ctx, f) {
      const amount = positiveInt(f, 'Amount', Number.MAX_SAFE_INTEGER);
      return transaction('Pay-in', await payIns.sandboxSettle(ctx, required(f, 'PayInId'), amount === undefined ? {} : { Amount: amount }));
    },
  },
  {
    name: 'payin-fail',
    group: 'Pay-ins (bank wire)',
    label: 'Wire failed',
    idField: 'PayInId',
    fields: [{ name: 'PayInId', label: 'Pay-in id', kind: 'id', required: true }, ...failFields],
    async run(ctx, f) {
      const input = { ResultCode: resultCode(f), ResultMessage: text(f, 'ResultMessage') };
      return transaction('Pay-in', await payIns.sandboxFail(ctx, required(f, 'PayInId'), input));
    },
  },
  {
    name: 'payout-settle',
    group: 'Payouts',
    label: 'Executed by the bank (settle)',
    idField: 'PayOutId',
    fields: [{ name: 'PayOutId', label: 'Payout id', kind: 'id', required: true }],
    async run(ctx, f) {
      return transaction('Payout', await payOuts.sandboxSettle(ctx, required(f, 'PayOutId')));
    },
  },
  {
    name: 'payout-fail',
    group: 'Payouts',
    label: 'Rejected by the bank',
    idField: 'PayOutId',
    fields: [{ name: 'PayOutId', label: 'Payout id', kind: 'id', required: true }, ...failFields],
    async run(ctx, f) {
      const input = { ResultCode: resultCode(f), ResultMessage: text(f, 'ResultMessage') };
      return transaction('Payout', await payOuts.sandboxFail(ctx, required(f, 'PayOutId'), input));
    },
  },
  {
    name: 'kyc-validate',
    group: 'KYC documents',
    label: 'Validate',
    idField: 'DocumentId',
    fields: [{ name: 'DocumentId', label: 'KYC document id', kind: 'id', required: true }],
    async run(ctx, f) {
      const d = await kyc.sandboxDecide(ctx, required(f, 'DocumentId'), null);
      return { subject: `KYC document ${d.id}`, status: d.status, details: [['Type', d.type]] };
    },
  },
  {
    name: 'kyc-refuse',
    group: 'KYC documents',
    label: 'Refuse',
    idField: 'DocumentId',
    fields: [
      { name: 'DocumentId', label: 'KYC document id', kind: 'id', required: true },
      { name: 'RefusedReasonType', label: 'Reason', kind: 'select', options: REFUSED_REASONS, required: true },
      { name: 'RefusedReasonMessage', label: 'Message', kind: 'text' },
    ],
    async run(ctx, f) {
      const reason = choice(f, 'RefusedReasonType', REFUSED_REASONS);
      if (!reason) throw ERRORS.paramError({ RefusedReasonType: 'The RefusedReasonType field is required.' });
      const d = await kyc.sandboxDecide(ctx, required(f, 'DocumentId'), {
        RefusedReasonType: reason,
        RefusedReasonMessage: text(f, 'RefusedReasonMessage') ?? null,
      });
      return {
        subject: `KYC document ${d.id}`,
        status: d.status,
        details: [
          ['RefusedReasonType', d.refusedReasonType ?? ''],
          ['RefusedReasonMessage', d.refusedReasonMessage ?? ''],
        ],
      };
    },
  },
  ...(['validate', 'refuse', 'incomplete'] as const).map(
    (op): SandboxOp => ({
      name: `ubo-${op}`,
      group: 'UBO declarations',
      label: op === 'validate' ? 'Validate' : op === 'refuse' ? 'Refuse' : 'Incomplete',
      idField: 'DeclarationId',
      fields: [
        { name: 'DeclarationId', label: 'UBO declaration id', kind: 'id', required: true },
        ...(op === 'validate'
          ? []
          : [
              { name: 'Reason', label: 'Reason', kind: 'select', options: UBO_DECLARATION_REASONS, hint: "the outcome's default when empty" } as FieldSpec,
              { name: 'Message', label: 'Message', kind: 'text' } as FieldSpec,
            ]),
      ],
      async run(ctx, f) {
        const id = required(f, 'DeclarationId');
        const v =
          op === 'validate'
            ? await ubo.sandboxDecide(ctx, id, 'VALIDATED')
            : await ubo.sandboxDecide(ctx, id, op === 'refuse' ? 'REFUSED' : 'INCOMPLETE', {
                Reason: choice(f, 'Reason', UBO_DECLARATION_REASONS),
                Message: text(f, 'Message') ?? null,
              });
        const d = v.declaration;
        return {
          subject: `UBO declaration ${d.id}`,
          status: d.status,
          details: [
            ['Reason', d.reason ?? ''],
            ['Message', d.message ?? ''],
          ],
        };
      },
    }),
  ),
  ...([true, false] as const).map(
    (block): SandboxOp => ({
      name: block ? 'user-block' : 'user-unblock',
      group: 'Users',
      label: block ? 'Block' : 'Unblock',
      idField: 'UserId',
      fields: [
        { name: 'UserId', label: 'User id', kind: 'id', required: true },
        { name: 'Inflows', label: 'Inflows', kind: 'checkbox' },
        { name: 'Outflows', label: 'Outflows', kind: 'checkbox' },
        ...(block ? [{ name: 'ActionCode', label: 'Action code', kind: 'text', hint: 'like 008701' } as FieldSpec] : []),
      ],
      async run(ctx, f) {
        const flows = { Inflows: checked(f, 'Inflows'), Outflows: checked(f, 'Outflows') };
        const input = block ? { ...flows, ActionCode: text(f, 'ActionCode', 50) } : flows;
        const { userId, state } = await regulatory.sandboxChange(ctx, required(f, 'UserId'), block, input);
        const blocked = [state.inflows && 'inflows', state.outflows && 'outflows'].filter(Boolean).join(' and ');
        return {
          subject: `User ${userId}`,
          status: blocked ? `${blocked} blocked` : 'nothing blocked',
          details: [['ActionCode', state.actionCode]],
        };
      },
    }),
  ),
  {
    name: 'sca-complete',
    group: 'Users',
    label: 'Complete pending SCA',
    idField: 'UserId',
    fields: [{ name: 'UserId', label: 'User id', kind: 'id', required: true }],
    async run(ctx, f) {
      const u = await completePendingSca(ctx, required(f, 'UserId'));
      return { subject: `User ${u.id}`, status: u.status, details: [] };
    },
  },
  {
    name: 'clock-advance',
    group: 'Sandbox clock',
    label: 'Advance the clock',
    fields: [
      { name: 'Amount', label: 'By', kind: 'int', required: true },
      { name: 'Unit', label: 'Unit', kind: 'select', options: ['seconds', 'minutes', 'hours', 'days'], required: true },
    ],
    async run(ctx, f) {
      const unit = choice(f, 'Unit', ['seconds', 'minutes', 'hours', 'days'] as const) ?? 'seconds';
      const factor = { seconds: 1, minutes: 60, hours: 3600, days: 86400 }[unit];
      const amount = positiveInt(f, 'Amount', Math.floor(MAX_ADVANCE / factor));
      if (amount === undefined) throw ERRORS.paramError({ Amount: 'The Amount field is required.' });
      const c = await advanceClock(ctx, { Seconds: amount * factor });
      return {
        subject: 'Sandbox clock',
        status: new Date(c.Date * 1000).toISOString().replace('.000Z', 'Z'),
        details: [
          ['Date', String(c.Date)],
          ['OffsetSeconds', String(c.OffsetSeconds)],
        ],
      };
    },
  },
  {
    name: 'reset',
    group: 'Reset',
    label: "Wipe all of this client's data",
    danger: 'Deletes every user, wallet, transaction, document, hook and event of this client. Its credentials stay. This cannot be undone.',
    fields: [{ name: 'Confirm', label: 'Type the client id to confirm', kind: 'text', required: true }],
    async run(ctx, f) {
      if (f.Confirm?.trim() !== ctx.clientId) {
        throw ERRORS.paramError({ Confirm: 'Type the client id exactly to confirm the reset.' } satisfies FieldErrors);
      }
      await reset(ctx);
      return { subject: `Client ${ctx.clientId}`, status: 'reset', details: [] };
    },
  },
];

export function findOp(name: string): SandboxOp | undefined {
  return SANDBOX_OPS.find((o) => o.name === name);
}
