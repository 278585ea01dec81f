/**
 * The container image and the compose file (docs/deploy.md). Images cannot be pulled or built
 * here, so this runs what can run: the Dockerfile's build commands in a clean folder holding
 * only what the Dockerfile copies, then its runtime stage's files alone, started with its
 * ENTRYPOINT, CMD and ENV (production dependencies only, configured by variables), and its
 * HEALTHCHECK command against it. The compose file is parsed and checked.
 */
import assert from 'node:assert/strict';
import { execSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { serveEnvironment } from '../../src/cli/commands/serve.js';
import { freePort } from '../support/services.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');

interface Stage {
  readonly copies: { from: string | null; sources: string[]; target: string }[];
  readonly runs: string[];
  readonly env: Record<string, string>;
  readonly lines: string[];
}

/** The Dockerfile's stages, continuation lines joined. */
function stages(): Stage[] {
  const lines = DOCKERFILE.replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const out: Stage[] = [];
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (instruction === 'FROM') out.push({ copies: [], runs: [], env: {}, lines: [] });
    const stage = out.at(-1)!;
    stage.lines.push(line);
    if (instruction === 'RUN') stage.runs.push(args);
    if (instruction === 'ENV') {
      for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) stage.env[key!] = value!;
    }
    if (instruction === 'COPY') {
      const parts = args.split(/\s+/);
      const from = parts[0]!.startsWith('--from=') ? parts.shift()!.slice('--from='.length) : null;
      stage.copies.push({ from, sources: parts.slice(0, -1), target: parts.at(-1)! });
    }
  }
  return out;
}

/** The exec-form array of an instruction, e.g. ENTRYPOINT ["node", "bin/tally.js"]. */
function execForm(stage: Stage, instruction: string): string[] {
  const line = stage.lines.find((l) => l.startsWith(`${instruction} `))!;
  const json = line.slice(line.indexOf('['));
  return JSON.parse(json) as string[];
}

function run(command: string, cwd: string): void {
  execSync(command, { cwd, stdio: 'pipe', env: { ...process.env, npm_config_loglevel: 'error' } });
}

