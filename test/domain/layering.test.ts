/** src/domain/ is the rules' home: it imports nothing from the layers above it (ingest, store, api, cli). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const DOMAIN = new URL('../../../src/domain/', import.meta.url);

describe('domain layering', () => {
  it('imports only other domain modules and Node built-ins', () => {
    const files = readdirSync(DOMAIN).filter((name) => name.endsWith('.ts'));
    assert.ok(files.length > 10, 'found the domain sources');
    const outside: string[] = [];
    for (const file of files) {
      const source = readFileSync(new URL(file, DOMAIN), 'utf8');
      for (const [, specifier] of source.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
        if (!specifier!.startsWith('./') && !specifier!.startsWith('node:')) {
          outside.push(`${file}: ${specifier}`);
        }
      }
    }
    assert.deepEqual(outside, []);
  });
});
