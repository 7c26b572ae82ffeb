import { Body, Bool, Reply, Str, Type, type Static } from '../../lib/schema.js';

const MAX_ACTION_CODE = 255;

export { UserParams } from '../../lib/schema.js';

const flows = {
  Inflows: Type.Optional(Bool({ description: 'true: change the inflows (at least one of Inflows and Outflows)' })),
  Outflows: Type.Optional(Bool({ description: 'true: change the outflows (at least one of Inflows and Outflows)' })),
};

/** Sandbox block: the flows to block, and the ActionCode to show (008703, general issue, by default). */
export const BlockBody = Body({
  ...flows,
  ActionCode: Type.Optional(Str({ maxLength: MAX_ACTION_CODE, description: "Mangopay's reason code, like 008701" })),
});
export type BlockBody = Static<typeof BlockBody>;

/** Sandbox unblock: the flows to unblock (an ActionCode is ignored). */
export const UnblockBody = Body(flows);
export type UnblockBody = Static<typeof UnblockBody>;

export const RegulatoryReply = Reply(
  {
    ActionCode: Str({ description: '"" when nothing is blocked' }),
    ScopeBlocked: Reply({ Inflows: Type.Boolean(), Outflows: Type.Boolean() }),
    Id: Str(),
  },
  { title: 'Regulatory', description: "A user's regulatory status: which flows are blocked, and why" },
);
export type RegulatoryReply = Static<typeof RegulatoryReply>;
