/** `tally import --metrics-port`: the import's progress as Prometheus gauges, behind the token. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImportMetrics } from '../../src/cli/import-metrics.js';

describe('import metrics', () => {
  it('serves the latest progress, and only with the token when one is set', async () => {
    const metrics = new ImportMetrics();
    const port = await metrics.listen(0, 'import-token');
    const url = `http://127.0.0.1:${port}/metrics`;
    const read = async () =>
      (await fetch(url, { headers: { authorization: 'Bearer import-token' } })).text();
    metrics.update({ filesTotal: 4, filesDone: 1, events: 5_000 });
    metrics.update({ filesTotal: 4, filesDone: 3, events: 15_000 });
    const text = await read();
    assert.match(text, /^tally_import_files\{state="total"\} 4$/m);
    assert.match(text, /^tally_import_files\{state="done"\} 3$/m);
    assert.match(text, /^tally_import_events 15000$/m);
    assert.equal((await fetch(url)).status, 401);
    await metrics.close();
  });
});