describe('container image', () => {
  it('builds as its Dockerfile says and serves from its runtime files alone', async () => {
    const [build, runtime] = stages();
    assert.ok(build && runtime, 'a build stage and a runtime stage');
    // The build stage: only what it copies, then its commands (system packages are Debian's).
    const buildDir = mkdtempSync(join(tmpdir(), 'tally-image-build-'));
    for (const copy of build.copies) {
      for (const source of copy.sources) {
        // As Docker does: a target ending in / is a folder the source goes into.
        const target =
          copy.target === './'
            ? source
            : copy.target.endsWith('/')
              ? join(copy.target, basename(source))
              : copy.target;
        cpSync(join(REPO, source), join(buildDir, target), { recursive: true });
      }
    }
    for (const command of build.runs.filter((c) => !c.startsWith('apt-get')))
      run(command, buildDir);

    // The runtime stage: only what it copies from the build stage.
    const appDir = mkdtempSync(join(tmpdir(), 'tally-image-app-'));
    for (const copy of runtime.copies) {
      assert.equal(copy.from, 'build');
      for (const source of copy.sources) {
        const relative = source.replace(/^\/app\//, '');
        const target = copy.target === './' ? relative : copy.target.replace(/^\.\//, '');
        cpSync(join(buildDir, relative), join(appDir, target), { recursive: true });
      }
    }
    assert.ok(
      existsSync(join(appDir, 'node_modules', 'better-sqlite3')),
      'production dependencies',
    );
    for (const dev of ['typescript', 'eslint', 'autocannon', 'fast-check']) {
      assert.ok(!existsSync(join(appDir, 'node_modules', dev)), `${dev} is a dev dependency`);
    }
    assert.ok(runtime.lines.includes('USER node'), 'runs as the unprivileged node user');
    assert.ok(runtime.lines.some((l) => l.startsWith('VOLUME') && l.includes('/data')));
    assert.equal(runtime.env.TALLY_DATA, '/data');

    // Started as the image starts it, configured by its ENV (the port, host and data folder
    // moved to this machine's loopback and a temp dir).
    const port = await freePort();
    const env = {
      ...process.env,
      ...runtime.env,
      TALLY_PORT: String(port),
      TALLY_HOST: '127.0.0.1',
      TALLY_DATA: mkdtempSync(join(tmpdir(), 'tally-image-data-')),
    };
    const [command, ...args] = [...execForm(runtime, 'ENTRYPOINT'), ...execForm(runtime, 'CMD')];
    const server = spawn(command === 'node' ? process.execPath : command!, args, {
      cwd: appDir,
      env,
      stdio: 'ignore',
    });
    try {
      const healthcheck = execForm(runtime, 'HEALTHCHECK');
      const probe = () =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, healthcheck.slice(1), { env, stdio: 'ignore' });
          child.on('exit', resolve);
        });
      const deadline = Date.now() + 60_000;
      let code = await probe();
      while (code !== 0 && Date.now() < deadline) {
        await sleep(200);
        code = await probe();
      }
      assert.equal(code, 0, 'the HEALTHCHECK passes');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.deepEqual(await ready.json(), { status: 'ready' });
      // The dashboard is in the image: its page and the script it loads.
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      const script = /src="(\/assets\/main-\w+\.js)"/.exec(page)?.[1];
      assert.ok(script, 'the dashboard page names its script');
      const asset = await fetch(`http://127.0.0.1:${port}${script}`);
      assert.equal(asset.status, 200);
      // Read to the end: an unread body keeps the connection busy, and shutdown waits for it.
      assert.ok((await asset.arrayBuffer()).byteLength > 10_000);
    } finally {
      server.kill('SIGTERM');
    }
    const exit = await new Promise<number | null>((resolve) => server.on('exit', resolve));
    assert.equal(exit, 0, 'stops cleanly on SIGTERM, as docker stop sends it');
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      {
        environment?: Record<string, string>;
        healthcheck?: { test: string[] };
        ports?: string[];
        depends_on?: Record<string, { condition: string }>;
      }
    >;
  };

  it('runs ClickHouse, Redis and two Tally API processes behind one port, each with a health check', () => {
    const { services } = compose;
    assert.deepEqual(Object.keys(services).sort(), [
      'clickhouse',
      'proxy',
      'redis',
      'tally-1',
      'tally-2',
    ]);
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.healthcheck?.test.length, `${name} has a health check`);
    }
    assert.deepEqual(services.proxy!.ports, ['3000:80']);
    assert.deepEqual(Object.keys(services.proxy!.depends_on ?? {}).sort(), ['tally-1', 'tally-2']);
    const nginx = readFileSync(join(REPO, 'deploy', 'nginx.conf'), 'utf8');
    for (const upstream of ['tally-1:3000', 'tally-2:3000']) assert.ok(nginx.includes(upstream));
    for (const name of ['tally-1', 'tally-2']) {
      assert.match(services[name]!.healthcheck!.test.join(' '), /\/readyz/);
    }
  });

  it('sets only variables Tally reads, and points both API processes at the same services', () => {
    const known = new Set(serveEnvironment());
    for (const name of ['tally-1', 'tally-2']) {
      const env = compose.services[name]!.environment!;
      for (const variable of Object.keys(env)) {
        assert.ok(known.has(variable), `${name}: ${variable} is not a variable Tally reads`);
      }
      assert.equal(env.TALLY_STORE, 'clickhouse');
      assert.equal(env.TALLY_CLICKHOUSE_URL, 'http://clickhouse:8123');
      assert.equal(env.TALLY_REDIS_URL, 'redis://redis:6379');
    }
  });
});

describe('docs/deploy.md', () => {
  it('lists every variable Tally reads in its configuration table', () => {
    const doc = readFileSync(join(REPO, 'docs', 'deploy.md'), 'utf8');
    for (const variable of serveEnvironment()) {
      assert.match(doc, new RegExp(`^\\| \`${variable}\` \\|`, 'm'), variable);
    }
  });
});
