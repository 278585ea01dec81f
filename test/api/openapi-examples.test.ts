/**
 * The API reference's examples (src/api/openapi-examples.json) are still what the product
 * answers: collected again from the demo's data, they equal the file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { collectApiExamples, EXAMPLES_FILE } from '../support/api-examples.js';

describe('the API reference examples', () => {
  it('are the answers the product gives today (npm run api-examples refreshes them)', async () => {
    const committed = JSON.parse(readFileSync(EXAMPLES_FILE, 'utf8')) as unknown;
    assert.deepEqual(await collectApiExamples(), committed);
  });
});
