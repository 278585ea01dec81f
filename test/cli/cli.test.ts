import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashApiKey } from '../../src/api/keys.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import {
  getJson,
  removeDataDir,
  runCli,
  startCli,
  stopCli,
  sumSeries,
  tempDataDir,
  type CliResult,
} from './cli-process.js';

const KEY_LINE = /^tly_[A-Za-z0-9_-]{43}\n$/;

/** Opens the data folder the CLI wrote to, after the CLI has exited. */
async function inspect<T>(dataDir: string, look: (store: Store) => Promise<T>): Promise<T> {
  const store = await openSqliteStore({ dataDir });
  try {
    return await look(store);
  } finally {
    await store.close();
  }
}

function assertFails(result: CliResult, message: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, message);
}

describe('tally CLI', () => {
  let data: string;

  before(async () => {
    data = tempDataDir();
    const created = await runCli([
      'workspace',
      'create',
      'acme',
      '--timezone',
      'Europe/Berlin',
      '--data',
      data,
    ]);
    assert.equal(created.code, 0, created.stderr);
  });
  after(() => removeDataDir(data));

  it('has --help for every command', async () => {
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    for (const command of ['serve', 'workspace', 'key', 'campaign', 'demo']) {
      assert.match(top.stdout, new RegExp(`^  ${command}\\b`, 'm'));
    }
    const commands = [
      ['serve', /--port <port>/],
      ['workspace create', /--timezone <zone>/],
      ['workspace set-timezone', /<zone>/],
      ['key create', /--permissions <list>/],
      ['campaign define', /<file>/],
      ['demo', /--events <n>/],
    ] as const;
    for (const [command, option] of commands) {
      const help = await runCli([...command.split(' '), '--help']);
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, new RegExp(`^Usage: tally ${command}`, 'm'));
      assert.match(help.stdout, option, command);
      assert.match(help.stdout, /--data <dir>/, command);
    }
  });

  it('creates a workspace in the zone given, once', async () => {
    const workspace = await inspect(data, (store) => store.findWorkspaceByName('acme'));
    assert.equal(workspace?.timezone, 'Europe/Berlin');
    const again = await runCli(['workspace', 'create', 'acme', '--data', data]);
    assertFails(again, /^tally: a workspace named "acme" already exists\n/);
  });

  it('defaults the zone to UTC and refuses unknown zones', async () => {
    assert.equal((await runCli(['workspace', 'create', 'plain', '--data', data])).code, 0);
    const bad = await runCli([
      'workspace',
      'create',
      'mars',
      '--timezone',
      'Mars/Olympus',
      '--data',
      data,
    ]);
    assertFails(bad, /unknown time zone "Mars\/Olympus"/);
    const [plain, mars] = await inspect(data, (store) =>
      Promise.all([store.findWorkspaceByName('plain'), store.findWorkspaceByName('mars')]),
    );
    assert.equal(plain?.timezone, 'UTC');
    assert.equal(mars, undefined);
  });

  it('changes the reporting zone', async () => {
    const set = await runCli(['workspace', 'set-timezone', 'plain', 'Asia/Tokyo', '--data', data]);
    assert.equal(set.code, 0, set.stderr);
    const workspace = await inspect(data, (store) => store.findWorkspaceByName('plain'));
    assert.equal(workspace?.timezone, 'Asia/Tokyo');
    assertFails(
      await runCli(['workspace', 'set-timezone', 'plain', 'Nowhere', '--data', data]),
      /unknown time zone "Nowhere"/,
    );
    assertFails(
      await runCli(['workspace', 'set-timezone', 'ghost', 'UTC', '--data', data]),
      /no workspace named "ghost"/,
    );
  });

  it('creates a key: stdout is only the key, stored with the permissions asked for', async () => {
    const result = await runCli([
      'key',
      'create',
      '--workspace',
      'acme',
      '--permissions',
      'campaigns.data_series, events.write',
      '--data',
      data,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, KEY_LINE);
    const all = await runCli([
      'key',
      'create',
      '--workspace',
      'acme',
      '--permissions',
      'all',
      '--data',
      data,
    ]);
    assert.match(all.stdout, KEY_LINE);
    const [grant, allGrant, workspace] = await inspect(data, (store) =>
      Promise.all([
        store.findApiKey(hashApiKey(result.stdout.trim())),
        store.findApiKey(hashApiKey(all.stdout.trim())),
        store.findWorkspaceByName('acme'),
      ]),
    );
    assert.deepEqual(grant, {
      workspaceId: workspace!.id,
      permissions: ['campaigns.data_series', 'events.write'],
      expiresAtMs: null,
    });
    assert.deepEqual(allGrant?.permissions, [...PERMISSIONS]);
  });

  it('refuses unknown permissions and unknown workspaces', async () => {
    assertFails(
      await runCli([
        'key',
        'create',
        '--workspace',
        'acme',
        '--permissions',
        'campaigns.list,root',
        '--data',
        data,
      ]),
      /unknown permission "root" \(known: campaigns\.data_series, .*, or all\)/,
    );
    assertFails(
      await runCli([
        'key',
        'create',
        '--workspace',
        'nope',
        '--permissions',
        'all',
        '--data',
        data,
      ]),
      /no workspace named "nope"/,
    );
    const missing = await runCli(['key', 'create', '--workspace', 'acme', '--data', data]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--permissions <list>/);
  });

  it('sets a currency rate with workspace set-rate, and refuses bad input', async () => {
    const set = await runCli(['workspace', 'set-rate', 'acme', 'eur', '1.08', '--data', data]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'workspace "acme": 1 EUR = 1.08 USD\n');
    const again = await runCli(['workspace', 'set-rate', 'acme', 'EUR', '1.1', '--data', data]);
    assert.equal(again.code, 0, again.stderr);
    const rates = await inspect(data, async (store) => {
      const workspace = await store.findWorkspaceByName('acme');
      return store.currencyRates(workspace!.id);
    });
    assert.deepEqual([...rates], [['EUR', 1.1]]);

    const setRate = (...args: string[]) =>
      runCli(['workspace', 'set-rate', ...args, '--data', data]);
    assertFails(await setRate('acme', 'USD', '1'), /USD needs no rate/);
    assertFails(await setRate('acme', 'EURO', '1.08'), /three-letter ISO 4217 code/);
    assertFails(await setRate('acme', 'GBP', '0'), /positive number of USD per GBP/);
    assertFails(await setRate('acme', 'GBP', 'abc'), /positive number of USD per GBP/);
    assertFails(await setRate('nope', 'GBP', '1.27'), /no workspace named "nope"/);
    const missing = await runCli(['workspace', 'set-rate', 'acme', 'GBP', '--data', data]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing required argument 'rate'/);
    const unchanged = await inspect(data, async (store) => {
      const workspace = await store.findWorkspaceByName('acme');
      return store.currencyRates(workspace!.id);
    });
    assert.deepEqual([...unchanged], [['EUR', 1.1]]);
  });

  it('defines a campaign from a JSON file, with the API validation', async () => {
    const file = join(data, 'spring.json');
    writeFileSync(
      file,
      JSON.stringify({
        campaign_id: 'spring',
        name: 'Spring sale',
        channels: ['email', 'ios_push'],
        variations: [
          { id: 'v1', name: 'Variant 1' },
          { id: 'cg', name: 'Control Group', control: true },
        ],
      }),
    );
    const defined = await runCli([
      'campaign',
      'define',
      file,
      '--workspace',
      'acme',
      '--data',
      data,
    ]);
    assert.equal(defined.code, 0, defined.stderr);
    const campaign = await inspect(data, async (store) => {
      const workspace = await store.findWorkspaceByName('acme');
      return store.getCampaign(workspace!.id, 'spring');
    });
    assert.equal(campaign?.name, 'Spring sale');
    assert.deepEqual(campaign?.channels, ['ios_push', 'email']);
    assert.deepEqual(
      campaign?.variations.map((v) => [v.id, v.control]),
      [
        ['v1', false],
        ['cg', true],
      ],
    );

    const badChannel = join(data, 'bad.json');
    writeFileSync(badChannel, JSON.stringify({ campaign_id: 'bad', channels: ['fax'] }));
    assertFails(
      await runCli(['campaign', 'define', badChannel, '--workspace', 'acme', '--data', data]),
      /bad\.json: channels\[0\] must be one of ios_push, /,
    );
    const notJson = join(data, 'broken.json');
    writeFileSync(notJson, '{"campaign_id": ');
    assertFails(
      await runCli(['campaign', 'define', notJson, '--workspace', 'acme', '--data', data]),
      /broken\.json is not valid JSON/,
    );
    assertFails(
      await runCli([
        'campaign',
        'define',
        join(data, 'absent.json'),
        '--workspace',
        'acme',
        '--data',
        data,
      ]),
      /cannot read .*absent\.json/,
    );
  });
});

