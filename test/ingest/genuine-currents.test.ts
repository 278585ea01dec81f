/**
 * Genuine Currents records (test/fixtures/currents-v10.ts) end to end, on both stores, through
 * every way Braze data arrives: `POST /events` flat, in Avro-JSON union form and nested as
 * Braze's real-time export sends it, and `tally import` of Avro files written with the v10
 * layouts. Every path must make exactly the figures worked out by hand in the fixture.
 */
import assert from 'node:assert/strict';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import avro from 'avsc';
import { runImport } from '../../src/cli/import.js';
import { createApiKey } from '../../src/api/keys.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import { ImportJournal } from '../../src/ingest/avro/import-journal.js';
import { openClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import type { Store } from '../../src/store/store.js';
import { bearer, startHarness, type Harness } from '../api/harness.js';
import {
  currentsV10Schema,
  FIXTURE_DAY,
  GENUINE_CAMPAIGN,
  GENUINE_DEFINITION,
  GENUINE_FIGURES,
  GENUINE_RECORDS,
  IMPORTED_CAMPAIGN,
} from '../fixtures/currents-v10.js';
import { startClickHouse, type ClickHouseNode } from '../support/services.js';
import { tempDir } from './avro-fixtures.js';

type Json = Record<string, unknown>;

/** Avro-JSON: a non-null value of a union field is wrapped as `{"<branch>": value}`. */
function avroJson(eventType: string, record: Json): Json {
  const out: Json = { event_type: eventType };
  for (const field of currentsV10Schema(eventType).fields) {
    const value = record[field.name];
    const union = Array.isArray(field.type) ? field.type[1] : undefined;
    const branch = typeof union === 'object' ? 'array' : union;
    out[field.name] = branch !== undefined && value !== null ? { [branch]: value } : value;
  }
  return out;
}

const USER_FIELDS = ['user_id', 'external_user_id', 'device_id', 'timezone'];

/** As Braze's Custom HTTP Connector nests it (SPEC §2 "Braze's real-time export"). */
function nested(eventType: string, record: Json): Json {
  const { id, time, properties: own, ...rest } = record;
  const user: Json = {};
  const properties: Json = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value === null) continue;
    (USER_FIELDS.includes(key) ? user : properties)[key] = value;
  }
  if (own !== undefined) {
    // The connector sends a behavior's own properties as an object.
    const key = eventType.endsWith('Purchase') ? 'purchase_properties' : 'custom_properties';
    properties[key] = JSON.parse(own as string);
  }
  return { event_type: eventType, id, time, user, properties };
}

async function writeExport(root: string): Promise<void> {
  const byType = new Map<string, Json[]>();
  for (const { eventType, record } of GENUINE_RECORDS) {
    byType.set(eventType, [...(byType.get(eventType) ?? []), record]);
  }
  for (const [eventType, records] of byType) {
    const path = join(root, `event_type=${eventType}`, 'date=2026-03-10-09', 'part-0.avro');
    mkdirSync(dirname(path), { recursive: true });
    const schema = currentsV10Schema(eventType) as Parameters<typeof avro.Type.forSchema>[0];
    const encoder = new avro.streams.BlockEncoder(schema, { codec: 'deflate' });
    const done = pipeline(encoder, createWriteStream(path));
    for (const record of records) encoder.write(record);
    encoder.end();
    await done;
  }
}

/** Every numeric field of `actual` equals `expected`'s value for it, or 0 when it names none. */
function assertFigures(actual: Json | undefined, expected: Record<string, number>, where: string) {
  assert.ok(actual, `${where}: missing`);
  for (const name of Object.keys(expected)) {
    assert.ok(name in actual, `${where}: no ${name} in ${JSON.stringify(actual)}`);
  }
  for (const [name, value] of Object.entries(actual)) {
    if (typeof value !== 'number') continue;
    assert.equal(value, expected[name] ?? 0, `${where}: ${name}`);
  }
}

const PATHS = ['flat JSON', 'Avro-JSON', 'real-time export', 'tally import'] as const;

