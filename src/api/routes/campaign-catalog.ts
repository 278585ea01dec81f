/**
 * `GET /campaigns/list` (`campaigns.list`) and `GET /campaigns/details` (`campaigns.details`),
 * SPEC §7, in Braze's documented shapes. Instants are ISO 8601 UTC with milliseconds, so a
 * client can feed a `last_edited` back as `last_edit.time[gt]` without missing an edit.
 */
import { Type } from '@sinclair/typebox';
import type { Campaign } from '../../domain/campaign.js';
import { CAMPAIGNS_PAGE_SIZE, pageOfCampaigns } from '../../domain/campaign-list.js';
import { parseInstant } from '../../domain/instant.js';
import type { CampaignListing, ReceiptSpan } from '../../store/store.js';
import { workspaceOf, type RouteDeps, type TallyInstance } from '../context.js';
import { CampaignIdField, ERROR_RESPONSES, StringEnum } from '../schemas.js';
import { notACampaign } from '../series-request.js';

/** Pages beyond this would hold more campaigns than any workspace has; it bounds the offset. */
const MAX_PAGE = 100_000;
const LAST_EDIT_GT = 'last_edit.time[gt]';

/**
 * Optional in the document, with their defaults; the handler applies the same constants
 * (ajv's useDefaults would too, but the types can't know that).
 */
const DEFAULTS = { page: 0, include_archived: false, sort_direction: 'asc' } as const;

const ListQuerySchema = Type.Object({
  page: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_PAGE,
      default: DEFAULTS.page,
      description: `0-based page of ${CAMPAIGNS_PAGE_SIZE} campaigns; a page past the end is empty`,
    }),
  ),
  include_archived: Type.Optional(
    Type.Boolean({
      default: DEFAULTS.include_archived,
      description: 'Also list archived campaigns',
    }),
  ),
  sort_direction: Type.Optional(
    StringEnum(['asc', 'desc'], {
      default: DEFAULTS.sort_direction,
      description: 'By creation: asc (oldest first, default) or desc',
    }),
  ),
  [LAST_EDIT_GT]: Type.Optional(
    Type.String({
      description:
        'Only campaigns last edited after this instant; the date forms of ending_at ' +
        "(without offset: the workspace's reporting time zone)",
    }),
  ),
});

