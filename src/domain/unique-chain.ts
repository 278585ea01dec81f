/**
 * Unique chains (SPEC §2): for each (campaign, variation, user, chain), the events sorted by
 * (instant, id); the first is unique, a later one is unique when it comes `windowMs` or more
 * after the last unique one (never, for first-ever chains). Pure, shared by every store.
 */

export interface ChainEvent {
  readonly instantMs: number;
  readonly windowMs: number | null;
}

/** The unique verdict of each event of a chain already sorted by (instant, id). */
export function rankChain(events: readonly ChainEvent[]): boolean[] {
  let lastUnique: number | null = null;
  return events.map((event) => {
    const unique =
      lastUnique === null ||
      (event.windowMs !== null && event.instantMs - lastUnique >= event.windowMs);
    if (unique) lastUnique = event.instantMs;
    return unique;
  });
}
