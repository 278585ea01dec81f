/**
 * `/users/track` behaviors as stored events, and the currency warnings of an ingest answer.
 *
 * A behavior is written as the Currents event Braze would export for it and normalised by the
 * same `normalizeEvent` as `POST /events`, so both sources store the same payload, count the
 * same way and cannot drift apart. Its id is the one src/ingest/users-track.ts computed, so a
 * retried request is a duplicate of the first, never a second count.
 */
import { CURRENTS_TYPE_OF_KIND, type Behavior } from '../domain/behaviors.js';
import type { NormalizedEvent } from '../domain/event.js';
import { normalizeEvent } from './currents.js';

/** The stored event of a validated behavior. */
export function behaviorEvent(behavior: Behavior): NormalizedEvent {
  const { id, userKey, instantMs, kind, productId, eventName, appId, ...purchase } = behavior;
  const result = normalizeEvent({
    id,
    event_type: CURRENTS_TYPE_OF_KIND[kind],
    time_ms: instantMs,
    external_user_id: userKey,
    name: eventName,
    product_id: productId,
    app_id: appId,
    price: purchase.price,
    currency: purchase.currency,
    quantity: purchase.quantity,
    properties: purchase.properties,
  });
  // The behavior was validated by the same rules; a refusal here is a bug, not bad input.
  if (!result.ok) throw new Error(`behavior ${id} does not round-trip: ${result.reason}`);
  return result.event;
}

/**
 * One line per currency that purchases of the batch use and the workspace has no rate for
 * (SPEC §3: such purchases count in no revenue, and the answer says so).
 */
export function currencyWarnings(
  events: readonly NormalizedEvent[],
  usdRates: ReadonlyMap<string, number>,
): string[] {
  const missing = new Map<string, number>();
  for (const { behavior } of events) {
    const currency = behavior?.currency;
    if (currency === undefined || currency === 'USD' || usdRates.has(currency)) continue;
    missing.set(currency, (missing.get(currency) ?? 0) + 1);
  }
  return [...missing].map(
    ([currency, n]) =>
      `${n} purchase${n === 1 ? '' : 's'} in ${currency} count in no revenue: the workspace has no ${currency} rate (tally workspace set-rate)`,
  );
}
