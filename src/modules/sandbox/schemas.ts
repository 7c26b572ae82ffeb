import { Body, Enum, Int, NullableStr, OrNull, PagingQuery, Reply, Str, Type, type Static } from '../../lib/schema.js';

/** One step of the clock may not exceed ten years. */
export const MAX_ADVANCE = 10 * 366 * 86400;

export const DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

export const ClockAdvance = Body(
  { Seconds: Int({ minimum: 1, maximum: MAX_ADVANCE, description: 'How far to move the client clock forward' }) },
  { required: ['Seconds'] },
);
export type ClockAdvance = Static<typeof ClockAdvance>;

export const ClockReply = Reply(
  {
    Date: Type.Integer({ description: "The client's clock, Unix seconds" }),
    OffsetSeconds: Type.Integer({ description: 'How far it runs ahead of real time' }),
  },
  { title: 'SandboxClock' },
);
export type ClockReply = Static<typeof ClockReply>;

export const DeliveryListQuery = Type.Object({
  ...PagingQuery,
  Status: Type.Optional(Enum(DELIVERY_STATUSES)),
  EventType: Type.Optional(Str({ 'x-upper': true })),
  HookId: Type.Optional(Str()),
  RessourceId: Type.Optional(Str()),
  ResourceId: Type.Optional(Str()),
});
export type DeliveryListQuery = Static<typeof DeliveryListQuery>;

export const DeliveryReply = Reply(
  {
    Id: Str(),
    HookId: Str(),
    EventType: Str(),
    RessourceId: Str(),
    Date: Type.Integer(),
    Url: Str(),
    Status: Str({ description: DELIVERY_STATUSES.join(', ') }),
    Attempts: Type.Integer(),
    LastAttemptDate: OrNull(Type.Integer()),
    LastStatusCode: OrNull(Type.Integer()),
    LastError: NullableStr(),
    NextAttemptDate: OrNull(Type.Integer()),
    CreationDate: Type.Integer(),
  },
  { title: 'WebhookDelivery', description: 'One webhook call Mangrove made or will make, with its attempts' },
);

export { UserParams } from '../../lib/schema.js';
export { EmptyBody as Empty } from '../../lib/schema.js';
