/**
 * Rendered series answers, reused while the store says nothing changed.
 *
 * Dashboards ask for the same series over and over; rendering one (rollup read, shaping,
 * JSON) costs milliseconds, sending a kept string costs microseconds. An entry is only used
 * when the store's change stamp equals the one it was rendered under, so a cached answer is
 * always the answer the store would give now. Stores that cannot tell (stamp null) are
 * never cached.
 *
 * The gzip form of an answer lives in the same entry, so it is compressed once per store
 * change rather than per request, and dropped with the text it was made from.
 */
import { gzipSync } from 'node:zlib';
import type { Store } from '../store/store.js';

/**
 * zlib's default level. Measured on a 100-day campaign answer (255 KB of JSON): level 1 gives
 * 13.7 KB in 1.0 ms, 6 gives 9.6 KB in 1.6 ms, 9 gives 8.4 KB in 3.7 ms (its CSV, 65 KB: 7.5 KB
 * in 1.1 ms at 6, 6.9 KB in 5.5 ms at 9). An answer is compressed again after every write to
 * the store, and on every request when the store can't be cached, so the last 13 % that
 * level 9 saves is not worth two to five times the time; level 1 sends 40 % more bytes.
 */
const GZIP_LEVEL = 6;

/** One rendered answer, and its gzip form once a request has asked for it. */
export class RenderedAnswer {
  private gzipped: Buffer | undefined;

  constructor(readonly body: string) {}

  /**
   * Synchronous: about as long as rendering the answer (itself synchronous), and only after the
   * store changed; compressing on the thread pool would let concurrent requests compress the
   * same answer twice.
   */
  gzip(): Buffer {
    this.gzipped ??= gzipSync(this.body, { level: GZIP_LEVEL });
    return this.gzipped;
  }
}

interface Entry {
  readonly stamp: string;
  readonly answer: RenderedAnswer;
}

export class SeriesCache {
  /** A Map iterates in insertion order, so re-inserting on use makes it an LRU. */
  private readonly entries = new Map<string, Entry>();

  /** `onLookup` is told whether each answer came from the cache (metrics.ts). */
  constructor(
    private readonly onLookup: (hit: boolean) => void = () => {},
    private readonly maxEntries = 512,
  ) {}

  async render(
    store: Pick<Store, 'changeStamp'>,
    key: string,
    render: () => Promise<string>,
  ): Promise<RenderedAnswer> {
    const stamp = await store.changeStamp();
    const hit = stamp === null ? undefined : this.entries.get(key);
    this.onLookup(hit !== undefined && hit.stamp === stamp);
    if (stamp === null) return new RenderedAnswer(await render());
    if (hit?.stamp === stamp) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.answer;
    }
    const answer = new RenderedAnswer(await render());
    // A write that landed while rendering may or may not be in the answer: don't keep it.
    if ((await store.changeStamp()) === stamp) this.remember(key, { stamp, answer });
    return answer;
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
