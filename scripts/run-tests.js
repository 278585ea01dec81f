// Runs every compiled test file with Node's own test runner.
// Node 20's --test does not expand globs, so the files are listed here.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

const only = process.argv.slice(2);
// TALLY_DIST lets parallel work compile into separate folders (tsc --outDir dist-x).
const dist = process.env.TALLY_DIST ?? 'dist';
const files = findTests(join(dist, 'test')).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
