import { Int, Str, Type } from '../../lib/schema.js';

const TokenRequest = Type.Object(
  { grant_type: Str({ enum: ['client_credentials'], description: 'Always client_credentials' }) },
  { required: ['grant_type'] },
);

/**
 * How the OAuth body is documented. The route reads it itself (SDKs label it every which way: a form, JSON
 * labelled as a form, multipart, or the query string), so no content type here is validated by Fastify.
 */
export const TokenBody = {
  content: {
    'application/x-www-form-urlencoded': { schema: TokenRequest },
    'application/json': { schema: TokenRequest },
    'multipart/form-data': { schema: TokenRequest },
  },
};

export const TokenReply = Type.Object(
  {
    access_token: Str({ description: 'Send it as Authorization: Bearer <token>; reuse it for its whole lifetime' }),
    token_type: Str({ description: 'Bearer' }),
    expires_in: Int({ description: 'Lifetime in seconds' }),
  },
  { additionalProperties: false, title: 'Token' },
);

export const TokenQuery = Type.Object({
  grant_type: Type.Optional(
    Type.Unsafe<string | string[]>({
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      description: 'Some clients send grant_type in the query string; the last one counts',
    }),
  ),
});
