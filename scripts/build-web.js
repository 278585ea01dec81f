// Builds the dashboard (web/) into dist/web: one minified ES module and one stylesheet with
// content hashes in their names (served as immutable by src/api/dashboard.ts), and index.html
// pointing at them. esbuild bundles Preact, uPlot and the domain modules the page shares with
// the server (src/domain/rates.ts, ...); nothing is fetched at run time.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const out = join('dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: ['web/src/main.tsx'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs);
const script = outputs.find((file) => file.endsWith('.js'));
const style = outputs.find((file) => file.endsWith('.css'));
if (!script || !style) throw new Error(`esbuild produced no script or stylesheet: ${outputs}`);
const page = readFileSync(join('web', 'index.html'), 'utf8')
  .replace('%SCRIPT%', `/assets/${basename(script)}`)
  .replace('%STYLE%', `/assets/${basename(style)}`);
writeFileSync(join(out, 'index.html'), page);
console.log(`web: built ${basename(script)} and ${basename(style)} into ${out}`);
