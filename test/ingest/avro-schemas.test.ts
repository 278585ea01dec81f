import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import avro from 'avsc';
import {
  BEHAVIOR_EVENT_TYPES,
  CHANNEL_FAMILIES,
  ENROLL_IN_CONTROL,
} from '../../src/domain/catalog.js';
import { listExportFiles } from '../../src/ingest/avro/export-tree.js';
import { readExportFile } from '../../src/ingest/avro/records.js';
import { CURRENTS_EVENT_TYPES, currentsSchema } from '../../src/ingest/avro/schemas.js';
import { normalizeEvent } from '../../src/ingest/currents.js';
import { exportPath, record, tempDir, writeAvro } from './avro-fixtures.js';

interface RecordSchema {
  readonly name: string;
  readonly fields: { name: string; type: unknown; default?: unknown }[];
}

const schemaOf = (eventType: string): RecordSchema => currentsSchema(eventType) as RecordSchema;

describe('Currents Avro schemas', () => {
  it('cover every event type the catalog counts, plus control, conversions and behaviors', () => {
    const counted = CHANNEL_FAMILIES.flatMap((family) =>
      Object.keys(family.events).map((suffix) => family.prefix + suffix),
    );
    const expected = [
      ...counted,
      ENROLL_IN_CONTROL,
      'users.campaigns.Conversion',
      ...BEHAVIOR_EVENT_TYPES,
    ];
    for (const eventType of expected) {
      assert.ok(CURRENTS_EVENT_TYPES.includes(eventType), `${eventType} has no schema`);
    }
  });

  it('are valid Avro records with the documented identity fields', () => {
    for (const eventType of CURRENTS_EVENT_TYPES) {
      const schema = schemaOf(eventType);
      assert.doesNotThrow(() => avro.Type.forSchema(currentsSchema(eventType)!), eventType);
      const byName = new Map(schema.fields.map((field) => [field.name, field]));
      assert.equal(byName.size, schema.fields.length, `${eventType} repeats a field`);
      assert.equal(byName.get('id')?.type, 'string', eventType);
      assert.equal(byName.get('user_id')?.type, 'string', eventType);
      assert.equal(byName.get('time')?.type, 'int', eventType);
      assert.deepEqual(byName.get('external_user_id'), {
        name: 'external_user_id',
        type: ['null', 'string'],
        default: null,
      });
      // Currents records carry no event_type: the folder names it.
      assert.equal(byName.has('event_type'), false, eventType);
    }
  });

  it('give message events the campaign fields the counting reads', () => {
    for (const eventType of CURRENTS_EVENT_TYPES.filter((t) => t.startsWith('users.messages.'))) {
      const names = schemaOf(eventType).fields.map((field) => field.name);
      for (const name of ['campaign_id', 'message_variation_id', 'send_id', 'timezone']) {
        assert.ok(names.includes(name), `${eventType} lacks ${name}`);
      }
    }
    const open = schemaOf('users.messages.email.Open').fields;
    assert.deepEqual(open.find((f) => f.name === 'machine_open')?.type, ['null', 'string']);
    assert.deepEqual(open.find((f) => f.name === 'is_amp')?.type, ['null', 'boolean']);
  });

  it('has no schema for an unknown type or an Object.prototype member', () => {
    assert.equal(currentsSchema('users.messages.email.Nope'), undefined);
    assert.equal(currentsSchema('toString'), undefined);
  });

  it('round-trip through an Avro file into events that count as the catalog says', async () => {
    const root = tempDir('tally-schemas-');
    const open = 'users.messages.email.Open';
    await writeAvro(exportPath(root, open, '2026-01-05-10', 'a.avro'), open, [
      record(open, {
        id: 'o1',
        user_id: 'b1',
        external_user_id: 'u1',
        time: 1_767_607_200,
        email_address: 'u1@example.com',
        campaign_id: 'c1',
        message_variation_id: 'v1',
        machine_open: 'true',
        is_amp: true,
      }),
    ]);
    const [file] = await listExportFiles(join(root));
    const items = [];
    for await (const item of readExportFile(file!)) items.push(item);
    assert.equal(items.length, 1);
    const result = normalizeEvent((items[0] as { value: unknown }).value);
    assert.ok(result.ok);
    assert.equal(result.event.eventType, open);
    assert.equal(result.event.instantMs, 1_767_607_200_000);
    assert.equal(result.event.userKey, 'u1');
    assert.deepEqual([...result.event.metrics].sort(), [
      'machine_amp_open',
      'machine_open',
      'opens',
    ]);
    // Null optional fields are not stored as data.
    assert.equal(JSON.parse(result.event.payload).canvas_id, undefined);
  });
});
