/**
 * A Braze `POST /users/track` body (SPEC §7): `attributes`, `events` and `purchases`, at most 75 of
 * each. Events and purchases become behaviors (src/domain/behaviors.ts); attributes are validated
 * and counted only, since attribution needs no profile. Each refused object is reported the way
 * Braze reports it (`{"type": <what is wrong>, "input_array", "index"}`) and the others still count.
 *
 * Idempotence: Braze objects carry no event id, yet a client that retries a request after a
 * timeout must not double count. A behavior's id is the object's optional `id` field (Tally's
 * extension, 1..128 characters) when present; otherwise a content hash of what the object says
 * happened: kind, user key, event name or product, instant, and properties / app id / price /
 * currency / quantity. A retry, even split into other requests or with `time` written in another
 * offset, gives the same ids and the store keeps one copy. The price of this: two objects that
 * say exactly the same thing at the same millisecond are one behavior; a client that really
 * means two identical purchases sends `quantity: 2` or distinct `id`s.
 */
import {
  buildBehavior,
  type Behavior,
  type BehaviorKind,
  type Parsed,
} from '../domain/behaviors.js';
import { contentHash } from '../domain/hash.js';
import { EARLIEST_INSTANT_MS, flattenEvent, LATEST_INSTANT_MS, MAX_ID_LENGTH } from './currents.js';
import { nestedTooDeep, NESTING_ERROR } from './nesting.js';

/** Braze's limit per array and per request. */
export const MAX_OBJECTS_PER_ARRAY = 75;

export const TRACK_ARRAYS = ['attributes', 'events', 'purchases'] as const;
export type TrackArray = (typeof TRACK_ARRAYS)[number];

/** One refused object, in Braze's shape. */
export interface TrackError {
  /** What is wrong, naming the field (`purchases[2].price must be ...`). */
  readonly type: string;
  readonly input_array: TrackArray;
  readonly index: number;
}

export interface TrackRequest {
  readonly attributesProcessed: number;
  readonly eventsProcessed: number;
  readonly purchasesProcessed: number;
  /** The valid events, then the valid purchases, in request order. */
  readonly behaviors: Behavior[];
  readonly errors: TrackError[];
}

export type TrackParse =
  | { readonly ok: true; readonly request: TrackRequest }
  | { readonly ok: false; readonly message: string };

export interface TrackAnswerBody {
  readonly message: string;
  readonly attributes_processed: number;
  readonly events_processed: number;
  readonly purchases_processed: number;
  readonly errors?: TrackError[];
}

export interface TrackAnswer {
  readonly status: 200 | 400;
  readonly body: TrackAnswerBody;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export const KIND_OF_ARRAY: Readonly<Record<Exclude<TrackArray, 'attributes'>, BehaviorKind>> = {
  events: 'custom_event',
  purchases: 'purchase',
};

/**
 * ISO 8601 date and time, as Braze documents `time`: seconds optional, a fraction after `.` (or
 * after `:`, Braze's `yyyy-MM-dd'T'HH:mm:ss:SSSZ`), offset `Z`, `±HH:MM` or `±HHMM`. Without an
 * offset the time is UTC: the server's own zone must never change what a request means.
 */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.:](\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))?$/;

const TIME_FORMAT =
  'an ISO 8601 date and time such as 2024-05-01T10:00:00Z or 2024-05-01T12:00:00+02:00, or epoch seconds';

