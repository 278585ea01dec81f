/**
 * Unique chains (SPEC §2): for each (campaign, variation, user, chain), the events sorted by
 * (instant, id); the first is unique, a later one is unique when it comes `windowMs` or more
 * after the last unique one (never, for first-ever chains). Pure, shared by every store.
 */

/**
 * The window of email unique opens and clicks (SPEC §2: 7 days). Change it here (with a new
 * RULES_VERSION) and both stores re-derive what they hold.
 */
export const EMAIL_UNIQUE_WINDOW_MS = 7 * 86_400_000;

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
