/**
 * GET /healthz and GET /readyz on real stores: no key, no rate limit, and /readyz answers 503
 * with a reason when the store or Redis stops answering (the servers are really stopped).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RedisRateLimiter } from '../../src/api/redis-rate-limiter.js';
import { openClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { startClickHouse, startRedis, type RunningService } from '../support/services.js';
import { startHarness, type Harness } from './harness.js';

const probe = (h: Harness, url: string) => h.app.inject({ url });

describe('probes', () => {
  const running: RunningService[] = [];
  const harnesses: Harness[] = [];
  after(async () => {
    for (const h of harnesses) await h.close().catch(() => {});
    for (const service of running) await service.stop();
  });

  it('answers /healthz and /readyz without a key, and never limits them', async () => {
    const h = await startHarness({ limits: { default: { limit: 1, windowMs: 60_000 } } });
    harnesses.push(h);
    for (let i = 0; i < 5; i++) {
      const health = await probe(h, '/healthz');
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json(), { status: 'ok' });
      assert.equal(health.headers['x-ratelimit-limit'], undefined);
      const ready = await probe(h, '/readyz');
      assert.deepEqual([ready.statusCode, ready.json()], [200, { status: 'ready' }]);
    }
    // Other paths are still limited: the probes spent nothing of the budget.
    assert.equal((await probe(h, '/nowhere')).statusCode, 404);
    assert.equal((await probe(h, '/nowhere')).statusCode, 429);
  });

  it('is not ready once the embedded store is closed', async () => {
    const h = await startHarness();
    harnesses.push(h);
    await h.store.close();
    const ready = await probe(h, '/readyz');
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), {
      status: 'not ready',
      message: 'the database file is closed',
    });
    assert.equal((await probe(h, '/healthz')).statusCode, 200);
  });

  it('is not ready while ClickHouse is stopped', async () => {
    const server = await startClickHouse();
    running.push(server);
    const h = await startHarness({
      openStore: () => openClickHouseStore({ url: server.url, database: 'tally_probes' }),
    });
    harnesses.push(h);
    assert.equal((await probe(h, '/readyz')).statusCode, 200);
    await server.stop();
    const ready = await probe(h, '/readyz');
    assert.equal(ready.statusCode, 503);
    assert.match(ready.json().message, /^ClickHouse does not answer/);
    assert.equal((await probe(h, '/healthz')).statusCode, 200);
  });

  it('is not ready while the rate limits’ Redis is stopped', async () => {
    const redis = await startRedis();
    running.push(redis);
    const limiter = new RedisRateLimiter({ url: redis.url });
    const h = await startHarness({ limiter });
    harnesses.push(h);
    assert.equal((await probe(h, '/readyz')).statusCode, 200);
    await redis.stop();
    const ready = await probe(h, '/readyz');
    assert.equal(ready.statusCode, 503);
    assert.match(ready.json().message, /^Redis \(rate limits\) does not answer/);
    await limiter.close();
  });
});
