/** The progress lines a re-derivation prints on stderr (src/cli/common.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rederiveProgressLine } from '../../src/cli/common.js';

describe('re-derivation progress lines', () => {
  it('says what and why at the start, then each tenth once, then the total', () => {
    const lines: string[] = [];
    const report = rederiveProgressLine((line) => lines.push(line));
    report({ rulesVersion: 2, done: 0, total: 1_000_000 });
    for (let done = 5_000; done <= 1_000_000; done += 5_000) {
      report({ rulesVersion: 2, done, total: 1_000_000 });
    }
    assert.match(
      lines[0]!,
      /^re-deriving 1,000,000 stored events under counting rules v2 .*resumes/,
    );
    assert.equal(lines.length, 1 + 10 + 1); // start, tenths 0..9 once each, the end
    assert.match(lines[1]!, /^re-deriving: 5,000 of 1,000,000 events/);
    assert.match(lines.at(-1)!, /^re-derived 1,000,000 events in \d+\.\d s$/);
  });

  it('says nothing for a new, empty store', () => {
    const lines: string[] = [];
    const report = rederiveProgressLine((line) => lines.push(line));
    report({ rulesVersion: 2, done: 0, total: 0 });
    assert.deepEqual(lines, []);
  });
});
