/**
 * Runs in a worker thread (checkpointer.ts): copies committed WAL frames into the database file
 * every `intervalMs`, on its own connection, so the thread that commits ingests never stops to
 * do it. Commits stay durable without it: each one is fsynced in the WAL.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointWorkerData {
  readonly file: string;
  readonly intervalMs: number;
}

const { file, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(file);
// The writer may be committing; PASSIVE never waits for it, but opening may meet its lock.
db.pragma('busy_timeout = 5000');
// A checkpoint fsyncs the WAL before copying it and the database file after, as the writer's would.
db.pragma('synchronous = FULL');
const checkpoint = db.prepare<[], { busy: number; log: number; checkpointed: number }>(
  'PRAGMA wal_checkpoint(PASSIVE)',
);

/** What each checkpoint left behind, for /metrics: frames in the WAL not yet copied. */
export interface CheckpointReport {
  readonly atMs: number;
  readonly pendingFrames: number;
}

const timer = setInterval(() => {
  const { log, checkpointed } = checkpoint.get()!;
  const report: CheckpointReport = {
    atMs: Date.now(),
    pendingFrames: Math.max(0, log - checkpointed),
  };
  parentPort!.postMessage(report);
}, intervalMs);
parentPort!.on('message', () => {
  clearInterval(timer);
  checkpoint.run();
  db.close();
  parentPort!.close();
});
