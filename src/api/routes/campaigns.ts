/**
 * `POST /campaigns/define` (`campaigns.write`) and `GET /campaigns/data_series`
 * (`campaigns.data_series`, SPEC §5).
 */
import { Type } from '@sinclair/typebox';
import {
  CONVERSION_TYPES,
  MAX_CONVERSION_BEHAVIORS,
  MAX_CONVERSION_WINDOW,
  MAX_DEFINITION_ID_LENGTH,
  MIN_CONVERSION_WINDOW,
  validateCampaignDefinition,
} from '../../domain/campaign-definition.js';
import { CHANNELS } from '../../domain/channels.js';
import { workspaceOf, type RouteDeps, type TallyInstance } from '../context.js';
import {
  ERROR_RESPONSES,
  plainJsonSerializer,
  SeriesAnswerSchema,
  SeriesQuerySchema,
} from '../schemas.js';
import { replySeries } from '../series-format.js';
import { resolveSeriesRequest } from '../series-request.js';

/**
 * The definition body, for the OpenAPI document. validateCampaignDefinition is the one
 * authority on what is valid (the CLI uses it on the same JSON), so this schema is not
 * compiled into a second validator with different messages; see the route's validatorCompiler.
 */
const DefinitionSchema = Type.Object({
  campaign_id: Type.String({ minLength: 1, maxLength: MAX_DEFINITION_ID_LENGTH }),
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  is_api_campaign: Type.Optional(Type.Boolean()),
  archived: Type.Optional(Type.Boolean()),
  tags: Type.Optional(Type.Array(Type.String())),
  channels: Type.Optional(Type.Array(Type.Union(CHANNELS.map((channel) => Type.Literal(channel))))),
  variations: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.String({ minLength: 1, maxLength: MAX_DEFINITION_ID_LENGTH }),
        name: Type.Optional(Type.String()),
        control: Type.Optional(Type.Boolean()),
      }),
    ),
  ),
  conversion_behaviors: Type.Optional(
    Type.Array(
      Type.Object({
        type: Type.Union(Object.keys(CONVERSION_TYPES).map((type) => Type.Literal(type))),
        window: Type.Integer({
          minimum: MIN_CONVERSION_WINDOW,
          maximum: MAX_CONVERSION_WINDOW,
          description: 'Seconds',
        }),
        product: Type.Optional(Type.String()),
        custom_event_name: Type.Optional(Type.String()),
        app_ids: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
      }),
      { maxItems: MAX_CONVERSION_BEHAVIORS },
    ),
  ),
});

export async function campaignsRoutes(app: TallyInstance, deps: RouteDeps): Promise<void> {
  app.post(
    '/campaigns/define',
    {
      config: { permission: 'campaigns.write' },
      schema: {
        summary: 'Define (or redefine) a campaign',
        body: DefinitionSchema,
        response: {
          200: Type.Object({ message: Type.Literal('success'), campaign_id: Type.String() }),
          ...ERROR_RESPONSES,
        },
      },
      validatorCompiler: () => (body) => ({ value: body }),
    },
    async (request, reply) => {
      const result = validateCampaignDefinition(request.body);
      if (!result.ok) return reply.code(400).send({ message: result.message });
      await deps.store.defineCampaign(workspaceOf(request), result.definition, deps.now());
      return { message: 'success' as const, campaign_id: result.definition.campaign_id };
    },
  );

  app.get(
    '/campaigns/data_series',
    {
      config: { permission: 'campaigns.data_series' },
      schema: {
        summary: 'Daily analytics of a campaign',
        querystring: SeriesQuerySchema,
        response: { 200: SeriesAnswerSchema, ...ERROR_RESPONSES },
      },
      serializerCompiler: plainJsonSerializer,
    },
    async (request, reply) => {
      const workspaceId = workspaceOf(request);
      const series = await resolveSeriesRequest(deps.store, workspaceId, request.query, deps.now());
      if (!series.ok) return reply.code(400).send({ message: series.message });
      const { campaign, range } = series;
      return replySeries(reply, deps, {
        workspaceId,
        campaign,
        range,
        kind: 'campaign',
        sendId: null,
        format: request.query.format,
        cells: () => deps.store.campaignSeries(workspaceId, campaign.id, range),
      });
    },
  );
}
