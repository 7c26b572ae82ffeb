import { PagingQuery, Reply, SortField, Str, Type, type Static } from '../../lib/schema.js';

export const EventListQuery = Type.Object({
  ...PagingQuery,
  Sort: Type.Optional(SortField(['Date'])),
  EventType: Type.Optional(
    Type.Unsafe<string | string[]>({
      type: ['string', 'array'],
      items: { type: 'string' },
      description: 'Event types, comma-separated or repeated, in any case',
    }),
  ),
});
export type EventListQuery = Static<typeof EventListQuery>;

export const EventReply = Reply({ ResourceId: Str(), EventType: Str(), Date: Type.Integer() }, { title: 'Event' });
export type EventReply = Static<typeof EventReply>;
