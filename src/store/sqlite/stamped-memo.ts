/**
 * Values read from the file, kept while its change stamp (SqliteStore.changeStamp) is the one
 * they were read under. A series request reads its workspace and campaign before the cached
 * answer; while nothing is written, those reads are the same every time, and they were a
 * fifth of such a request's time.
 */
export class StampedMemo<T> {
  private readonly entries = new Map<string, { readonly stamp: string; readonly value: T }>();

  /** @param maxEntries past this, the memo starts over (it only ever saves reads) */
  constructor(private readonly maxEntries = 1024) {}

  get(key: string, stamp: string, read: () => T): T {
    const hit = this.entries.get(key);
    if (hit?.stamp === stamp) return hit.value;
    const value = read();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { stamp, value });
    return value;
  }
}
