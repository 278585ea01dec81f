/**
 * One run of a computation per key at a time in this process: a caller that asks for what is
 * already being computed waits for that run instead of starting its own. The key must name
 * everything the computation reads, so that a second run would give the same result.
 *
 * Why: after an ingest, every series request for a campaign finds the same days stale, and on
 * a large campaign computing them takes from tenths of a second (counted cells) to seconds
 * (conversions). A dashboard's panels or several viewers asking at once then cost one run.
 */
export class SharedRuns<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** `keyParts`: JSON values that together name what `compute` reads. */
  run(keyParts: readonly unknown[], compute: () => Promise<T>): Promise<T> {
    const key = JSON.stringify(keyParts);
    let computation = this.running.get(key);
    if (computation === undefined) {
      computation = compute().finally(() => this.running.delete(key));
      this.running.set(key, computation);
    }
    return computation;
  }
}
