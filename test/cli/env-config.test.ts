/** `tally serve` configured the ecosystem's way: environment variables, flags winning. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../support/services.js';
import { LISTENING, removeDataDir, runCli, startCli, stopCli, tempDataDir } from './cli-process.js';

describe('configuration from the environment', () => {
  it('serves as TALLY_* variables say, a flag winning over its variable', async () => {
    const data = join(tempDataDir(), 'from-env');
    const [envPort, flagPort] = [await freePort(), await freePort()];
    const env = {
      TALLY_DATA: data,
      TALLY_PORT: String(envPort),
      TALLY_HOST: '127.0.0.1',
      TALLY_LOG_LEVEL: 'warn',
      TALLY_METRICS_TOKEN: 'env-token',
    };
    // Fastify's "listening" line is an info line: this run logs at info.
    const fromEnv = await startCli(['serve'], LISTENING, 60_000, {
      ...env,
      TALLY_LOG_LEVEL: 'info',
    });
    const url = fromEnv.match[1]!;
    assert.equal(url, `http://127.0.0.1:${envPort}`);
    assert.ok(existsSync(join(data, 'tally.db')), 'TALLY_DATA chose the data folder');
    const metrics = await fetch(`${url}/metrics`, {
      headers: { authorization: 'Bearer env-token' },
    });
    assert.equal(metrics.status, 200);
    assert.equal((await fetch(`${url}/metrics`)).status, 401);
    assert.equal(await stopCli(fromEnv.child, 'SIGTERM'), 0);

    const flagged = await startCli(
      ['serve', '--port', String(flagPort), '--log-level', 'info'],
      LISTENING,
      60_000,
      env,
    );
    assert.equal(flagged.match[1], `http://127.0.0.1:${flagPort}`);
    assert.equal(await stopCli(flagged.child, 'SIGTERM'), 0);
    removeDataDir(data);
  });

  it('refuses a bad value at start, naming the variable', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ TALLY_PORT: 'eighty' }, /TALLY_PORT/],
      [{ TALLY_STORE: 'postgres' }, /TALLY_STORE/],
      [{ TALLY_LOG_LEVEL: 'loud' }, /TALLY_LOG_LEVEL/],
      [{ TALLY_CLICKHOUSE_RETRIES: '-1' }, /TALLY_CLICKHOUSE_RETRIES/],
      [
        { TALLY_RATE_LIMITS: '{"default":null}' },
        /^tally: TALLY_RATE_LIMITS: rate limit default must be an object/m,
      ],
    ];
    for (const [env, message] of cases) {
      // No flags: each variable is what decides (a flag would win over it).
      const result = await runCli(['serve'], { TALLY_DATA: tempDataDir(), ...env });
      assert.notEqual(result.code, 0, JSON.stringify(env));
      assert.match(result.stderr, message, JSON.stringify(env));
    }
  });
});
