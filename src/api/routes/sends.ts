/**
 * `GET /sends/data_series` (`sends.data_series`, SPEC §4 and §5), and `GET /sends/list`, the
 * product's own (no Braze endpoint lists a campaign's send ids; the dashboard needs them).
 */
import { Type } from '@sinclair/typebox';
import { workspaceOf, type RouteDeps, type TallyInstance } from '../context.js';
import {
  CampaignIdField,
  ERROR_RESPONSES,
  plainJsonSerializer,
  SeriesAnswerSchema,
  seriesQueryFields,
} from '../schemas.js';
import { replySeries } from '../series-format.js';
import { notACampaign, notASend, resolveSeriesRequest } from '../series-request.js';

const SendSeriesQuerySchema = Type.Object({
  ...seriesQueryFields,
  send_id: Type.String({ minLength: 1, description: 'A send id of the campaign' }),
});

const SendListAnswerSchema = Type.Object({
  message: Type.Literal('success'),
  sends: Type.Array(
    Type.Object({
      send_id: Type.String(),
      first_receipt: Type.Union([Type.String({ description: 'ISO 8601' }), Type.Null()], {
        description: 'The first receipt of the send (its 14 days start there); null before any',
      }),
    }),
    { description: 'Oldest first receipt first; sends without a receipt last' },
  ),
});

export async function sendsRoutes(app: TallyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    '/sends/list',
    {
      config: { permission: 'sends.data_series' },
      schema: {
        summary: "A campaign's send ids",
        querystring: Type.Object({ campaign_id: CampaignIdField }),
        response: { 200: SendListAnswerSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const workspaceId = workspaceOf(request);
      const campaignId = request.query.campaign_id;
      if (!(await deps.store.getCampaign(workspaceId, campaignId))) {
        return reply.code(400).send({
          message: notACampaign(campaignId),
        });
      }
      const sends = await deps.store.listSends(workspaceId, campaignId);
      return {
        message: 'success' as const,
        sends: sends.map((send) => ({
          send_id: send.sendId,
          first_receipt:
            send.firstReceiptMs === null ? null : new Date(send.firstReceiptMs).toISOString(),
        })),
      };
    },
  );
  app.get(
    '/sends/data_series',
    {
      config: { permission: 'sends.data_series' },
      schema: {
        summary: 'Daily analytics of one send of a campaign',
        querystring: SendSeriesQuerySchema,
        response: { 200: SeriesAnswerSchema, ...ERROR_RESPONSES },
      },
      serializerCompiler: plainJsonSerializer,
    },
    async (request, reply) => {
      const workspaceId = workspaceOf(request);
      const { send_id: sendId } = request.query;
      const series = await resolveSeriesRequest(deps.store, workspaceId, request.query, deps.now());
      if (!series.ok) return reply.code(400).send({ message: series.message });
      const { campaign, range } = series;
      const send = await deps.store.getSend(workspaceId, campaign.id, sendId);
      if (!send) {
        return reply.code(400).send({
          message: notASend(sendId, campaign.id),
        });
      }
      return replySeries(reply, deps, {
        workspaceId,
        campaign,
        range,
        kind: 'send',
        sendId,
        format: request.query.format,
        cells: () => deps.store.sendSeries(workspaceId, campaign.id, sendId, range),
      });
    },
  );
}
