/**
 * Validation and normalisation of one Currents event (SPEC §1, §2) into a NormalizedEvent.
 * Body framing (JSON array, `{"events": [...]}`, NDJSON) lives in src/ingest/body.ts.
 */
import { behaviorFromCurrents, importedConversionFromCurrents } from '../domain/behaviors.js';
import { classifyMessageEvent, ENROLL_IN_CONTROL, type EventFields } from '../domain/catalog.js';
import type { CampaignRef, NormalizedEvent } from '../domain/event.js';
import { contentHash } from '../domain/hash.js';
import { nestedTooDeep, NESTING_ERROR } from './nesting.js';
import { flatRecordOf } from './realtime.js';

/** Earliest and latest instants accepted: anything outside is a unit mistake or garbage. */
export const EARLIEST_INSTANT_MS = Date.UTC(2000, 0, 1);
export const LATEST_INSTANT_MS = Date.UTC(2100, 0, 1);
export const MAX_ID_LENGTH = 128;

export type NormalizeResult =
  | { readonly ok: true; readonly event: NormalizedEvent }
  | { readonly ok: false; readonly reason: string };

class InvalidEvent extends Error {}

/** Avro-JSON wraps union values as `{"string": "c1"}`; these are the branch names to unwrap. */
const AVRO_BRANCHES = new Set([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
  'array',
  'map',
]);

export function unwrapUnion(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && AVRO_BRANCHES.has(keys[0]!)) {
    return (value as Record<string, unknown>)[keys[0]!];
  }
  return value;
}

/**
 * Objects with sorted keys at every depth: a re-delivery whose nested objects (e.g. `properties`)
 * list their keys in another order is the same event, not a conflict. Null-prototype objects keep
 * a `__proto__` key as data instead of letting it replace the prototype (it would vanish from
 * the payload).
 */
function sortedKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortedKeys);
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) {
    sorted[key] = sortedKeys((value as Record<string, unknown>)[key]);
  }
  return sorted;
}

/** Flattens Avro unions at the top level and sorts keys, so equal events give equal payloads. */
export function flattenEvent(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const flat: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(raw).sort()) {
    const value = unwrapUnion(raw[key]);
    // A top-level null is Avro's "absent" branch: dropping it makes {"x": null} equal to {}.
    if (value !== undefined && value !== null) flat[key] = sortedKeys(value);
  }
  return flat;
}

function optionalString(fields: EventFields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidEvent(`${name} must be a string`);
  return value === '' ? undefined : value;
}

function instantOf(fields: EventFields): number {
  const field = fields.time_ms !== undefined ? 'time_ms' : 'time';
  const value = fields[field];
  if (value === undefined) throw new InvalidEvent('time is required (epoch seconds)');
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidEvent(`${field} must be a number`);
  }
  const ms = Math.round(field === 'time_ms' ? value : value * 1000);
  if (ms < EARLIEST_INSTANT_MS || ms >= LATEST_INSTANT_MS) {
    const unit = field === 'time_ms' ? 'epoch milliseconds' : 'epoch seconds';
    throw new InvalidEvent(
      `${field} ${value} is not a plausible instant (${unit} from 2000 to 2099)`,
    );
  }
  return ms;
}

function idOf(fields: EventFields): string {
  const id = fields.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new InvalidEvent(`id is required: a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  return id;
}

function userKeyOf(fields: EventFields): string {
  const key = optionalString(fields, 'external_user_id') ?? optionalString(fields, 'user_id');
  if (key === undefined)
    throw new InvalidEvent('a user key is required: external_user_id or user_id');
  return key;
}

function campaignRefOf(fields: EventFields): CampaignRef | null {
  const campaignId = optionalString(fields, 'campaign_id');
  if (campaignId === undefined) return null;
  const variationId = optionalString(fields, 'message_variation_id');
  if (variationId === undefined) {
    throw new InvalidEvent('message_variation_id is required on a campaign event');
  }
  return {
    campaignId,
    campaignName: optionalString(fields, 'campaign_name') ?? null,
    variationId,
    variationName: optionalString(fields, 'message_variation_name') ?? null,
  };
}

interface Counting {
  campaign: CampaignRef | null;
  channel: NormalizedEvent['channel'];
  metrics: readonly string[];
  unique: NormalizedEvent['unique'];
  receipt: boolean;
  enrolsControl: boolean;
}

const COUNTS_NOWHERE: Counting = {
  campaign: null,
  channel: null,
  metrics: [],
  unique: null,
  receipt: false,
  enrolsControl: false,
};

function countingOf(eventType: string, fields: EventFields): Counting {
  if (eventType === ENROLL_IN_CONTROL) {
    const campaign = campaignRefOf(fields);
    return campaign ? { ...COUNTS_NOWHERE, campaign, enrolsControl: true } : COUNTS_NOWHERE;
  }
  const message = classifyMessageEvent(eventType, fields);
  if (message.kind === 'not_a_message') return COUNTS_NOWHERE;
  if (message.kind === 'bad_platform') {
    throw new InvalidEvent(
      `platform must be one of ios, tvos, android, kindle, web on a push event (got ${JSON.stringify(message.platform ?? null)})`,
    );
  }
  const campaign = campaignRefOf(fields);
  const adds = message.metrics.length > 0 || message.unique !== null || message.receipt;
  if (!campaign || !adds) return COUNTS_NOWHERE;
  return {
    campaign,
    channel: message.channel,
    metrics: message.metrics,
    unique: message.unique,
    receipt: message.receipt,
    enrolsControl: false,
  };
}

/**
 * The behavior or imported conversion an event is. A malformed one (a purchase without a price)
 * is stored and ignored rather than refused: Braze already accepted it, and refusing would fail
 * whole exports over an event that can credit nothing.
 */
function attributionFieldsOf(
  eventType: string,
  envelope: { id: string; userKey: string; instantMs: number },
  fields: EventFields,
): Pick<NormalizedEvent, 'behavior' | 'importedConversion'> {
  const behavior = behaviorFromCurrents(eventType, envelope, fields);
  if (behavior?.ok) return { behavior: behavior.value };
  const imported = importedConversionFromCurrents(eventType, envelope, fields);
  return imported?.ok ? { importedConversion: imported.value } : {};
}

/** Validates one event and says what it counts for; the reason names the offending field. */
export function normalizeEvent(raw: unknown): NormalizeResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, reason: 'an event must be a JSON object' };
  }
  // Checked first: everything below recurses into the event.
  if (nestedTooDeep(raw)) return { ok: false, reason: `the event is ${NESTING_ERROR}` };
  try {
    const fields = flattenEvent(flatRecordOf(raw as Record<string, unknown>));
    const id = idOf(fields);
    const eventType = fields.event_type;
    if (typeof eventType !== 'string' || eventType === '') {
      throw new InvalidEvent('event_type is required: a Currents event type name');
    }
    const instantMs = instantOf(fields);
    const userKey = userKeyOf(fields);
    const counting = countingOf(eventType, fields);
    const payload = JSON.stringify(fields);
    const envelope = { id, userKey, instantMs };
    return {
      ok: true,
      event: {
        id,
        eventType,
        instantMs,
        userKey,
        payload,
        hash: contentHash(payload),
        sendId: counting.campaign ? (optionalString(fields, 'send_id') ?? null) : null,
        ...counting,
        ...attributionFieldsOf(eventType, envelope, fields),
      },
    };
  } catch (error) {
    if (error instanceof InvalidEvent) return { ok: false, reason: error.message };
    throw error;
  }
}
