import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGroupCommit } from './group-commit';

interface Item {
  id: number;
  key: string;
}

/** A group commit whose writes are held until the test releases them, recording every group. */
function harness(maxInFlight: number, fail: (items: Item[]) => boolean = () => false) {
  const groups: { lane: string; ids: number[] }[] = [];
  const held: (() => void)[] = [];
  let inFlight = 0;
  let maxSeen = 0;
  const gc = createGroupCommit<Item, string>({
    write: (lane, items) => {
      groups.push({ lane, ids: items.map((i) => i.id) });
      inFlight += 1;
      maxSeen = Math.max(maxSeen, inFlight);
      return new Promise((resolve, reject) => {
        held.push(() => {
          inFlight -= 1;
          if (fail(items)) reject(new Error(`group ${items.map((i) => i.id).join(',')} failed`));
          else resolve(items.map((i) => `done ${i.id}`));
        });
      });
    },
    conflictKeys: (i) => [i.key],
    maxItems: 3,
    maxInFlight,
  });
  const tick = () => new Promise((r) => setImmediate(r));
  const releaseAll = async () => {
    while (held.length > 0) {
      for (const release of held.splice(0)) release();
      await tick();
      await tick();
    }
  };
  return { gc, groups, releaseAll, tick, maxSeen: () => maxSeen };
}

test('calls of one turn form groups of at most maxItems, each call getting its own result', async () => {
  const h = harness(1);
  const results = Array.from({ length: 7 }, (_, id) => h.gc.submit('a', { id, key: `k${id}` }));
  await h.tick();
  await h.releaseAll();
  assert.deepEqual(
    await Promise.all(results),
    [0, 1, 2, 3, 4, 5, 6].map((i) => `done ${i}`),
  );
  assert.deepEqual(
    h.groups.map((g) => g.ids),
    [[0, 1, 2], [3, 4, 5], [6]],
  );
  assert.equal(h.maxSeen(), 1);
});

test('two calls with one conflict key are never in one group, nor in two groups at once', async () => {
  const h = harness(4);
  const results = [
    h.gc.submit('a', { id: 0, key: 'same' }),
    h.gc.submit('a', { id: 1, key: 'same' }),
    h.gc.submit('a', { id: 2, key: 'other' }),
  ];
  await h.tick();
  assert.deepEqual(
    h.groups.map((g) => g.ids),
    [[0, 2]],
  );
  await h.releaseAll();
  await Promise.all(results);
  assert.deepEqual(
    h.groups.map((g) => g.ids),
    [[0, 2], [1]],
  );
});

test('lanes are separate, and a lane runs at most maxInFlight groups at once', async () => {
  const h = harness(2);
  const results = [
    ...Array.from({ length: 9 }, (_, id) => h.gc.submit('a', { id, key: `k${id}` })),
    h.gc.submit('b', { id: 100, key: 'k0' }),
  ];
  await h.tick();
  assert.deepEqual(
    h.groups.map((g) => [g.lane, g.ids]),
    [
      ['a', [0, 1, 2]],
      ['a', [3, 4, 5]],
      ['b', [100]],
    ],
  );
  await h.releaseAll();
  await Promise.all(results);
  assert.equal(h.groups.length, 4);
  assert.equal(h.maxSeen(), 3); // two of lane a and one of lane b
});

test('a failed write fails its own group only', async () => {
  const h = harness(1, (items) => items.some((i) => i.id === 1));
  const results = Array.from({ length: 5 }, (_, id) =>
    h.gc.submit('a', { id, key: `k${id}` }).then(
      (r) => r,
      (err: Error) => err.message,
    ),
  );
  await h.tick();
  await h.releaseAll();
  assert.deepEqual(await Promise.all(results), [
    'group 0,1,2 failed',
    'group 0,1,2 failed',
    'group 0,1,2 failed',
    'done 3',
    'done 4',
  ]);
});
