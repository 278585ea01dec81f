/**
 * Framing of a `POST /events` body: a JSON array of events, `{"events": [...]}`, or NDJSON
 * (`Content-Type: application/x-ndjson`, one event per line). It only splits the body into items;
 * each item is validated later by src/ingest/batch.ts. This runs once per request on the hot
 * path, so it parses each line exactly once and allocates nothing per item beyond the item.
 */

export const MAX_EVENTS_PER_REQUEST = 10_000;
/** Enforced by the HTTP layer (it must refuse the bytes before buffering them all). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** One event slot of the request: its parsed JSON, or why its NDJSON line could not be read. */
export type BodyItem =
  | { readonly index: number; readonly value: unknown }
  | { readonly index: number; readonly error: string };

export type ParsedBody =
  | { readonly ok: true; readonly items: BodyItem[] }
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson']);

const NDJSON_HINT = 'for one event per line, send Content-Type: application/x-ndjson';
const SHAPE_HINT =
  'expected a JSON array of events, {"events": [...]}, or NDJSON (Content-Type: application/x-ndjson)';

function isNdjson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const mediaType = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  return NDJSON_TYPES.has(mediaType.trim().toLowerCase());
}

function tooMany(count: number): ParsedBody {
  return {
    ok: false,
    status: 413,
    message: `at most ${MAX_EVENTS_PER_REQUEST} events per request (got ${count})`,
  };
}

const NO_EVENTS: ParsedBody = {
  ok: false,
  status: 400,
  message: `no events in the body: ${SHAPE_HINT}`,
};

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * NDJSON: a malformed line is an item error (the other lines are still ingested), so a client
 * streaming a log file loses only the broken lines. Indices count non-blank lines, so they are
 * the event positions; messages name the 1-based physical line, as an editor shows it.
 */
function parseNdjson(body: string): ParsedBody {
  const lines = body.split('\n');
  const eventLines: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '') eventLines.push(i);
  }
  // Counted before parsing, so an oversized request costs no JSON.parse at all.
  if (eventLines.length > MAX_EVENTS_PER_REQUEST) return tooMany(eventLines.length);
  if (eventLines.length === 0) return NO_EVENTS;
  const items: BodyItem[] = new Array(eventLines.length);
  for (let index = 0; index < eventLines.length; index++) {
    const lineNumber = eventLines[index]!;
    try {
      items[index] = { index, value: JSON.parse(lines[lineNumber]!) };
    } catch (error) {
      items[index] = {
        index,
        error: `line ${lineNumber + 1} is not valid JSON: ${errorMessage(error)}`,
      };
    }
  }
  return { ok: true, items };
}

function eventsOf(parsed: unknown): unknown[] | string {
  if (Array.isArray(parsed)) return parsed;
  if (parsed !== null && typeof parsed === 'object') {
    const events = (parsed as Record<string, unknown>).events;
    if (Array.isArray(events)) return events;
    if (events !== undefined) return `"events" must be an array (got ${describe(events)})`;
    if ('event_type' in parsed) return `a single event must be sent in an array: ${SHAPE_HINT}`;
    return `the object has no "events" array: ${SHAPE_HINT}`;
  }
  return `the body is ${describe(parsed)}: ${SHAPE_HINT}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function parseJson(body: string): ParsedBody {
  if (body.trim() === '') return NO_EVENTS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    // Several objects, one per line, sent as JSON: the client most likely meant NDJSON.
    const hint = /^\s*\{/.test(body) && body.includes('\n') ? ` (${NDJSON_HINT})` : '';
    return {
      ok: false,
      status: 400,
      message: `body is not valid JSON: ${errorMessage(error)}${hint}`,
    };
  }
  const events = eventsOf(parsed);
  if (typeof events === 'string') return { ok: false, status: 400, message: events };
  if (events.length > MAX_EVENTS_PER_REQUEST) return tooMany(events.length);
  // An empty batch is how Braze's real-time export checks the credentials (SPEC §2): the
  // route answers it 200, and the key was already checked.
  return { ok: true, items: events.map((value, index) => ({ index, value })) };
}

/** Splits a `POST /events` body into items; `ok: false` when the body as a whole is unusable. */
export function parseEventsBody(body: string, contentType: string | undefined): ParsedBody {
  return isNdjson(contentType) ? parseNdjson(body) : parseJson(body);
}
