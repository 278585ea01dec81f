/**
 * The demo's event stream: about `events` Currents events over the `days` days ending on
 * `endDay`, produced day by day and handed out in batches, so a million events never sit in
 * memory at once. Deterministic: the same options give the same events, ids included.
 *
 * Volume: each day gets a share of the total by its rhythm (rhythm.ts), split between the
 * campaigns sent that day by their weights; a campaign keeps picking recipients until its share
 * is reached. Engagement that would fall after `endDay` (a reader of yesterday's email who
 * opens it tomorrow) has not happened yet and is left out.
 */
import { DEMO_CAMPAIGNS, type DemoCampaign, type Recipient } from './campaigns.js';
import type { Delivery } from './funnels.js';
import { createPopulation, type DemoUser } from './population.js';
import { Random } from './random.js';
import { dayVolume, MS_PER_DAY, timeOfDay } from './rhythm.js';

export const DEMO_DAYS = 90;
export const DEMO_BATCH_SIZE = 5000;
export const DEFAULT_DEMO_EVENTS = 1_000_000;
export const DEFAULT_DEMO_SEED = 1;

export type RawEvent = Record<string, unknown>;

export interface DemoOptions {
  readonly seed: number;
  /** The last day of data (a day number, src/domain/time.ts); usually today. */
  readonly endDay: number;
  /** At least this many events are generated (a few more: the last recipient of a day is whole). */
  readonly events: number;
  readonly days?: number;
  readonly batchSize?: number;
}

export function* demoEventBatches(options: DemoOptions): Generator<RawEvent[], void, undefined> {
  const days = options.days ?? DEMO_DAYS;
  const batchSize = options.batchSize ?? DEMO_BATCH_SIZE;
  const random = new Random(options.seed);
  const users = createPopulation(options.seed);
  const audiences = DEMO_CAMPAIGNS.map((campaign) => users.filter((u) => campaign.reaches(u)));
  const firstDay = options.endDay - days + 1;
  const endMs = (options.endDay + 1) * MS_PER_DAY;
  const volumes = Array.from({ length: days }, (_, i) => dayVolume(firstDay + i, i, days, random));
  const totalVolume = volumes.reduce((sum, volume) => sum + volume, 0);

  let pending: RawEvent[] = [];
  let sequence = 0;
  let emitted = 0;
  /** Queues an event (with its type-specific fields) for the current batch. */
  const queue = (event: RawEvent, fields: Record<string, unknown> | undefined): void => {
    pending.push(fields ? Object.assign(event, fields) : event);
    emitted++;
  };

  const recipient = (campaign: DemoCampaign, user: DemoUser, day: number): Recipient => {
    const atMs = day * MS_PER_DAY + timeOfDay(random);
    const { campaign_id: campaignId, name } = campaign.definition;
    const sendId = campaign.sendId?.(day);
    return {
      random,
      user,
      day,
      atMs,
      as(variation, appeal = 1): Delivery {
        return {
          random,
          atMs,
          engagement: user.engagement * appeal,
          emit(eventType, instantMs, fields) {
            if (instantMs >= endMs) return;
            // One literal of one shape (absent fields are undefined, which JSON drops): spreading
            // per event made generation several times slower.
            const event: RawEvent = {
              id: `demo-${sequence++}`,
              event_type: eventType,
              time: Math.floor(instantMs / 1000),
              user_id: user.brazeId,
              external_user_id: user.externalId ?? undefined,
              campaign_id: campaignId,
              campaign_name: name,
              message_variation_id: variation.id,
              send_id: sendId,
            };
            queue(event, fields);
          },
        };
      },
      behave(eventType, instantMs, fields) {
        if (instantMs >= endMs) return;
        const event: RawEvent = {
          id: `demo-${sequence++}`,
          event_type: eventType,
          time: Math.floor(instantMs / 1000),
          user_id: user.brazeId,
          external_user_id: user.externalId ?? undefined,
        };
        queue(event, fields);
      },
    };
  };

  for (let i = 0; i < days; i++) {
    const day = firstDay + i;
    const budget = (options.events * volumes[i]!) / totalVolume;
    const weights = DEMO_CAMPAIGNS.map((campaign) => campaign.weight(day));
    const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
    for (let c = 0; c < DEMO_CAMPAIGNS.length; c++) {
      const campaign = DEMO_CAMPAIGNS[c]!;
      const audience = audiences[c]!;
      // Every delivery emits its receipt on `day`, so each pass adds at least one event.
      const target = emitted + (budget * weights[c]!) / totalWeight;
      while (weights[c]! > 0 && emitted < target) {
        campaign.deliver(recipient(campaign, random.pick(audience), day));
        if (pending.length >= batchSize) {
          yield pending.slice(0, batchSize);
          pending = pending.slice(batchSize);
        }
      }
    }
  }
  while (pending.length > 0) {
    yield pending.slice(0, batchSize);
    pending = pending.slice(batchSize);
  }
}
