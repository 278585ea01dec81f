/**
 * The README's tour, run as a user pastes it: every `sh` block of "A 5-minute tour", in order, in
 * one bash shell on a fresh folder. The only changes: `npx tally` runs this build's CLI (a shim
 * named npx on PATH), and port 3000 becomes a free one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI_PATH } from './cli-process.js';

const README = new URL('../../../README.md', import.meta.url);

/** The `sh` blocks of the README's tour, in order. */
function tourBlocks(): string[] {
  const text = readFileSync(README, 'utf8');
  const tour = text.slice(text.indexOf('## A 5-minute tour'), text.indexOf('Every command has'));
  return [...tour.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const MARK = '::tour-block::';

async function runTour(
  blocks: readonly string[],
): Promise<{ code: number | null; outputs: string[]; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-tour-'));
  const bin = mkdtempSync(join(tmpdir(), 'tally-tour-bin-'));
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\n[ "$1" = tally ] || exit 127\nshift\nexec "${process.execPath}" "${CLI_PATH}" "$@"\n`,
  );
  chmodSync(join(bin, 'npx'), 0o755);
  const port = String(await freePort());
  const script = [
    'set -e',
    // A curl answer ends without a newline: each mark starts a line of its own.
    ...blocks.map((block) => `echo; echo '${MARK}'\n${block.replaceAll('3000', port)}`),
    `echo; echo '${MARK}'`,
    // The server the tour started in the background stops with the shell.
    'kill %1; wait %1 || true',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd: dir,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const outputs = stdout.split(`${MARK}\n`).slice(1, blocks.length + 1);
      resolve({ code, outputs, stderr });
    });
  });
}

/**
 * The JSON answer a curl block printed. The server started in the background logs to the same
 * terminal, so a log line may follow the answer on its line: the answer is read up to the
 * brace that closes it.
 */
function answerOf(output: string): Record<string, unknown> {
  const start = output.indexOf('{"message"');
  assert.ok(start >= 0, `no JSON answer in ${JSON.stringify(output)}`);
  let depth = 0;
  let inString = false;
  for (let i = start; i < output.length; i++) {
    const char = output[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if ((char === '}' || char === ']') && --depth === 0) {
      return JSON.parse(output.slice(start, i + 1)) as Record<string, unknown>;
    }
  }
  return assert.fail(`unterminated JSON answer in ${JSON.stringify(output)}`);
}

describe('README tour', () => {
  it('works when pasted in order on a fresh folder', async () => {
    const blocks = tourBlocks();
    assert.equal(blocks.length, 7, 'the tour has the blocks this test checks');
    const { code, outputs, stderr } = await runTour(blocks);
    assert.equal(code, 0, stderr);
    const [, ingest, series, define, , , sendSeries] = outputs.map((o) => o ?? '');

    assert.deepEqual(answerOf(ingest!), {
      message: 'success',
      accepted: 2,
      duplicates: 0,
      ignored: 0,
      conflicts: 0,
      errors: [],
    });
    const days = answerOf(series!).data as {
      time: string;
      messages: { email: Record<string, number>[] };
    }[];
    assert.equal(days.length, 7);
    const first = days.find((d) => d.time === '2026-01-01')!;
    assert.deepEqual([first.messages.email[0]!.sent, first.messages.email[0]!.opens], [1, 1]);
    assert.deepEqual(answerOf(define!), { message: 'success', campaign_id: 'spring' });
    const sendDays = answerOf(sendSeries!).data as {
      messages: { email: Record<string, number>[] };
    }[];
    assert.equal(sendDays.length, 14);
    assert.equal(
      sendDays.reduce((n, d) => n + d.messages.email[0]!.sent!, 0),
      1,
    );
  });
});