const ListAnswerSchema = Type.Object({
  message: Type.Literal('success'),
  campaigns: Type.Array(
    Type.Object({
      id: Type.String(),
      last_edited: Type.String({ description: 'ISO 8601' }),
      name: Type.String(),
      is_api_campaign: Type.Boolean(),
      tags: Type.Array(Type.String()),
    }),
  ),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const DetailsAnswerSchema = Type.Object({
  message: Type.Literal('success'),
  created_at: Type.String({ description: 'ISO 8601: first definition or earliest event' }),
  updated_at: Type.String({ description: 'ISO 8601: latest definition (created_at if none)' }),
  archived: Type.Boolean(),
  draft: Type.Boolean({ description: 'Always false: Tally has no drafts' }),
  enabled: Type.Boolean({ description: 'Not archived' }),
  has_post_launch_draft: Type.Boolean({ description: 'Always false' }),
  name: Type.String(),
  description: Type.String(),
  schedule_type: Type.String({ description: 'api_triggered for API campaigns, else time_based' }),
  channels: Type.Array(Type.String()),
  first_sent: Nullable(Type.String({ description: 'ISO 8601 of the first receipt' })),
  last_sent: Nullable(Type.String({ description: 'ISO 8601 of the latest receipt' })),
  tags: Type.Array(Type.String()),
  teams: Type.Array(Type.String(), { description: 'Always empty: Tally has no teams' }),
  messages: Type.Record(
    Type.String(),
    Type.Union([
      Type.Object({
        channel: Nullable(Type.String()),
        name: Type.String(),
        channels: Type.Array(Type.String(), { description: 'Every channel of the campaign' }),
      }),
      Type.Object({ type: Type.Literal('control'), name: Type.String() }),
    ]),
    { description: 'Keyed by variation id' },
  ),
  conversion_behaviors: Type.Array(
    Type.Object(
      { type: Type.String(), window: Type.Integer({ description: 'Seconds' }) },
      { additionalProperties: true },
    ),
  ),
});

const iso = (ms: number): string => new Date(ms).toISOString();

function listEntry(listing: CampaignListing) {
  return {
    id: listing.id,
    last_edited: iso(listing.lastEditedMs),
    name: listing.name,
    is_api_campaign: listing.isApiCampaign,
    tags: [...listing.tags],
  };
}

/**
 * Braze keys `messages` by message variation, one channel each; a Tally variation spans the
 * campaign's channels, so `channel` is the first of them and `channels` lists them all.
 */
function messagesOf(campaign: Campaign) {
  return Object.fromEntries(
    campaign.variations.map((v) => [
      v.id,
      v.control
        ? { type: 'control' as const, name: v.name }
        : { channel: campaign.channels[0] ?? null, name: v.name, channels: [...campaign.channels] },
    ]),
  );
}

function details(campaign: Campaign, listing: CampaignListing, receipts: ReceiptSpan | undefined) {
  const definition = campaign.definition;
  return {
    message: 'success' as const,
    created_at: iso(listing.createdAtMs),
    updated_at: iso(listing.lastEditedMs),
    archived: listing.archived,
    draft: false,
    enabled: !listing.archived,
    has_post_launch_draft: false,
    name: campaign.name,
    description: definition?.description ?? '',
    schedule_type: listing.isApiCampaign ? 'api_triggered' : 'time_based',
    channels: [...campaign.channels],
    first_sent: receipts ? iso(receipts.firstMs) : null,
    last_sent: receipts ? iso(receipts.lastMs) : null,
    tags: [...listing.tags],
    teams: [],
    messages: messagesOf(campaign),
    conversion_behaviors: definition?.conversion_behaviors ?? [],
  };
}

export async function campaignCatalogRoutes(app: TallyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    '/campaigns/list',
    {
      config: { permission: 'campaigns.list' },
      schema: {
        summary: 'List campaigns, 100 a page',
        querystring: ListQuerySchema,
        response: { 200: ListAnswerSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const workspaceId = workspaceOf(request);
      const query = request.query;
      let editedAfterMs: number | null = null;
      const lastEdit = query[LAST_EDIT_GT];
      if (lastEdit !== undefined && lastEdit !== '') {
        const workspace = await deps.store.getWorkspace(workspaceId);
        if (!workspace) throw new Error(`workspace ${workspaceId} of a valid key does not exist`);
        const parsed = parseInstant(lastEdit, LAST_EDIT_GT, workspace.timezone);
        if (!parsed.ok) return reply.code(400).send({ message: parsed.message });
        editedAfterMs = parsed.instantMs;
      }
      const page = pageOfCampaigns(await deps.store.listCampaigns(workspaceId), {
        page: query.page ?? DEFAULTS.page,
        includeArchived: query.include_archived ?? DEFAULTS.include_archived,
        direction: (query.sort_direction ?? DEFAULTS.sort_direction) === 'desc' ? 'desc' : 'asc',
        editedAfterMs,
      });
      return { message: 'success' as const, campaigns: page.map(listEntry) };
    },
  );

  app.get(
    '/campaigns/details',
    {
      config: { permission: 'campaigns.details' },
      schema: {
        summary: 'Details of one campaign',
        querystring: Type.Object({ campaign_id: CampaignIdField }),
        response: { 200: DetailsAnswerSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const workspaceId = workspaceOf(request);
      const campaignId = request.query.campaign_id;
      const [campaign, listings, receipts] = await Promise.all([
        deps.store.getCampaign(workspaceId, campaignId),
        deps.store.listCampaigns(workspaceId),
        deps.store.receiptSpan(workspaceId, campaignId),
      ]);
      const listing = listings.find((l) => l.id === campaignId);
      if (!campaign || !listing) {
        return reply.code(400).send({
          message: notACampaign(campaignId),
        });
      }
      return details(campaign, listing, receipts);
    },
  );
}
