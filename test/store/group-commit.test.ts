/** Group commit (src/store/sqlite/group-commit.ts): who shares a transaction, and who fails. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit, type Settled } from '../../src/store/sqlite/group-commit.js';

/** A GroupCommit over numbers that records each group it was asked to commit. */
function recording(
  maxGroupSize: number,
  settle = (n: number): Settled<number> => ({ ok: true, value: n * 10 }),
) {
  const groups: number[][] = [];
  const commits = new GroupCommit<number, number>(
    (items) => {
      groups.push([...items]);
      return items.map(settle);
    },
    (n) => n,
    maxGroupSize,
  );
  return { commits, groups };
}

describe('group commit', () => {
  it('commits items submitted together in one group, and each gets its own result', async () => {
    const { commits, groups } = recording(100);
    const results = await Promise.all([commits.submit(1), commits.submit(2), commits.submit(3)]);
    assert.deepEqual(results, [10, 20, 30]);
    assert.deepEqual(groups, [[1, 2, 3]]);
  });

  it('commits an item alone when nothing else is waiting', async () => {
    const { commits, groups } = recording(100);
    assert.equal(await commits.submit(4), 40);
    assert.equal(await commits.submit(5), 50);
    assert.deepEqual(groups, [[4], [5]]);
  });

  it('stops growing a group at its maximum size, and commits the rest next', async () => {
    const { commits, groups } = recording(5);
    await Promise.all([3, 3, 3, 1].map((n) => commits.submit(n)));
    // 3 + 3 reaches 5: the group is closed; an item larger than the maximum still goes alone.
    assert.deepEqual(groups, [
      [3, 3],
      [3, 1],
    ]);
  });

  it('fails only the item that failed', async () => {
    const { commits } = recording(100, (n) =>
      n === 2 ? { ok: false, error: new Error('two') } : { ok: true, value: n },
    );
    const settled = await Promise.allSettled([1, 2, 3].map((n) => commits.submit(n)));
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
  });

  it('fails every item of a group whose commit fails, and keeps serving later ones', async () => {
    let failNext = true;
    const commits = new GroupCommit<number, number>(
      (items) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        return items.map((n) => ({ ok: true, value: n }));
      },
      () => 1,
      100,
    );
    const settled = await Promise.allSettled([commits.submit(1), commits.submit(2)]);
    assert.deepEqual(
      settled.map((s) => s.status),
      ['rejected', 'rejected'],
    );
    assert.equal(await commits.submit(3), 3);
  });
});
