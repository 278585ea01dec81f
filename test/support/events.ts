/**
 * Builds Currents events for tests, as raw JSON and normalised through the real
 * `normalizeEvent`, so tests exercise the same path as the API.
 *
 *   currents('email.Open', { id: 'o1', at: '2026-01-01T10:00:00Z', user: 'u1' })
 *   → { id: 'o1', event_type: 'users.messages.email.Open', time: 1767261600,
 *       external_user_id: 'u1', campaign_id: 'c1', message_variation_id: 'v1' }
 */
import type { NormalizedEvent } from '../../src/domain/event.js';
import { normalizeEvent } from '../../src/ingest/currents.js';

export interface EventSpec {
  readonly id: string;
  /** ISO instant, or epoch milliseconds. Sent as `time_ms` so tests can be exact to the ms. */
  readonly at: string | number;
  readonly user?: string;
  /** null: no `campaign_id` (an event that counts nowhere). Default `c1`. */
  readonly campaign?: string | null;
  /** Default `v1`. */
  readonly variation?: string;
  /** Any other Currents field (`send_id`, `platform`, `campaign_name`, ...). */
  readonly [field: string]: unknown;
}

export const instantOf = (at: string | number): number =>
  typeof at === 'number' ? at : Date.parse(at);

/**
 * A raw Currents event. `type` is a full event type, or shorthand after `users.messages.`
 * (`email.Open`, `pushnotification.Send`).
 */
export function currents(type: string, spec: EventSpec): Record<string, unknown> {
  const { id, at, user = 'u1', campaign = 'c1', variation = 'v1', ...fields } = spec;
  return {
    id,
    event_type: type.startsWith('users.') ? type : `users.messages.${type}`,
    time_ms: instantOf(at),
    external_user_id: user,
    ...(campaign === null ? {} : { campaign_id: campaign, message_variation_id: variation }),
    ...fields,
  };
}

/** Normalises a raw event; throws (failing the test) when it is invalid. */
export function normalized(raw: unknown): NormalizedEvent {
  const result = normalizeEvent(raw);
  if (!result.ok) throw new Error(`test event rejected: ${result.reason}`);
  return result.event;
}

/** `currents` then `normalized`. */
export function event(type: string, spec: EventSpec): NormalizedEvent {
  return normalized(currents(type, spec));
}
