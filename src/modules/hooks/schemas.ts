import { Body, Enum, NullableStr, PagingQuery, Reply, Str, Type, type Static } from '../../lib/schema.js';

const MAX_TEXT = 255;
const STATUSES = ['ENABLED', 'DISABLED'] as const;

export const HookParams = Type.Object({ hookId: Str({ description: 'The hook id' }) });

export const HookCreate = Body({
  EventType: Str({ description: 'One event type (see /events); one hook per event type' }),
  Url: Str({
    maxLength: MAX_TEXT,
    minLength: 1,
    'x-empty': 'keep',
    description: 'An absolute http or https URL',
    messages: { minLength: 'The Url field is required.', maxLength: 'The field Url must be a string with a maximum length of 255.' },
  }),
  Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
}, { required: ['EventType', 'Url'] });
export type HookCreate = Static<typeof HookCreate>;

export const HookUpdate = Body({
  Url: Type.Optional(
    Str({
      maxLength: MAX_TEXT,
      minLength: 1,
      'x-empty': 'keep',
      messages: { minLength: 'The Url field cannot be empty.', maxLength: 'The field Url must be a string with a maximum length of 255.' },
    }),
  ),
  Status: Type.Optional(Enum(STATUSES)),
  Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  Validity: Type.Optional(Str({ description: 'VALID puts an INVALID hook back in service' })),
});
export type HookUpdate = Static<typeof HookUpdate>;

export const HookListQuery = Type.Object({
  ...PagingQuery,
  EventType: Type.Optional(Str({ 'x-upper': true })),
  Status: Type.Optional(Enum(STATUSES)),
  Validity: Type.Optional(Enum(['VALID', 'INVALID'] as const)),
});
export type HookListQuery = Static<typeof HookListQuery>;

export const HookReply = Reply(
  {
    Url: Str(),
    Status: Enum(STATUSES),
    Validity: Enum(['VALID', 'INVALID'] as const),
    EventType: Str(),
    Id: Str(),
    Tag: NullableStr(),
    CreationDate: Type.Integer(),
  },
  { title: 'Hook', description: 'A webhook registration' },
);
export type HookReply = Static<typeof HookReply>;
