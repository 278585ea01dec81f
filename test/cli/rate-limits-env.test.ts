/** TALLY_RATE_LIMITS: every invalid value is refused at start with a message naming it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateLimitsFromEnv } from '../../src/cli/commands/serve.js';
import { CliError } from '../../src/cli/common.js';

describe('TALLY_RATE_LIMITS', () => {
  it('accepts overrides of known families and nothing at all', () => {
    assert.equal(rateLimitsFromEnv(undefined), undefined);
    assert.equal(rateLimitsFromEnv('  '), undefined);
    assert.deepEqual(rateLimitsFromEnv('{"dataSeries":{"limit":100,"windowMs":60000}}'), {
      dataSeries: { limit: 100, windowMs: 60_000 },
    });
  });

  it('refuses every invalid value with a CliError that names the variable and the fault', () => {
    const cases: [string, RegExp][] = [
      ['{"default":null}', /default must be an object/],
      ['{"default":5}', /default must be an object/],
      ['{"default":[]}', /default must be an object/],
      ['{"default":{"limit":5}}', /default\.windowMs must be an integer/],
      [
        '{"dataSeries":{"limit":0,"windowMs":1000}}',
        /dataSeries\.limit must be a positive integer/,
      ],
      ['{"sendIdCreate":{"limit":"5","windowMs":1000}}', /sendIdCreate\.limit/],
      ['{"dataSeries":{"limit":5,"windowMs":1e12}}', /dataSeries\.windowMs/],
      ['{"series":{}}', /unknown family series/],
      ['[1]', /must be a JSON object/],
      ['{', /not valid JSON/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => rateLimitsFromEnv(text),
        (error: Error) =>
          error instanceof CliError &&
          error.message.startsWith('TALLY_RATE_LIMITS') &&
          message.test(error.message),
        text,
      );
    }
  });
});
