import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { onSecureOutcome } from '../secure-mode/service.js';
import { isCardDirect, renderCardDirectPayIn } from './card-direct-model.js';
import { CardDirectPayInCreate, CardDirectPayInReply } from './card-direct-schemas.js';
import { cardDirectRules, createCardDirectPayIn, onPayInChallengeOutcome, refreshCardDirect } from './card-direct-service.js';
import { registerPayInView } from './views.js';

// Registered once, when the file is loaded (several servers may be built in one process).
registerPayInView({ matches: isCardDirect, schema: CardDirectPayInReply, refresh: refreshCardDirect, render: renderCardDirectPayIn });

/** Direct card pay-ins (`POST /payins/card/direct`, the SDK adds a trailing slash), 3-D Secure included (issue #12). */
export function cardDirectRoutes(scope: FastifyInstance): void {
  onSecureOutcome('PAYIN', onPayInChallengeOutcome);
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/payins/card/direct',
    { schema: { body: CardDirectPayInCreate, response: { 200: CardDirectPayInReply } }, config: { rules: cardDirectRules } },
    async (req) => renderCardDirectPayIn(await createCardDirectPayIn(req.ctx, req.body)),
  );
}
