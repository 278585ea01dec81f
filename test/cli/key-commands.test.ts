/** `tally key create --expires`, `key list`, `key revoke` and `workspace list`, as a user runs them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { removeDataDir, runCli, tempDataDir } from './cli-process.js';

describe('key and workspace commands', () => {
  it('lists keys without ever showing one, revokes by id, and lists workspaces', async () => {
    const data = tempDataDir();
    const run = async (...args: string[]) => {
      const result = await runCli([...args, '--data', data]);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout;
    };
    await run('workspace', 'create', 'acme', '--timezone', 'Europe/Berlin');
    await run('workspace', 'create', 'beta');
    const all = (await run('key', 'create', '--workspace', 'acme', '--permissions', 'all')).trim();
    const expiring = (
      await run(
        'key',
        'create',
        '--workspace',
        'acme',
        '--permissions',
        'events.write',
        '--expires',
        '30d',
      )
    ).trim();

    const keys = JSON.parse(await run('key', 'list', '--workspace', 'acme', '--json')) as {
      id: string;
      prefix: string;
      permissions: string[];
      expiresAtMs: number | null;
      revokedAtMs: number | null;
    }[];
    assert.equal(keys.length, 2);
    assert.deepEqual(
      keys.map((k) => all.startsWith(k.prefix) || expiring.startsWith(k.prefix)),
      [true, true],
    );
    const inDays = (keys[1]!.expiresAtMs! - Date.now()) / 86_400_000;
    assert.ok(inDays > 29.9 && inDays <= 30, `expires in ${inDays} days`);
    assert.deepEqual(keys[1]!.permissions, ['events.write']);

    const table = await run('key', 'list', '--workspace', 'acme');
    assert.match(table, /^ID +PREFIX +PERMISSIONS +CREATED +LAST USED +EXPIRES +REVOKED\n/);
    assert.match(table, new RegExp(`${keys[0]!.id} +${keys[0]!.prefix}… +all `));
    for (const output of [table, JSON.stringify(keys)]) {
      assert.ok(!output.includes(all) && !output.includes(expiring), 'a key was printed');
    }

    assert.match(await run('key', 'revoke', keys[0]!.id), new RegExp(`^revoked ${keys[0]!.id} `));
    const after = JSON.parse(await run('key', 'list', '--workspace', 'acme', '--json')) as {
      revokedAtMs: number | null;
    }[];
    assert.deepEqual(
      after.map((k) => k.revokedAtMs !== null),
      [true, false],
    );
    const missing = await runCli(['key', 'revoke', 'key_000000000000', '--data', data]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no key with id "key_000000000000"/);
    const past = await runCli([
      'key',
      'create',
      '--workspace',
      'acme',
      '--permissions',
      'all',
      '--expires',
      '2001-01-01',
      '--data',
      data,
    ]);
    assert.match(past.stderr, /--expires "2001-01-01" is already past/);

    const workspaces = JSON.parse(await run('workspace', 'list', '--json')) as {
      name: string;
      timezone: string;
    }[];
    assert.deepEqual(
      workspaces.map((w) => [w.name, w.timezone]),
      [
        ['acme', 'Europe/Berlin'],
        ['beta', 'UTC'],
      ],
    );
    assert.match(await run('workspace', 'list'), /^NAME +ID +TIME ZONE +CREATED\nacme +ws_/);
    removeDataDir(data);
  });
});
