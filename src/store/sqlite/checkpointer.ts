/**
 * WAL checkpoints on a worker thread, for processes that ingest a lot (`tally serve`, `demo`,
 * `import`). Left to the writer, SQLite copies the WAL back into the database file inside a
 * commit once it is large (wal_autocheckpoint), and every batch waiting behind that commit waits
 * too: over HTTP that cost about a quarter of ingest throughput (docs/benchmarks.md).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { CheckpointReport, CheckpointWorkerData } from './checkpoint-worker.js';

/**
 * About a second of ingest at full speed fills 16,384 WAL pages, SQLite's own threshold here
 * (schema.ts); the writer keeps a threshold four times higher, as a backstop.
 */
const INTERVAL_MS = 1_000;

export class Checkpointer {
  private readonly worker: Worker;
  /** The latest checkpoint's report; null before the first. */
  last: CheckpointReport | null = null;

  constructor(file: string) {
    const data: CheckpointWorkerData = { file, intervalMs: INTERVAL_MS };
    this.worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
      workerData: data,
    });
    this.worker.on('message', (report: CheckpointReport) => (this.last = report));
    // Never the reason a process stays alive; close() stops it in order.
    this.worker.unref();
  }

  /** Runs a last checkpoint, closes the worker's connection and waits for the thread to end. */
  async stop(): Promise<void> {
    const exited = once(this.worker, 'exit');
    this.worker.ref(); // else nothing keeps the process alive while it finishes
    this.worker.postMessage('stop');
    await exited;
  }
}
