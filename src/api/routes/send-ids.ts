/**
 * `POST /sends/id/create` (`sends.id.create`, SPEC §7): registers a send id of a campaign so
 * `/sends/data_series` answers for it before its first event. 100 a day per workspace is the
 * `sendIdCreate` rate limit (rate-limit.ts), counted in UTC days.
 */
import { Type } from '@sinclair/typebox';
import { MAX_SEND_ID_LENGTH, readSendIdRequest, SEND_ID_PATTERN } from '../../domain/send-id.js';
import { workspaceOf, type RouteDeps, type TallyInstance } from '../context.js';
import { ERROR_RESPONSES } from '../schemas.js';
import { notACampaign } from '../series-request.js';

/** For the OpenAPI document; readSendIdRequest validates (its messages name the rule). */
const CreateSendBodySchema = Type.Object({
  campaign_id: Type.String({ minLength: 1 }),
  send_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: MAX_SEND_ID_LENGTH,
      pattern: SEND_ID_PATTERN,
      description: 'Printable ASCII; generated when absent. Creating an existing one is a no-op.',
    }),
  ),
});

export async function sendIdsRoutes(app: TallyInstance, deps: RouteDeps): Promise<void> {
  app.post(
    '/sends/id/create',
    {
      config: { permission: 'sends.id.create' },
      schema: {
        summary: 'Create a send id for a campaign',
        body: CreateSendBodySchema,
        response: {
          200: Type.Object({ message: Type.Literal('success'), send_id: Type.String() }),
          ...ERROR_RESPONSES,
        },
      },
      validatorCompiler: () => (body) => ({ value: body }),
    },
    async (request, reply) => {
      const parsed = readSendIdRequest(request.body);
      if (!parsed.ok) return reply.code(400).send({ message: parsed.message });
      const workspaceId = workspaceOf(request);
      if (!(await deps.store.getCampaign(workspaceId, parsed.campaignId))) {
        return reply.code(400).send({
          message: notACampaign(parsed.campaignId),
        });
      }
      await deps.store.createSend(workspaceId, parsed.campaignId, parsed.sendId, deps.now());
      return { message: 'success' as const, send_id: parsed.sendId };
    },
  );
}
