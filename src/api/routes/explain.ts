/**
 * `GET /campaigns/data_series/explain` (`campaigns.data_series`) and
 * `GET /sends/data_series/explain` (`sends.data_series`): what made one figure of a series, a
 * page at a time (docs/api.md, "Explaining a figure").
 */
import { Type } from '@sinclair/typebox';
import { pageOf } from '../../domain/explain.js';
import type { SeriesKind } from '../../domain/series-shape.js';
import { explainFigure } from '../../store/explain.js';
import { workspaceOf, type RouteDeps, type TallyInstance } from '../context.js';
import { resolveExplainRequest, type ExplainQuery } from '../explain-request.js';
import { CampaignIdField, ERROR_RESPONSES, plainJsonSerializer } from '../schemas.js';

export const MAX_EXPLAIN_LIMIT = 1000;

const explainQueryFields = {
  campaign_id: CampaignIdField,
  day: Type.String({
    pattern: '^\\d{4}-\\d{2}-\\d{2}$',
    description: "A day of the series (YYYY-MM-DD), in the workspace's reporting time zone",
  }),
  metric: Type.String({
    minLength: 1,
    description: 'A field of the series answer: of the day, or of the entry named below',
  }),
  channel: Type.Optional(
    Type.String({ description: "The entry's channel (a key of `messages`); absent: the day" }),
  ),
  variation_api_id: Type.Optional(
    Type.String({ description: "The entry's variation (control too); absent: the day" }),
  ),
  page: Type.Integer({ minimum: 0, default: 0, description: '0-based page of the items' }),
  limit: Type.Integer({
    minimum: 1,
    maximum: MAX_EXPLAIN_LIMIT,
    default: 100,
    description: 'Items per page',
  }),
};

const CampaignExplainQuery = Type.Object(explainQueryFields);
const SendExplainQuery = Type.Object({
  ...explainQueryFields,
  send_id: Type.String({ minLength: 1, description: 'A send id of the campaign' }),
});

const ExplainAnswerSchema = Type.Object({
  message: Type.Literal('success'),
  metric: Type.String(),
  day: Type.String({ description: 'YYYY-MM-DD' }),
  value: Type.Number({ description: 'The figure, exactly as the series answer shows it' }),
  rule: Type.String({ description: 'How the metric counts' }),
  total: Type.Integer({ description: 'Items over all pages (a count: equal to value)' }),
  items: Type.Array(Type.Object({}, { additionalProperties: true }), {
    description: 'What made the figure, oldest first (docs/api.md lists each kind)',
  }),
  next_page: Type.Union([Type.Integer(), Type.Null()]),
});

interface PagedQuery extends ExplainQuery {
  readonly page: number;
  readonly limit: number;
}

async function explain(deps: RouteDeps, workspaceId: string, kind: SeriesKind, query: PagedQuery) {
  const resolved = await resolveExplainRequest(deps.store, workspaceId, kind, query);
  if (!resolved.ok) return resolved;
  const items = await explainFigure(deps.store, workspaceId, resolved.figure);
  const page = pageOf(items, query.page, query.limit);
  return {
    ok: true as const,
    answer: {
      message: 'success' as const,
      metric: query.metric,
      day: query.day,
      value: resolved.value,
      rule: resolved.rule,
      total: items.length,
      items: page.items,
      next_page: page.nextPage,
    },
  };
}

export async function explainRoutes(app: TallyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    '/campaigns/data_series/explain',
    {
      config: { permission: 'campaigns.data_series' },
      schema: {
        summary: 'What made one figure of a campaign series',
        querystring: CampaignExplainQuery,
        response: { 200: ExplainAnswerSchema, ...ERROR_RESPONSES },
      },
      serializerCompiler: plainJsonSerializer,
    },
    async (request, reply) => {
      const result = await explain(deps, workspaceOf(request), 'campaign', request.query);
      if (!result.ok) return reply.code(400).send({ message: result.message });
      return result.answer;
    },
  );
  app.get(
    '/sends/data_series/explain',
    {
      config: { permission: 'sends.data_series' },
      schema: {
        summary: 'What made one figure of a send series',
        querystring: SendExplainQuery,
        response: { 200: ExplainAnswerSchema, ...ERROR_RESPONSES },
      },
      serializerCompiler: plainJsonSerializer,
    },
    async (request, reply) => {
      const result = await explain(deps, workspaceOf(request), 'send', request.query);
      if (!result.ok) return reply.code(400).send({ message: result.message });
      return result.answer;
    },
  );
}
