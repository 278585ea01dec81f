/**
 * Group commit: batches submitted while a transaction is being written wait, and are then
 * written together in one transaction.
 *
 * A commit's cost is mostly the pages it rewrites (each fsynced to the WAL, then copied back by
 * the checkpoint), and a batch of events rewrites pages all over the per-user indexes, whose keys
 * are random. Batches committed together share those pages, so with several clients sending at
 * once each event costs a fraction of the page writes. Nobody waits for a group to fill: a batch
 * that finds the store idle is written at once, alone.
 */

export type Settled<R> =
  { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private scheduled = false;

  /**
   * @param commit writes the items in one transaction and settles each on its own (one item's
   *   failure must not fail the others); if it throws, every item of the group fails with it
   * @param sizeOf an item's size (events), for `maxGroupSize`
   * @param maxGroupSize the size above which a group is not grown further: it bounds the memory
   *   and the time a transaction holds the write lock
   */
  constructor(
    private readonly commit: (items: readonly T[]) => Settled<R>[],
    private readonly sizeOf: (item: T) => number,
    private readonly maxGroupSize: number,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** After the I/O callbacks of this turn, so batches that arrived meanwhile join the group. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.writeGroup();
      if (this.waiting.length > 0) this.schedule();
    });
  }

  private writeGroup(): void {
    let size = 0;
    let count = 0;
    while (count < this.waiting.length && (count === 0 || size < this.maxGroupSize)) {
      size += this.sizeOf(this.waiting[count]!.item);
      count++;
    }
    const group = this.waiting.splice(0, count);
    let settled: Settled<R>[];
    try {
      settled = this.commit(group.map((w) => w.item));
    } catch (error) {
      for (const w of group) w.reject(error);
      return;
    }
    group.forEach((w, i) => {
      const outcome = settled[i]!;
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }
}
