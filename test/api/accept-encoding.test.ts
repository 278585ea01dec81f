/** Accept-Encoding negotiation (RFC 9110 §12.5.3): when an answer goes out gzip-compressed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefersGzip } from '../../src/api/accept-encoding.js';

describe('prefersGzip', () => {
  it('accepts what real clients send', () => {
    for (const header of [
      'gzip',
      'gzip, deflate', // curl --compressed, Python requests
      'gzip, deflate, br, zstd', // browsers
      'br;q=1.0, gzip;q=0.8, *;q=0.1',
      'GZIP',
      ' gzip ; q=0.5 ',
      'x-gzip',
      '*',
    ]) {
      assert.equal(prefersGzip(header), true, header);
    }
  });

  it('answers uncompressed without the header, or when it is empty', () => {
    assert.equal(prefersGzip(undefined), false);
    assert.equal(prefersGzip(''), false);
    assert.equal(prefersGzip(' , '), false);
  });

  it('answers uncompressed when gzip is not named', () => {
    assert.equal(prefersGzip('identity'), false);
    assert.equal(prefersGzip('br, deflate'), false);
    assert.equal(prefersGzip('gzipped'), false);
  });

  it('takes a weight of 0 as a refusal', () => {
    assert.equal(prefersGzip('gzip;q=0'), false);
    assert.equal(prefersGzip('gzip;Q=0.000'), false);
    assert.equal(prefersGzip('gzip;q=0, *'), false);
    assert.equal(prefersGzip('x-gzip;q=0, *'), false);
    assert.equal(prefersGzip('*;q=0'), false);
  });

  it('lets an explicit gzip weight override the wildcard', () => {
    assert.equal(prefersGzip('*;q=0, gzip'), true);
    assert.equal(prefersGzip('gzip;q=0.001, *;q=0'), true);
  });

  it('answers uncompressed when the client prefers identity', () => {
    assert.equal(prefersGzip('gzip;q=0.5, identity'), false);
    assert.equal(prefersGzip('identity;q=1, *;q=0.5'), false);
    assert.equal(prefersGzip('*;q=0.5'), true, 'identity weighs as the wildcard');
    assert.equal(prefersGzip('gzip;q=0.5, identity;q=0.5'), true, 'ties go to gzip');
    assert.equal(prefersGzip('gzip;q=0.5, identity;q=0'), true);
  });

  it('counts the first entry of a coding named twice', () => {
    assert.equal(prefersGzip('gzip;q=0, gzip'), false);
    assert.equal(prefersGzip('gzip, gzip;q=0'), true);
  });

  it('ignores an entry with a malformed weight, and parameters other than q', () => {
    for (const header of ['gzip;q=2', 'gzip;q=0.5000', 'gzip;q=', 'gzip;q=high', 'gzip;q=-1']) {
      assert.equal(prefersGzip(header), false, header);
    }
    assert.equal(prefersGzip('gzip;q=1.5, *'), true, 'the wildcard still applies');
    assert.equal(prefersGzip('gzip;level=9'), true);
    assert.equal(prefersGzip('gzip;level=9;q=0'), false);
  });
});
