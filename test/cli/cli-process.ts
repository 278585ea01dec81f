/**
 * Runs the compiled `tally` command as users do: a child process on a temp data folder.
 * The CLI is found relative to this file, so it works from any build folder (dist, dist-x).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tally-cli-'));
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion. */
export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** The first match of the pattern waited for. */
  readonly match: RegExpMatchArray;
  /** Everything written to stdout so far. */
  stdout(): string;
}

/**
 * Starts a long-running command (`serve`, `demo`) and resolves once its stdout matches
 * `ready`; rejects with its stderr when it exits first or takes longer than `timeoutMs`
 * (a bound on waiting, generous because a loaded CI machine may be slow to load data).
 */
export function startCli(
  args: readonly string[],
  ready: RegExp,
  timeoutMs = 120_000,
  env: Readonly<Record<string, string>> = {},
): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tally ${args.join(' ')} not ready after ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = ready.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, stdout: () => stdout });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tally ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

/** Fastify's startup line; `serve --port 0` tells the real port there. */
export const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/;

/** Sends a signal and resolves with the exit code (null when killed by the signal). */
export function stopCli(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** GET with the key; returns the parsed JSON body and status. */
export async function getJson(
  url: string,
  key: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The sum of one metric over every day, channel and entry of a data_series answer. */
export function sumSeries(body: Record<string, unknown>, metric: string): number {
  const days = body.data as { messages: Record<string, Record<string, number>[]> }[];
  let total = 0;
  for (const day of days) {
    for (const entries of Object.values(day.messages)) {
      for (const entry of entries) total += entry[metric] ?? 0;
    }
  }
  return total;
}
