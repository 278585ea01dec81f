/**
 * One `POST /events` request between framing (body.ts) and the store: validates every item,
 * remembers where each valid event stood in the request, and turns the store's outcome into
 * the JSON answer. Errors always name request positions, never positions in the store batch.
 */
import type { NormalizedEvent } from '../domain/event.js';
import type { IngestOutcome } from '../store/store.js';
import type { BodyItem } from './body.js';
import { normalizeEvent, unwrapUnion } from './currents.js';

export interface EventError {
  /** Position of the event in the request (0-based; NDJSON: among non-blank lines). */
  readonly index: number;
  /** The event's id, when it had a non-empty string one, so the client can find the event. */
  readonly id?: string;
  readonly message: string;
}

export interface PreparedBatch {
  /** The valid events, in request order: what the store receives. */
  readonly events: NormalizedEvent[];
  /** positions[i] is the request index of events[i]. */
  readonly positions: number[];
  /** One per item that is not a valid event, in request order. */
  readonly errors: EventError[];
}

export interface IngestAnswerBody {
  readonly message: string;
  readonly accepted: number;
  readonly duplicates: number;
  readonly ignored: number;
  readonly conflicts: number;
  readonly errors: EventError[];
}

export interface IngestAnswer {
  readonly status: 200 | 400;
  readonly body: IngestAnswerBody;
}

function idOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = unwrapUnion((value as Record<string, unknown>).id);
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function eventError(index: number, id: string | undefined, message: string): EventError {
  return id === undefined ? { index, message } : { index, id, message };
}

export function prepareBatch(items: readonly BodyItem[]): PreparedBatch {
  const events: NormalizedEvent[] = [];
  const positions: number[] = [];
  const errors: EventError[] = [];
  for (const item of items) {
    if ('error' in item) {
      errors.push({ index: item.index, message: item.error });
      continue;
    }
    const result = normalizeEvent(item.value);
    if (result.ok) {
      events.push(result.event);
      positions.push(item.index);
    } else {
      errors.push(eventError(item.index, idOf(item.value), result.reason));
    }
  }
  return { events, positions, errors };
}

/**
 * Every event of the request lands in exactly one counter:
 *   accepted + duplicates + ignored + conflicts + rejected == total
 * where rejected = prepared.errors.length and total = the number of items in the request
 * (the store accounts for every event it was given; prepareBatch for every other item).
 * Conflicts are also listed in `errors`, so a client can tell which copies were not applied.
 */
export function buildIngestAnswer(outcome: IngestOutcome, prepared: PreparedBatch): IngestAnswer {
  const conflictErrors = outcome.conflicts.map((position) => {
    const event = prepared.events[position]!;
    return eventError(
      prepared.positions[position]!,
      event.id,
      `id ${JSON.stringify(event.id)} was already ingested with different content; this copy was not applied`,
    );
  });
  const errors =
    conflictErrors.length === 0
      ? prepared.errors
      : [...prepared.errors, ...conflictErrors].sort((a, b) => a.index - b.index);
  const valid = prepared.events.length;
  const rejected = prepared.errors.length;
  // 400 only when nothing in the batch can ever be stored: Braze's real-time export re-sends a
  // 400 batch event by event, then drops what is refused again (SPEC §2). An empty batch is 200.
  const refused = valid === 0 && rejected > 0;
  return {
    status: refused ? 400 : 200,
    body: {
      message: refused ? `no valid events: ${rejected} rejected` : 'success',
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      ignored: outcome.ignored,
      conflicts: outcome.conflicts.length,
      errors,
    },
  };
}
