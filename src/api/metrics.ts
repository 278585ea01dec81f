/**
 * Prometheus metrics (`GET /metrics`, docs/deploy.md), with prom-client. Every label is bounded
 * and none names a workspace, a campaign or a key: event types outside the catalog are `other`,
 * routes are their patterns (`/campaigns/data_series`), unknown paths `unknown`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  BEHAVIOR_EVENT_TYPES,
  ENROLL_IN_CONTROL,
  familyOf,
  IMPORTED_CONVERSION,
} from '../domain/catalog.js';
import { countsSomewhere, type NormalizedEvent } from '../domain/event.js';
import type { PreparedBatch } from '../ingest/batch.js';
import type { BodyItem } from '../ingest/body.js';
import { unwrapUnion } from '../ingest/currents.js';
import type { IngestOutcome, Store } from '../store/store.js';

export type EventOutcome = 'accepted' | 'duplicate' | 'ignored' | 'conflict' | 'rejected';

const KNOWN_TYPES = new Set<string>([
  ...BEHAVIOR_EVENT_TYPES,
  ENROLL_IN_CONTROL,
  IMPORTED_CONVERSION,
]);

/** The event type as a label: a Currents type the product knows, else `other`. */
export function eventTypeLabel(eventType: unknown): string {
  if (typeof eventType !== 'string') return 'other';
  return KNOWN_TYPES.has(eventType) || familyOf(eventType) !== undefined ? eventType : 'other';
}

export class TallyMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'tally_events_total',
    help: 'Events received, by what became of them and their type',
    labelNames: ['outcome', 'event_type'] as const,
    registers: [this.registry],
  });
  readonly requests = new Histogram({
    name: 'tally_http_request_duration_seconds',
    help: 'HTTP requests answered, by route pattern, method and status, and how long they took',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'tally_rate_limit_refusals_total',
    help: 'Requests refused with 429, by rate-limit family',
    labelNames: ['family'] as const,
    registers: [this.registry],
  });
  readonly seriesCache = new Counter({
    name: 'tally_series_cache_total',
    help: 'Series answers served from the rendered-answer cache (hit) or computed (miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly storeCalls = new Histogram({
    name: 'tally_store_call_duration_seconds',
    help: 'Calls into the store, by method, and how long they took',
    labelNames: ['method'] as const,
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  readonly clickhouse = new Counter({
    name: 'tally_clickhouse_requests_total',
    help: 'ClickHouse requests that failed (error) and reads tried again (retry)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  constructor(store: Store) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tally_process_' });
    const gauges = new Map<string, Gauge>();
    // The store's own state (SQLite WAL size, checkpoint lag) is read when scraped, once per
    // scrape: the gauges' collect() calls run together and share the read in flight.
    let reading: Promise<Readonly<Record<string, number>>> | null = null;
    const readStore = () =>
      (reading ??= store
        .gauges()
        .catch((): Readonly<Record<string, number>> => ({}))
        .finally(() => (reading = null)));
    for (const name of STORE_GAUGES) {
      gauges.set(
        name,
        new Gauge({
          name: `tally_${name}`,
          help: STORE_GAUGE_HELP[name],
          registers: [this.registry],
          collect: async () => {
            const value = (await readStore())[name];
            if (value !== undefined) gauges.get(name)!.set(value);
          },
        }),
      );
    }
  }

  /** What became of each event of a `POST /events` request, by type. */
  countIngest(items: readonly BodyItem[], prepared: PreparedBatch, outcome: IngestOutcome): void {
    for (const error of prepared.errors) {
      const item = items[error.index];
      const raw = item && 'value' in item ? (item.value as { event_type?: unknown } | null) : null;
      const type =
        raw !== null && typeof raw === 'object' ? unwrapUnion(raw.event_type) : undefined;
      this.countRejected(type);
    }
    this.countStored(prepared.events, outcome);
  }

  /** An event refused before the store (its type as sent, when it had one). */
  countRejected(eventType: unknown): void {
    this.events.inc({ outcome: 'rejected', event_type: eventTypeLabel(eventType) });
  }

  /** What the store made of each event handed to it (`POST /events`, `/users/track`). */
  countStored(events: readonly NormalizedEvent[], outcome: IngestOutcome): void {
    const duplicates = new Set(outcome.duplicatePositions);
    const conflicts = new Set(outcome.conflicts);
    events.forEach((event, position) => {
      const fate: EventOutcome = conflicts.has(position)
        ? 'conflict'
        : duplicates.has(position)
          ? 'duplicate'
          : countsSomewhere(event)
            ? 'accepted'
            : 'ignored';
      this.events.inc({ outcome: fate, event_type: eventTypeLabel(event.eventType) });
    });
  }

  /** A store whose every call is timed into `tally_store_call_duration_seconds`. */
  instrument(store: Store): Store {
    const histogram = this.storeCalls;
    return new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          const stop = histogram.startTimer({ method: property });
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) return result.finally(() => stop());
          stop();
          return result;
        };
      },
    });
  }
}

const STORE_GAUGES = [
  'sqlite_wal_bytes',
  'sqlite_checkpoint_pending_frames',
  'sqlite_checkpoint_age_seconds',
] as const;

const STORE_GAUGE_HELP: Readonly<Record<(typeof STORE_GAUGES)[number], string>> = {
  sqlite_wal_bytes: 'Size of the SQLite write-ahead log file',
  sqlite_checkpoint_pending_frames: 'WAL frames the latest checkpoint could not copy yet',
  sqlite_checkpoint_age_seconds: 'Seconds since the latest WAL checkpoint',
};
