/**
 * ClickHouse as a managed service (http.ts): a user with a password, `https://` with a private
 * CA, a query timeout, and reads retried with backoff when the server cannot be reached, against
 * a real server made that way (test/support/services.ts) and a port where nothing listens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { ClickHouseHttp } from '../../src/store/clickhouse/http.js';
import { freePort, startSecuredClickHouse, type SecuredClickHouse } from '../support/services.js';

describe('ClickHouse connection', () => {
  let server: SecuredClickHouse;
  before(async () => {
    server = await startSecuredClickHouse();
  });
  after(async () => {
    await server?.stop();
  });

  it('opens a store over https with a private CA, as a user with a password', async () => {
    const store = await openClickHouseStore({
      url: server.httpsUrl,
      database: 'tally_secured',
      connection: { user: server.user, password: server.password, ca: server.ca },
    });
    const ws = await store.createWorkspace('secured', 'UTC');
    assert.equal((await store.getWorkspace(ws.id))?.name, 'secured');
    await store.ready();
    await store.close();
  });

  it('refuses a wrong password and an untrusted certificate, without echoing the password', async () => {
    const wrong = new ClickHouseHttp(
      server.httpsUrl,
      {},
      {
        user: server.user,
        password: 'not-the-password',
        ca: server.ca,
      },
    );
    await assert.rejects(wrong.query('SELECT 1 AS x'), (error: Error) => {
      assert.match(error.message, /^ClickHouse: .*(password|Authentication)/i);
      assert.ok(!error.message.includes('not-the-password'));
      return true;
    });
    await wrong.close();
    const untrusted = new ClickHouseHttp(
      server.httpsUrl,
      {},
      {
        user: server.user,
        password: server.password,
        retries: 0,
      },
    );
    await assert.rejects(untrusted.query('SELECT 1 AS x'), (error: Error) => {
      assert.match(error.message, /cannot be reached: .*(CERT|certificate|SELF_SIGNED|VERIFY)/i);
      assert.ok(!error.message.includes(server.password));
      return true;
    });
    await untrusted.close();
  });

  it('stops a query at the query timeout', async () => {
    const http = new ClickHouseHttp(server.url, {}, { queryTimeoutMs: 1_000, retries: 0 });
    await assert.rejects(http.query('SELECT sleep(3) AS x'), /ClickHouse/);
    await http.close();
  });

  it('retries a read with backoff when the server cannot be reached, then says so', async () => {
    const port = await freePort();
    const events: string[] = [];
    const http = new ClickHouseHttp(
      `http://127.0.0.1:${port}`,
      {},
      {
        retries: 2,
        onEvent: (event) => events.push(event),
      },
    );
    const refused = new RegExp(
      `^ClickHouse at http://127.0.0.1:${port} cannot be reached: ECONNREFUSED`,
    );
    await assert.rejects(http.query('SELECT 1 AS x'), (error: Error) =>
      refused.test(error.message),
    );
    assert.deepEqual(events, ['error', 'retry', 'error', 'retry', 'error']);
    // A write is not retried: its caller decides.
    events.length = 0;
    await assert.rejects(http.exec('CREATE DATABASE x'));
    assert.deepEqual(events, ['error']);
    await http.close();
  });
});