function genuineSuite(storeName: string, openStore: () => Promise<Store>): void {
  describe(`genuine Currents v10 records on ${storeName}`, () => {
    let harness: Harness;
    before(async () => {
      harness = await startHarness({ openStore });
    });
    after(async () => {
      await harness?.close();
    });

    async function ingest(path: (typeof PATHS)[number], workspaceId: string, key: string) {
      if (path === 'tally import') {
        const root = tempDir('tally-genuine-');
        await writeExport(root);
        const summary = await runImport({
          store: harness.store,
          workspaceId,
          root,
          journal: new ImportJournal(tempDir('tally-journal-')),
        });
        const rejected = [...summary.byType.values()].flatMap((counts) => counts.samples);
        assert.deepEqual(rejected, []);
        return;
      }
      const shape =
        path === 'flat JSON'
          ? (eventType: string, record: Json) => ({ event_type: eventType, ...record })
          : path === 'Avro-JSON'
            ? avroJson
            : nested;
      const response = await harness.app.inject({
        method: 'POST',
        url: '/events',
        headers: { ...bearer(key), 'braze-currents-version': '1' },
        payload: {
          events: GENUINE_RECORDS.map(({ eventType, record }) => shape(eventType, record)),
        },
      });
      assert.equal(response.statusCode, 200, response.body);
      // Every record counts somewhere: none is answered `ignored` or refused.
      assert.deepEqual(
        { ...(response.json() as Json), message: undefined },
        {
          message: undefined,
          accepted: GENUINE_RECORDS.length,
          duplicates: 0,
          ignored: 0,
          conflicts: 0,
          errors: [],
        },
      );
    }

    async function seriesDay(key: string, campaignId: string): Promise<Json> {
      const response = await harness.app.inject({
        method: 'GET',
        url: `/campaigns/data_series?campaign_id=${campaignId}&length=1&ending_at=${FIXTURE_DAY}T12:00:00Z`,
        headers: bearer(key),
      });
      assert.equal(response.statusCode, 200, response.body);
      return (response.json() as { data: Json[] }).data[0]!;
    }

    for (const path of PATHS) {
      it(`${path}: every record counts, with exactly the figures SPEC gives`, async () => {
        const workspace = await harness.store.createWorkspace(`genuine-${path}`, 'UTC');
        const key = await createApiKey(harness.store, workspace.id, PERMISSIONS);
        const define = await harness.app.inject({
          method: 'POST',
          url: '/campaigns/define',
          headers: bearer(key),
          payload: GENUINE_DEFINITION,
        });
        assert.equal(define.statusCode, 200, define.body);
        await ingest(path, workspace.id, key);

        const day = await seriesDay(key, GENUINE_CAMPAIGN);
        const { messages, ...dayFigures } = day as { messages: Record<string, Json[]> };
        assertFigures(dayFigures, GENUINE_FIGURES.day, 'day');
        assert.deepEqual(Object.keys(messages).sort(), Object.keys(GENUINE_FIGURES.entries).sort());
        for (const [channel, expected] of Object.entries(GENUINE_FIGURES.entries)) {
          const [variation, control] = messages[channel]!;
          assert.equal(variation?.variation_api_id, 'v1');
          assertFigures(variation, expected, channel);
          assert.equal(control?.variation_api_id, 'cg');
          assertFigures(control, GENUINE_FIGURES.control, `${channel} control`);
        }

        const imported = (await seriesDay(key, IMPORTED_CAMPAIGN)) as Json & {
          messages: Record<string, Json[]>;
        };
        const { messages: importedMessages, ...importedDay } = imported;
        assertFigures(importedDay, GENUINE_FIGURES.imported.day, 'imported day');
        assertFigures(
          importedMessages.email?.[0],
          GENUINE_FIGURES.imported.email,
          'imported email',
        );
      });
    }
  });
}

genuineSuite('sqlite', async () => {
  const { openSqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
  return openSqliteStore({ dataDir: tempDir('tally-genuine-db-') });
});

let clickhouse: ClickHouseNode;
before(async () => {
  clickhouse = await startClickHouse();
});
after(async () => {
  await clickhouse?.stop();
});
genuineSuite('clickhouse', () =>
  openClickHouseStore({ url: clickhouse.url, database: 'tally_genuine' }),
);
