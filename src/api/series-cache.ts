/**
 * Rendered series answers, reused while the store says nothing changed.
 *
 * Dashboards ask for the same series over and over; rendering one (rollup read, shaping,
 * JSON) costs milliseconds, sending a kept string costs microseconds. An entry is only used
 * when the store's change stamp equals the one it was rendered under, so a cached answer is
 * always the answer the store would give now. Stores that cannot tell (stamp null) are
 * never cached.
 */
import type { Store } from '../store/store.js';

interface Entry {
  readonly stamp: string;
  readonly body: string;
}

export class SeriesCache {
  /** A Map iterates in insertion order, so re-inserting on use makes it an LRU. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 512) {}

  async render(store: Store, key: string, render: () => Promise<string>): Promise<string> {
    const stamp = await store.changeStamp();
    if (stamp === null) return render();
    const hit = this.entries.get(key);
    if (hit?.stamp === stamp) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.body;
    }
    const body = await render();
    // A write that landed while rendering may or may not be in `body`: don't keep it.
    if ((await store.changeStamp()) === stamp) this.remember(key, { stamp, body });
    return body;
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}

/** The cache key of one answer: everything the rendered body depends on. */
export function seriesCacheKey(parts: readonly (string | number)[]): string {
  return parts.join('\u0000');
}
