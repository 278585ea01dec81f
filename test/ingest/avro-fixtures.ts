/**
 * Writes Currents export files for tests, with avsc and the schemas of src/ingest/avro/schemas.ts,
 * laid out as a Currents storage sink lays them out:
 *   <root>/event_type=<type>/date=YYYY-MM-DD-HH/<name>.avro
 */
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import avro from 'avsc';
import { currentsSchema } from '../../src/ingest/avro/schemas.js';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

/** A Currents record: every field of the type's schema, absent optional ones null. */
export function record(
  eventType: string,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const schema = currentsSchema(eventType) as { fields: { name: string }[] } | undefined;
  if (!schema) throw new Error(`no schema for ${eventType}`);
  const full: Record<string, unknown> = {};
  for (const field of schema.fields) full[field.name] = fields[field.name] ?? null;
  return full;
}

/** Writes an Avro container file of `eventType` records (deflate, as sinks usually compress). */
export async function writeAvro(
  path: string,
  eventType: string,
  records: readonly Record<string, unknown>[],
): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  const encoder = new avro.streams.BlockEncoder(currentsSchema(eventType)!, { codec: 'deflate' });
  const done = pipeline(encoder, createWriteStream(path));
  for (const value of records) encoder.write(value);
  encoder.end();
  await done;
  return path;
}

/** `<root>/event_type=<type>/date=<hour>/<name>` */
export function exportPath(root: string, eventType: string, hour: string, name: string): string {
  return join(root, `event_type=${eventType}`, `date=${hour}`, name);
}