describe('tally demo', () => {
  const data = tempDataDir();
  after(() => removeDataDir(data));
  const ready = /served at (http:\/\/127\.0\.0\.1:\d+)[\s\S]*\n {2}(tly_\S+)\n/;

  async function sentOverDemo(url: string, key: string): Promise<number> {
    const answer = await getJson(
      `${url}/campaigns/data_series?campaign_id=demo_spring_sale&length=100`,
      key,
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return sumSeries(answer.body, 'sent');
  }

  let firstSent = 0;

  it('loads the demo, prints a working key and commands, serves, and stops on SIGTERM', async () => {
    const demo = await startCli(
      ['demo', '--events', '20000', '--port', '0', '--data', data],
      ready,
    );
    try {
      const [, url, key] = demo.match as unknown as [string, string, string];
      firstSent = await sentOverDemo(url, key);
      assert.ok(firstSent > 0);
      assert.ok(
        demo
          .stdout()
          .includes(
            `curl -s "${url}/sends/data_series?campaign_id=demo_price_alerts&send_id=price_drop_`,
          ),
      );
      assert.ok(demo.stdout().includes(`-X POST "${url}/events"`));
      assert.ok(demo.stdout().includes(`Dashboard: open ${url}/ in a browser`));
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await page.text(), /<script type="module" src="\/assets\/main-\w+\.js">/);
    } finally {
      assert.equal(await stopCli(demo.child, 'SIGTERM'), 0);
    }
  });

  it('serves the data already loaded when run again, without doubling it', async () => {
    assert.ok(firstSent > 0, 'the first demo run failed');
    const demo = await startCli(
      ['demo', '--events', '20000', '--port', '0', '--data', data],
      ready,
    );
    try {
      const [, url, key] = demo.match as unknown as [string, string, string];
      assert.equal(await sentOverDemo(url, key), firstSent);
    } finally {
      await stopCli(demo.child, 'SIGTERM');
    }
  });
});