function isoInstant(text: string): number | undefined {
  const match = ISO_TIME.exec(text);
  if (!match) return undefined;
  const part = (group: number): number => Number(match[group] ?? 0);
  const [year, month, day, hour, minute, second] = [
    part(1),
    part(2),
    part(3),
    part(4),
    part(5),
    part(6),
  ];
  const [offsetHours, offsetMinutes] = [part(9), part(10)];
  const millis = Number((match[7] ?? '').slice(0, 3).padEnd(3, '0'));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 2024-02-30 over to March; a date that does not round-trip is not a date.
  const date = new Date(local);
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  const offsetMs = (match[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return valid ? local - offsetMs : undefined;
}

function instantOf(value: unknown): number | string {
  const ms =
    typeof value === 'string'
      ? isoInstant(value)
      : typeof value === 'number' && Number.isFinite(value)
        ? Math.round(value * 1000)
        : undefined;
  if (ms === undefined) return `time is required: ${TIME_FORMAT}`;
  if (ms < EARLIEST_INSTANT_MS || ms >= LATEST_INSTANT_MS) {
    return `time ${JSON.stringify(value)} is not a plausible instant (2000 to 2099)`;
  }
  return ms;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** SPEC §1: `external_id`, else `braze_id`, else `alias:<alias_name>:<alias_label>`. */
function userKeyOf(object: Json): string | undefined {
  if (nonEmptyString(object.external_id)) return object.external_id;
  if (nonEmptyString(object.braze_id)) return object.braze_id;
  const alias = object.user_alias;
  if (isObject(alias) && nonEmptyString(alias.alias_name) && nonEmptyString(alias.alias_label)) {
    return `alias:${alias.alias_name}:${alias.alias_label}`;
  }
  return undefined;
}

const USER_KEY_REQUIRED =
  ' needs a user: external_id, braze_id or user_alias (with alias_name and alias_label)';
const NOT_AN_OBJECT = ' must be an object';
const TOO_DEEP = ` is ${NESTING_ERROR}`;

/**
 * The content hash of a behavior without an `id`. `flattenEvent` gives the canonical JSON (keys
 * sorted at every depth) that Currents payloads use; the fields go in as one array so that no
 * value is read as an Avro union.
 */
function contentId(kind: BehaviorKind, userKey: string, instantMs: number, object: Json): string {
  const { name, product_id, app_id, price, currency, quantity, properties } = object;
  const content = [kind, userKey, instantMs, name, product_id, app_id, price, currency];
  const canonical = flattenEvent({ content: [...content, quantity ?? 1, properties ?? null] });
  return `track:${contentHash(JSON.stringify(canonical))}`;
}

function behaviorOf(kind: BehaviorKind, object: Json): Parsed<Behavior> {
  const { properties } = object;
  // Braze's API takes an object here; a Currents export's JSON string is read by POST /events.
  if (properties !== undefined && properties !== null && !isObject(properties)) {
    return { ok: false, reason: 'properties must be an object' };
  }
  const userKey = userKeyOf(object);
  if (userKey === undefined) return { ok: false, reason: USER_KEY_REQUIRED };
  const instantMs = instantOf(object.time);
  if (typeof instantMs === 'string') return { ok: false, reason: instantMs };
  const { id } = object;
  if (id !== undefined && (!nonEmptyString(id) || id.length > MAX_ID_LENGTH)) {
    return { ok: false, reason: `id must be a string of 1 to ${MAX_ID_LENGTH} characters` };
  }
  const behaviorId = id ?? contentId(kind, userKey, instantMs, object);
  return buildBehavior(kind, { id: behaviorId, userKey, instantMs }, object);
}

/** Validates the body; a request-level problem (not an object, too many objects) is a message. */
export function parseUsersTrack(body: unknown): TrackParse {
  if (!isObject(body)) {
    return {
      ok: false,
      message: 'the body must be a JSON object with attributes, events or purchases',
    };
  }
  const arrays: Partial<Record<TrackArray, unknown[]>> = {};
  for (const name of TRACK_ARRAYS) {
    const value = body[name];
    if (value === undefined) continue;
    if (!Array.isArray(value)) return { ok: false, message: `${name} must be an array` };
    if (value.length > MAX_OBJECTS_PER_ARRAY) {
      return {
        ok: false,
        message: `${name} has ${value.length} objects; at most ${MAX_OBJECTS_PER_ARRAY} per request`,
      };
    }
    arrays[name] = value;
  }
  const errors: TrackError[] = [];
  /** `reason` starts with the field it is about, or is the whole object's problem (` must ...`). */
  const refuse = (input_array: TrackArray, index: number, reason: string): void => {
    const where = `${input_array}[${index}]`;
    errors.push({
      type: `${where}${reason.startsWith(' ') ? '' : '.'}${reason}`,
      input_array,
      index,
    });
  };

  let attributesProcessed = 0;
  (arrays.attributes ?? []).forEach((object, index) => {
    if (!isObject(object)) refuse('attributes', index, NOT_AN_OBJECT);
    else if (nestedTooDeep(object)) refuse('attributes', index, TOO_DEEP);
    else if (userKeyOf(object) === undefined) refuse('attributes', index, USER_KEY_REQUIRED);
    else attributesProcessed++;
  });

  const behaviors: Behavior[] = [];
  const processed = { events: 0, purchases: 0 };
  for (const name of ['events', 'purchases'] as const) {
    (arrays[name] ?? []).forEach((object, index) => {
      const result = !isObject(object)
        ? { ok: false as const, reason: NOT_AN_OBJECT }
        : nestedTooDeep(object)
          ? { ok: false as const, reason: TOO_DEEP }
          : behaviorOf(KIND_OF_ARRAY[name], object);
      if (!result.ok) return refuse(name, index, result.reason);
      behaviors.push(result.value);
      processed[name]++;
    });
  }
  return {
    ok: true,
    request: {
      attributesProcessed,
      eventsProcessed: processed.events,
      purchasesProcessed: processed.purchases,
      behaviors,
      errors,
    },
  };
}

/** SPEC §7's answer: 200 when at least one object was valid, else 400. */
export function buildTrackAnswer(request: TrackRequest): TrackAnswer {
  const valid = request.attributesProcessed + request.eventsProcessed + request.purchasesProcessed;
  const counts = {
    attributes_processed: request.attributesProcessed,
    events_processed: request.eventsProcessed,
    purchases_processed: request.purchasesProcessed,
  };
  const errors = request.errors.length > 0 ? { errors: request.errors } : {};
  if (valid === 0) {
    const message =
      request.errors.length === 0
        ? 'nothing to track: send attributes, events or purchases'
        : `no valid objects: ${request.errors.length} refused`;
    return { status: 400, body: { message, ...counts, ...errors } };
  }
  return { status: 200, body: { message: 'success', ...counts, ...errors } };
}
