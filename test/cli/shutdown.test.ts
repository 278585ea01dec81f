/**
 * Clean shutdown behind a wrapper (docs/deploy.md): SIGTERM sent to `npx tally serve` (npm exec
 * does not pass it on) stops the server too, within 10 s, with the port free and every
 * acknowledged event kept.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { freePort } from '../support/services.js';
import { currents, normalized as normalize } from '../support/events.js';
import { removeDataDir, runCli, tempDataDir } from './cli-process.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket.end() !== undefined));
    socket.once('error', () => resolve(false));
  });

/** Polls `condition` every 100 ms; fails after `boundMs` (a bound on waiting, not a race). */
async function until(what: string, boundMs: number, condition: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + boundMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`${what} within ${boundMs} ms`);
    await sleep(100);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('shutdown behind a wrapper', () => {
  it('stops `npx tally serve` on SIGTERM to npx: port free, events kept, within 10 s', async () => {
    const data = tempDataDir();
    await runCli(['workspace', 'create', 'acme', '--data', data]);
    const key = (
      await runCli(['key', 'create', '--workspace', 'acme', '--permissions', 'all', '--data', data])
    ).stdout.trim();
    const port = await freePort();
    const wrapper = spawn('npx', ['tally', 'serve', '--port', String(port), '--data', data], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    wrapper.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // npx prepares the package on its first run: generous, since CI may be loaded.
    await until('the server listened', 120_000, () => listening(port));
    const pid = Number(/"pid":(\d+)/.exec(stdout)?.[1]);
    assert.ok(pid > 0 && pid !== wrapper.pid, 'the server runs in a process of its own');

    const events = Array.from({ length: 50 }, (_, i) =>
      currents('email.Send', { id: `sd-${i}`, at: '2026-01-05T10:00:00Z', user: `u${i}` }),
    );
    const answer = await fetch(`http://127.0.0.1:${port}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { accepted: number }).accepted, 50);

    const signalled = Date.now();
    wrapper.kill('SIGTERM');
    await until('the server process exited', 10_000, () => !alive(pid));
    assert.ok(Date.now() - signalled <= 10_000);
    assert.equal(await listening(port), false, 'the port is still held');
    assert.match(stdout, /"reason":"parent process exited","msg":"shutting down"/);
    assert.match(stdout, /"msg":"stopped"/);

    const store = await openSqliteStore({ dataDir: data });
    const ws = (await store.findWorkspaceByName('acme'))!;
    const again = await store.ingest(
      ws.id,
      events.map((e) => normalize(e)),
    );
    assert.equal(again.duplicates, 50, 'every acknowledged event was kept');
    await store.close();
    removeDataDir(data);
  });
});
