/**
 * Durability across a crash: events acknowledged with a 200 survive `kill -9` of the server
 * and are counted exactly once after a restart; a batch in flight at the crash is applied
 * whole or not at all; re-posting after the restart only finds duplicates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LISTENING,
  getJson,
  removeDataDir,
  runCli,
  startCli,
  stopCli,
  sumSeries,
  tempDataDir,
} from './cli-process.js';

const BATCHES = 4;
const USERS_PER_BATCH = 400;
const FIRST_DAY_S = Date.UTC(2026, 0, 1) / 1000;
const DAYS = 5;

/** One batch: an email Send and an Open for each of its users, spread over DAYS days. */
function batch(number: number): string {
  const lines: string[] = [];
  for (let u = 0; u < USERS_PER_BATCH; u++) {
    const user = `b${number}u${u}`;
    const time = FIRST_DAY_S + ((number * USERS_PER_BATCH + u) % DAYS) * 86_400 + 3600;
    const common = { external_user_id: user, campaign_id: 'crash', message_variation_id: 'v1' };
    lines.push(
      JSON.stringify({
        id: `${user}-send`,
        event_type: 'users.messages.email.Send',
        time,
        ...common,
      }),
      JSON.stringify({
        id: `${user}-open`,
        event_type: 'users.messages.email.Open',
        time: time + 60,
        ...common,
      }),
    );
  }
  return lines.join('\n');
}

interface IngestAnswer {
  accepted: number;
  duplicates: number;
}

async function post(url: string, key: string, body: string): Promise<IngestAnswer> {
  const response = await fetch(`${url}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  assert.equal(response.status, 200);
  return (await response.json()) as IngestAnswer;
}

async function counted(url: string, key: string): Promise<{ sent: number; opens: number }> {
  const { status, body } = await getJson(
    `${url}/campaigns/data_series?campaign_id=crash&length=${DAYS}&ending_at=2026-01-06`,
    key,
  );
  assert.equal(status, 200, JSON.stringify(body));
  return { sent: sumSeries(body, 'sent'), opens: sumSeries(body, 'opens') };
}

describe('crash safety of tally serve', () => {
  it('keeps every acknowledged event exactly once across kill -9', async () => {
    const data = tempDataDir();
    assert.equal((await runCli(['workspace', 'create', 'crashes', '--data', data])).code, 0);
    const key = (
      await runCli([
        'key',
        'create',
        '--workspace',
        'crashes',
        '--permissions',
        'all',
        '--data',
        data,
      ])
    ).stdout.trim();
    const batches = Array.from({ length: BATCHES }, (_, i) => batch(i));
    const serve = ['serve', '--port', '0', '--data', data];

    const first = await startCli(serve, LISTENING);
    const url = first.match[1]!;
    for (const body of batches.slice(0, -1)) {
      assert.equal((await post(url, key, body)).accepted, 2 * USERS_PER_BATCH);
    }
    // The last batch is in flight when the server dies: it may or may not have been committed.
    const inFlight = post(url, key, batches.at(-1)!).then(
      () => true,
      () => false,
    );
    first.child.kill('SIGKILL');
    const lastAcknowledged = await inFlight;
    await stopCli(first.child, 'SIGKILL');

    const second = await startCli(serve, LISTENING);
    const restarted = second.match[1]!;
    try {
      const acknowledged = (BATCHES - 1 + (lastAcknowledged ? 1 : 0)) * USERS_PER_BATCH;
      const afterCrash = await counted(restarted, key);
      // Whole batches only: one transaction per request.
      assert.ok(
        [acknowledged, BATCHES * USERS_PER_BATCH].includes(afterCrash.sent),
        `sent ${afterCrash.sent} after the crash, ${acknowledged} acknowledged`,
      );
      assert.equal(afterCrash.opens, afterCrash.sent);

      const repost = await post(restarted, key, batches[BATCHES - 2]!);
      assert.deepEqual([repost.accepted, repost.duplicates], [0, 2 * USERS_PER_BATCH]);

      const retry = await post(restarted, key, batches.at(-1)!);
      assert.equal(retry.accepted + retry.duplicates, 2 * USERS_PER_BATCH);
      assert.deepEqual(await counted(restarted, key), {
        sent: BATCHES * USERS_PER_BATCH,
        opens: BATCHES * USERS_PER_BATCH,
      });
    } finally {
      assert.equal(await stopCli(second.child, 'SIGTERM'), 0);
      removeDataDir(data);
    }
  });
});
